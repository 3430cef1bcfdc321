"""What 满勤 and 附表4 need to know about the hall's attendance, behind one small interface.

The facts come from ``service.attendance`` (working hours, the national calendar, punches and the
leave register). Where a hall service has no such object yet, ``FindingsAttendance`` stands in:
Monday to Friday are working days, the period has clock-in data when it holds findings derived
from punches (``source='clockin'``), nobody's punch days are known, and leave is read from the
请假 findings. Either way the callers ask ``attendance_facts(service)`` and never care which.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

FACT_METHODS = ("working_days", "has_punches", "punch_days", "leave_days")
LEAVE_CODE = "leave"  # the 请假 item (patrol.rules.items)


@runtime_checkable
class AttendanceFacts(Protocol):
    """The attendance of a hall between two dates, ``start`` included and ``end`` excluded."""

    def working_days(self, start: date, end: date) -> list[date]:
        """The hall's working days, in order."""
        ...

    def has_punches(self, start: date, end: date) -> bool:
        """Whether any clock-in record falls in the span (满勤 is then judged from clock-in)."""
        ...

    def punch_days(self, start: date, end: date) -> dict[str, set[date]]:
        """Per staff id, the days with at least one punch."""
        ...

    def leave_days(self, start: date, end: date) -> dict[str, set[date]]:
        """Per staff id, the days of approved leave."""
        ...


class FindingsAttendance:
    """The stand-in used while the hall service has no attendance facts of its own: see the
    module's docstring. ``knows_punch_days`` is False, so 附表4 works 实际出勤天数 out from the
    findings instead of counting punch days it cannot see."""

    knows_punch_days = False

    def __init__(self, service: HallService) -> None:
        self.service = service

    def _bounds(self, start: date, end: date) -> dict[str, object]:
        tz = self.service.hall.tz
        return {
            "hall": self.service.hall.id,
            "start": datetime.combine(start, time(), tz).astimezone(UTC),
            "end": datetime.combine(end, time(), tz).astimezone(UTC),
        }

    def working_days(self, start: date, end: date) -> list[date]:
        """Monday to Friday (no calendar is known to the stand-in)."""
        days = (start + timedelta(days=n) for n in range((end - start).days))
        return [day for day in days if day.weekday() < 5]

    def has_punches(self, start: date, end: date) -> bool:
        """Whether findings derived from punches fall in the span."""
        params = {**self._bounds(start, end), "source": "clockin"}
        return bool(self.service.reader.rows(reads.PERIOD_HAS_SOURCE, params))

    def punch_days(self, start: date, end: date) -> dict[str, set[date]]:
        """Unknown to the stand-in: nobody's punches are stored in this branch."""
        return {}

    def leave_days(self, start: date, end: date) -> dict[str, set[date]]:
        """The local days of each person's 请假 findings."""
        ids = self.service.rules.ids_of(frozenset({LEAVE_CODE}))
        params: dict[str, object] = {**self._bounds(start, end), **{f"att{i}": t for i, t in enumerate(ids)}}
        out: dict[str, set[date]] = {}
        tz = self.service.hall.tz
        for row in self.service.reader.rows(reads.attendance_findings(len(ids)), params):
            if row.staff_id is not None:
                out.setdefault(row.staff_id, set()).add(reads.to_utc(row.at).astimezone(tz).date())
        return out


def attendance_facts(service: HallService) -> AttendanceFacts:
    """The hall's attendance facts: ``service.attendance`` when it offers them all, else the
    stand-in that reads them from the findings."""
    facts = getattr(service, "attendance", None)
    if facts is not None and all(callable(getattr(facts, name, None)) for name in FACT_METHODS):
        return facts
    return FindingsAttendance(service)


def knows_punch_days(facts: AttendanceFacts) -> bool:
    """Whether ``punch_days`` of ``facts`` reports real punches (the stand-in's does not)."""
    return bool(getattr(facts, "knows_punch_days", True))
