"""Engine creation and schema upgrades.

SQLite runs in WAL mode with ``synchronous=FULL`` and a busy timeout; foreign keys are on.
Every other SQLAlchemy URL (PostgreSQL) is used as given.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, DatabaseError

from storage import guard
from storage.backup import take_backup
from storage.errors import StorageError
from storage.files import check_database_location, private_folder, touch_private
from storage.schema import HEAD_REVISION
from storage.urls import sqlite_file

BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


MOUNTINFO = Path("/proc/self/mountinfo")
# File systems on which SQLite's WAL mode (shared memory between processes) is not safe.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.rclone",
        "davfs",
        "fuse.davfs2",
    }
)


def filesystem_of(path: Path, mountinfo: str) -> str:
    """The file system type of the mount holding ``path``, read from /proc/self/mountinfo text."""
    best, kind = "", ""
    target = str(path)
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        mount_point = fields[4].replace("\\040", " ")
        fstype = line.split(" - ", 1)[1].split()[0]
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, fstype
    return kind


def _refuse_network_filesystem(path: Path) -> None:
    try:
        mountinfo = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # not Linux: nothing to read, nothing to refuse
    kind = filesystem_of(path.resolve(), mountinfo)
    if kind in NETWORK_FILESYSTEMS:
        raise StorageError(
            f"数据库 {path} 位于网络文件系统（{kind}）上：SQLite 的 WAL 模式需要本机磁盘，否则可能丢失或损坏记录。"
            "请把数据库放在本机，或让多台电脑共用一台 PostgreSQL 服务器（--db postgresql+psycopg://…）。"
        )


def _set_sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # SQLAlchemy's documented recipe: let SQLAlchemy, not the driver, begin transactions (so every
    # write transaction can start with BEGIN IMMEDIATE, see _begin_immediate).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    journal = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    synchronous = cur.execute("PRAGMA synchronous").fetchone()[0]
    cur.close()
    # Checked on every connection, not assumed: a file system without shared memory refuses WAL.
    if str(journal).lower() != "wal" or synchronous != 2:
        raise StorageError(
            f"数据库无法以安全模式打开（journal_mode={journal}，synchronous={synchronous}；需要 wal 和 FULL）。"
            "请把数据库放在本机磁盘上。"
        )


def _begin_immediate(conn: Any) -> None:
    # Take the write lock at the start, so two writers queue on the busy timeout instead of one
    # failing half-way with "database is locked".
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _guard_cursor(*_args: Any, **_kwargs: Any) -> None:
    guard.check()


def create_db_engine(url: str) -> Engine:
    """Create the engine for ``url`` without touching the schema."""
    path = sqlite_file(url)
    if path is not None:
        _check_writable(path)
    try:
        engine = create_engine(url, pool_pre_ping=path is None)
    except ImportError as exc:
        raise StorageError(
            f"连接 {url} 需要的驱动未安装（{exc.name}）。PostgreSQL 请安装：pip install 'patrol[postgres]'。"
        ) from exc
    except ArgumentError as exc:
        raise StorageError(f"无法连接数据库 {url}：{exc}") from exc
    # Every statement and every connection taken from the pool asks the guard (storage.guard).
    event.listen(engine, "before_cursor_execute", _guard_cursor)
    event.listen(engine.pool, "checkout", _guard_cursor)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _check_writable(path: Path) -> None:
    folder = path.parent
    _refuse_network_filesystem(folder)
    check_database_location(path)  # nobody else could have put it there
    try:
        private_folder(folder)  # a new folder is owner-only, whatever the umask
    except OSError as exc:
        raise StorageError(
            f"无法创建数据库目录 {folder}：{exc.strerror}。请换一个可写的位置（--db 或 PATROL_DB）。"
        ) from exc
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise StorageError(f"数据库位置不可写：{target}。请检查权限，或用 --db / PATROL_DB 指定可写的位置。")
    if not path.exists():
        # Names and findings of people: the file (and the -wal and -shm files SQLite derives
        # from it, with the same mode) are readable by the owner only.
        try:
            touch_private(path)
        except OSError as exc:
            raise StorageError(f"无法创建数据库文件 {path}：{exc.strerror}。") from exc


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return row[0] if row else None


def known_revisions() -> frozenset[str]:
    """Every schema revision this version of patrol has a migration for."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(script.revision for script in ScriptDirectory.from_config(config).walk_revisions())


def unknown_revision_problem(name: str, revision: str) -> str:
    """The one line that refuses a database whose schema revision patrol does not know."""
    return (
        f"{name} 的结构版本“{revision}”不是这个版本的 patrol 所知道的（来自更新版本的 patrol，或文件已被改动），"
        "未打开。请升级 patrol，或恢复一份备份。"
    )


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision with the Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_engine(url: str) -> Engine:
    """Create the engine and make sure the schema is current (migrating when needed)."""
    engine = create_db_engine(url)
    try:
        revision = current_revision(engine)
        if revision is not None and revision != HEAD_REVISION and revision not in known_revisions():
            engine.dispose()
            raise StorageError(unknown_revision_problem(url, revision))
        if revision != HEAD_REVISION:
            path = sqlite_file(url)
            if revision is not None and path is not None:
                # An old database is copied aside before its schema changes (storage.backup).
                from datetime import datetime

                take_backup(path, datetime.now(), why=f"before-migration-{revision}")
            upgrade(engine)
    except DatabaseError as exc:
        engine.dispose()
        raise StorageError(f"无法打开数据库 {url}：{exc.orig}") from exc
    return engine
