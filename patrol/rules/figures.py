"""A hall's service figures (办件量) as the notice and the appendix read them: per window and
period, 受理, 办结, 按时办结 and, where the business system counts them, 好评 and 差评; the rates
and the change from the previous period. Pure: the figures are read in ``patrol.hall.figures``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from patrol.rules.periods import Period, _add_months


@dataclass(frozen=True)
class Counts:
    """受理, 办结, 按时办结, and 好评/差评 (None: not counted by the business system)."""

    received: int = 0
    completed: int = 0
    on_time: int = 0
    good: int | None = None
    bad: int | None = None

    def plus(self, other: Counts) -> Counts:
        """The sum of two months or windows (a review count is None only where both are)."""
        return Counts(
            self.received + other.received,
            self.completed + other.completed,
            self.on_time + other.on_time,
            _plus(self.good, other.good),
            _plus(self.bad, other.bad),
        )

    @property
    def on_time_rate(self) -> Fraction | None:
        """按时办结率: 按时办结 of 办结 (None with nothing completed)."""
        return Fraction(self.on_time, self.completed) if self.completed else None

    @property
    def reviews(self) -> int | None:
        """评价 in all (好评 + 差评), None where neither was counted."""
        if self.good is None and self.bad is None:
            return None
        return (self.good or 0) + (self.bad or 0)

    @property
    def good_rate(self) -> Fraction | None:
        """好评率: 好评 of all reviews (None with no review)."""
        reviews = self.reviews
        return Fraction(self.good or 0, reviews) if reviews else None


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def change(now: int, before: int | None) -> Fraction | None:
    """The change from ``before`` to ``now`` as a fraction of ``before`` (None: nothing to compare)."""
    if not before:
        return None
    return Fraction(now - before, before)


@dataclass(frozen=True)
class WindowFigures:
    """One window's figures in a period and in the period before it."""

    window_id: str
    code: str
    label: str  # as a notice names it: 不动产登记窗口
    position: int
    counts: Counts | None  # None: no figures in the period
    previous: Counts | None  # None: no figures in the previous period

    @property
    def received(self) -> int:
        return self.counts.received if self.counts else 0

    @property
    def change(self) -> Fraction | None:
        """The change of 受理 from the previous period."""
        return change(self.received, self.previous.received if self.previous else None)


@dataclass(frozen=True)
class ServiceFigures:
    """A period's service figures: each window's (hall order), the sum, and the previous period's."""

    period: Period
    months: tuple[str, ...]  # the months counted (2026-10, 2026-11, 2026-12 for 2026Q4)
    windows: tuple[WindowFigures, ...]
    total: Counts
    previous_total: Counts | None  # None: the previous period has no figures
    compared: tuple[str, ...] = ()  # the previous period's months summed in previous_total

    @property
    def whole(self) -> bool:
        """Whether the months counted are the whole period: every month of it has figures and it
        holds no part of a month (2026Q4 with December not yet imported, 2026-10-16..11-30: not)."""
        return (
            self.period.first.day == 1 and self.period.end.day == 1 and list(self.months) == period_months(self.period)
        )

    @property
    def change(self) -> Fraction | None:
        """The change of 受理 in all from the previous period."""
        return change(self.total.received, self.previous_total.received if self.previous_total else None)

    def top(self, n: int = 3) -> list[WindowFigures]:
        """The ``n`` windows that received most (a tie at the boundary is in whole: a tie is a tie),
        busiest first, then in hall order."""
        ranked = sorted((w for w in self.windows if w.received > 0), key=lambda w: (-w.received, w.position, w.code))
        if len(ranked) <= n:
            return ranked
        edge = ranked[n - 1].received
        return [w for w in ranked if w.received >= edge]


def month_code(day: date) -> str:
    """The month of ``day`` as figures are stored: 2026-11."""
    return f"{day.year:04d}-{day.month:02d}"


def period_months(period: Period) -> list[str]:
    """The whole months inside ``period`` (figures are monthly: a range of half a month has none)."""
    months = []
    first = period.first if period.first.day == 1 else _add_months(period.first, 1)
    while _add_months(first, 1) <= period.end:
        months.append(month_code(first))
        first = _add_months(first, 1)
    return months


def previous_months(period: Period) -> list[str]:
    """The months of the period before ``period``, of as many months: a range's whole months
    (November of 2026-10-16..2026-11-30, or of 2026-11-01..2026-11-30) are compared with as many
    months just before them (October), not with the whole months of the days before the range."""
    months = period_months(period)
    if period.kind == "range":
        if not months:
            return []
        first = _add_months(date.fromisoformat(f"{months[0]}-01"), -len(months))
        return [month_code(_add_months(first, n)) for n in range(len(months))]
    return period_months(period.previous())


def months_words(months: Sequence[str], year: int | None = None) -> str:
    """Months as a sentence names them: 9月至11月 (three or more in a row), 10月、11月, 9月、11月;
    the year before a month whose year is not ``year`` and again where it changes
    (2025年9月至11月, 2025年12月、2026年1月)."""
    runs: list[list[str]] = []
    for month in months:
        if runs and month_code(_add_months(date.fromisoformat(f"{runs[-1][-1]}-01"), 1)) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    shown = year

    def one(month: str) -> str:
        nonlocal shown
        y, m = (int(part) for part in month.split("-"))
        text = f"{m}月" if y == shown else f"{y}年{m}月"
        shown = y
        return text

    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{one(run[0])}至{one(run[-1])}")
        else:
            parts.extend(one(month) for month in run)
    return "、".join(parts)


def percent(value: Fraction) -> str:
    """A share as the notices print it: two decimals, rounded half up, trailing zeros left out
    (21.96, 99.6, 100); the sign is the caller's."""
    exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    text = format(abs(exact).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
