"""Two writers at once, a database nobody else can read, and places a database must not live."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import event, text

from patrol.cli import main
from storage import engine as engine_module
from storage.engine import create_db_engine, filesystem_of
from storage.errors import StorageError
from tests.conftest import log_at

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 22 0:38 / /mnt/share rw,relatime shared:20 - nfs4 server:/export rw,vers=4.2
41 40 0:39 / /mnt/share/local rw,relatime shared:21 - ext4 /dev/vdb rw
"""


def test_the_mount_of_a_path() -> None:
    assert filesystem_of(Path("/home/inspector/patrol.db"), MOUNTINFO) == "ext4"
    assert filesystem_of(Path("/mnt/share/hall/patrol.db"), MOUNTINFO) == "nfs4"
    assert filesystem_of(Path("/mnt/share/local/patrol.db"), MOUNTINFO) == "ext4"
    assert filesystem_of(Path("/mnt/shared/patrol.db"), MOUNTINFO) == "ext4"  # a prefix is not a mount


def test_a_database_on_a_network_file_system_is_refused(tmp_path: Path, monkeypatch, capsys) -> None:
    fake = tmp_path / "mountinfo"
    fake.write_text(
        f"22 1 8:1 / / rw - ext4 /dev/vda rw\n40 22 0:38 / {tmp_path} rw - nfs4 srv:/x rw\n", encoding="utf-8"
    )
    monkeypatch.setattr(engine_module, "MOUNTINFO", fake)
    code = main(["--db", f"sqlite:///{tmp_path / 'hall' / 'patrol.db'}", "init", "--hall", "甲"])
    assert code == 1
    err = capsys.readouterr().err
    assert "网络文件系统（nfs4）" in err and "PostgreSQL" in err
    assert not (tmp_path / "hall" / "patrol.db").exists()


def test_every_connection_is_checked_for_wal_and_full_sync() -> None:
    memory = create_db_engine("sqlite://")  # an in-memory database cannot keep anything
    with pytest.raises(StorageError, match="journal_mode=memory"), memory.connect():
        pass


def test_the_database_is_readable_by_its_owner_only(db_url: str, capsys) -> None:
    assert main(["--db", db_url, "init", "--hall", "甲"]) == 0
    path = Path(db_url.removeprefix("sqlite:///"))
    assert path.stat().st_mode & 0o077 == 0
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if extra.exists():
            assert extra.stat().st_mode & 0o077 == 0


def test_writes_begin_immediate(hall_url: str) -> None:
    engine = create_db_engine(hall_url)
    with engine.begin() as conn:
        # Inside a BEGIN IMMEDIATE transaction another writer cannot start one.
        other = sqlite3.connect(hall_url.removeprefix("sqlite:///"), timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        conn.execute(text("SELECT 1"))
    engine.dispose()


WRITER = textwrap.dedent("""
    import sys
    from patrol.hall.opening import open_hall
    service = open_hall(sys.argv[1], device=sys.argv[2], inspector=sys.argv[2])
    window = service.lookup.window("1")
    person = service.lookup.staff_at(window.id)[0]
    item = service.lookup.rule("上门服务")
    for _ in range(int(sys.argv[3])):
        service.findings.log(window, person, item)
    service.close()
""")


def test_two_writers_at_once_lose_nothing(hall_url: str, tmp_path: Path) -> None:
    env_dirs = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}
    import os

    env = {**os.environ, **env_dirs}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, hall_url, f"laptop-{n}", "60"], env=env, stderr=subprocess.PIPE, text=True
        )
        for n in range(2)
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert not any("locked" in e for e in errors)
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        rows = conn.execute("SELECT device, COUNT(*) FROM finding GROUP BY device ORDER BY device").fetchall()
    assert rows == [("laptop-0", 60), ("laptop-1", 60)]


def no_growth(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """SQLite's own limit on a file's size stands in for a full disk: the connection may not
    grow the file past the size it has."""
    pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
    dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")


async def test_a_full_disk_keeps_the_finding_on_screen_until_it_is_saved(hall_url: str) -> None:
    from datetime import timedelta

    from tests.conftest import FIXED_NOW
    from tests.test_app import findings_in, make_app, ready, status, until

    now = [FIXED_NOW]  # the clock moves on while the disk is full: the findings keep their time
    app = make_app(hall_url, clock=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        service = app.service
        engine = await app.db.ask(lambda: service.engine)  # made in the lane: the loop never queries
        event.listen(engine, "connect", no_growth)
        engine.dispose()  # the next write connects anew, with the limit

        def log_until_full() -> int:
            saved = 0
            while True:
                try:
                    log_at(service, "4", "张梅", "迟到", "2026-11-17 09:00")
                except StorageError as exc:
                    assert "磁盘已满" in str(exc)
                    return saved
                saved += 1

        saved_before = await app.db.ask(log_until_full)
        await pilot.press("1", "enter", "2", "c")  # 曾伟 late: the disk says no
        await until(pilot, lambda: "未保存" in status(app) and "磁盘已满" in status(app) and "F5" in status(app))
        await pilot.press("enter", "1", "s")  # 魏敏 asleep, at the same window: queued behind it
        await until(pilot, lambda: str(app.board.query_one("#unsaved").render()).count("未保存") == 2)
        unsaved = str(app.board.query_one("#unsaved").render())
        assert "1 曾伟 迟到" in unsaved and "10:00" in unsaved
        assert len(findings_in(hall_url)) == saved_before  # nothing half-written, nothing saved lost

        await pilot.press("ctrl+q")  # quitting now would lose them: the app warns first
        await until(pilot, lambda: any("还有 2 条记录未保存" in str(n.message) for n in app._notifications))
        assert app.is_running
        await pilot.press("f5")  # still full: still unsaved, still on screen
        await until(pilot, lambda: "仍未保存 2 条" in status(app))
        event.remove(engine, "connect", no_growth)
        engine.dispose()
        now[0] = FIXED_NOW + timedelta(minutes=47)  # the disk is freed three quarters of an hour later
        await pilot.press("f5")
        await until(pilot, lambda: "已保存全部 2 条" in status(app))
        await ready(pilot, app, seen)
        assert not app.board.query_one("#unsaved").display
        rows = findings_in(hall_url)
        assert len(rows) == saved_before + 2
        assert rows[-2][:3] == ("1", "曾伟", "迟到")
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        # Dated when they were seen (10:00), not when the disk took them (10:47).
        times = conn.execute("SELECT at FROM finding ORDER BY created_at DESC LIMIT 2").fetchall()
    assert [t[0][:16] for t in times] == ["2026-11-18 02:00", "2026-11-18 02:00"]


def test_a_read_only_database_is_said_plainly_and_changes_nothing(service, hall_url: str) -> None:  # type: ignore[no-untyped-def]
    def read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA query_only = ON")  # what a read-only file or disk answers

    log_at(service, "4", "张梅", "迟到", "2026-11-17 09:00")
    event.listen(service.engine, "connect", read_only)
    service.engine.dispose()
    with pytest.raises(StorageError, match="只读") as refused:
        log_at(service, "4", "张梅", "早退", "2026-11-17 17:00")
    assert "readonly" not in str(refused.value)  # said in the inspector's words, not SQLite's
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == 1
