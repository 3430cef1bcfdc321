"""Private files whatever the umask, and no database another user could have put there."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from patrol.cli import main
from storage.backup import copy_database

NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def patrol_under_umask_000(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a shell whose umask lets everyone read and write everything."""
    command = " ".join(["umask 000;", "exec", sys.executable, "-m", "patrol", *(f"'{a}'" for a in args)])
    return subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)


def test_folders_are_0700_and_files_0600_whatever_the_umask(tmp_path: Path, roster_file: Path) -> None:
    home = tmp_path / "home"  # nothing below it exists yet: every folder is made by patrol
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    env.pop("PATROL_DB", None)
    out = tmp_path / "out"
    out.mkdir()
    for args in (
        ("roster", "import", str(roster_file)),
        ("log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-11-03 09:00"),
        ("backup",),
        ("export", "--period", "2026-11", "--out", str(out)),
    ):
        done = patrol_under_umask_000(env, *args)
        assert done.returncode == 0, done.stderr
    data = home / "data" / "patrol"
    config = home / "config" / "patrol"
    for folder in (home / "data", data, home / "config", config, data / "backups", data / "backups" / "patrol.db"):
        assert mode(folder) == 0o700, folder
    (backup,) = (data / "backups" / "patrol.db").iterdir()
    (workbook,) = out.glob("*.xlsx")
    for file in (data / "patrol.db", config / "device-id", backup, workbook):
        assert mode(file) == 0o600, file
    assert [p.name for p in out.iterdir()] == [workbook.name]  # no temporaries left beside it
    # The files SQLite makes beside the database (-wal, -shm) while it is open take its mode,
    # also for a process whose umask is 000.
    assert not (data / "patrol.db-wal").exists()  # the last connection closed and removed them
    was = os.umask(0)
    try:
        conn = sqlite3.connect(data / "patrol.db")
        conn.execute("SELECT COUNT(*) FROM finding").fetchone()
        assert mode(data / "patrol.db-wal") == 0o600 and mode(data / "patrol.db-shm") == 0o600
        conn.close()
    finally:
        os.umask(was)
    done = patrol_under_umask_000(env, "verify")
    assert done.returncode == 0, done.stderr


def test_patrols_own_folder_left_open_by_an_older_version_is_closed(tmp_path: Path, monkeypatch) -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "patrol"
    data.mkdir(parents=True)
    data.chmod(0o777)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "patrol"
    config.mkdir(parents=True)
    config.chmod(0o777)
    (config / "device-id").write_text("0192f0e0-0000-7000-8000-000000000001")
    (config / "device-id").chmod(0o666)
    assert main(["init", "--hall", "测试大厅"]) == 0
    assert main(["rank"]) == 0
    assert mode(data) == 0o700 and mode(config) == 0o700 and mode(config / "device-id") == 0o600
    assert main(["verify"]) == 0


def test_a_database_in_a_folder_others_can_write_is_refused(hall_url: str, tmp_path: Path, capsys) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    shared = tmp_path / "shared"
    shared.mkdir()
    copy_database(database, shared / "patrol.db")
    shared.chmod(0o777)  # anyone may replace the file in it
    url = f"sqlite:///{shared / 'patrol.db'}"
    for args in (["rank"], ["verify"], ["log", "--window", "1", "--staff", "魏敏", "--type", "迟到"]):
        assert main(["--db", url, *args]) == 1
        err = capsys.readouterr().err
        assert "其他用户也能写入" in err and "chmod 700" in err and err.count("\n") == 1
    shared.chmod(0o1777)  # the sticky bit does not help: a -wal file could be planted
    assert main(["--db", url, "rank"]) == 1
    shared.chmod(0o700)
    assert main(["--db", url, "rank"]) == 0
    assert main(["--db", url, "verify"]) == 0


def test_a_database_in_a_shared_sticky_folder_is_told_to_move_not_to_close_the_folder(
    hall_url: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    """A database put straight into /tmp (sticky, everyone writes): closing /tmp would break the
    machine, so the one line says where to put the database instead, and nothing is created."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    url = f"sqlite:///{shared / 'hall.db'}"
    assert main(["--db", url, "init", "--hall", "测试大厅"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "其他用户也能写入" in err, err
    assert "chmod" not in err, err  # never "chmod 700 /tmp"
    assert f"mkdir -m 700 {home / 'patrol'}" in err and f"sqlite:///{home / 'patrol' / 'hall.db'}" in err, err
    assert not list(shared.iterdir())
    copy_database(Path(hall_url.removeprefix("sqlite:///")), shared / "hall.db")
    assert main(["--db", url, "rank"]) == 1
    err = capsys.readouterr().err
    assert "把 hall.db 移进去" in err and "chmod" not in err, err
    assert main(["--db", hall_url, "verify"]) == 0


@pytest.mark.skipif(os.getuid() != 0, reason="making a file another user's needs root")
def test_a_database_file_or_folder_of_another_user_is_refused(hall_url: str, tmp_path: Path, capsys) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    swapped = theirs / "patrol.db"
    copy_database(database, swapped)
    os.chown(swapped, NOBODY, NOBODY)  # someone else's file, even in a folder of ours
    assert main(["--db", f"sqlite:///{swapped}", "verify"]) == 1
    assert "不属于当前用户" in capsys.readouterr().err
    os.chown(swapped, os.getuid(), os.getgid())
    os.chown(theirs, NOBODY, NOBODY)  # a folder someone else owns: they may change it at will
    assert main(["--db", f"sqlite:///{swapped}", "rank"]) == 1
    assert "不属于当前用户" in capsys.readouterr().err
    assert main(["--db", hall_url, "verify"]) == 0


async def test_the_app_says_why_it_does_not_open_such_a_database(hall_url: str, tmp_path: Path) -> None:
    from screens.welcome import WelcomeScreen
    from tests.test_app import make_app, until

    shared = tmp_path / "shared"
    shared.mkdir()
    copy_database(Path(hall_url.removeprefix("sqlite:///")), shared / "patrol.db")
    shared.chmod(0o777)
    app = make_app(f"sqlite:///{shared / 'patrol.db'}")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen) and app.screen.query_one("Static"))
        text = str(app.screen.query_one("Static").render())
        assert "其他用户也能写入" in text and "chmod 700" in text and "Traceback" not in text
        assert app.service is None  # nothing of it was read
    assert main(["--db", hall_url, "verify"]) == 0
