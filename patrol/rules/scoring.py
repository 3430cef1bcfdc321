"""Scores and rankings of a period (DESIGN: 'Scoring for a period'). Pure: no storage, no UI.

A staff member's score is 100 plus the points of their effective findings. A window's score is
the average of its active staff's scores plus the points that belong to the window alone
(substitute, window-level items), or with ``window_score_mode='sum'`` 100 plus every point at
the window. Ranks are competition ranks (1, 2, 2, 4); ties are listed by fewer deduction
points, then by name in pinyin order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from patrol.model import HallInfo, StaffInfo, WindowInfo

BASE_SCORE = 100.0
TOP_STAFF_MARK = "服务标兵"
TOP_WINDOW_MARK = "优秀窗口"
BOTTOM_MARK = "末位"
BOTTOM_COUNT = 3


@dataclass
class Totals:
    """What a period holds for one person at one window (or for a window alone)."""

    deductions: float = 0.0  # <= 0
    bonuses: float = 0.0  # >= 0
    findings: int = 0
    attendance: int = 0  # attendance findings, which break 满勤
    deduction_findings: int = 0  # findings whose (copied) points are below zero
    bonus_findings: int = 0

    def add(self, other: Totals, sign: int = 1) -> None:
        """Add ``other`` (or take it away, with ``sign=-1``)."""
        self.deductions += sign * other.deductions
        self.bonuses += sign * other.bonuses
        self.findings += sign * other.findings
        self.attendance += sign * other.attendance
        self.deduction_findings += sign * other.deduction_findings
        self.bonus_findings += sign * other.bonus_findings


# (staff_id or None for the window alone, window_id) -> totals
TotalsByKey = Mapping[tuple[str | None, str], Totals]


@dataclass
class Standing:
    """One row of a ranking."""

    id: str
    name: str
    window_code: str
    window_name: str
    unit: str
    score: float
    deductions: float
    bonuses: float
    findings: int
    sort_key: str = ""
    deduction_findings: int = 0
    bonus_findings: int = 0
    rank: int = 0
    mark: str = ""
    full_attendance: bool = False
    change: int | None = None  # places gained since the previous period; None when new


@dataclass
class Ranking:
    """Staff and windows of one period, each in listing order."""

    staff: list[Standing] = field(default_factory=list)
    windows: list[Standing] = field(default_factory=list)


def _clean(value: float) -> float:
    # Points like 0.2 and 0.3 add up to 0.49999...; scores are shown and compared at 0.01.
    return round(value + 0.0, 4)


def _score(total: Totals, hall: HallInfo, base: float = BASE_SCORE) -> float:
    bonuses = total.bonuses if hall.bonus_cap is None else min(total.bonuses, hall.bonus_cap)
    score = base + total.deductions + bonuses
    if hall.score_floor is not None:
        score = max(score, hall.score_floor)
    return _clean(score)


def order_and_rank(rows: list[Standing]) -> list[Standing]:
    """Sort rows for listing and give competition ranks by score."""
    rows.sort(key=lambda r: (-r.score, -r.deductions, r.sort_key, r.name, r.id))
    for index, row in enumerate(rows):
        if index and rows[index - 1].score == row.score:
            row.rank = rows[index - 1].rank
        else:
            row.rank = index + 1
    return rows


def _mark(rows: list[Standing], top: int, top_mark: str) -> None:
    bottom = [r for r in rows if r.deductions < 0][-BOTTOM_COUNT:]
    bottom_ids = {r.id for r in bottom}
    for row in rows:
        if row.id in bottom_ids:
            row.mark = BOTTOM_MARK
        elif row.rank <= top:
            row.mark = top_mark
        else:
            row.mark = ""


def rank_period(
    hall: HallInfo,
    windows: Iterable[WindowInfo],
    staff: Iterable[StaffInfo],
    totals: TotalsByKey,
) -> Ranking:
    """Rank the active staff and every window of a hall for one period's totals."""
    windows = list(windows)
    active = [s for s in staff if s.active]
    by_staff: dict[str, Totals] = {}
    window_alone: dict[str, Totals] = {}
    window_all: dict[str, Totals] = {}
    for (staff_id, window_id), total in totals.items():
        window_all.setdefault(window_id, Totals()).add(total)
        if staff_id is None:
            window_alone.setdefault(window_id, Totals()).add(total)
        else:
            by_staff.setdefault(staff_id, Totals()).add(total)

    window_by_id = {w.id: w for w in windows}
    staff_rows: list[Standing] = []
    scores_at: dict[str, list[float]] = {}
    for person in active:
        total = by_staff.get(person.id, Totals())
        window = window_by_id.get(person.window_id)
        row = Standing(
            id=person.id,
            name=person.name,
            window_code=window.code if window else "",
            window_name=window.name if window else "",
            unit=window.unit if window else "",
            score=_score(total, hall),
            deductions=_clean(total.deductions),
            bonuses=_clean(total.bonuses),
            findings=total.findings,
            sort_key=person.sort_key,
            deduction_findings=total.deduction_findings,
            bonus_findings=total.bonus_findings,
            full_attendance=total.attendance == 0,
        )
        staff_rows.append(row)
        scores_at.setdefault(person.window_id, []).append(row.score)

    window_rows: list[Standing] = []
    for window in windows:
        everything = window_all.get(window.id, Totals())
        if hall.window_score_mode == "sum":
            score = _score(everything, hall)
        else:
            alone = window_alone.get(window.id, Totals())
            staff_scores = scores_at.get(window.id)
            base = sum(staff_scores) / len(staff_scores) if staff_scores else BASE_SCORE
            score = _score(alone, hall, base)
        window_rows.append(
            Standing(
                id=window.id,
                name=window.name,
                window_code=window.code,
                window_name=window.name,
                unit=window.unit,
                score=score,
                deductions=_clean(everything.deductions),
                bonuses=_clean(everything.bonuses),
                findings=everything.findings,
                sort_key=window.sort_key,
                deduction_findings=everything.deduction_findings,
                bonus_findings=everything.bonus_findings,
            )
        )

    ranking = Ranking(order_and_rank(staff_rows), order_and_rank(window_rows))
    _mark(ranking.staff, hall.top_staff, TOP_STAFF_MARK)
    _mark(ranking.windows, hall.top_windows, TOP_WINDOW_MARK)
    return ranking


def add_changes(current: Ranking, previous: Ranking) -> Ranking:
    """Fill each row's ``change``: places gained since ``previous`` (None if not ranked then)."""
    for now_rows, then_rows in ((current.staff, previous.staff), (current.windows, previous.windows)):
        then_rank = {r.id: r.rank for r in then_rows}
        for row in now_rows:
            before = then_rank.get(row.id)
            row.change = None if before is None else before - row.rank
    return current
