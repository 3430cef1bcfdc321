"""The verdicts of a period (DESIGN: ranks, ties, eligibility, 满勤), decided in this one place;
the board, `patrol rank`, the workbook and the notice all read them from here.

- 服务标兵, 优秀窗口 and 优质服务窗口单位 are the top N of those eligible. Where N falls inside a tie, the whole
  tie is in (and the notice says 并列 and how many), unless the hall's rules name a tie-break
  that separates them; then the notice says which rule decided. Names only order a list.
- 末位 are the bottom N of those who lost points (a deduction, and a score below 100); a tie at
  the boundary is in whole, as above.
- Eligibility (each settable): a 服务标兵 has no deduction; an 优秀窗口 scores at least 100 and
  has no 有效投诉, and so has an 优质服务窗口单位 (its people and windows together); and an
  award needs at least one bonus in the period, so a month in which nobody stood out praises
  nobody.
- A period with no record gives no award and no 末位.
- 满勤 is judged from the clock-in records whenever the period has them; a hall without a clock-in
  machine judges it from the patrols (no 迟到, 早退, 脱岗, 缺卡 or 请假 named). Without either,
  nobody is named.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from patrol.rules.scoring import (
    BASE_SCORE,
    BOTTOM_MARK,
    TOP_STAFF_MARK,
    TOP_UNIT_MARK,
    TOP_WINDOW_MARK,
    Ranking,
    Standing,
    exact,
)
from patrol.rules.settings import TIE_BREAKS, HallRules


@dataclass(frozen=True)
class Award:
    """One list a verdict names: who is on it and how the boundary was drawn."""

    mark: str
    kind: str = "staff"  # staff | window | unit
    rows: tuple[Standing, ...] = ()  # in listing order
    limit: int = 0  # how many the rules allow
    boundary_rank: int = 0  # the rank at which the list was cut (0: the list is empty)
    boundary_tied: int = 0  # how many of those on the list share that rank, when more than one
    decided_by: tuple[str, ...] = ()  # the hall's tie-breaks that separated rows at the boundary

    @property
    def over_limit(self) -> bool:
        """Whether a tie at the boundary put more on the list than the rules allow."""
        return len(self.rows) > self.limit

    def tie_words(self) -> str:
        """How a notice says the tie that put more on the list than the rules allow, or "" when
        there is none: 第8名3人并列，共10名 (people), 第4名2个窗口并列，共5个 (windows). A tie that
        fits inside the limit (or a list shorter than the limit) changed nothing and is not said."""
        if self.boundary_tied < 2 or not self.over_limit:
            return ""
        if self.kind == "window":
            return f"第{self.boundary_rank}名{self.boundary_tied}个窗口并列，共{len(self.rows)}个"
        if self.kind == "unit":
            return f"第{self.boundary_rank}名{self.boundary_tied}个单位并列，共{len(self.rows)}个"
        return f"第{self.boundary_rank}名{self.boundary_tied}人并列，共{len(self.rows)}名"

    def decided_words(self) -> str:
        """Which of the hall's tie-breaks decided the boundary, or ""."""
        if not self.decided_by:
            return ""
        return "得分相同者按" + "、再按".join(TIE_BREAKS[rule] for rule in self.decided_by) + "排定名次"


@dataclass(frozen=True)
class Verdicts:
    """Everything a period concludes about its people and windows."""

    has_records: bool
    models: Award  # 服务标兵
    excellent: Award  # 优秀窗口
    bottom_staff: Award  # 末位 (people)
    bottom_windows: Award  # 末位 (windows)
    full_attendance: tuple[Standing, ...] | None  # None: not judged
    attendance_basis: str  # "clockin", "patrol" or "" when not judged
    notes: tuple[str, ...] = field(default_factory=tuple)  # what the notice must say about how it was judged
    top_units: Award = Award(TOP_UNIT_MARK, "unit")  # 优质服务窗口单位 (none where units were not ranked)


def _top(
    rows: Sequence[Standing],
    kind: str,
    limit: int,
    mark: str,
    eligible: Callable[[Standing], bool],
    settings: HallRules,
) -> Award:
    candidates = [r for r in rows if eligible(r)]
    if limit <= 0 or not candidates:
        return Award(mark, kind, limit=limit)
    cut = candidates[min(limit, len(candidates)) - 1]
    chosen = tuple(r for r in candidates if r.rank <= cut.rank)
    tied = sum(1 for r in chosen if r.rank == cut.rank)
    left_out = [r for r in candidates if r.rank > cut.rank]
    decided = _decided_by(cut, left_out, settings)
    return Award(mark, kind, chosen, limit, cut.rank, tied if tied > 1 else 0, decided)


def _bottom(
    rows: Sequence[Standing], kind: str, limit: int, eligible: Callable[[Standing], bool], settings: HallRules
) -> Award:
    candidates = [r for r in rows if eligible(r)]
    if limit <= 0 or not candidates:
        return Award(BOTTOM_MARK, kind, limit=limit)
    cut = candidates[max(0, len(candidates) - limit)]
    chosen = tuple(r for r in candidates if r.rank >= cut.rank)
    tied = sum(1 for r in chosen if r.rank == cut.rank)
    left_out = [r for r in candidates if r.rank < cut.rank]
    decided = _decided_by(cut, left_out, settings)
    return Award(BOTTOM_MARK, kind, chosen, limit, cut.rank, tied if tied > 1 else 0, decided)


