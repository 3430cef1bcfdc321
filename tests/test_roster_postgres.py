"""Postings on PostgreSQL (DESIGN: every query also runs there): a move from a date and the
rankings before and after it, against a real server (the fixture of tests/test_postgres.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patrol.cli import main
from tests.test_postgres import pg_url  # noqa: F401  (the server fixture)


def _rank(capsys: pytest.CaptureFixture[str], url: str, period: str, by: str) -> dict[str, dict]:
    assert main(["--db", url, "rank", "--period", period, "--by", by, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    return {r["name"] if by == "staff" else r["window"]: r for r in rows}


def test_a_staff_move_and_the_rankings_on_postgresql(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(
        "窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,单丽华\n1,综合窗口,中心,魏敏\n7,公积金窗口,公积金中心,姜涛\n",
        encoding="utf-8",
    )
    db = ["--db", pg_url, "--hall", "乙大厅"]
    assert main([*db, "roster", "import", str(roster)]) == 0
    for window, person, item, at in (
        ("7", "姜涛", "上门服务", "2026-10-12 10:00"),
        ("1", "单丽华", "迟到", "2026-10-13 09:00"),
    ):
        assert main([*db, "log", "--window", window, "--staff", person, "--type", item, "--at", at]) == 0
    capsys.readouterr()
    october = _rank(capsys, pg_url, "2026-10", "window")
    assert october["7"]["score"] == 100.5
    assert main([*db, "staff", "move", "单丽华", "--window", "1", "--to", "7", "--on", "2026-11-20"]) == 0
    assert "已调岗：单丽华 自 2026-11-20 起从 1 号窗口" in capsys.readouterr().out
    assert _rank(capsys, pg_url, "2026-10", "window") == october  # the month before the move is as it was
    # After the move her finding at window 7 counts there; the one before stays at window 1.
    assert main([*db, "log", "--window", "7", "--staff", "单丽华", "--type", "迟到", "--at", "2026-11-23 09:00"]) == 0
    assert main([*db, "log", "--window", "1", "--staff", "单丽华", "--type", "迟到", "--at", "2026-11-24 09:00"]) == 1
    capsys.readouterr()
    november = _rank(capsys, pg_url, "2026-11", "window")
    assert november["7"]["deductions"] == -1.0 and november["1"]["deductions"] == 0.0
    assert _rank(capsys, pg_url, "2026-11", "staff")["单丽华"]["window"] == "7"
    assert main([*db, "staff", "leave", "单丽华", "--window", "7", "--on", "2026-12-01"]) == 0
    assert main([*db, "record", "单丽华", "--period", "2026-11"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("单丽华  7 公积金窗口（2026-12-01 起离岗）")
    assert main(["--db", pg_url, "verify"]) == 0, capsys.readouterr().err
