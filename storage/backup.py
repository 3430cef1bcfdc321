"""Online backups of a SQLite database (the SQLite backup API: safe while others write).

Each database has its own backups, in ``backups/<file name>/`` beside it (the real file, when the
database is reached through a link), owner-only; the newest ``KEEP`` are kept. A backup never
replaces another: two in one instant get two names. Putting a backup back is ``storage.restore``.

This module copies files and nothing more: ``storage.engine`` uses it (a copy before a schema
upgrade) and it uses no engine, so the two do not import each other.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from storage.errors import StorageError
from storage.files import create_private_file, private_folder, temporary_name, touch_private

KEEP = 30
PREFIX = "patrol-"
# patrol-20261118-100000-000000-daily.db: when (to the microsecond), and why.
BACKUP_NAME = re.compile(r"^patrol-\d{8}-\d{6}-\d{6}-[a-z0-9-]+\.db$")


def real_path(database: Path) -> Path:
    """The database file itself: absolute, links followed (a backup or a restore of a link is
    one of the file it points to)."""
    return Path(os.path.abspath(database)).resolve()


def backups_folder(database: Path) -> Path:
    """Where the backups of ``database`` are kept: its own folder, so that pruning the backups
    of one database never touches another's."""
    real = real_path(database)
    return real.parent / "backups" / real.name


def copy_database(source: Path, target: Path) -> None:
    """Copy a live SQLite database whole (WAL included) to ``target``, owner-only, through a
    temporary beside it; ``target`` must not exist (a copy never replaces a file)."""
    copy_new(source, target.parent, lambda _n: target.name, tries=1)


def copy_closed_database(source: Path, target: Path) -> None:
    """Copy a SQLite file that nothing writes and that was closed cleanly (the demo's template)
    byte for byte, owner-only; ``target`` must not exist. It takes a millisecond where the backup
    API takes 20-30 (its page writes are synced), and ``patrol demo`` waits for it before its
    first frame. A journal beside ``source`` means it was not closed cleanly: then the backup API,
    which reads it as SQLite would."""
    if any(Path(f"{source}{ending}").exists() for ending in ("-wal", "-journal")):
        copy_database(source, target)
        return
    try:
        made = create_private_file(target, exclusive=True)
    except OSError as exc:
        raise StorageError(f"复制数据库失败：{exc}。原数据库不受影响。") from exc
    try:
        with os.fdopen(made, "wb") as copy, open(source, "rb") as original:
            shutil.copyfileobj(original, copy)
    except OSError as exc:
        target.unlink(missing_ok=True)  # ours, half-written
        raise StorageError(f"复制数据库失败：{exc}。原数据库不受影响。") from exc


def copy_new(source: Path, folder: Path, name: Callable[[int], str], tries: int = 1000) -> Path:
    """Copy ``source`` into ``folder`` under the first of ``name(0)``, ``name(1)``… that is free."""
    partial = folder / temporary_name(".db")
    try:
        touch_private(partial)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst)
        for n in range(tries):
            target = folder / name(n)
            try:
                os.link(partial, target)  # never over an existing file, even one made just now
            except FileExistsError:
                continue
            return target
        raise StorageError(f"{folder / name(0)} 已存在，未覆盖。")
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"备份失败：{exc}。原数据库不受影响。") from exc
    finally:
        partial.unlink(missing_ok=True)
        Path(f"{partial}-journal").unlink(missing_ok=True)


def take_backup(database: Path, now: datetime, why: str = "manual") -> Path:
    """Back ``database`` up now and prune its old backups; returns the backup's path."""
    if not database.exists():
        raise StorageError(f"没有可备份的数据库：{database}")
    real = real_path(database)
    folder = private_folder(backups_folder(real))

    # Two backups in one instant get two names, the later one after the earlier (and after any
    # already taken: a name freed by pruning is not given again, it would sort as the oldest).
    start = now
    taken = [p.name for p in backups(folder)]
    if taken and taken[-1] >= f"{PREFIX}{now:%Y%m%d-%H%M%S-%f}":
        newest = datetime.strptime(taken[-1][len(PREFIX) : len(PREFIX) + 22], "%Y%m%d-%H%M%S-%f")
        if newest - now < timedelta(seconds=1):  # the same moment, not a clock set back
            start = newest + timedelta(microseconds=1)

    def name(n: int) -> str:
        return f"{PREFIX}{start + timedelta(microseconds=n):%Y%m%d-%H%M%S-%f}-{why}.db"

    target = copy_new(real, folder, name)
    prune(folder)
    return target


def backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if BACKUP_NAME.match(p.name))


def prune(folder: Path, keep: int = KEEP) -> None:
    """Delete all but the newest ``keep`` backups of the one database ``folder`` belongs to."""
    for old in backups(folder)[:-keep]:
        old.unlink(missing_ok=True)


def backed_up_on(database: Path, day: str) -> bool:
    """Whether a backup of ``database`` was taken on ``day`` (YYYYMMDD)."""
    return any(p.name.startswith(f"{PREFIX}{day}-") for p in backups(backups_folder(database)))
