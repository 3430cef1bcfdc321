"""Scores and ranks of a period (DESIGN: 'Scoring for a period'). Pure: no storage, no UI.

A staff member's score is 100 plus the points of their effective findings. A window's score is
the average of the scores its people earned there plus the points that belong to the window
alone (substitute, window-level items), or with ``window_score_mode='sum'`` 100 plus every point
at the window. Scores are decimals (points such as 0.2 and 0.3 are decimals, whose binary floats
do not add up; a window's average is carried to 28 digits, so two equal averages are equal and
two different ones differ), ranks are competition ranks (1, 2, 2, 4) of those exact scores, and
what is shown is rounded half up to one decimal (``shown``). Who gets an award or 末位 is decided in
``patrol.rules.verdicts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, TypeVar

from patrol.model import Member, StaffInfo, WindowInfo
from patrol.rules.settings import HallRules

if TYPE_CHECKING:
    from patrol.rules.figures import Counts
    from patrol.rules.verdicts import Verdicts

BASE_SCORE = Decimal(100)
TOP_STAFF_MARK = "服务标兵"
TOP_WINDOW_MARK = "优秀窗口"
TOP_UNIT_MARK = "优质服务窗口单位"
BOTTOM_MARK = "末位"


TENTH = Decimal("0.1")
SCALE = 10_000  # points are counted in ten-thousandths: every point a hall sets has at most four decimals
BASE_UNITS = 100 * SCALE
N = TypeVar("N", int, Decimal)  # a score in ten-thousandths (people) or exact (window averages)


def units(value: float) -> int:
    """A sum of points read back from the database, in ten-thousandths (exact: the float's noise
    is far below one)."""
    return round(value * SCALE)


def exact(value: float) -> Decimal:
    """A sum of points read back from the database as the decimal it stands for."""
    return Decimal(units(value)).scaleb(-4)


def _shown_units(value: int) -> float:
    """Ten-thousandths rounded half up (away from zero, as 四舍五入) to one decimal."""
    tenths = (abs(value) + SCALE // 20) // (SCALE // 10)
    return (tenths if value >= 0 else -tenths) / 10 + 0.0  # + 0.0: no "-0.0"


def shown(value: Decimal | float | int) -> float:
    """``value`` rounded half up to one decimal: the digits every screen and file shows (an int
    is a count of ten-thousandths)."""
    if isinstance(value, int):
        return _shown_units(value)
    if isinstance(value, float):
        return _shown_units(units(value))
    return float(value.quantize(TENTH, ROUND_HALF_UP)) + 0.0


@dataclass(slots=True)
class Totals:
    """What a period holds for one person at one window (or for a window alone)."""

    deductions: float = 0.0  # <= 0
    bonuses: float = 0.0  # >= 0
    findings: int = 0
    attendance: int = 0  # findings that break 满勤 (迟到, 早退, 脱岗, 缺卡, 请假)
    deduction_findings: int = 0  # findings whose (copied) points are below zero
    bonus_findings: int = 0
    complaints: int = 0  # 有效投诉: an 优秀窗口 has none

    def add(self, other: Totals, sign: int = 1) -> None:
        """Add ``other`` (or take it away, with ``sign=-1``)."""
        self.deductions += sign * other.deductions
        self.bonuses += sign * other.bonuses
        self.findings += sign * other.findings
        self.attendance += sign * other.attendance
        self.deduction_findings += sign * other.deduction_findings
        self.bonus_findings += sign * other.bonus_findings
        self.complaints += sign * other.complaints


# (staff_id or None for the window alone, window_id) -> totals
TotalsByKey = Mapping[tuple[str | None, str], Totals]


@dataclass(slots=True)
class Standing:
    """One row of a ranking. ``score``, ``deductions`` and ``bonuses`` are as shown (half up, one
    decimal); ``exact`` and ``exact_deductions`` are what ranks and verdicts compare.
    ``rank_period`` builds people's rows by position: keep the order of the fields."""

    id: str
    name: str
    window_code: str
    window_name: str
    unit: str
    score: float
    deductions: float
    bonuses: float
    findings: int
    exact: Decimal = BASE_SCORE
    exact_deductions: Decimal = Decimal(0)
    sort_key: str = ""
    deduction_findings: int = 0
    bonus_findings: int = 0
    complaints: int = 0
    attendance_breaks: int = 0
    window_position: int = 0
    rank: int = 0
    tied: int = 1  # how many share this rank
    mark: str = ""
    full_attendance: bool = False
    change: int | None = None  # places gained since the previous period; None: not comparable
    new: bool = False  # not ranked in the previous period (which had records)
    # With service figures weighed in (patrol.rules.weighting), a window's patrol score alone and
    # the shares that were weighed with it; None otherwise.
    patrol_exact: Decimal | None = None
    on_time_rate: Fraction | None = None
    good_rate: Fraction | None = None

    @property
    def patrol_score(self) -> Decimal:
        """The score from the patrols alone (the whole score unless service figures are weighed in)."""
        return self.exact if self.patrol_exact is None else self.patrol_exact


