"""The city benchmark's database is written through storage.writes, so it verifies like a real
one (it used to link its own chain, which hid the chain-head bug of batch writes)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bench.city import build_into
from storage.reads import SqliteReader
from storage.verify import verify


def test_a_small_city_verifies(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    build_into(
        path,
        date(2026, 11, 18),
        halls=3,
        centre_staff=40,
        centre_month_findings=300,
        centre_months=2,
        other_findings=100,
    )
    verdict = verify(SqliteReader(path), workers=0)
    assert verdict.ok, verdict.problem
    # One device wrote it all: the halls, their rosters and rules (versions), then 700 findings.
    [(seq, _head)] = verdict.heads.values()
    assert list(verdict.heads) == ["city"] and seq == verdict.rows and verdict.rows > 700
