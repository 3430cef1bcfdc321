"""What is on screen is what is in the database (issue 7, point 6): a finding written by another
process reaches the open board, its ranking and an open record within 2 seconds, on SQLite
(data_version) and on PostgreSQL (LISTEN/NOTIFY)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patrol.cli import main
from screens.app import PatrolApp
from screens.record import RecordScreen
from screens.tiles import HallMap
from tests.test_app import make_app, ready, until
from tests.test_postgres import fresh_database, pg_url  # noqa: F401  (the server fixture)

ROSTER = "窗口编号,窗口名称,单位,姓名\n2,市场监管窗口,市场监管局,王芳\n3,住建窗口,住建局,王芳\n3,住建窗口,住建局,仇敏\n"
LOG = ["--window", "3", "--staff", "王芳", "--type", "迟到", "--at", "2026-11-18 09:30"]
LIMIT = 2.0  # seconds, from the other process's exit to the open screens showing it


def log_from_another_process(url: str, home: Path) -> float:
    """``patrol log`` in a process of its own; returns when it finished."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "other-laptop")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "patrol",
            "--db",
            url,
            "log",
            "--window",
            "3",
            "--staff",
            "王芳",
            "--type",
            "迟到",
            "--at",
            "2026-11-18 09:30",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return time.monotonic()


async def shows_another_writers_finding(app: PatrolApp, url: str, home: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        service = app.service
        window = service.lookup.window("3")
        wang = service.lookup.resolve_staff("王芳", window)
        app.open_record("window", window.id)
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and bool(app.screen.query("#record-findings")))
        record = app.screen
        assert record.query_one("#record-findings").row_count == 0
        board = app.board
        assert "本周未巡" in board.query_one(HallMap).tile_text(window.id)  # nothing logged, nobody has been
        written = log_from_another_process(url, home)
        await until(pilot, lambda: record.query_one("#record-findings").row_count == 1, seconds=LIMIT + 3)
        await until(pilot, lambda: "今日1项 -1.0" in board.query_one(HallMap).tile_text(window.id), seconds=3)
        await until(pilot, lambda: app.ranking is not None and app.ranking.staff_row(wang.id).score == 99.0)
        elapsed = time.monotonic() - written
        assert elapsed < LIMIT, f"{elapsed:.2f} s"
        assert "99.0" in board.query_one("#board-ranking").row_text(wang.id)


async def test_another_process_on_sqlite_reaches_the_open_board(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--db", url, "roster", "import", str(roster)]) == 0
    await shows_another_writers_finding(make_app(url), url, tmp_path)
    assert main(["--db", url, "verify"]) == 0


@pytest.fixture
def fresh_pg(pg_url: str) -> str:  # noqa: F811
    return fresh_database(pg_url)


async def test_another_laptop_on_postgresql_reaches_the_open_board(fresh_pg: str, tmp_path: Path) -> None:
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--db", fresh_pg, "roster", "import", str(roster)]) == 0
    await shows_another_writers_finding(make_app(fresh_pg), fresh_pg, tmp_path)
    assert main(["--db", fresh_pg, "verify"]) == 0