@dataclass
class Ranking:
    """Staff and windows of one period, each in listing order."""

    staff: list[Standing] = field(default_factory=list)
    windows: list[Standing] = field(default_factory=list)
    has_records: bool = False  # whether any effective finding fell in the period
    verdicts: Verdicts | None = None  # set by patrol.rules.verdicts.judge
    units: list[Standing] = field(default_factory=list)  # set by rank_units (the board has none)

    def staff_row(self, staff_id: str) -> Standing | None:
        """The row of one person, or None when they do not count in the period."""
        return next((r for r in self.staff if r.id == staff_id), None)

    def window_row(self, window_id: str) -> Standing | None:
        """The row of one window."""
        return next((r for r in self.windows if r.id == window_id), None)


def _score_units(total: Totals, settings: HallRules) -> int:
    """100 plus the points, in ten-thousandths, with the hall's bonus cap and floor."""
    cap = units(settings.bonus_cap) if settings.bonus_cap is not None else None
    floor = units(settings.score_floor) if settings.score_floor is not None else None
    return _capped(BASE_UNITS, units(total.deductions), units(total.bonuses), cap, floor)


def _units_scorer(settings: HallRules) -> Callable[[int, int], int]:
    """``_score_units`` of deductions and bonuses already in ten-thousandths, with the hall's cap
    and floor converted once (a centre scores 5,000 people a ranking)."""
    cap = units(settings.bonus_cap) if settings.bonus_cap is not None else None
    floor = units(settings.score_floor) if settings.score_floor is not None else None
    if cap is None and floor is None:  # the default rules
        return lambda deductions, bonuses: BASE_UNITS + deductions + bonuses
    return lambda deductions, bonuses: _capped(BASE_UNITS, deductions, bonuses, cap, floor)


K = TypeVar("K")
V = TypeVar("V")


class _Memo(dict[K, V]):
    """``fn(key)`` made once per distinct key and then looked up: ``memo[key]``."""

    def __init__(self, fn: Callable[[K], V]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, key: K) -> V:
        value = self[key] = self._fn(key)
        return value


def _score(total: Totals, settings: HallRules, base: Decimal = BASE_SCORE) -> Decimal:
    cap = exact(settings.bonus_cap) if settings.bonus_cap is not None else None
    floor = exact(settings.score_floor) if settings.score_floor is not None else None
    return _capped(base, exact(total.deductions), exact(total.bonuses), cap, floor)


def _capped(base: N, deductions: N, bonuses: N, cap: N | None, floor: N | None) -> N:
    """The hall's rule, once for both kinds of number (ints for people, decimals for window
    averages): bonuses count up to the cap, and the score goes no lower than the floor."""
    if cap is not None:
        bonuses = min(bonuses, cap)
    score = base + deductions + bonuses
    return max(score, floor) if floor is not None else score


