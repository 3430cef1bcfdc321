"""patrol.rules.verdicts.judge at its edges: limits, ties, tie-breaks, eligibility, empty periods."""

from __future__ import annotations

from patrol.model import Member, StaffInfo, WindowInfo
from patrol.rules.scoring import BOTTOM_MARK, TOP_STAFF_MARK, TOP_WINDOW_MARK, Ranking, Totals, rank_period
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import Verdicts, judge

WINDOWS = [WindowInfo(id=f"w{i}", code=str(i), name=f"窗口{i}", position=i, sort_key=f"w{i}") for i in range(4)]


def people(n: int) -> list[StaffInfo]:
    return [
        StaffInfo(id=f"s{i}", name=f"人{i:02d}", window_id=f"w{i % 4}", position=i, sort_key=f"ren {i:02d}")
        for i in range(n)
    ]


def bonus(points: float, items: int = 1) -> Totals:
    return Totals(0.0, points, items, 0, 0, items)


def deduction(points: float, items: int = 1, plus: float = 0.0, bonuses: int = 0) -> Totals:
    return Totals(points, plus, items + bonuses, items, items, bonuses)


LATE = Totals(-1.0, 0.0, 1, 1, 1)  # one finding that breaks 满勤


def judged(settings: HallRules, staff: list[StaffInfo], totals: dict) -> tuple[Ranking, Verdicts]:
    ranking = rank_period(settings, WINDOWS, [Member(p, p.window_id) for p in staff], totals, staff)
    return ranking, judge(ranking, settings)


def names(rows) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.name for r in rows]


def test_limit_zero_names_nobody() -> None:
    staff = people(4)
    totals = {("s0", "w0"): bonus(1.0), ("s1", "w1"): deduction(-1.0)}
    ranking, verdicts = judged(HallRules(top_staff=0, top_windows=0, bottom_count=0), staff, totals)
    assert verdicts.models.rows == () and verdicts.excellent.rows == () and verdicts.bottom_staff.rows == ()
    assert all(r.mark == "" for r in (*ranking.staff, *ranking.windows))
    assert verdicts.models.tie_words() == "" and verdicts.models.decided_words() == ""


def test_fewer_candidates_than_the_limit_are_all_named_and_no_tie_is_claimed() -> None:
    staff = people(6)
    totals = {
        ("s0", "w0"): bonus(0.5),
        ("s1", "w1"): bonus(0.5),  # tied with s0, but the list is shorter than 8 anyway
        ("s2", "w2"): deduction(-1.0),
    }
    _, verdicts = judged(HallRules(), staff, totals)
    assert names(verdicts.models.rows) == ["人00", "人01"]
    assert verdicts.models.boundary_tied == 2 and not verdicts.models.over_limit
    assert verdicts.models.tie_words() == ""  # the tie put nobody extra on the list
    assert names(verdicts.bottom_staff.rows) == ["人02"]  # the only one who lost points


def test_all_tied_are_all_in() -> None:
    staff = people(5)
    totals = {(p.id, p.window_id): bonus(0.3) for p in staff}
    _, verdicts = judged(HallRules(top_staff=2), staff, totals)
    assert len(verdicts.models.rows) == 5 and verdicts.models.over_limit
    assert verdicts.models.tie_words() == "第1名5人并列，共5名"
    low = {(p.id, p.window_id): deduction(-1.0) for p in staff}
    _, verdicts = judged(HallRules(bottom_count=3), staff, low)
    assert len(verdicts.bottom_staff.rows) == 5 and verdicts.bottom_staff.tie_words() == "第1名5人并列，共5名"
    assert verdicts.models.rows == ()  # and nobody who lost points is praised


