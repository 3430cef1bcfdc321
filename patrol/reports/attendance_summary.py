"""The figures of 附表4 考勤汇总 and of the notice's 考勤 paragraph, per person and per window's
substitutes, worked out once per period from the attendance facts and the attendance findings.

Counting rules (the same in the sheet and the notice):

- 应出勤天数: the working days of the period on which the person was posted (any window).
- 实际出勤天数: the days among those with a punch, when the period has clock-in data and its
  punch days are known; otherwise 应出勤 minus the days of leave and of 脱岗 (``from_punches``
  says which, and the sheet says it under the table).
- 迟到 and 早退 count days (a patrol 迟到 and a punch 迟到 of one day are one), with the minutes
  late of each day summed; 缺卡, 脱岗 and 串岗 count findings (with their ``count``); 请假 counts
  the leave days that are working days while posted.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from patrol.hall.views import SUBSTITUTE
from patrol.rules.hours import judge_day
from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

KINDS = ("late", "early", "noclock", "leave", "absent", "roam")  # the rules' codes 附表4 counts
CLOCKIN = "clockin"


@dataclass
class AttendanceLine:
    """One row of 附表4: a person, or a window's substitutes (``staff_id`` None; no days)."""

    window_id: str
    name: str
    staff_id: str | None = None
    due: int | None = None  # 应出勤天数 (None: a substitutes' row)
    present: int | None = None  # 实际出勤天数
    leave: int | None = None  # 请假 (天)
    late_days: set[date] = field(default_factory=set)
    late_minutes: dict[date, int] = field(default_factory=dict)  # the most minutes reported for a day
    early_days: set[date] = field(default_factory=set)
    noclock: int = 0
    absent: int = 0
    roam: int = 0
    absent_days: set[date] = field(default_factory=set)
    # Days the punches (not a patrol) found: the notice words them apart from 巡查中发现.
    punched: dict[str, set[date]] = field(default_factory=dict)  # code -> days

    @property
    def late(self) -> int:
        """迟到 (次): days late."""
        return len(self.late_days)

    @property
    def minutes(self) -> int:
        """迟到 (分钟): the minutes late, summed over the days."""
        return sum(self.late_minutes.values())

    @property
    def early(self) -> int:
        """早退: days left early."""
        return len(self.early_days)


@dataclass
class AttendanceSummary:
    """附表4's rows of a period and how they were worked out."""

    people: dict[str, AttendanceLine]  # staff id -> row
    substitutes: dict[str, AttendanceLine]  # window id -> its substitutes' row (only windows with one)
    has_punches: bool  # the period has clock-in data
    from_punches: bool  # 实际出勤天数 counts punch days (else 应出勤 minus leave and 脱岗)
    working_days: int  # of the whole period

    def line(self, staff_id: str) -> AttendanceLine | None:
        """The row of a person, or None when they do not count in the period."""
        return self.people.get(staff_id)


class _Posted:
    """The spans of a period in which one person was posted (any window), asked without listing
    their days: a year of a city centre is thousands of people times 365 days."""

    def __init__(self, service: HallService, staff_id: str, period: Period) -> None:
        self.spans = [
            (max(stint.first or period.first, period.first), min(stint.end or period.end, period.end))
            for stint in service.snapshot.stints.get(staff_id, ())
            if stint.overlaps(period.first, period.end)
        ]

    def covers(self, day: date) -> bool:
        """Whether the person was posted on ``day``."""
        return any(first <= day < end for first, end in self.spans)

    def count(self, working: list[date]) -> int:
        """How many of the (sorted) ``working`` days fall in the spans (stints do not overlap)."""
        return sum(bisect_left(working, end) - bisect_left(working, first) for first, end in self.spans)

    def among(self, days: set[date], working: set[date]) -> set[date]:
        """The working days of ``days`` on which the person was posted."""
        return {day for day in days if day in working and self.covers(day)}