def order_and_rank(rows: list[Standing], tie_break: Sequence[str] = ()) -> list[Standing]:
    """Sort rows for listing and give competition ranks by exact score (then by the hall's
    tie-breaks, if it names any). Rows that stay equal share a rank; their order in the list
    (window, then pinyin) is only an order, never a verdict."""

    def verdict_key(row: Standing) -> tuple[Decimal | int, ...]:
        key: list[Decimal | int] = [-row.exact]
        for rule in tie_break:
            key.append(-row.exact_deductions if rule == "deductions" else row.deduction_findings)
        return tuple(key)

    # Two stable sorts, listing order and then the verdict (rows equal in the verdict keep their
    # listing order): a centre sorts 5,000 people, and short keys compare faster than one long one.
    rows.sort(key=_listing_key)
    keys: Sequence[object]
    if tie_break:
        rows.sort(key=verdict_key)
        keys = [verdict_key(r) for r in rows]
    else:  # the score alone, highest first (reverse keeps a sort stable)
        rows.sort(key=_exact_score, reverse=True)
        keys = [r.exact for r in rows]
    counts: dict[int, int] = {}
    for index, row in enumerate(rows):
        row.rank = rows[index - 1].rank if index and keys[index - 1] == keys[index] else index + 1
        counts[row.rank] = counts.get(row.rank, 0) + 1
    for row in rows:
        row.tied = counts[row.rank]
    return rows


def _exact_score(row: Standing) -> Decimal:
    return row.exact


def _listing_key(row: Standing) -> tuple[int, str, str, str]:
    """The order of a list among rows that the verdict does not separate: window, then pinyin."""
    return (row.window_position, row.sort_key, row.name, row.id)