def test_a_tie_break_that_separates_only_part_of_a_tie() -> None:
    staff = people(5)
    # Everyone but 人00 at 100.5: 人01 lost 0.5, 人02 and 人03 lost 1 each, 人04 lost 1.5.
    totals = {
        ("s0", "w0"): bonus(1.0),
        ("s1", "w1"): deduction(-0.5, plus=1.0, bonuses=1),
        ("s2", "w2"): deduction(-1.0, plus=1.5, bonuses=1),
        ("s3", "w3"): deduction(-1.0, plus=1.5, bonuses=1),
        ("s4", "w0"): deduction(-1.5, items=2, plus=2.0, bonuses=1),
    }
    settings = HallRules(top_staff=3, model_staff_clean=False, tie_break=("deductions",))
    ranking, verdicts = judged(settings, staff, totals)
    assert [(r.name, r.rank, r.tied) for r in ranking.staff] == [
        ("人00", 1, 1),
        ("人01", 2, 1),
        ("人02", 3, 2),
        ("人03", 3, 2),
        ("人04", 5, 1),
    ]
    models = verdicts.models
    assert names(models.rows) == ["人00", "人01", "人02", "人03"]  # the tie that remains is in whole
    assert models.decided_by == ("deductions",)  # 人04, at the same score, was left out by the rule
    assert models.tie_words() == "第3名2人并列，共4名"
    assert models.decided_words() == "得分相同者按扣分较少者在前排定名次"
    # A second rule separates the rest.
    settings = HallRules(top_staff=3, model_staff_clean=False, tie_break=("deductions", "deduction_items"))
    totals[("s3", "w3")] = deduction(-1.0, items=2, plus=1.5, bonuses=1)
    _, verdicts = judged(settings, staff, totals)
    assert names(verdicts.models.rows) == ["人00", "人01", "人02"]
    assert verdicts.models.decided_by == ("deductions", "deduction_items") and verdicts.models.tie_words() == ""
    assert verdicts.models.decided_words() == "得分相同者按扣分较少者在前、再按扣分项次较少者在前排定名次"


def test_the_bottom_tie_is_in_whole_and_never_someone_awarded() -> None:
    staff = people(8)
    totals = {
        ("s0", "w0"): bonus(1.0),
        ("s1", "w1"): deduction(-0.5),
        ("s2", "w2"): deduction(-1.0),
        ("s3", "w3"): deduction(-1.0),
        ("s4", "w0"): deduction(-1.0),
        ("s5", "w1"): deduction(-1.0),
    }
    ranking, verdicts = judged(HallRules(), staff, totals)
    bottom = verdicts.bottom_staff
    assert sorted(names(bottom.rows)) == ["人02", "人03", "人04", "人05"]  # listed by window, then name
    assert bottom.boundary_rank == 5 and bottom.tie_words() == "第5名4人并列，共4名"
    assert {r.name for r in ranking.staff if r.mark == BOTTOM_MARK} == {"人02", "人03", "人04", "人05"}
    # model_staff_clean off: a person who lost points can be praised, and then is never 末位.
    totals = {("s0", "w0"): deduction(-1.0, plus=0.5, bonuses=1), ("s1", "w1"): deduction(-1.0)}
    _, verdicts = judged(HallRules(model_staff_clean=False, top_staff=1), people(2), totals)
    assert names(verdicts.models.rows) == ["人00"] and names(verdicts.bottom_staff.rows) == ["人01"]


def test_eligibility_defaults() -> None:
    staff = people(4)
    totals = {
        ("s0", "w0"): deduction(-1.0, plus=3.0, bonuses=3),  # 102, the top score, caught on the phone
        ("s1", "w1"): bonus(0.2),
        ("s2", "w2"): Totals(0.0, 0.0, 1, 1, 0, 0),  # 请假: a finding, no points, no bonus
        (None, "w3"): Totals(-3.0, 4.0, 5, 0, 1, 4, 1),  # 有效投诉 and four 表扬信: 101
    }
    ranking, verdicts = judged(HallRules(), staff, totals)
    assert ranking.staff[0].name == "人00" and ranking.staff[0].rank == 1
    assert names(verdicts.models.rows) == ["人01"]  # clean, with a bonus
    windows = {r.id: r for r in ranking.windows}
    assert windows["w3"].score == 101 and windows["w3"].mark == ""  # the complaint bars it
    # 窗口0 (102: its one person's score) and 窗口1 (100.2) have bonuses; 窗口2's 100 has none
    assert names(verdicts.excellent.rows) == ["窗口0", "窗口1"]
    assert windows["w2"].mark == ""  # 100, but nobody there earned a bonus


