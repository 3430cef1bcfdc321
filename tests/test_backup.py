"""Backups: online, owner-only, the newest 30 kept, daily on first start; restore checks first
and keeps the current file aside."""

from __future__ import annotations

import gc
import re
import shutil
import sqlite3
import sys
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.service import HallService
from storage.backup import KEEP, backups, backups_folder, copy_closed_database, take_backup
from storage.errors import StorageError
from tests.conftest import log_at


def dump(path: Path) -> list[str]:
    """The database's content as SQL; a WAL checkpoint may rewrite the file's bytes, never this."""
    with closing(sqlite3.connect(path)) as conn:  # closed: a restore would see this process hold it
        return list(conn.iterdump())


def findings(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0]


def test_backup_and_restore_from_the_command_line(service: HallService, hall_url: str, capsys) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00")
    assert main(["--db", hall_url, "backup"]) == 0
    backup = Path(re.search(r"已备份：(.+)", capsys.readouterr().out)[1])
    assert backup.parent == backups_folder(database) and findings(backup) == 1
    assert backup.stat().st_mode & 0o077 == 0 and backup.parent.stat().st_mode & 0o077 == 0
    log_at(service, "1", "曾伟", "迟到", "2026-11-04 09:00")  # after the backup
    service.close()
    assert main(["--db", hall_url, "restore", str(backup)]) == 0
    aside = Path(re.search(r"原数据库另存为：(.+)", capsys.readouterr().out)[1])
    assert findings(database) == 1 and findings(aside) == 2  # nothing lost: the newer file is aside
    assert aside.stat().st_mode & 0o077 == 0
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_bad_backup_is_refused_and_changes_nothing(hall_url: str, tmp_path: Path, capsys) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    before = dump(database)
    for name, content in (("junk.db", b"not a database" * 100), ("other.db", None)):
        bad = tmp_path / name
        if content is None:
            sqlite3.connect(bad).execute("CREATE TABLE t (x)").connection.commit()
        else:
            bad.write_bytes(content)
        assert main(["--db", hall_url, "restore", str(bad)]) == 1
        assert "未恢复" in capsys.readouterr().err
    assert main(["--db", hall_url, "restore", str(tmp_path / "missing.db")]) == 1
    assert dump(database) == before
    assert not list(database.parent.glob("*.before-restore-*"))
    assert main(["--db", hall_url, "verify"]) == 0


