"""Noticing what other writers did (the command line, a second laptop on the same server), so an
open board shows what is in the database.

SQLite: ``PRAGMA data_version`` on a connection of our own changes whenever any other
connection commits. PostgreSQL: every write transaction ends with ``NOTIFY patrol_changes`` (see
``storage.writes``) carrying the writing process's token, and a connection of our own listens. Both
are asked from a worker thread, never from the event loop.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from storage.channel import NOTIFY_CHANNEL, WRITER_TOKEN


class Watch(Protocol):
    """Tells whether the database changed since it was last asked (or marked seen)."""

    def changed(self) -> bool: ...

    def mark_seen(self) -> None:
        """What is in the database now has been read (call before reading it)."""
        ...

    def close(self) -> None: ...


class SqliteWatch:
    """``PRAGMA data_version`` on a connection of its own."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        version = self._version()
        if version == self._seen:
            return False
        self._seen = version
        return True

    def mark_seen(self) -> None:
        self._seen = self._version()

    def close(self) -> None:
        self._conn.close()


class PostgresWatch:
    """LISTEN on a connection of its own; notifications from this process are ours, not news."""

    def __init__(self, url: str) -> None:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._conn = psycopg.connect(plain, autocommit=True)
        self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._pending = False

    def _drain(self) -> None:
        for note in self._conn.notifies(timeout=0, stop_after=None):
            if note.payload != WRITER_TOKEN:
                self._pending = True

    def changed(self) -> bool:
        self._drain()
        found, self._pending = self._pending, False
        return found

    def mark_seen(self) -> None:
        self._drain()
        self._pending = False

    def close(self) -> None:
        self._conn.close()


def watch_for(url: str) -> Watch | None:
    """The watch that fits ``url``, or None for a database it cannot watch."""
    from storage.urls import sqlite_file

    path = sqlite_file(url)
    if path is not None:
        return SqliteWatch(path)
    if url.startswith("postgresql"):
        return PostgresWatch(url)
    return None