def _decided_by(cut: Standing, left_out: Sequence[Standing], settings: HallRules) -> tuple[str, ...]:
    """The tie-breaks that separated the boundary row from someone with the same score."""
    same_score = [r for r in left_out if r.exact == cut.exact]
    if not same_score or not settings.tie_break:
        return ()
    used = []
    for rule in settings.tie_break:
        used.append(rule)
        value = (lambda r: r.exact_deductions) if rule == "deductions" else (lambda r: r.deduction_findings)
        same_score = [r for r in same_score if value(r) == value(cut)]
        if not same_score:
            break
    return tuple(used)


def judge(ranking: Ranking, settings: HallRules, *, has_clockin: bool = False) -> Verdicts:
    """Decide the period's verdicts and write each row's ``mark`` and ``full_attendance``."""
    for row in (*ranking.staff, *ranking.windows, *ranking.units):
        row.mark = ""
        row.full_attendance = False
    if not ranking.has_records:
        full, basis = _full_attendance(ranking, settings, has_clockin)
        empty = Verdicts(
            has_records=False,
            models=Award(TOP_STAFF_MARK, "staff", limit=settings.top_staff),
            excellent=Award(TOP_WINDOW_MARK, "window", limit=settings.top_windows),
            bottom_staff=Award(BOTTOM_MARK, "staff", limit=settings.bottom_count),
            bottom_windows=Award(BOTTOM_MARK, "window", limit=settings.bottom_count),
            full_attendance=full,
            attendance_basis=basis,
            top_units=Award(TOP_UNIT_MARK, "unit", limit=settings.top_units),
        )
        _mark_attendance(empty)
        ranking.verdicts = empty
        return empty

    def model(row: Standing) -> bool:
        if settings.model_staff_clean and row.deduction_findings > 0:
            return False
        return not (settings.award_needs_bonus and row.bonus_findings == 0)

    def excellent(row: Standing) -> bool:
        # exact(): the setting 99.7 is the decimal 99.7, not the binary float just above it
        # Against the patrol score: weighed-in service figures (patrol.rules.weighting) do not
        # move the bar of 100 that means "no net deduction".
        if settings.excellent_min_score is not None and row.patrol_score < exact(settings.excellent_min_score):
            return False
        if settings.excellent_no_complaint and row.complaints > 0:
            return False
        return not (settings.award_needs_bonus and row.bonus_findings == 0)

    models = _top(ranking.staff, "staff", settings.top_staff, TOP_STAFF_MARK, model, settings)
    windows = _top(ranking.windows, "window", settings.top_windows, TOP_WINDOW_MARK, excellent, settings)
    # The same eligibility as an 优秀窗口; units are ranked only where the caller ranked them
    # (rank_units: `rank`, the workbook, the notice; not the board's live ranking).
    top_units = _top(ranking.units, "unit", settings.top_units, TOP_UNIT_MARK, excellent, settings)
    awarded = {r.id for r in (*models.rows, *windows.rows)}

    def lost_points(row: Standing) -> bool:
        # The patrol score, as for 优秀窗口: weighed-in service figures do not move the bar of 100.
        return row.deduction_findings > 0 and row.patrol_score < BASE_SCORE and row.id not in awarded

    bottom_staff = _bottom(ranking.staff, "staff", settings.bottom_count, lost_points, settings)
    bottom_windows = _bottom(ranking.windows, "window", settings.bottom_count, lost_points, settings)
    for award in (models, windows, bottom_staff, bottom_windows, top_units):
        for row in award.rows:
            row.mark = award.mark
    full, basis = _full_attendance(ranking, settings, has_clockin)
    verdicts = Verdicts(True, models, windows, bottom_staff, bottom_windows, full, basis, top_units=top_units)
    _mark_attendance(verdicts)
    ranking.verdicts = verdicts
    return verdicts


def _full_attendance(
    ranking: Ranking, settings: HallRules, has_clockin: bool
) -> tuple[tuple[Standing, ...] | None, str]:
    """Who is 满勤 and from what: the clock-in records whenever the period has them (whatever the
    hall's basis says: punches are better evidence than patrols), else the patrols when the hall
    has no clock-in machine and the period has records, else nobody (not judged)."""
    basis = attendance_basis(settings, has_clockin, ranking.has_records)
    if not basis:
        return None, ""
    return tuple(r for r in ranking.staff if r.attendance_breaks == 0), basis


def attendance_basis(settings: HallRules, has_clockin: bool, has_records: bool) -> str:
    """What 满勤 is judged from in a period: "clockin", "patrol", or "" (not judged)."""
    if has_clockin:
        return "clockin"
    if settings.attendance_basis == "patrol" and has_records:
        return "patrol"
    return ""


def _mark_attendance(verdicts: Verdicts) -> None:
    for row in verdicts.full_attendance or ():
        row.full_attendance = True