def rank_period(
    settings: HallRules,
    windows: Iterable[WindowInfo],
    members: Iterable[Member],
    totals: TotalsByKey,
    staff: Iterable[StaffInfo] = (),
    figures: Mapping[str, Counts] | None = None,
) -> Ranking:
    """Rank the people and the windows of one period.

    ``members`` are the people posted during the period, at each window where they sat;
    anyone a finding of the period names at a window counts there too (``staff`` supplies who
    they are), so a deduction never vanishes because a posting was recorded late. ``figures``
    (window id -> the period's service figures) are weighed into the windows' scores when the
    hall's rules say so (``patrol.rules.weighting``)."""
    windows = list(windows)
    window_by_id = {w.id: w for w in windows}
    known = {s.id: s for s in staff}
    seats: dict[tuple[str, str], Member] = {}
    for member in members:
        seats.setdefault((member.staff.id, member.window_id), member)
        known.setdefault(member.staff.id, member.staff)
    for staff_id, window_id in totals:
        if staff_id is not None and (staff_id, window_id) not in seats and staff_id in known:
            seats[(staff_id, window_id)] = Member(known[staff_id], window_id)

    by_staff: dict[str, Totals] = {}
    window_alone: dict[str, Totals] = {}
    window_all: dict[str, Totals] = {}
    # Where each person's findings of the period are: one window, or "" for several.
    found_at: dict[str, str] = {}
    for (staff_id, window_id), total in totals.items():
        if staff_id is None:
            window_alone.setdefault(window_id, Totals()).add(total)
        elif (staff_id, window_id) in seats:
            if staff_id in by_staff:  # findings at a second window (a move): add them up apart
                merged = Totals()
                merged.add(by_staff[staff_id])
                merged.add(total)
                by_staff[staff_id] = merged
                found_at[staff_id] = ""
            else:
                by_staff[staff_id] = total  # read only: no copy for the common case of one window
                found_at[staff_id] = window_id
        else:
            continue
        if window_id not in window_all:
            window_all[window_id] = Totals()
        window_all[window_id].add(total)

    # The window a person is listed with: where their findings of the period happened if that is
    # one window, else the one they sat at longest in the period (a move mid-month).
    listed_at: dict[str, str] = {}
    longest: dict[str, Member] = {}
    for (staff_id, _window_id), member in seats.items():
        if staff_id not in longest or member.days >= longest[staff_id].days:
            longest[staff_id] = member
    for staff_id, member in longest.items():
        listed_at[staff_id] = found_at.get(staff_id) or member.window_id
    staff_rows: list[Standing] = []
    empty = Totals()
    scored: dict[str, int] = {}  # each person's score, in ten-thousandths
    # Ten-thousandths here: a centre ranks 5,000 people on every finding, and ints are cheap. The
    # hall's cap and floor are read once, and a value's decimal and shown digits are made once per
    # distinct value (thousands of people share a few hundred scores).
    score_of = _units_scorer(settings)
    decimal_of: _Memo[int, Decimal] = _Memo(lambda value: Decimal(value).scaleb(-4))
    shown_of: _Memo[int, float] = _Memo(_shown_units)
    for staff_id, window_id in listed_at.items():
        person = known[staff_id]
        total = by_staff.get(staff_id, empty)
        window = window_by_id.get(window_id)
        seat: Member | None = longest[staff_id]
        if seat is not None and seat.window_id != window_id:  # listed where their findings are
            seat = seats.get((staff_id, window_id))
        lost, gained = units(total.deductions), units(total.bonuses)
        score = score_of(lost, gained)
        scored[staff_id] = score
        staff_rows.append(
            Standing(  # by position, in the order of the fields: 5,000 keyword calls cost 8 ms
                staff_id,  # id
                person.name,  # name
                window.code if window else "",  # window_code
                window.name if window else "",  # window_name
                (seat.unit if seat else "") or (window.unit if window else ""),  # unit
                shown_of[score],  # score
                shown_of[lost],  # deductions
                shown_of[gained],  # bonuses
                total.findings,  # findings
                decimal_of[score],  # exact
                decimal_of[lost],  # exact_deductions
                person.sort_key,  # sort_key
                total.deduction_findings,  # deduction_findings
                total.bonus_findings,  # bonus_findings
                total.complaints,  # complaints
                total.attendance,  # attendance_breaks
                window.position if window else 0,  # window_position
            )
        )

    # A window averages the scores its people earned there (100 plus their findings at it).
    earned_at: dict[str, list[int]] = {}
    for staff_id, window_id in seats:
        total = totals.get((staff_id, window_id), empty)
        earned_at.setdefault(window_id, []).append(
            scored[staff_id]
            if found_at.get(staff_id) == window_id
            else score_of(units(total.deductions), units(total.bonuses))
        )
    window_rows: list[Standing] = []
    for window in windows:
        everything = window_all.get(window.id, Totals())
        if settings.window_score_mode == "sum":
            window_score = _score(everything, settings)
        else:
            scores = earned_at.get(window.id)
            base = Decimal(sum(scores)).scaleb(-4) / len(scores) if scores else BASE_SCORE
            window_score = _score(window_alone.get(window.id, Totals()), settings, base)
        row = Standing(
            id=window.id,
            name=window.name,
            window_code=window.code,
            window_name=window.name,
            unit=window.unit,
            score=shown(window_score),
            deductions=shown(everything.deductions),
            bonuses=shown(everything.bonuses),
            findings=everything.findings,
            exact=window_score,
            exact_deductions=exact(everything.deductions),
            sort_key=window.sort_key,
            deduction_findings=everything.deduction_findings,
            bonus_findings=everything.bonus_findings,
            complaints=everything.complaints,
            attendance_breaks=everything.attendance,
            window_position=window.position,
        )
        if settings.weighs_services:
            weigh(row, (figures or {}).get(window.id), settings)
        window_rows.append(row)
    has_records = any(t.findings > 0 for t in totals.values())
    return Ranking(
        order_and_rank(staff_rows, settings.tie_break),
        order_and_rank(window_rows, settings.tie_break),
        has_records=has_records,
    )


