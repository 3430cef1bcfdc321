"""Periods: month ``2026-11``, quarter ``2026Q4``, half ``2026H1``, year ``2026`` or a date range
``2026-11-01..2026-11-15``. Cut in the hall's local time (Asia/Shanghai by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from patrol.errors import UserError

KINDS = ("month", "quarter", "half", "year")
# Years a period, a date or a time may name: patrol's records begin in this century, and the
# edges of the calendar (0001, 9999) would overflow when cut at local midnight or stepped past.
FIRST_YEAR, LAST_YEAR = 2000, 2999
YEARS_TEXT = f"{FIRST_YEAR} 至 {LAST_YEAR} 年"
_QUARTER_NAMES = "一二三四"
_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})[Qq]([1-4])$"),
    "half": re.compile(r"^(\d{4})[Hh]([12])$"),
    "year": re.compile(r"^(\d{4})$"),
    "range": re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})$"),
}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A span of whole local days: ``first`` up to and excluding ``end``."""

    kind: str  # month | quarter | half | year | range
    first: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period as users write it; a clear UserError otherwise."""
        text = text.strip()
        for kind, pattern in _PATTERNS.items():
            match = pattern.match(text)
            if not match:
                continue
            if any(not FIRST_YEAR <= int(year) <= LAST_YEAR for year in re.findall(r"\d{4}", text)):
                raise UserError(f"统计周期“{text}”超出范围：年份应在 {YEARS_TEXT}之间。")
            try:
                if kind == "range":
                    first = date.fromisoformat(_pad_date(match[1]))
                    last = date.fromisoformat(_pad_date(match[2]))
                    if last < first:
                        break
                    return cls("range", first, last + timedelta(days=1))
                year = int(match[1])
                if kind == "year":
                    return cls.of("year", date(year, 1, 1))
                n = int(match[2])
                if kind == "month" and not 1 <= n <= 12:
                    break
                month = {"month": n, "quarter": 3 * n - 2, "half": 6 * n - 5}[kind]
                return cls.of(kind, date(year, month, 1))
            except ValueError:
                break
        raise UserError(
            f"无法识别的统计周期“{text}”。可写作 2026-11（月）、2026Q4（季度）、2026H1（半年）、"
            "2026（年）或 2026-11-01..2026-11-15（日期范围）。"
        )

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        if kind == "month":
            first = day.replace(day=1)
            return cls(kind, first, _add_months(first, 1))
        if kind == "quarter":
            first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            return cls(kind, first, _add_months(first, 3))
        if kind == "half":
            first = date(day.year, 1 if day.month <= 6 else 7, 1)
            return cls(kind, first, _add_months(first, 6))
        if kind == "year":
            return cls(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
        raise ValueError(kind)

    @property
    def last(self) -> date:
        """The last day in the period."""
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same kind (or length) just before this one."""
        if self.kind == "range":
            length = self.end - self.first
            return Period("range", self.first - length, self.first)
        return Period.of(self.kind, self.first - timedelta(days=1))

    def next(self) -> Period:
        """The period of the same kind (or length) just after this one."""
        if self.kind == "range":
            length = self.end - self.first
            return Period("range", self.end, self.end + length)
        return Period.of(self.kind, self.end)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) as UTC datetimes, cut at local midnight."""
        start = datetime.combine(self.first, time(), tz).astimezone(UTC)
        end = datetime.combine(self.end, time(), tz).astimezone(UTC)
        return start, end

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        """Whether ``moment`` (aware) falls inside the period in local time ``tz``."""
        return self.first <= moment.astimezone(tz).date() < self.end

    @property
    def code(self) -> str:
        """The period as the command line writes it."""
        if self.kind == "month":
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind == "quarter":
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.first.year}H{1 if self.first.month == 1 else 2}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """The period as a Chinese notice writes it: 2026年11月, 2026年第四季度, 2026年上半年."""
        year = self.first.year
        if self.kind == "month":
            return f"{year}年{self.first.month}月"
        if self.kind == "quarter":
            return f"{year}年第{_QUARTER_NAMES[(self.first.month - 1) // 3]}季度"
        if self.kind == "half":
            return f"{year}年{'上' if self.first.month == 1 else '下'}半年"
        if self.kind == "year":
            return f"{year}年"
        return f"{self.first:%Y年%-m月%-d日}至{self.last:%Y年%-m月%-d日}"

    def widen(self, today: date) -> Period:
        """The next coarser kind containing this period's start: month → quarter → half → year,
        and from a year (or a date range) back to the month of ``today``."""
        order = {"month": "quarter", "quarter": "half", "half": "year"}
        if self.kind in order:
            return Period.of(order[self.kind], self.first)
        return Period.of("month", today)

    def is_after(self, today: date) -> bool:
        """Whether the period begins after ``today`` (nothing in it can have happened yet)."""
        return self.first > today


EARLIEST_YEAR = FIRST_YEAR  # no hall kept patrol records before; a year typed as 0202 or 0001 is a typo


def _pad_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _in_years(text: str, moment: datetime) -> datetime:
    if moment.year < FIRST_YEAR:  # a typo such as 0202; 0001 has no UTC before it
        raise UserError(f"“{text}”超出范围：早于 {FIRST_YEAR} 年，请检查年份（应在 {YEARS_TEXT}之间）。")
    if moment.year > LAST_YEAR:
        raise UserError(f"“{text}”超出范围：年份应在 {YEARS_TEXT}之间。")
    return moment


def check_day(text: str, day: date) -> date:
    """``day`` as typed in ``text`` (``--on``, ``--from``, a date field), refused in one line when
    its year is outside FIRST_YEAR..LAST_YEAR (a typo such as 0001, shown as 1-01-01 otherwise)."""
    _in_years(text, datetime(day.year, day.month, day.day))
    return day


def parse_local_time(text: str, tz: ZoneInfo) -> datetime:
    """Read ``YYYY-MM-DD HH:MM`` in local time ``tz`` and return it in UTC; a year outside
    FIRST_YEAR..LAST_YEAR is refused."""
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S"):
        try:
            return _in_years(text, datetime.strptime(text, fmt)).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            continue
    raise UserError(f"无法识别的时间“{text}”，请写作 YYYY-MM-DD HH:MM，例如 2026-11-23 09:05。")


def parse_local_date(text: str, tz: ZoneInfo) -> datetime:
    """Read ``YYYY-MM-DD`` and return local midnight of that day in UTC; a year outside
    FIRST_YEAR..LAST_YEAR is refused."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return _in_years(text, datetime.strptime(text, fmt)).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            continue
    raise UserError(f"无法识别的日期“{text}”，请写作 YYYY-MM-DD，例如 2024-01-01。")
