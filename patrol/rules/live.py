"""A period's ranking kept live: one saved (or undone) finding moves one person and the windows
they sit at by known points, so only those rows are scored again, moved to their new place and
given their new ranks; the marks are judged again over the rows as they stand. Pure: no storage,
no UI.

The result equals ``rank_period`` + ``judge`` + ``add_changes`` computed from scratch over the same
totals (tests/test_live_ranking.py checks that on random findings and random hall rules). What is
rare and changes who is ranked at all (the period's first finding, a finding at a window or with
a person the ranking did not list there) is ranked from scratch out of the totals kept here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import filterfalse
from operator import attrgetter
from typing import TYPE_CHECKING

from patrol.model import Member, StaffInfo, WindowInfo
from patrol.rules.scoring import (
    BASE_SCORE,
    TOP_STAFF_MARK,
    TOP_WINDOW_MARK,
    Ranking,
    Standing,
    Totals,
    TotalsByKey,
    _score,
    _score_units,
    _shown_units,
    add_changes,
    exact,
    rank_period,
    shown,
    units,
    weigh,
)
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import Verdicts, _bottom, _top, attendance_basis, judge

if TYPE_CHECKING:
    from patrol.rules.figures import Counts

Key = tuple[str | None, str]  # (staff id or None for the window alone, window id)
SortKey = tuple[tuple[Decimal | int, ...], int, str, str, str]


def finding_totals(
    points: float, *, breaks_attendance: bool = False, complaint: bool = False, count: int = 1
) -> Totals:
    """What one finding adds to its (person, window) totals, as the period's SQL sums count it: a
    finding of ``count`` (压缩办理时限 ×28) weighs ``points × count`` and counts ``count`` times."""
    weight = points * count
    return Totals(
        deductions=weight if points < 0 else 0.0,
        bonuses=weight if points > 0 else 0.0,
        findings=count,
        attendance=count if breaks_attendance else 0,
        deduction_findings=count if points < 0 else 0,
        bonus_findings=count if points > 0 else 0,
        complaints=count if complaint else 0,
    )


@dataclass(frozen=True)
class Delta:
    """One finding saved (``sign`` 1) or taken back (``sign`` -1): who, where, and what it counts."""

    staff_id: str | None  # None: the window alone (a substitute or a window-level item)
    window_id: str
    totals: Totals
    sign: int = 1


@dataclass(frozen=True)
class Moved:
    """What one delta changed on screen: the rows to paint again, and whether rows changed place
    (then the listing is reordered). ``everything``: the ranking was rebuilt, paint it all."""

    staff: frozenset[str] = frozenset()
    windows: frozenset[str] = frozenset()
    staff_order: bool = False
    window_order: bool = False
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.staff or self.windows or self.everything)


@dataclass
class _Side:
    """One listing (staff or windows) with each row's sort key, kept in order for bisect."""

    rows: list[Standing]
    keys: list[SortKey] = field(default_factory=list)
    by_id: dict[str, Standing] = field(default_factory=dict)
    placed: dict[str, SortKey] = field(default_factory=dict)  # the key each row was placed by
    # The sort keys of the rows eligible for an award, and of those who lost points (末位), in
    # listing order: the verdicts read the head or the tail of these, never the whole listing.
    top: list[SortKey] = field(default_factory=list)
    lost: list[SortKey] = field(default_factory=list)


