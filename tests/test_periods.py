"""Periods as users write them, cut at local midnight in the hall's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patrol.errors import UserError
from patrol.rules.periods import Period

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "first", "end", "label"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "2026年11月"),
        ("2026Q4", date(2026, 10, 1), date(2027, 1, 1), "2026年第四季度"),
        ("2026H1", date(2026, 1, 1), date(2026, 7, 1), "2026年上半年"),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "2026年"),
        ("2026-11-01..2026-11-15", date(2026, 11, 1), date(2026, 11, 16), "2026年11月1日至2026年11月15日"),
    ],
)
def test_parse(text: str, first: date, end: date, label: str) -> None:
    period = Period.parse(text)
    assert (period.first, period.end, period.label) == (first, end, label)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text", ["2026-13", "2026Q5", "26-11", "2026-11-15..2026-11-01", "本月", ""])
def test_malformed_periods_say_how_to_write_one(text: str) -> None:
    with pytest.raises(UserError, match="可写作 2026-11"):
        Period.parse(text)


def test_bounds_are_local_midnight() -> None:
    start, end = Period.parse("2026-11").bounds(SHANGHAI)
    assert start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    # 00:30 on 1 December in Shanghai is still 30 November in UTC, but belongs to December.
    assert not Period.parse("2026-11").contains(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), SHANGHAI)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["month", "quarter", "half", "year"]),
)
def test_periods_tile_time(day: date, kind: str) -> None:
    period = Period.of(kind, day)
    assert period.first <= day < period.end
    assert period.previous().end == period.first
    assert period.next().first == period.end
    assert Period.parse(period.code) == period