def weigh(row: Standing, counts: Counts | None, settings: HallRules) -> None:
    """Make a window's row score its patrol score weighed with its service figures
    (``patrol.rules.weighting``), keeping each component on the row for 附表2."""
    from patrol.rules.weighting import components, weighted

    row.patrol_exact = row.exact
    row.on_time_rate, row.good_rate = components(counts, settings)
    row.exact = weighted(row.exact, counts, settings)
    row.score = shown(row.exact)


def rank_units(
    settings: HallRules, ranking: Ranking, totals: TotalsByKey, windows: Iterable[WindowInfo]
) -> list[Standing]:
    """Rank the units of one period (``rank --by unit``, 优质服务窗口单位) and keep them on
    ``ranking.units``.

    A unit counts its own people, each with the unit of the seat the ranking lists them at (at a
    综合窗口 each person carries their own unit), with all their findings of the period wherever
    they sat, plus what belongs to its windows alone (substitutes, window-level items: a window's
    findings are credited to the window's unit). Its score mirrors a window's: the average of its
    people's scores plus its windows' own points, or with ``window_score_mode='sum'`` 100 plus
    every point; a unit with windows but nobody posted starts from 100. The hall's bonus cap and
    floor apply as they do to a window. Ranks, ties and tie-breaks are those of
    ``order_and_rank``."""
    windows = list(windows)
    window_unit = {w.id: w.unit for w in windows}
    person_totals: dict[str, Totals] = {}
    alone: dict[str, Totals] = {}  # unit -> what its windows hold alone
    for (staff_id, window_id), total in totals.items():
        if staff_id is None:
            unit = window_unit.get(window_id, "")
            if unit:
                alone.setdefault(unit, Totals()).add(total)
        elif staff_id in person_totals:  # findings at a second window: add them up apart
            merged = Totals()
            merged.add(person_totals[staff_id])
            merged.add(total)
            person_totals[staff_id] = merged
        else:
            person_totals[staff_id] = total  # read only: no copy for the common case of one window
    people: dict[str, list[Standing]] = {}
    for row in ranking.staff:
        if row.unit:
            people.setdefault(row.unit, []).append(row)
    position: dict[str, int] = {}
    for window in windows:
        if window.unit:
            position[window.unit] = min(position.get(window.unit, window.position), window.position)
    for unit in people:
        position.setdefault(unit, min(r.window_position for r in people[unit]))
    rows: list[Standing] = []
    empty = Totals()
    for unit, place in position.items():
        mine = people.get(unit, [])
        everything = Totals()
        for row in mine:
            everything.add(person_totals.get(row.id, empty))
        own = alone.get(unit, empty)
        everything.add(own)
        if settings.window_score_mode == "sum":
            score = _score(everything, settings)
        else:
            base = sum((r.exact for r in mine), Decimal(0)) / len(mine) if mine else BASE_SCORE
            score = _score(own, settings, base)
        rows.append(
            Standing(
                id=unit,
                name=unit,
                window_code="",
                window_name="",
                unit=unit,
                score=shown(score),
                deductions=shown(everything.deductions),
                bonuses=shown(everything.bonuses),
                findings=everything.findings,
                exact=score,
                exact_deductions=exact(everything.deductions),
                sort_key=unit,
                deduction_findings=everything.deduction_findings,
                bonus_findings=everything.bonus_findings,
                complaints=everything.complaints,
                attendance_breaks=everything.attendance,
                window_position=place,
            )
        )
    ranking.units = order_and_rank(rows, settings.tie_break)
    return ranking.units


def add_changes(current: Ranking, previous: Ranking) -> Ranking:
    """Fill each row's ``change``: places gained since ``previous``. Left empty (None) when either
    period has no records (there is nothing to compare) or the row was not ranked then."""
    if not previous.has_records or not current.has_records:
        return current
    for now_rows, then_rows in (
        (current.staff, previous.staff),
        (current.windows, previous.windows),
        (current.units, previous.units),
    ):
        then_rank = {r.id: r.rank for r in then_rows}
        for row in now_rows:
            before = then_rank.get(row.id)
            row.change = None if before is None else before - row.rank
            row.new = before is None
    return current