class LiveRanking:
    """The ranking of one period, updated in place one finding at a time (``apply``).

    ``windows`` are the windows open during the period; ``closed`` are the hall's other windows,
    which count only while they hold a finding of the period (as ``HallService.windows_of``).
    ``previous`` is the previous period's ranking, for the change column (None: no change)."""

    def __init__(
        self,
        settings: HallRules,
        windows: Iterable[WindowInfo],
        members: Iterable[Member],
        totals: TotalsByKey,
        staff: Iterable[StaffInfo] = (),
        *,
        closed: Iterable[WindowInfo] = (),
        previous: Ranking | None = None,
        has_clockin: bool = False,
        patrolled: bool = False,
        figures: Mapping[str, Counts] | None = None,
    ) -> None:
        self.settings = settings
        # The period's service figures per window, weighed into the windows' scores when the
        # hall's rules say so (patrol.rules.weighting); a finding never changes them.
        self.figures = dict(figures or {})
        # Windows were seen with nothing wrong in the period (patrol.hall.rounds): it has patrol
        # records even without a finding, as ``Standings.rank`` judges it.
        self.patrolled = patrolled
        self.open_windows = list(windows)
        self.closed_windows = {w.id: w for w in closed}
        self.members = list(members)
        self.staff = list(staff)
        self.has_clockin = has_clockin
        self.previous = previous
        self._then: tuple[dict[str, int], dict[str, int]] | None = None
        if previous is not None and previous.has_records:
            self._then = ({r.id: r.rank for r in previous.staff}, {r.id: r.rank for r in previous.windows})
        self.totals: dict[Key, Totals] = {}
        for key, total in totals.items():
            copy = Totals()
            copy.add(total)
            self.totals[key] = copy
        self.rebuilds = 0  # how often a delta had to rank from scratch (tests, benchmarks)
        self._build()

    # --- from scratch -----------------------------------------------------------------

    def counted_windows(self) -> list[WindowInfo]:
        """The windows ranked: open in the period, or holding one of its findings."""
        named = {window_id for _staff, window_id in self.totals}
        return self.open_windows + [w for w in self.closed_windows.values() if w.id in named]

    def _build(self) -> None:
        windows = self.counted_windows()
        self.ranking = rank_period(self.settings, windows, self.members, self.totals, self.staff, self.figures)
        self.ranking.has_records = self.ranking.has_records or self.patrolled
        judge(self.ranking, self.settings, has_clockin=self.has_clockin)
        if self.previous is not None:
            add_changes(self.ranking, self.previous)
        self._window_by_id = {w.id: w for w in windows}
        # The seats exactly as rank_period finds them: postings first, then findings elsewhere.
        known = {s.id: s for s in self.staff}
        self._posted: set[Key] = set()
        self._seats: dict[str, list[str]] = {}  # staff id -> windows, in rank_period's order
        longest: dict[str, Member] = {}
        self._seat_unit: dict[Key, str] = {}  # a person's own unit at a seat, as rank_period reads it
        for member in self.members:
            known.setdefault(member.staff.id, member.staff)
            seat = (member.staff.id, member.window_id)
            if seat in self._posted:
                continue
            self._posted.add(seat)
            self._seat_unit[seat] = member.unit
            self._seats.setdefault(member.staff.id, []).append(member.window_id)
            if member.staff.id not in longest or member.days >= longest[member.staff.id].days:
                longest[member.staff.id] = member
        for staff_id, window_id in self.totals:
            if staff_id is not None and staff_id in known and window_id not in self._seats.get(staff_id, ()):
                self._seats.setdefault(staff_id, []).append(window_id)
                if staff_id not in longest or longest[staff_id].days <= 0:
                    longest[staff_id] = Member(known[staff_id], window_id)
        self._known = known
        self._longest = {staff_id: m.window_id for staff_id, m in longest.items()}
        self._staff = self._side(self.ranking.staff, self._model)
        self._windows = self._side(self.ranking.windows, self._excellent)
        self._scored = {r.id: units(float(r.exact)) for r in self.ranking.staff}
        self._alone: dict[str, Totals] = {}
        self._all: dict[str, Totals] = {}
        for (staff_id, window_id), total in self.totals.items():
            if staff_id is None:
                self._alone.setdefault(window_id, Totals()).add(total)
            elif window_id not in self._seats.get(staff_id, ()):
                continue
            self._all.setdefault(window_id, Totals()).add(total)
        # Each seat's part in its window's average, in ten-thousandths; and each window's sum.
        self._earned: dict[Key, int] = {}
        self._earned_sum: dict[str, int] = {}
        self._earned_count: dict[str, int] = {}
        for staff_id, seats in self._seats.items():
            found = self._found_at(staff_id)
            for window_id in seats:
                part = self._part(staff_id, window_id, found)
                self._earned[(staff_id, window_id)] = part
                self._earned_sum[window_id] = self._earned_sum.get(window_id, 0) + part
                self._earned_count[window_id] = self._earned_count.get(window_id, 0) + 1

    def _side(self, rows: list[Standing], eligible: Callable[[Standing], bool]) -> _Side:
        keys = [self._sort_key(r) for r in rows]
        side = _Side(rows, keys, {r.id: r for r in rows}, {r.id: k for r, k in zip(rows, keys, strict=True)})
        side.top = [k for r, k in zip(rows, keys, strict=True) if eligible(r)]
        side.lost = [k for r, k in zip(rows, keys, strict=True) if _lost_points(r)]
        return side

    # The eligibility rules of patrol.rules.verdicts.judge, row by row.

    def _model(self, row: Standing) -> bool:
        if self.settings.model_staff_clean and row.deduction_findings > 0:
            return False
        return not (self.settings.award_needs_bonus and row.bonus_findings == 0)

    def _excellent(self, row: Standing) -> bool:
        least = self.settings.excellent_min_score
        if least is not None and row.patrol_score < exact(least):  # as patrol.rules.verdicts
            return False
        if self.settings.excellent_no_complaint and row.complaints > 0:
            return False
        return not (self.settings.award_needs_bonus and row.bonus_findings == 0)

    def _sort_key(self, row: Standing) -> SortKey:
        verdict: list[Decimal | int] = [-row.exact]
        for rule in self.settings.tie_break:
            verdict.append(-row.exact_deductions if rule == "deductions" else row.deduction_findings)
        return (tuple(verdict), row.window_position, row.sort_key, row.name, row.id)

    # --- one finding ------------------------------------------------------------------

    def apply(self, delta: Delta) -> Moved:
        """Count one finding in (or take it out) and update the rows it moves; return what changed."""
        key: Key = (delta.staff_id, delta.window_id)
        had_records = self.ranking.has_records
        total = self.totals.get(key)
        if total is None:
            total = self.totals[key] = Totals()
        total.add(delta.totals, delta.sign)
        if total.findings <= 0:
            del self.totals[key]
        has_records = (
            self.patrolled or any(t.findings > 0 for t in self.totals.values()) if total.findings <= 0 else True
        )
        staff_id, window_id = key
        counted = staff_id is None or window_id in self._seats.get(staff_id, ())
        if (
            has_records != had_records
            or window_id not in self._windows.by_id
            or (staff_id is not None and not counted and staff_id in self._known)  # a new seat
            or (total.findings <= 0 and staff_id is not None and counted and key not in self._posted)
            or (total.findings <= 0 and window_id in self.closed_windows)
        ):
            return self.rebuild()
        if not counted:  # someone the ranking does not know: the finding counts nowhere
            return Moved()
        self._all.setdefault(window_id, Totals()).add(delta.totals, delta.sign)
        windows_hit = {window_id}
        staff_hit: set[str] = set()
        if staff_id is None:
            self._alone.setdefault(window_id, Totals()).add(delta.totals, delta.sign)
        else:
            staff_hit.add(staff_id)
            found = self._found_at(staff_id)
            self._score_person(staff_id, found)
            for seat in self._seats[staff_id]:
                part = self._part(staff_id, seat, found)
                old = self._earned[(staff_id, seat)]
                if part != old:
                    self._earned[(staff_id, seat)] = part
                    self._earned_sum[seat] += part - old
                    windows_hit.add(seat)
        for hit in windows_hit:
            if hit in self._windows.by_id:
                self._score_window(hit)
        return self._settle(staff_hit, windows_hit)

    def rebuild(self) -> Moved:
        """Rank from scratch out of the totals kept here (a delta that changes who is ranked)."""
        self.rebuilds += 1
        self._build()
        return Moved(frozenset(self._staff.by_id), frozenset(self._windows.by_id), True, True, everything=True)

    def _found_at(self, staff_id: str) -> str | None:
        """Where the person's findings of the period are: one window, "" for several, None: none."""
        found = [w for w in self._seats.get(staff_id, ()) if (staff_id, w) in self.totals]
        if not found:
            return None
        return found[0] if len(found) == 1 else ""

    def _part(self, staff_id: str, window_id: str, found: str | None) -> int:
        if found == window_id:
            return self._scored[staff_id]
        return _score_units(self.totals.get((staff_id, window_id), _EMPTY), self.settings)

    def _person_totals(self, staff_id: str) -> Totals:
        sums = Totals()
        for window_id in self._seats[staff_id]:
            total = self.totals.get((staff_id, window_id))
            if total is not None:
                sums.add(total)
        return sums

    def _score_person(self, staff_id: str, found: str | None) -> None:
        row = self._staff.by_id[staff_id]
        total = self._person_totals(staff_id)
        score = self._scored[staff_id] = _score_units(total, self.settings)
        lost = units(total.deductions)
        window = self._window_by_id.get(found or self._longest[staff_id])
        row.window_code = window.code if window else ""
        row.window_name = window.name if window else ""
        seat_unit = self._seat_unit.get((staff_id, window.id)) if window else None
        row.unit = seat_unit or (window.unit if window else "")
        row.window_position = window.position if window else 0
        row.score = _shown_units(score)
        row.deductions = _shown_units(lost)
        row.bonuses = _shown_units(units(total.bonuses))
        row.findings = total.findings
        row.exact = Decimal(score).scaleb(-4)
        row.exact_deductions = Decimal(lost).scaleb(-4)
        row.deduction_findings = total.deduction_findings
        row.bonus_findings = total.bonus_findings
        row.complaints = total.complaints
        row.attendance_breaks = total.attendance

    def _score_window(self, window_id: str) -> None:
        row = self._windows.by_id[window_id]
        everything = self._all.get(window_id, _EMPTY)
        if self.settings.window_score_mode == "sum":
            score = _score(everything, self.settings)
        else:
            count = self._earned_count.get(window_id, 0)
            base = Decimal(self._earned_sum[window_id]).scaleb(-4) / count if count else BASE_SCORE
            score = _score(self._alone.get(window_id, _EMPTY), self.settings, base)
        row.score = shown(score)
        row.deductions = shown(everything.deductions)
        row.bonuses = shown(everything.bonuses)
        row.findings = everything.findings
        row.exact = score
        row.exact_deductions = exact(everything.deductions)
        row.deduction_findings = everything.deduction_findings
        row.bonus_findings = everything.bonus_findings
        row.complaints = everything.complaints
        row.attendance_breaks = everything.attendance
        if self.settings.weighs_services:
            weigh(row, self.figures.get(window_id), self.settings)

    # --- places, ranks, marks -----------------------------------------------------------

    def _settle(self, staff_hit: set[str], windows_hit: set[str]) -> Moved:
        staff_changed, staff_order = self._reorder(self._staff, staff_hit, 0)
        windows_changed, window_order = self._reorder(self._windows, windows_hit, 1)
        staff_marks, window_marks = self._judge(staff_hit)
        return Moved(
            frozenset(staff_changed | staff_marks),
            frozenset(windows_changed | window_marks),
            staff_order,
            window_order,
        )

    def _reorder(self, side: _Side, hit: set[str], which: int) -> tuple[set[str], bool]:
        """Move each hit row to its new place; give new ranks (and tie counts) to the rows between
        its old place and the new; return the rows whose rank or change moved."""
        changed = set(hit)
        moved = False
        eligible = self._model if which == 0 else self._excellent
        for row_id in hit:
            row = side.by_id[row_id]
            old_key = side.placed[row_id]
            new_key = self._sort_key(row)
            for keys, now in ((side.top, eligible(row)), (side.lost, _lost_points(row))):
                at = bisect_left(keys, old_key)
                if at < len(keys) and keys[at] == old_key:
                    keys.pop(at)
                if now:
                    keys.insert(bisect_left(keys, new_key), new_key)
            if new_key == old_key:
                continue
            index = bisect_left(side.keys, old_key)  # keys are unique: they end in the id
            side.keys.pop(index)
            side.rows.pop(index)
            place = bisect_left(side.keys, new_key)
            side.keys.insert(place, new_key)
            side.rows.insert(place, row)
            side.placed[row_id] = new_key
            moved = moved or place != index
            # One more on each side: the group the row left may sit just outside where it moved.
            low, high = max(0, min(index, place) - 1), min(len(side.rows) - 1, max(index, place) + 1)
            changed |= self._rerank(side, low, high, which, place)
        return changed, moved

    def _rerank(self, side: _Side, low: int, high: int, which: int, place: int) -> set[str]:
        """Ranks and tie counts of the rows from ``low`` to ``high`` (widened to whole groups of
        one score), after the row now at ``place`` moved; return the rows whose rank changed."""
        rows, keys = side.rows, side.keys
        while low > 0 and keys[low - 1][0] == keys[low][0]:
            low -= 1
        while high + 1 < len(rows) and keys[high + 1][0] == keys[high][0]:
            high += 1
        changed: set[str] = set()
        start = low
        while start <= high:
            end = start
            while end + 1 <= high and keys[end + 1][0] == keys[start][0]:
                end += 1
            rank, tied = start + 1, end - start + 1
            # Apart from the moved row, a group's rows were one group before: one of them says
            # whether the group's rank or size changed (a big tie at 100 is not walked for nothing).
            other = rows[start] if start != place else rows[end] if end != place else None
            group = range(start, end + 1) if other is None or (other.rank, other.tied) != (rank, tied) else ()
            for index in (*group, place) if start <= place <= end else group:
                row = rows[index]
                row.tied = tied
                if row.rank != rank:
                    row.rank = rank
                    changed.add(row.id)
                    self._change(row, which)
            start = end + 1
        return changed

    def _change(self, row: Standing, which: int) -> None:
        if self._then is not None:
            before = self._then[which].get(row.id)
            row.change = None if before is None else before - row.rank

    def _judge(self, staff_hit: set[str]) -> tuple[set[str], set[str]]:
        """Judge again as ``judge`` does, reading only the head of the eligible rows and the tail of
        those who lost points; return the staff and the windows whose mark moved."""
        old = self.ranking.verdicts
        assert old is not None
        settings = self.settings
        models = _top(
            self._head(self._staff, settings.top_staff),
            "staff",
            settings.top_staff,
            TOP_STAFF_MARK,
            self._model,
            settings,
        )
        excellent = _top(
            self._head(self._windows, settings.top_windows),
            "window",
            settings.top_windows,
            TOP_WINDOW_MARK,
            self._excellent,
            settings,
        )
        awarded = {r.id for r in (*models.rows, *excellent.rows)}

        def lost(row: Standing) -> bool:
            return _lost_points(row) and row.id not in awarded

        bottom_staff = _bottom(
            self._tail(self._staff, settings.bottom_count, awarded), "staff", settings.bottom_count, lost, settings
        )
        bottom_windows = _bottom(
            self._tail(self._windows, settings.bottom_count, awarded), "window", settings.bottom_count, lost, settings
        )
        full, basis = self._full_attendance()
        new = Verdicts(True, models, excellent, bottom_staff, bottom_windows, full, basis)
        before, after = _marks(old), _marks(new)
        for side, then in ((self._staff, before[0]), (self._windows, before[1])):
            for row_id in then:
                side.by_id[row_id].mark = ""
        for side, now in ((self._staff, after[0]), (self._windows, after[1])):
            for row_id, mark in now.items():
                side.by_id[row_id].mark = mark
        for row_id in staff_hit:  # only their attendance breaks can have changed
            self._staff.by_id[row_id].full_attendance = (
                full is not None and self._staff.by_id[row_id].attendance_breaks == 0
            )
        self.ranking.verdicts = new
        staff, windows = (
            {row_id for row_id in then.keys() | now.keys() if then.get(row_id) != now.get(row_id)}
            for then, now in zip(before, after, strict=True)
        )
        return staff, windows

    def _full_attendance(self) -> tuple[tuple[Standing, ...] | None, str]:
        """As ``judge`` names them (the rows with no attendance break, in listing order); the filter
        runs in C, as a centre lists thousands."""
        basis = attendance_basis(self.settings, self.has_clockin, self.ranking.has_records)
        if not basis:
            return None, ""
        return tuple(filterfalse(attrgetter("attendance_breaks"), self.ranking.staff)), basis

    def _head(self, side: _Side, limit: int) -> list[Standing]:
        """The eligible rows an award can reach: the first ``limit``, and after them every row of
        the same score (a tie at the boundary, or one a tie-break separated)."""
        keys = side.top
        if limit <= 0 or not keys:
            return []
        end = min(limit, len(keys))
        cut = keys[end - 1][0][0]
        while end < len(keys) and keys[end][0][0] == cut:
            end += 1
        return [side.by_id[k[-1]] for k in keys[:end]]

    def _tail(self, side: _Side, limit: int, awarded: set[str]) -> list[Standing]:
        """The same at the bottom: the last ``limit`` who lost points and were not awarded, and
        before them every row of the same score."""
        keys = side.lost
        if limit <= 0 or not keys:
            return []
        start, found = len(keys), 0
        while start > 0 and found < limit:
            start -= 1
            found += keys[start][-1] not in awarded
        cut = keys[start][0][0]
        while start > 0 and keys[start - 1][0][0] == cut:
            start -= 1
        return [side.by_id[k[-1]] for k in keys[start:]]


def _lost_points(row: Standing) -> bool:
    """Whether a row can be 末位: it lost points (before the award winners are taken out)."""
    return row.deduction_findings > 0 and row.patrol_score < BASE_SCORE  # as patrol.rules.verdicts


def _marks(verdicts: Verdicts) -> tuple[dict[str, str], dict[str, str]]:
    """Who carries a mark: staff ids and window ids, each with its mark."""
    staff = {row.id: award.mark for award in (verdicts.models, verdicts.bottom_staff) for row in award.rows}
    windows = {row.id: award.mark for award in (verdicts.excellent, verdicts.bottom_windows) for row in award.rows}
    return staff, windows


_EMPTY = Totals()