def test_a_minimum_score_is_compared_as_the_decimal_it_is() -> None:
    staff = [StaffInfo(id="a", name="甲", window_id="w0"), StaffInfo(id="b", name="乙", window_id="w0")]
    # Window 0 averages 99.7 exactly: (100.4 + 99.0) / 2
    totals = {("a", "w0"): bonus(0.4, 2), ("b", "w0"): deduction(-1.0)}
    ranking, verdicts = judged(HallRules(excellent_min_score=99.7), staff, totals)
    window = next(r for r in ranking.windows if r.id == "w0")
    assert window.score == 99.7 and window.mark == TOP_WINDOW_MARK
    ranking, verdicts = judged(HallRules(), staff, totals)  # at the default 100: not excellent
    assert next(r for r in ranking.windows if r.id == "w0").mark == BOTTOM_MARK
    assert verdicts.excellent.rows == ()


def test_a_period_without_records_judges_nothing() -> None:
    staff = people(6)
    for basis in ("clockin", "patrol"):
        ranking, verdicts = judged(HallRules(attendance_basis=basis), staff, {})
        assert not verdicts.has_records
        assert verdicts.models.rows == verdicts.excellent.rows == verdicts.bottom_staff.rows == ()
        assert verdicts.full_attendance is None and verdicts.attendance_basis == ""
        assert all(r.mark == "" and not r.full_attendance for r in (*ranking.staff, *ranking.windows))


def test_a_month_with_one_finding() -> None:
    staff = people(6)
    ranking, verdicts = judged(HallRules(attendance_basis="patrol"), staff, {("s3", "w3"): deduction(-1.0)})
    assert verdicts.models.rows == () and verdicts.excellent.rows == ()  # nobody stood out
    assert names(verdicts.bottom_staff.rows) == ["人03"]
    assert {r.name for r in ranking.staff if r.mark == TOP_STAFF_MARK} == set()
    assert verdicts.attendance_basis == "patrol"
    assert {r.name for r in verdicts.full_attendance or ()} == {"人00", "人01", "人02", "人04", "人05"}


def test_clock_in_basis_without_punches_names_nobody() -> None:
    staff = people(3)
    ranking, verdicts = judged(HallRules(), staff, {("s0", "w0"): bonus(1.0)})
    assert verdicts.full_attendance is None and not any(r.full_attendance for r in ranking.staff)
    ranking = rank_period(HallRules(), WINDOWS, [Member(p, p.window_id) for p in staff], {}, staff)
    verdicts = judge(ranking, HallRules(), has_clockin=True)  # 满勤 still comes from the clock-in records
    assert verdicts.attendance_basis == "clockin" and len(verdicts.full_attendance or ()) == 3


def test_punches_decide_even_where_the_hall_judges_from_patrols() -> None:
    # A hall that said it has no clock-in machine and then imports punches: the punches are the
    # better evidence, and a month that has them judges 满勤 from them (no record needed).
    staff = people(3)
    settings = HallRules(attendance_basis="patrol")
    ranking = rank_period(settings, WINDOWS, [Member(p, p.window_id) for p in staff], {("s1", "w1"): LATE}, staff)
    verdicts = judge(ranking, settings, has_clockin=True)
    assert verdicts.attendance_basis == "clockin" and names(verdicts.full_attendance or ()) == ["人00", "人02"]
