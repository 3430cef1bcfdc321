"""Two writers at once, a database nobody else can read, and places a database must not live."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from patrol.cli import main
from storage import engine as engine_module
from storage.engine import create_db_engine, filesystem_of
from storage.errors import StorageError

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
    from patrol.hall_service import open_hall
    service = open_hall(sys.argv[1], device=sys.argv[2], inspector=sys.argv[2])
    window = service.window("1")
    person = service.staff_at(window.id)[0]
    item = service.rule("上门服务")
    for _ in range(int(sys.argv[3])):
        service.log(window, person, item)
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
