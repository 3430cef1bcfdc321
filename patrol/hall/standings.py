"""Standings: the period's findings summed per person and window, ranked and judged."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from patrol.model import Member, WindowInfo
from patrol.rules.items import COMPLAINT_CODES, FULL_ATTENDANCE_BREAKERS
from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking, Totals, add_changes, rank_period, rank_units
from patrol.rules.verdicts import judge
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from patrol.rules.figures import Counts


# From this many people on, a hall's period totals are read in two halves at once where the reader
# can (below it one query takes under 20 ms and a second thread is not worth its start).
SPLIT_FROM = 1000


class Standings:
    """Totals, rankings and counts of the hall's periods."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def _bounds(self, period: Period) -> dict[str, Any]:
        start, end = period.bounds(self.service.hall.tz)
        return {"hall": self.service.hall.id, "start": start, "end": end}

    def totals(self, period: Period) -> dict[tuple[str | None, str], Totals]:
        """The period's effective findings summed per (staff or None, window)."""
        rules = self.service.rules
        reader = self.service.reader
        breaks = rules.ids_of(FULL_ATTENDANCE_BREAKERS)
        complaints = rules.ids_of(COMPLAINT_CODES)
        sql = reads.TotalsSql(len(breaks), len(complaints))
        params = self._bounds(period)
        params.update({f"brk{i}": type_id for i, type_id in enumerate(breaks)})
        params.update({f"cpl{i}": type_id for i, type_id in enumerate(complaints)})
        roster = self.service.snapshot
        staff_parts = None
        if len(roster.staff) >= SPLIT_FROM:
            # A large hall's people in two halves by id, read at the same time on two cores (SQLite);
            # the halves' rows follow each other in id order, as one query's do.
            split = {**params, "split": roster.middle_staff_id}
            staff_parts = reads.rows_at_once(reader, [(sql.staff_below, split), (sql.staff_from, split)])
        if staff_parts is None:  # a small hall, or a reader that reads one query at a time
            staff_parts = [reader.rows(sql.staff, params)]
        totals: dict[tuple[str | None, str], Totals] = {}
        moved: list[str] = []
        for part in staff_parts:
            for row in part:
                if row.first_window == row.last_window:
                    totals[(row.staff_id, row.first_window)] = _totals(row)
                else:
                    moved.append(row.staff_id)
        for row in reader.rows(sql.window_alone, params):
            totals[(None, row.window_id)] = _totals(row)
        if moved:
            bound = {**params, **{f"s{i}": staff_id for i, staff_id in enumerate(moved)}}
            for row in reader.rows(sql.staff_window(len(moved)), bound):
                totals[(row.staff_id, row.window_id)] = _totals(row)
        for row in reader.rows(sql.voided, params):
            key = (row.staff_id, row.window_id)
            left = totals[key]
            left.add(_totals(row), sign=-1)
            if left.findings == 0:
                del totals[key]
        return totals

    def members(self, period: Period) -> list[Member]:
        """Everyone posted during ``period``, at each window where they sat in it."""
        roster = self.service.snapshot  # one roster for the whole walk
        start, stop = period.first, period.end
        found = roster.members_of.get((start, stop))
        if found is None:
            out = []
            for person in roster.staff:
                for stint in roster.stints.get(person.id, ()):
                    if stint.overlaps(start, stop):
                        first = max(stint.first or start, start)
                        end = min(stint.end or stop, stop)
                        unit = roster.unit_names.get(stint.unit_id, "") if stint.unit_id else ""
                        out.append(Member(person, stint.window_id, stint.role, (end - first).days, unit))
            found = tuple(out)
            if len(roster.members_of) >= 16:  # a roster lives for minutes; a few periods are asked
                roster.members_of.clear()
            roster.members_of[(start, stop)] = found
        return list(found)

    def windows_of(self, period: Period, totals: dict[tuple[str | None, str], Totals]) -> list[WindowInfo]:
        """The windows that count in ``period``: open during it, or holding a finding of it."""
        named = {window_id for _staff, window_id in totals}
        return [w for w in self.service.windows if w.open_during(period.first, period.end) or w.id in named]

    def rank(self, period: Period) -> Ranking:
        """Staff, windows and units ranked for ``period``, not yet judged, without changes."""
        totals = self.totals(period)
        settings = self.service.settings_for(period)
        members = self.members(period)
        windows = self.windows_of(period, totals)
        figures = self.window_figures(period)
        ranking = rank_period(settings, windows, members, totals, self.service.staff, figures)
        if not ranking.has_records and self.service.reader.rows(reads.ANY_SEEN, self._bounds(period)):
            # Patrols that saw every window they passed in order: a clean period, judged as one
            # (DESIGN: only a period with no patrol record gives no award).
            ranking.has_records = True
        rank_units(settings, ranking, totals, windows)
        return ranking

    def window_figures(self, period: Period) -> dict[str, Counts]:
        """Each window's service figures for ``period`` when the hall's rules weigh them into the
        windows' scores (``patrol.rules.weighting``); empty otherwise (nothing is read)."""
        if not self.service.settings_for(period).weighs_services:
            return {}
        from patrol.hall.figures import period_figures

        figures = period_figures(self.service, period)
        if figures is None:
            return {}
        return {w.window_id: w.counts for w in figures.windows if w.counts is not None}

    def ranking(self, period: Period, with_change: bool = True) -> Ranking:
        """Staff and windows ranked and judged for ``period`` (``ranking.verdicts``), with the
        change since the previous period."""
        with collector_paused():
            ranking = self.rank(period)
            judge(ranking, self.service.settings_for(period), has_clockin=self.has_clockin(period))
            if with_change:
                add_changes(ranking, self.rank(period.previous()))
        return ranking

    def has_clockin(self, period: Period) -> bool:
        """Whether ``period`` holds clock-in records: 满勤 is then judged from them (DESIGN)."""
        return self.service.attendance.has_punches(period.first, period.end)

    def day_totals(self, day: date | None = None) -> dict[str, Totals]:
        """Each window's findings of one day (today by default), staff and window-level together."""
        day = day or self.service.today()
        by_window: dict[str, Totals] = {}
        for (_staff, window_id), total in self.totals(Period("range", day, day + timedelta(days=1))).items():
            by_window.setdefault(window_id, Totals()).add(total)
        return by_window

    def finding_count(self, period: Period) -> int:
        """How many effective findings ``period`` holds (rows: a finding ×28 is one)."""
        return int(self.service.reader.rows(reads.PERIOD_FINDING_COUNT, self._bounds(period))[0].n)

    def patrol_times(self, period: Period) -> tuple[int, int, int]:
        """What the patrols of ``period`` found, in 项次 (a finding ×28 is 28): all of it, the
        deductions and the bonuses. Punches and leave are not patrol findings."""
        row = self.service.reader.rows(reads.PERIOD_PATROL_TIMES, self._bounds(period))[0]
        return int(row.times), int(row.deductions), int(row.bonuses)

    def type_counts(self, period: Period) -> dict[tuple[str | None, str], dict[str, int]]:
        """Effective findings of ``period`` counted per (staff or None, window) and finding type id."""
        out: dict[tuple[str | None, str], dict[str, int]] = {}
        for row in self.service.reader.rows(reads.PERIOD_TYPE_COUNTS, self._bounds(period)):
            out.setdefault((row.staff_id, row.window_id), {})[row.type_id] = int(row.n)
        return out


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block. A centre's ranking makes some 30,000 objects
    that outlive it (rows, totals, keys): the collector walked them 40-60 times a ranking and freed
    nothing (15-25 ms of it). Reference counting frees as usual; collection resumes after the
    block, where it was (one pass then). A no-op where collection is off already (the app's
    start-up turns it on after the first frame)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _totals(row: reads.Row) -> Totals:
    """The sums of a ``reads.TotalsSql`` row."""
    return Totals(
        float(row.deductions or 0),
        float(row.bonuses or 0),
        int(row.findings),
        int(row.attendance or 0),
        int(row.deduction_count or 0),
        int(row.bonus_count or 0),
        int(row.complaints or 0),
    )
