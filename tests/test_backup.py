"""Backups: online, owner-only, the newest 30 kept, daily on first start; restore checks first
and keeps the current file aside."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.service import HallService
from storage.backup import KEEP, backups, backups_folder, take_backup
from tests.conftest import log_at


def dump(path: Path) -> list[str]:
    """The database's content as SQL; a WAL checkpoint may rewrite the file's bytes, never this."""
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def findings(path: Path) -> int:
    with sqlite3.connect(path) as conn:
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


def test_only_the_newest_backups_are_kept(hall_url: str) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    for hour in range(KEEP + 3):
        take_backup(database, datetime(2026, 10, 1) + timedelta(hours=hour))
    kept = backups(backups_folder(database))
    assert len(kept) == KEEP
    assert kept[0].name == "patrol-20261001-030000-manual.db"  # the three oldest are gone


def test_the_first_start_of_a_day_backs_up_once(service: HallService, hall_url: str) -> None:
    first = service.daily_backup()
    assert first is not None and "daily" in first.name and "20261118" in first.name
    assert service.daily_backup() is None  # once a day


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
