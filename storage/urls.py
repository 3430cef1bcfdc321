"""Database URLs, read without importing SQLAlchemy (the board's start path must stay light)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from storage.errors import StorageError

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$")


def sqlite_file(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases and in-memory SQLite."""
    match = _URL.match(url.strip())
    if match is None:
        raise StorageError(f"数据库地址无法识别：{url}（示例：sqlite:///路径/patrol.db 或 postgresql+psycopg://…）")
    if match["scheme"].split("+")[0].lower() != "sqlite":
        return None
    rest = match["rest"].split("?", 1)[0]
    if not rest:
        return None  # sqlite:// is an in-memory database
    if not rest.startswith("/"):
        raise StorageError(f"SQLite 地址应写作 sqlite:///相对路径 或 sqlite:////绝对路径：{url}")
    database = unquote(rest[1:])
    if not database or database == ":memory:":
        return None
    return Path(database)
