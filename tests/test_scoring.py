"""Scores and ranks: DESIGN's rules, and Hypothesis properties over random halls."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from patrol.model import Member, StaffInfo, WindowInfo
from patrol.rules.scoring import BOTTOM_MARK, TOP_STAFF_MARK, Totals, exact, order_and_rank, shown
from patrol.rules.scoring import rank_period as rank_members
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import judge

HALL = HallRules(top_staff=2, top_windows=1, attendance_basis="patrol")


def rank_period(settings: HallRules, windows: list[WindowInfo], people: list[StaffInfo], totals: dict):  # type: ignore[no-untyped-def]
    """Everyone posted the whole period at their window, ranked and judged."""
    ranking = rank_members(settings, windows, [Member(p, p.window_id) for p in people], totals, people)
    judge(ranking, settings)
    return ranking


WINDOWS = [WindowInfo(id=f"w{i}", code=str(i), name=f"窗口{i}", sort_key=f"w{i}") for i in range(3)]


def staff(n: int) -> list[StaffInfo]:
    return [StaffInfo(id=f"s{i}", name=f"人{i}", window_id=f"w{i % 3}", sort_key=f"ren {i:03d}") for i in range(n)]


points = st.sampled_from([-3.0, -2.0, -1.0, -0.5, 0.0, 0.2, 0.3, 0.5, 1.0])


@st.composite
def halls(draw: st.DrawFn) -> tuple[list[StaffInfo], dict[tuple[str | None, str], Totals]]:
    people = staff(draw(st.integers(1, 12)))
    totals: dict[tuple[str | None, str], Totals] = {}
    for person in people:
        found = draw(st.lists(points, max_size=5))
        if found:
            totals[(person.id, person.window_id)] = Totals(
                sum(p for p in found if p < 0),
                sum(p for p in found if p > 0),
                len(found),
                draw(st.integers(0, len(found))),
            )
    return people, totals


@given(halls())
def test_ranks_are_competition_ranks(hall: tuple) -> None:
    people, totals = hall
    rows = rank_period(HALL, WINDOWS, people, totals).staff
    for index, row in enumerate(rows):
        assert row.rank == 1 + sum(1 for other in rows if other.exact > row.exact)
        if index:
            assert rows[index - 1].exact >= row.exact


@given(halls(), st.data())
@settings(max_examples=150)
def test_a_deduction_never_raises_anyone_rank(hall: tuple, data: st.DataObject) -> None:
    people, totals = hall
    before = {r.id: r.rank for r in rank_period(HALL, WINDOWS, people, totals).staff}
    target = data.draw(st.sampled_from(people))
    penalty = data.draw(st.sampled_from([-0.5, -1.0, -2.0]))
    key = (target.id, target.window_id)
    after_totals = dict(totals)
    old = totals.get(key, Totals())
    after_totals[key] = Totals(old.deductions + penalty, old.bonuses, old.findings + 1, old.attendance)
    after = {r.id: r.rank for r in rank_period(HALL, WINDOWS, people, after_totals).staff}
    assert after[target.id] >= before[target.id]  # the one deducted never moves up
    for person in people:
        if person.id != target.id:
            assert after[person.id] <= before[person.id]  # nobody else moves down


@given(halls())
def test_staff_score_is_100_plus_points_and_windows_average_their_staff(hall: tuple) -> None:
    people, totals = hall
    ranking = rank_period(HALL, WINDOWS, people, totals)
    for row in ranking.staff:
        t = totals.get((row.id, next(p.window_id for p in people if p.id == row.id)), Totals())
        assert row.exact == 100 + exact(t.deductions) + exact(t.bonuses)
        assert row.score == shown(row.exact)
    by_window: dict[str, list[Decimal]] = {}
    for row in ranking.staff:
        by_window.setdefault(next(p.window_id for p in people if p.id == row.id), []).append(row.exact)
    for row in ranking.windows:
        scores = by_window.get(row.id)
        expected = sum(scores) / len(scores) if scores else 100
        assert row.exact == expected


def test_a_tie_stays_a_tie_and_names_only_order_the_list() -> None:
    people = [
        StaffInfo(id="a", name="张三", window_id="w0", sort_key="zhang san"),
        StaffInfo(id="b", name="曾伟", window_id="w0", sort_key="zeng wei"),
        StaffInfo(id="c", name="安娜", window_id="w0", sort_key="an na"),
    ]
    totals = {
        ("a", "w0"): Totals(-1.0, 1.0, 2, 0, 1, 1),  # 100, with a deduction
        ("b", "w0"): Totals(0.0, 0.0, 0, 0),  # 100, clean
    }
    rows = rank_period(HALL, WINDOWS, people, totals).staff
    assert [r.name for r in rows] == ["安娜", "曾伟", "张三"]
    assert [r.rank for r in rows] == [1, 1, 1] and all(r.tied == 3 for r in rows)


def test_window_findings_count_for_the_window_only() -> None:
    people = [StaffInfo(id="a", name="甲", window_id="w0")]
    totals = {(None, "w0"): Totals(-2.0, 0.0, 1, 1, 1)}  # a substitute was absent
    ranking = rank_period(HALL, WINDOWS, people, totals)
    assert ranking.staff[0].score == 100 and ranking.staff[0].full_attendance
    window = next(r for r in ranking.windows if r.id == "w0")
    assert window.score == 98 and window.findings == 1
    assert next(r for r in ranking.windows if r.id == "w2").score == 100  # no staff: starts from 100


def test_sum_mode_floor_and_bonus_cap() -> None:
    people = [StaffInfo(id="a", name="甲", window_id="w0"), StaffInfo(id="b", name="乙", window_id="w0")]
    totals = {("a", "w0"): Totals(-150.0, 5.0, 3, 0), ("b", "w0"): Totals(0.0, 0.0, 0, 0)}
    hall = HallRules(window_score_mode="sum", score_floor=0.0, bonus_cap=2.0)
    ranking = rank_period(hall, WINDOWS, people, totals)
    assert next(r for r in ranking.staff if r.id == "a").score == 0.0  # 扣完为止
    assert next(r for r in ranking.windows if r.id == "w0").score == 0.0
    uncapped = rank_period(HallRules(bonus_cap=2.0), WINDOWS, people, {("a", "w0"): Totals(0.0, 5.0, 3, 0)})
    assert next(r for r in uncapped.staff if r.id == "a").score == 102.0


def test_marks_top_bottom_and_full_attendance() -> None:
    people = staff(6)
    totals = {
        ("s0", "w0"): Totals(0, 1.0, 1, 0, 0, 1),
        ("s1", "w1"): Totals(0, 0.5, 1, 0, 0, 1),
        ("s3", "w0"): Totals(-1, 0, 1, 1, 1),
        ("s4", "w1"): Totals(-2, 0, 1, 1, 1),
        ("s5", "w2"): Totals(0, 0, 1, 1),  # 请假: no points, but not 满勤
    }
    rows = {r.id: r for r in rank_period(HALL, WINDOWS, people, totals).staff}
    assert rows["s0"].mark == TOP_STAFF_MARK and rows["s1"].mark == TOP_STAFF_MARK
    assert rows["s3"].mark == BOTTOM_MARK and rows["s4"].mark == BOTTOM_MARK
    assert rows["s2"].mark == "" and rows["s2"].full_attendance
    assert not rows["s5"].full_attendance and rows["s5"].mark == ""


def test_order_and_rank_handles_float_noise() -> None:
    people = [StaffInfo(id="a", name="甲", window_id="w0"), StaffInfo(id="b", name="乙", window_id="w0")]
    totals = {("a", "w0"): Totals(0, 0.2 + 0.3, 2, 0), ("b", "w0"): Totals(0, 0.5, 1, 0)}
    rows = rank_period(HALL, WINDOWS, people, totals).staff
    assert [r.rank for r in rows] == [1, 1]
    assert order_and_rank([]) == []
