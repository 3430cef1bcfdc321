"""A guard against database work on a thread that must never wait for the disk (the app's event
loop). Storage knows nothing of the app: the app names the thread (``forbid_thread``) when it
starts and lifts the ban (``allow_all``) when it stops; the engine and the sqlite3 reader call
``check`` before every query. No SQLAlchemy import here: the sqlite3 reader runs before it."""

from __future__ import annotations

import threading

_forbidden: int | None = None  # the ident of the thread that must not touch the database


def forbid_thread(ident: int) -> None:
    """From now on a query on the thread ``ident`` raises RuntimeError."""
    global _forbidden
    _forbidden = ident


def allow_all() -> None:
    """Every thread may query again."""
    global _forbidden
    _forbidden = None


def check() -> None:
    """Raise RuntimeError when the calling thread is the forbidden one."""
    if _forbidden is not None and threading.get_ident() == _forbidden:
        raise RuntimeError(
            "database call on the forbidden thread (the app's event loop): run it through the app's database lane"
        )
