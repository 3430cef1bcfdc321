"""The hall's working time as stored (DESIGN: 作息时间, 打卡记录, 请假登记): the hours in force,
the working days, who punched on which day and who was on leave. ``service.attendance``.

The interface others read (the 满勤 of ``sheet4``): ``working_days``, ``hours_on``,
``has_punches``, ``punch_days``, ``leave_days``. The pure rules behind it are
``patrol.rules.hours`` and ``patrol.rules.workdays``; the importers are
``patrol.imports.clockin`` and ``patrol.imports.leave``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storage.reads import to_date, to_utc

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from patrol.rules.hours import WorkHours

_HOURS = "SELECT starts, am, pm, grace, punches FROM work_hours WHERE hall_id = :hall ORDER BY starts, created_at, id"
_DAYS = "SELECT day, working FROM hall_day WHERE hall_id = :hall ORDER BY created_at, id"
_PUNCHES = "SELECT staff_id, at FROM punch WHERE hall_id = :hall AND at >= :start AND at < :end"
_ANY_PUNCH = "SELECT 1 FROM punch WHERE hall_id = :hall AND at >= :start AND at < :end LIMIT 1"
_LEAVES = (
    "SELECT staff_id, starts, ends, kind FROM leave WHERE hall_id = :hall AND starts < :end AND ends >= :start "
    "ORDER BY starts, id"
)


class LocalTimes:
    """Local wall-clock times to UTC and back, with the zone's offset looked up once per hour
    (a city's month of punches converts 220,000 times; zoneinfo on each costs seconds)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._to_utc: dict[tuple[date, int], timedelta] = {}
        self._to_local: dict[tuple[date, int], timedelta] = {}

    def to_utc(self, local: datetime) -> datetime:
        """A naive local time as an aware UTC time."""
        key = (local.date(), local.hour)
        offset = self._to_utc.get(key)
        if offset is None:
            start = local.replace(minute=0, second=0, microsecond=0, tzinfo=self.tz)
            offset = self._to_utc[key] = start.utcoffset() or timedelta()
        return (local - offset).replace(tzinfo=UTC)

    def to_local(self, at: datetime) -> datetime:
        """An aware time as a naive local one."""
        at = at.astimezone(UTC) if at.tzinfo is not UTC else at
        key = (at.date(), at.hour)
        offset = self._to_local.get(key)
        if offset is None:
            offset = self._to_local[key] = at.astimezone(self.tz).utcoffset() or timedelta()
        return (at + offset).replace(tzinfo=None)


class Attendance:
    """Hours, working days, punches and leave of one hall."""

    def __init__(self, service: HallService) -> None:
        self.service = service
        self._hours: list[WorkHours] | None = None
        self._own: dict[date, bool] | None = None

    def forget(self) -> None:
        """Drop what was read (after a write)."""
        self._hours = None
        self._own = None

    # --- hours and days --------------------------------------------------------------

    def hours_versions(self) -> list[WorkHours]:
        """Every version of the hours, oldest first."""
        from patrol.rules.hours import WorkHours, parse_range  # the board needs only has_punches

        if self._hours is None:
            self._hours = [
                WorkHours(to_date(r[0]) or date.min, parse_range(r[1], "上午"), parse_range(r[2], "下午"), r[3], r[4])
                for r in self.service.reader.rows(_HOURS, {"hall": self.service.hall.id})
            ]
        return self._hours

    def own_days(self) -> dict[date, bool]:
        """The hall's own days: True works, False rests (the latest word on each day)."""
        if self._own is None:
            own: dict[date, bool] = {}
            for day, working in self.service.reader.rows(_DAYS, {"hall": self.service.hall.id}):
                found = to_date(day)
                if found is not None:
                    own[found] = bool(working)
            self._own = own
        return self._own

    def working_days(self, start: date, end: date) -> list[date]:
        """The hall's working days in [start, end): the national calendar and the hall's own days."""
        from patrol.rules.workdays import working_days as _working_days

        return _working_days(start, end, self.own_days())

    def hours_on(self, day: date) -> WorkHours | None:
        """The working hours in force on ``day`` (None: none set by then)."""
        from patrol.rules.hours import hours_on as _hours_on

        return _hours_on(self.hours_versions(), day)

    def set_hours(self, hours: WorkHours) -> None:
        """Add a version of the hours, in force from ``hours.starts``."""
        from patrol.rules.hours import range_text
        from storage.writes import add_versioned

        self.service.closing.check_from(hours.checked().starts, "作息时间")
        row = {
            "hall_id": self.service.hall.id,
            "starts": hours.checked().starts,
            "am": range_text(hours.am),
            "pm": range_text(hours.pm),
            "grace": hours.grace,
            "punches": hours.punches,
        }
        add_versioned(self.service.engine, "work_hours", [row], self.service.device)
        self.forget()

    def set_day(self, day: date, working: bool, note: str = "") -> None:
        """Record that the hall works (or rests) on ``day`` whatever the national calendar says."""
        from storage.writes import add_versioned

        self.service.closing.check_day(day, "上班日/休息日")
        row = {"hall_id": self.service.hall.id, "day": day, "working": working, "note": note}
        add_versioned(self.service.engine, "hall_day", [row], self.service.device)
        self.forget()

    # --- punches and leave -----------------------------------------------------------

    def bounds(self, start: date, end: date) -> dict[str, object]:
        """The query parameters of the local days [start, end) in UTC."""
        tz = self.service.hall.tz
        return {
            "hall": self.service.hall.id,
            "start": datetime.combine(start, time(), tz).astimezone(UTC),
            "end": datetime.combine(end, time(), tz).astimezone(UTC),
        }

    def has_punches(self, start: date, end: date) -> bool:
        """Whether any punch of the hall falls in the days [start, end)."""
        return bool(self.service.reader.rows(_ANY_PUNCH, self.bounds(start, end)))

    def punches(self, start: date, end: date) -> dict[str, dict[date, list[datetime]]]:
        """staff_id -> local day -> the local (naive) times of their punches in [start, end)."""
        local_of = LocalTimes(self.service.hall.tz).to_local
        out: dict[str, dict[date, list[datetime]]] = {}
        for staff_id, at in self.service.reader.iter_rows(_PUNCHES, self.bounds(start, end)):
            local = local_of(to_utc(at))
            out.setdefault(str(staff_id), {}).setdefault(local.date(), []).append(local)
        return out

    def punch_days(self, start: date, end: date) -> dict[str, set[date]]:
        """staff_id -> the days in [start, end) with at least one punch."""
        return {staff_id: set(days) for staff_id, days in self.punches(start, end).items()}

    def leave_days(self, start: date, end: date) -> dict[str, set[date]]:
        """staff_id -> the working days in [start, end) they were on approved leave."""
        out: dict[str, set[date]] = {}
        working = set(self.working_days(start, end))
        params = {"hall": self.service.hall.id, "start": start.isoformat(), "end": end.isoformat()}
        for staff_id, starts, ends, _kind in self.service.reader.rows(_LEAVES, params):
            first, last = to_date(starts), to_date(ends)
            if first is None or last is None:
                continue
            day = max(first, start)
            while day <= last and day < end:
                if day in working:
                    out.setdefault(str(staff_id), set()).add(day)
                day += timedelta(days=1)
        # And 请假 a patrol logged (a hall without a leave register): the register's own leave
        # wrote 请假 findings for the same days, so nothing counts twice.
        from storage.reads import attendance_findings

        ids = self.service.rules.ids_of(frozenset({"leave"}))
        if ids:
            tz = self.service.hall.tz
            found = {**self.bounds(start, end), **{f"att{i}": t for i, t in enumerate(ids)}}
            for row in self.service.reader.rows(attendance_findings(len(ids)), found):
                if row.staff_id is not None:
                    out.setdefault(str(row.staff_id), set()).add(to_utc(row.at).astimezone(tz).date())
        return out