def summarize(service: HallService, period: Period, ranking: Ranking) -> AttendanceSummary:
    """The attendance figures of everyone ``ranking`` counts and of each window's substitutes."""
    facts = service.attendance
    start, end = period.first, period.end
    working_list = sorted(facts.working_days(start, end))
    working = set(working_list)
    has_punches = facts.has_punches(start, end)
    from_punches = has_punches
    punches = facts.punches(start, end) if from_punches else {}
    punch_days = {staff_id: set(days) for staff_id, days in punches.items()}
    leave_days = facts.leave_days(start, end)
    people: dict[str, AttendanceLine] = {}
    posted: dict[str, _Posted] = {}
    window_of_code = {w.code: w.id for w in service.windows}
    for row in ranking.staff:
        spans = posted[row.id] = _Posted(service, row.id, period)
        line = AttendanceLine(window_of_code.get(row.window_code, ""), row.name, row.id, due=spans.count(working_list))
        line.leave = len(spans.among(leave_days.get(row.id, set()), working))
        people[row.id] = line
    substitutes: dict[str, AttendanceLine] = {}
    _count_findings(service, period, people, substitutes)
    _late_minutes_from_punches(service, people, punches)
    for staff_id, line in people.items():
        spans = posted[staff_id]
        if from_punches:
            line.present = len(spans.among(punch_days.get(staff_id, set()), working))
        else:
            away = spans.among(leave_days.get(staff_id, set()) | line.absent_days, working)
            line.present = (line.due or 0) - len(away)
    return AttendanceSummary(people, substitutes, has_punches, from_punches, len(working))


def _late_minutes_from_punches(
    service: HallService, people: dict[str, AttendanceLine], punches: dict[str, dict[date, list[datetime]]]
) -> None:
    """The minutes late of a day whose 迟到 a patrol logged (no minutes) while the punches show
    them too: the clock-in import then writes no punch 迟到 (the day counts once), so without this
    the minutes the punches prove would read 0 in 迟到（分钟）."""
    for staff_id, line in people.items():
        days = punches.get(staff_id, {})
        for day in line.late_days:
            if line.late_minutes.get(day) or day not in days:
                continue
            hours = service.attendance.hours_on(day)
            if hours is not None:
                line.late_minutes[day] = judge_day(hours, day, days[day]).late_minutes or 0


def _count_findings(
    service: HallService,
    period: Period,
    people: dict[str, AttendanceLine],
    substitutes: dict[str, AttendanceLine],
) -> None:
    """Add the period's attendance findings to the rows (substitutes' rows made as needed)."""
    codes = {item.id: item.code for item in service.rules.items if item.code in KINDS}
    ids = list(codes)
    start, stop = period.bounds(service.hall.tz)
    params: dict[str, object] = {"hall": service.hall.id, "start": start, "end": stop}
    params.update({f"att{i}": type_id for i, type_id in enumerate(ids)})
    tz = service.hall.tz
    for row in service.reader.iter_rows(reads.attendance_findings(len(ids)), params):
        if row.staff_id is not None:
            line = people.get(row.staff_id)
        elif row.substitute:
            line = substitutes.get(row.window_id)
            if line is None:
                line = substitutes[row.window_id] = AttendanceLine(row.window_id, SUBSTITUTE)
        else:
            line = None
        if line is None:
            continue
        code = codes[row.type_id]
        day = reads.to_utc(row.at).astimezone(tz).date()
        count = int(row.count or 1)
        if code == "late":
            line.late_days.add(day)
            line.late_minutes[day] = max(line.late_minutes.get(day, 0), int(row.minutes or 0))
        elif code == "early":
            line.early_days.add(day)
        elif code == "noclock":
            line.noclock += count
        elif code == "absent":
            line.absent += count
            line.absent_days.add(day)
        elif code == "roam":
            line.roam += count
        if row.source == CLOCKIN:
            line.punched.setdefault(code, set()).add(day)
