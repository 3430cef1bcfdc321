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

from storage.errors import StorageError
from storage.schema import HEAD_REVISION
from storage.urls import sqlite_file

BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _set_sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


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
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _check_writable(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"无法创建数据库目录 {folder}：{exc.strerror}。请换一个可写的位置（--db 或 PATROL_DB）。"
        ) from exc
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise StorageError(f"数据库位置不可写：{target}。请检查权限，或用 --db / PATROL_DB 指定可写的位置。")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return row[0] if row else None


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
        if current_revision(engine) != HEAD_REVISION:
            upgrade(engine)
    except DatabaseError as exc:
        engine.dispose()
        raise StorageError(f"无法打开数据库 {url}：{exc.orig}") from exc
    return engine
