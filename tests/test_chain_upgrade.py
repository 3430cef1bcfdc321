"""A database of the released schema (0003) that the chain-head bug had damaged: an import as a
device's first write left no head, and the next `patrol log` numbered from 1 again. Migration 0004
mends the chain (keeping every payload hash), makes seqs unique, chains the access log so far,
and the upgraded file verifies."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from patrol.cli import main
from storage.chain import GENESIS, link

HALL = """
    INSERT INTO hall (id, name, timezone, top_staff, top_windows, window_score_mode, created_at)
        VALUES ('h', '旧大厅', 'Asia/Shanghai', 8, 4, 'average', '2026-01-01 00:00:00.000000');
    INSERT INTO finding_type (id, hall_id, code, name, category, points, hotkey, level, aliases, phrase,
        position, active) VALUES ('t', 'h', 'late', '迟到', '考勤', -1, 'c', 'staff', '', '', 0, 1);
    INSERT INTO "window" (id, hall_id, code, name, zone, position, search_keys, sort_key)
        VALUES ('w', 'h', '1', '综合窗口', '', 0, '', '');
"""


def old_database(tmp_path: Path) -> Path:
    from alembic import command
    from alembic.config import Config

    from storage.engine import MIGRATIONS_DIR, create_db_engine

    path = tmp_path / "old.db"
    engine = create_db_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")  # the schema of the last release
    engine.dispose()
    return path


def finding(fid: str, day: int, seq: int, previous: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": fid,
        "hall_id": "h",
        "window_id": "w",
        "staff_id": None,
        "substitute": 0,
        "type_id": "t",
        "category": "考勤",
        "points": -1.0,
        "at": f"2026-11-0{day} 01:00:00.000000",
        "note": "",
        "inspector_id": None,
        "device": "importer",
        "replaces_id": None,
        "created_at": f"2026-11-0{day} 01:00:05.000000",
    }
    return {**values, **link("finding", values, "importer", seq, previous)}


def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(f"INSERT INTO finding ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def test_a_chain_the_head_bug_numbered_twice_is_mended_and_verifies(tmp_path: Path, capsys) -> None:
    path = old_database(tmp_path)
    first = finding("f1", 2, 1, GENESIS)  # the import: two rows, and no head was written
    second = finding("f2", 3, 2, first["row_hash"])
    again = finding("f3", 4, 1, GENESIS)  # the next log started again at 1 and wrote a head
    with sqlite3.connect(path) as conn:
        conn.executescript(HALL)
        for row in (first, second, again):
            insert(conn, row)
        conn.execute("INSERT INTO chain_head (device, seq, row_hash) VALUES ('importer', 1, ?)", (again["row_hash"],))
        conn.execute(
            "INSERT INTO access_log (id, at, who, action, subject) "
            "VALUES ('a1', '2026-11-05 02:00:00.000000', '李督查', '查看记录', '魏敏，2026年11月')"
        )
    url = f"sqlite:///{path}"
    capsys.readouterr()
    assert main(["--db", url, "verify"]) == 0, capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        chain = conn.execute(
            "SELECT id, chain_seq FROM finding WHERE device = 'importer' ORDER BY chain_seq"
        ).fetchall()
        head = conn.execute("SELECT seq FROM chain_head WHERE device = 'importer'").fetchone()
        lines = conn.execute("SELECT device, chain_seq FROM access_log").fetchall()
    assert chain == [("f1", 1), ("f2", 2), ("f3", 3)] and head == (3,)
    assert lines == [("migration-0004", lines[0][1])] and lines[0][1] > 0
    # A seq is unique per device from now on.
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE finding SET chain_seq = 1 WHERE id = 'f2'")
    # The mended chain still holds each row's content: a change made before the upgrade shows.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE access_log SET subject = '张梅，2026年11月' WHERE id = 'a1'")
    capsys.readouterr()
    assert main(["--db", url, "verify"]) == 1
    assert "查阅日志 a1" in capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE access_log SET subject = '魏敏，2026年11月' WHERE id = 'a1'")


def test_a_row_changed_before_the_upgrade_still_fails_after_mending(tmp_path: Path, capsys) -> None:
    path = old_database(tmp_path)
    first = finding("f1", 2, 1, GENESIS)
    second = finding("f2", 3, 2, first["row_hash"])
    again = finding("f3", 4, 1, GENESIS)
    with sqlite3.connect(path) as conn:
        conn.executescript(HALL)
        for row in (first, {**second, "points": 5.0}, again):  # f2 was changed in the file
            insert(conn, row)
        conn.execute("INSERT INTO chain_head (device, seq, row_hash) VALUES ('importer', 1, ?)", (again["row_hash"],))
    capsys.readouterr()
    assert main(["--db", f"sqlite:///{path}", "verify"]) == 1
    err = capsys.readouterr().err
    assert "巡查记录 f2" in err and "内容与写入时不符" in err
    with sqlite3.connect(path) as conn:  # the test's folder is verified afterwards: put it back
        conn.execute("UPDATE finding SET points = -1.0 WHERE id = 'f2'")
