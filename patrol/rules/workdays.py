"""Working days (DESIGN: 'Words', 作息时间): the national calendar with its swapped weekends
(调休), from the maintained package chinese-calendar, and the hall's own days on top.

chinese-calendar 1.11 holds the State Council's holiday notices for 2004–2026. A day outside
the years it covers is judged Monday to Friday (no holidays, no swaps); ``beyond_calendar``
says which days those were, so a command can print one warning line. A newer release of the
package (a new notice comes out each November) covers the next year with no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache


@cache
def calendar_years() -> tuple[int, int]:
    """The first and last year the installed calendar covers."""
    from chinese_calendar.constants import holidays

    years = [d.year for d in holidays]
    return min(years), max(years)


def in_calendar(day: date) -> bool:
    """Whether the national calendar covers ``day``'s year."""
    first, last = calendar_years()
    return first <= day.year <= last


@cache
def national_working_day(day: date) -> bool:
    """Whether ``day`` is a working day of the national calendar (Monday to Friday beyond it)."""
    if not in_calendar(day):
        return day.weekday() < 5
    from chinese_calendar import is_workday

    return bool(is_workday(day))


def is_working_day(day: date, own: Mapping[date, bool]) -> bool:
    """Whether the hall works on ``day``: its own word for that day (``own``), else the nation's."""
    found = own.get(day)
    return national_working_day(day) if found is None else found


def days_between(start: date, end: date) -> Iterable[date]:
    """The days in [start, end)."""
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def working_days(start: date, end: date, own: Mapping[date, bool]) -> list[date]:
    """The hall's working days in [start, end)."""
    return [d for d in days_between(start, end) if is_working_day(d, own)]


def beyond_calendar(start: date, end: date) -> str | None:
    """One warning line when [start, end) reaches past the years the calendar covers, else None."""
    first, last = calendar_years()
    if end <= start or (first <= start.year and (end - timedelta(days=1)).year <= last):
        return None
    return (
        f"注意：国家法定节假日数据只覆盖 {first}–{last} 年，超出的日期按周一至周五为工作日计算"
        "（未计节假日和调休）；可用 patrol hours day 日期 --off|--work 补充，或升级 chinese-calendar。"
    )
