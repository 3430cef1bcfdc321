"""Online backups of a SQLite database (the SQLite backup API: safe while others write).

Backups live in a ``backups`` folder beside the database, readable by the owner only; the
newest ``KEEP`` are kept. A restore checks the backup first and keeps the current file aside.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from storage.errors import StorageError

KEEP = 30
PREFIX = "patrol-"


def backups_folder(database: Path) -> Path:
    """Where the backups of ``database`` are kept."""
    return database.parent / "backups"


def copy_database(source: Path, target: Path) -> None:
    """Copy a live SQLite database whole (WAL included) to ``target``, owner-only, via a temporary name."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst)
        src.close()
        dst.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"备份失败：{exc}。原数据库不受影响。") from exc


def take_backup(database: Path, now: datetime, why: str = "manual") -> Path:
    """Back ``database`` up now and prune old backups; returns the backup's path."""
    if not database.exists():
        raise StorageError(f"没有可备份的数据库：{database}")
    folder = backups_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    target = folder / f"{PREFIX}{now:%Y%m%d-%H%M%S}-{why}.db"
    copy_database(database, target)
    prune(folder)
    return target


def backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, oldest first."""
    return sorted(folder.glob(f"{PREFIX}*.db")) if folder.exists() else []


def prune(folder: Path, keep: int = KEEP) -> None:
    """Delete all but the newest ``keep`` backups."""
    for old in backups(folder)[:-keep]:
        old.unlink(missing_ok=True)


def backed_up_on(database: Path, day: str) -> bool:
    """Whether a backup was taken on ``day`` (YYYYMMDD)."""
    return any(p.name.startswith(f"{PREFIX}{day}-") for p in backups(backups_folder(database)))


def check_backup(path: Path) -> None:
    """Refuse a file that is not a whole, sound patrol database."""
    if not path.is_file():
        raise StorageError(f"找不到备份文件：{path}")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_schema = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] if has_schema else []
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path.name} 不是可用的数据库（{exc}），未恢复。") from exc
    if result != "ok":
        raise StorageError(f"{path.name} 已损坏（{result}），未恢复。")
    if not has_schema or len(revisions) != 1:  # a bare alembic_version table is no database of ours
        raise StorageError(f"{path.name} 不是 patrol 的数据库，未恢复。")
    from storage.engine import known_revisions, unknown_revision_problem

    if revisions[0] not in known_revisions():
        raise StorageError(unknown_revision_problem(path.name, str(revisions[0])).replace("未打开", "未恢复"))


def check_chain(backup: Path) -> Path:
    """Verify the hash chain of ``backup``; returns the file to restore from. A backup of an
    older schema is upgraded in a temporary copy first (as opening it would), and that copy is
    what gets checked and restored."""
    import tempfile

    from storage.engine import open_engine
    from storage.reads import SqliteReader, schema_revision
    from storage.schema import HEAD_REVISION
    from storage.verify import verify

    source = backup
    if schema_revision(SqliteReader(backup)) != HEAD_REVISION:
        source = Path(tempfile.mkdtemp(prefix="patrol-restore-")) / backup.name
        copy_database(backup, source)
        open_engine(f"sqlite:///{source}").dispose()
    verdict = verify(SqliteReader(source))
    if not verdict.ok:
        raise StorageError(f"{backup.name} 的散列链校验未通过：{verdict.problem} 未恢复。")
    return source


def restore(database: Path, backup: Path, now: datetime) -> Path:
    """Replace ``database`` by ``backup`` after checking it (integrity, schema, hash chain); the
    current file is kept aside and its path returned."""
    import shutil

    check_backup(backup)
    source = check_chain(backup)
    try:
        aside = database.with_name(f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        if database.exists():
            copy_database(database, aside)
        copy_database(source, database)
        for stale in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)  # they belonged to the file that was replaced
    finally:
        if source != backup:  # the upgraded temporary copy holds personal data: gone now
            shutil.rmtree(source.parent, ignore_errors=True)
    return aside
