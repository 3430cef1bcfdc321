"""Working hours and what a day's punches say against them (DESIGN: 作息时间, 打卡记录).

Pure functions, no I/O. A day is judged from the local times of one person's punches:

- 2 punches a day: one in (at the morning's start) and one out (at the afternoon's end). Punches
  before the middle of the working day are read as the way in, the first of them counts; those
  after it as the way out, the last counts.
- 4 punches a day: in and out in the morning, in and out in the afternoon, each half split at
  its own middle.

迟到: the way in after start + grace; its minutes count from the start (a 09:07 punch against
09:00 with 5 minutes' grace is 7 minutes late). 早退: the way out before the end (no grace), its
minutes to the end. 缺卡: each required punch that is not there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from patrol.errors import UserError

_RANGE = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*[-–—~～至]\s*(\d{1,2})[:：](\d{2})\s*$")


def parse_range(text: str, label: str) -> tuple[time, time]:
    """ "08:30-12:00" as two times; UserError naming ``label`` (上午/下午) otherwise."""
    match = _RANGE.match(text or "")
    if match is None:
        raise UserError(f"{label}时间“{text}”的格式不对：应为 HH:MM-HH:MM，如 08:30-12:00。")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise UserError(f"{label}时间“{text}”不是有效的时刻：小时 0–23，分钟 0–59。")
    first, last = time(h1, m1), time(h2, m2)
    if last <= first:
        raise UserError(f"{label}时间“{text}”的结束应晚于开始。")
    return first, last


def range_text(span: tuple[time, time]) -> str:
    """Two times as "08:30-12:00"."""
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"


@dataclass(frozen=True)
class WorkHours:
    """The hall's working hours from ``starts`` on."""

    starts: date
    am: tuple[time, time]
    pm: tuple[time, time]
    grace: int = 0  # minutes after a start that are not yet late
    punches: int = 2  # 2 or 4 required punches a day

    def checked(self) -> WorkHours:
        """These hours, or UserError saying what makes no sense."""
        if self.pm[0] < self.am[1]:
            raise UserError(f"下午开始（{self.pm[0]:%H:%M}）早于上午结束（{self.am[1]:%H:%M}），请检查 --am 与 --pm。")
        if not 0 <= self.grace <= 120:
            raise UserError(f"宽限分钟应为 0 到 120 的整数，现为 {self.grace}。")
        if self.punches not in (2, 4):
            raise UserError(f"每日打卡次数应为 2 或 4，现为 {self.punches}。")
        return self

    def describe(self) -> str:
        """As `hours show` prints it."""
        return (
            f"{self.starts:%Y-%m-%d} 起：上午 {range_text(self.am)}，下午 {range_text(self.pm)}，"
            f"宽限 {self.grace} 分钟，每日打卡 {self.punches} 次"
        )


def hours_on(versions: Iterable[WorkHours], day: date) -> WorkHours | None:
    """The hours in force on ``day``: the latest version that starts by then (of two with the
    same day, the later one in ``versions``)."""
    found = None
    for hours in versions:
        if hours.starts <= day and (found is None or hours.starts >= found.starts):
            found = hours
    return found


@dataclass(frozen=True)
class DayVerdict:
    """What one person's punches of one working day say."""

    late_minutes: int | None = None  # None: on time (or no punch to judge)
    early_minutes: int | None = None
    missing: int = 0  # required punches not there
    late_at: datetime | None = None  # the punch that was late (the finding's time)
    early_at: datetime | None = None


def _minutes(later: datetime, earlier: datetime) -> int:
    return max(1, int((later - earlier).total_seconds() // 60))


@lru_cache(maxsize=4096)
def _limits(day: date, span: tuple[time, time], grace: int) -> tuple[datetime, datetime, datetime, datetime]:
    """Start, middle, the last on-time minute and end of an in-and-out on ``day`` (the same for
    every person of the day: a city's month judges 110,000 person-days against 22 of these)."""
    start, end = datetime.combine(day, span[0]), datetime.combine(day, span[1])
    return start, start + (end - start) / 2, start + timedelta(minutes=grace), end


def _half(
    day: date, span: tuple[time, time], punches: list[datetime], grace: int
) -> tuple[int | None, datetime | None, int | None, datetime | None, int]:
    """One in-and-out (a half day, or the whole day with 2 punches): lateness, earliness, missing.
    ``punches`` are sorted."""
    start, middle, on_time, end = _limits(day, span, grace)
    late = early = None
    late_at = early_at = None
    missing = 0
    first = punches[0] if punches and punches[0] < middle else None
    last = punches[-1] if punches and punches[-1] >= middle else None
    if first is None:
        missing += 1
    elif first > on_time:
        late, late_at = _minutes(first, start), first
    if last is None:
        missing += 1
    elif last < end:
        early, early_at = _minutes(end, last), last
    return late, late_at, early, early_at, missing


def judge_day(hours: WorkHours, day: date, punches: Iterable[datetime]) -> DayVerdict:
    """Judge one person's punches (local, naive times of ``day``) against ``hours``."""
    times = sorted(p if p.tzinfo is None else p.replace(tzinfo=None) for p in punches)
    if hours.punches == 2:
        late, late_at, early, early_at, missing = _half(day, (hours.am[0], hours.pm[1]), times, hours.grace)
        return DayVerdict(late, early, missing, late_at, early_at)
    split = (
        datetime.combine(day, hours.am[1])
        + (datetime.combine(day, hours.pm[0]) - datetime.combine(day, hours.am[1])) / 2
    )
    am = _half(day, hours.am, [p for p in times if p < split], hours.grace)
    pm = _half(day, hours.pm, [p for p in times if p >= split], hours.grace)
    late = (am[0] or 0) + (pm[0] or 0) or None
    early = (am[2] or 0) + (pm[2] or 0) or None
    return DayVerdict(late, early, am[4] + pm[4], am[1] or pm[1], pm[3] or am[3])