def test_the_database_itself_or_a_folder_is_refused_as_a_backup_naming_the_newest_one(
    hall_url: str, tmp_path: Path, capsys
) -> None:
    """`restore patrol.db` (the database itself, or a link to it) "restored" it onto itself and
    kept a pointless copy aside; `restore backups/patrol.db` said the file was missing. Both are
    refused in one line that names the newest backup to give instead."""
    database = Path(hall_url.removeprefix("sqlite:///"))
    assert main(["--db", hall_url, "backup"]) == 0
    newest = Path(re.search(r"已备份：(.+)", capsys.readouterr().out)[1])
    link = tmp_path / "link.db"
    link.symlink_to(database)
    before = dump(database)
    for given in (database, link):
        assert main(["--db", hall_url, "restore", str(given)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "就是要恢复的数据库本身" in err and newest.name in err, err
    assert main(["--db", hall_url, "restore", str(newest.parent)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "是文件夹" in err and str(newest) in err and "未恢复" in err, err
    assert dump(database) == before
    assert not list(database.parent.glob("*.before-restore-*"))
    assert main(["--db", hall_url, "verify"]) == 0


def test_only_the_newest_backups_are_kept(hall_url: str) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    for hour in range(KEEP + 3):
        take_backup(database, datetime(2026, 10, 1) + timedelta(hours=hour))
    kept = backups(backups_folder(database))
    assert len(kept) == KEEP
    assert kept[0].name == "patrol-20261001-030000-000000-manual.db"  # the three oldest are gone
    assert main(["--db", f"sqlite:///{kept[0]}", "verify"]) == 0


def test_each_database_keeps_its_own_backups(hall_url: str, tmp_path: Path, capsys) -> None:
    """Two halls' databases in one folder: backing one up many times never prunes the other's
    backups, and two backups in one second (of one database or of two) are all kept."""
    hall_a = Path(hall_url.removeprefix("sqlite:///"))
    hall_b = tmp_path / "hallB.db"
    assert main(["--db", f"sqlite:///{hall_b}", "init", "--hall", "乙大厅"]) == 0
    assert main(["--db", f"sqlite:///{hall_b}", "backup"]) == 0
    (only_b,) = backups(backups_folder(hall_b))
    same_second = datetime(2026, 10, 1, 9, 0, 0)
    made = [take_backup(hall_a, same_second) for _ in range(KEEP + 2)]
    assert len(set(made)) == KEEP + 2  # none replaced another
    assert only_b.exists() and backups(backups_folder(hall_b)) == [only_b]
    assert len(backups(backups_folder(hall_a))) == KEEP
    assert findings(only_b) == 0 and "乙大厅" in dump(only_b).__repr__()
    both = [take_backup(db, same_second) for db in (hall_a, hall_b)]
    assert all(path.exists() for path in both) and both[0] != both[1]
    for database in (*both, hall_a, hall_b):
        assert main(["--db", f"sqlite:///{database}", "verify"]) == 0


def test_another_halls_backup_is_restored_only_when_confirmed(
    service: HallService, hall_url: str, tmp_path: Path, capsys
) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00")
    service.close()
    other = tmp_path / "other" / "patrol.db"
    assert main(["--db", f"sqlite:///{other}", "init", "--hall", "乙大厅"]) == 0
    assert main(["--db", f"sqlite:///{other}", "backup"]) == 0
    (foreign,) = backups(backups_folder(other))
    capsys.readouterr()
    before = dump(database)
    assert main(["--db", hall_url, "restore", str(foreign)]) == 1  # stdin is not a terminal: no question
    err = capsys.readouterr().err
    assert "另一个大厅的备份" in err and "“乙大厅”" in err and "“测试大厅”" in err and "--yes" in err
    assert dump(database) == before and not list(database.parent.glob("*.before-restore-*"))
    assert main(["--db", hall_url, "restore", str(foreign), "--yes"]) == 0
    out = capsys.readouterr().out
    aside = Path(re.search(r"原数据库另存为：(\S+)", out)[1])
    assert findings(database) == 0 and findings(aside) == 1
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT name FROM hall").fetchall() == [("乙大厅",)]
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_linked_database_is_backed_up_and_restored_through_the_link(
    service: HallService, hall_url: str, tmp_path: Path, capsys
) -> None:
    real = Path(hall_url.removeprefix("sqlite:///"))
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00")
    service.close()
    links = tmp_path / "links"
    links.mkdir(mode=0o700)
    link = links / "hall.db"
    link.symlink_to(real)
    url = f"sqlite:///{link}"
    assert main(["--db", url, "backup"]) == 0
    backup = Path(re.search(r"已备份：(.+)", capsys.readouterr().out)[1])
    assert backup.parent == backups_folder(real) and not (links / "backups").exists()
    assert (
        main(["--db", url, "log", "--window", "1", "--staff", "曾伟", "--type", "迟到", "--at", "2026-11-04 09:00"])
        == 0
    )
    assert main(["--db", url, "restore", str(backup)]) == 0
    assert link.is_symlink() and link.resolve() == real  # the link still points at the file...
    assert findings(real) == 1  # ...which holds the backup now
    assert main(["--db", url, "verify"]) == 0


def old_database(path: Path, revision: str = "0003") -> None:
    """A database at an older schema revision, as an older patrol left it."""
    from alembic import command
    from alembic.config import Config

    from storage.engine import MIGRATIONS_DIR, create_db_engine

    engine = create_db_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def test_a_failed_restore_leaves_no_copy_behind(hall_url: str, tmp_path: Path, capsys, monkeypatch) -> None:
    """An old backup is upgraded in a copy before its chain is checked; when the check fails,
    that copy (names and notes) is gone too, and nothing went to the system's temporary folder."""
    import tempfile

    system_temp = tmp_path / "system-temp"  # this test's own: other runs on the machine do not count
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    database = Path(hall_url.removeprefix("sqlite:///"))
    old = tmp_path / "old" / "backup.db"
    old.parent.mkdir(mode=0o700)
    old_database(old)
    with sqlite3.connect(old) as conn:  # a finding slipped in without its link in the chain
        conn.executescript("""
            INSERT INTO hall (id, name, timezone, top_staff, top_windows, window_score_mode, created_at)
                VALUES ('h', '测试大厅', 'Asia/Shanghai', 8, 4, 'average', '2026-01-01 00:00:00.000000');
            INSERT INTO finding_type (id, hall_id, code, name, category, points, hotkey, level, aliases, phrase,
                position, active) VALUES ('t', 'h', 'late', '迟到', '考勤', -1, 'c', 'staff', '', '', 0, 1);
            INSERT INTO "window" (id, hall_id, code, name, zone, position, search_keys, sort_key)
                VALUES ('w', 'h', '1', '综合窗口', '', 0, '', '');
            INSERT INTO finding (id, hall_id, window_id, substitute, type_id, category, points, at, note, device,
                created_at) VALUES ('f', 'h', 'w', 0, 't', '考勤', -1, '2026-11-02 01:00:00.000000', '魏敏迟到',
                'laptop', '2026-11-02 01:00:00.000000');
        """)
    before = dump(database)
    assert main(["--db", hall_url, "restore", str(old)]) == 1
    assert "散列链校验未通过" in capsys.readouterr().err
    assert dump(database) == before
    assert [p.name for p in database.parent.iterdir() if p.name.startswith(".")] == []
    assert list(system_temp.iterdir()) == []
    assert main(["--db", hall_url, "verify"]) == 0


def test_the_first_start_of_a_day_backs_up_once(service: HallService, hall_url: str) -> None:
    first = service.evidence.daily_backup()
    assert first is not None and "daily" in first.name and "20261118" in first.name
    assert service.evidence.daily_backup() is None  # once a day
    assert main(["--db", f"sqlite:///{first}", "verify"]) == 0


def test_postgresql_databases_are_backed_up_by_their_server(capsys) -> None:
    assert main(["--db", "postgresql+psycopg://x@127.0.0.1:1/none", "backup"]) == 1
    assert "pg_dump" in capsys.readouterr().err


@pytest.mark.tampers
def test_a_backup_whose_chain_is_broken_is_not_restored(service: HallService, hall_url: str, capsys) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00")
    backup = take_backup(database, datetime(2026, 11, 3, 12))
    with sqlite3.connect(backup) as conn:  # someone lowers a deduction in the backup
        conn.execute("UPDATE finding SET points = 0")
    log_at(service, "1", "曾伟", "迟到", "2026-11-04 09:00")
    service.close()
    before = dump(database)
    assert main(["--db", hall_url, "restore", str(backup)]) == 1
    err = capsys.readouterr().err
    assert "散列链校验未通过" in err and "内容与写入时不符" in err
    assert dump(database) == before and findings(database) == 2
    assert main(["--db", hall_url, "verify"]) == 0


async def test_a_restore_while_the_app_is_open_keeps_what_the_app_saves_next(hall_url: str) -> None:
    """The board stays open through a restore made by another process: it shows the restored
    content, and the finding it saves afterwards (shown 已保存) is in the database, whose chain
    verifies; what the restore replaced is in the file kept aside."""
    import subprocess
    import sys

    from tests.test_app import findings_in, make_app, ready, status, until

    database = Path(hall_url.removeprefix("sqlite:///"))
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("1", "enter", "1", "c")  # 魏敏 迟到
        seen = await ready(pilot, app, seen)
        backup = take_backup(database, datetime(2026, 11, 18, 10, 1))
        await pilot.press("1", "enter", "2", "c")  # 曾伟 迟到, after the backup
        seen = await ready(pilot, app, seen)
        zeng = app.service.lookup.resolve_staff("曾伟", None).id
        assert app.ranking.staff_row(zeng).score == 99
        restored = subprocess.run(
            [sys.executable, "-m", "patrol", "--db", hall_url, "restore", str(backup)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert restored.returncode == 0, restored.stderr
        aside = Path(re.search(r"原数据库另存为：(\S+)", restored.stdout)[1])
        await pilot.press("2", "enter", "1", "c")  # 郑晓燕 迟到, after the restore
        await ready(pilot, app, seen)
        assert status(app).startswith("已保存")
        assert findings_in(hall_url) == [("1", "魏敏", "迟到", 0), ("2", "郑晓燕", "迟到", 0)]
        await until(pilot, lambda: app.ranking.staff_row(zeng).score == 100)  # the board shows the restore
        assert "已看到恢复后的内容" in restored.stdout  # the restore named the board's process
    assert findings_in(hall_url) == [("1", "魏敏", "迟到", 0), ("2", "郑晓燕", "迟到", 0)]  # after the app closed
    assert findings(aside) == 2
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert main(["--db", hall_url, "verify"]) == 0


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_a_restore_under_a_running_patrol_in_a_terminal_keeps_what_it_saves_next(tmp_path: Path, capsys) -> None:
    """The real `patrol` open in a terminal (tmux) while `patrol restore` runs: the restore names
    that process, and the finding typed on the board afterwards, shown 已保存, is in the database
    (before, it went into the WAL of the file the restore had deleted, and was in neither file)."""
    from tests.test_terminal import ROSTER, Tmux
    from tests.test_terminal import findings as effective

    database = tmp_path / "hall.db"
    url = f"sqlite:///{database}"
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--db", url, "roster", "import", str(roster)]) == 0
    tmux = Tmux(tmp_path, [sys.executable, "-m", "screens", "--db", url, "--lock-after", "0"])
    try:
        tmux.wait_for("督查员：测试督查")
        tmux.keys("1", "Enter", "1", "c")
        tmux.wait_for("1综合窗口魏敏迟到-1.0记录号")  # 已保存: where, who, what, points, reference
        assert main(["--db", url, "backup"]) == 0
        backup = re.search(r"已备份：(.+)", capsys.readouterr().out)[1]
        tmux.keys("1", "Enter", "2", "c")
        tmux.wait_for("1综合窗口曾志明迟到-1.0记录号")
        assert effective(url) == [("1", "魏敏", "迟到"), ("1", "曾志明", "迟到")]

        assert main(["--db", url, "restore", backup]) == 0
        said = capsys.readouterr().out
        assert re.search(r"正在使用这个数据库的进程 \d+（screens --db [^）]*）已看到恢复后的内容", said), said
        aside = Path(re.search(r"原数据库另存为：(\S+)", said)[1])
        assert effective(url) == [("1", "魏敏", "迟到")]

        tmux.keys("3", "Enter", "1", "c")
        screen = tmux.wait_for("3住建窗口仇敏迟到-1.0记录号")
        assert "已保存" in screen
        assert effective(url) == [("1", "魏敏", "迟到"), ("3", "仇敏", "迟到")]

        # Another hall's backup is never put under an open board, even with --yes: it says which.
        other = tmp_path / "other" / "patrol.db"
        assert main(["--db", f"sqlite:///{other}", "init", "--hall", "乙大厅"]) == 0
        assert main(["--db", f"sqlite:///{other}", "backup"]) == 0
        (foreign,) = backups(backups_folder(other))
        capsys.readouterr()
        before = dump(database)
        assert main(["--db", url, "restore", str(foreign), "--yes"]) == 1
        err = capsys.readouterr().err
        assert re.search(r"另一个大厅的备份，而数据库正被 进程 \d+（screens --db [^）]*） 打开：请先关闭它", err), err
        assert err.count("\n") == 1 and dump(database) == before
        tmux.keys("C-q")
        assert "EXIT=0" in tmux.wait_for("EXIT=")
    finally:
        tmux.close()
    assert effective(url) == [("1", "魏敏", "迟到"), ("3", "仇敏", "迟到")]  # after the app closed, too
    assert findings(aside) == 2
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert main(["--db", url, "verify"]) == 0


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_in_a_terminal_another_halls_backup_is_restored_only_after_typing_the_word(
    hall_url: str, tmp_path: Path
) -> None:
    """A person at a terminal is shown both halls and asked; anything but 恢复 keeps the hall."""
    from tests.test_terminal import Tmux

    database = Path(hall_url.removeprefix("sqlite:///"))
    log = ["log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-11-03 09:00"]
    assert main(["--db", hall_url, *log]) == 0
    other = tmp_path / "other" / "patrol.db"
    assert main(["--db", f"sqlite:///{other}", "init", "--hall", "乙大厅"]) == 0
    assert main(["--db", f"sqlite:///{other}", "backup"]) == 0
    (foreign,) = backups(backups_folder(other))
    before = dump(database)
    gc.collect()  # the commands above ran in this process: their connections, in cycles, close now
    for answer, code in (("好", 1), ("恢复", 0)):
        tmux = Tmux(tmp_path / answer, [sys.executable, "-m", "screens", "--db", hall_url, "restore", str(foreign)])
        try:
            screen = tmux.wait_for("输入“恢复”确认：")
            assert "“乙大厅”" in screen and "“测试大厅”" in screen
            tmux.run("send-keys", "-t", "app", "-l", answer)
            tmux.keys("Enter")
            screen = tmux.wait_for("EXIT=")
            assert f"EXIT={code}" in screen and "Traceback" not in screen
        finally:
            tmux.close()
        if code:
            assert "已取消，未恢复" in screen and dump(database) == before
    assert findings(database) == 0
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT name FROM hall").fetchall() == [("乙大厅",)]
    assert main(["--db", hall_url, "verify"]) == 0


def test_the_demo_template_is_copied_whole_and_owner_only_never_over_a_file(tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    with closing(sqlite3.connect(template)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(500)])
        conn.commit()
    copy = tmp_path / "copy" / "demo.db"
    copy.parent.mkdir()
    copy_closed_database(template, copy)
    assert dump(copy) == dump(template) and copy.stat().st_mode & 0o077 == 0
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.write_bytes(b"mine")
    with pytest.raises(StorageError):
        copy_closed_database(template, copy)
    assert copy.read_bytes() == b"mine"


def test_a_template_left_with_its_journal_is_copied_as_sqlite_reads_it(tmp_path: Path) -> None:
    """A template whose last writer never checkpointed (its rows still in the -wal beside it):
    the bytes of the main file alone would lose them."""
    template = tmp_path / "template.db"
    writer = sqlite3.connect(template)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE t (x)")
    writer.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(50)])
    writer.commit()
    assert Path(f"{template}-wal").stat().st_size > 0
    copy = tmp_path / "demo.db"
    copy_closed_database(template, copy)
    writer.close()
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (50,)
