"""The database lane: worker threads pass through it one at a time, in the order their tickets
were taken. Tickets are taken on the event loop as keys arrive, so writes reach the disk in the
order they were typed, and no two jobs ever share the sqlite3 connection or the engine at once
(the reader is opened with ``check_same_thread=False`` and is safe only one thread at a time).

A job of a ``latest`` group is skipped when a newer ticket of the same group was taken before its
turn came: a period change or a watch refresh makes the older read useless. No worker of the lane
is ever cancelled (a ticket whose thread never came would stop the lane for good); the lane skips
instead, and ``close`` lets every waiting thread go when the app stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class LaneClosed(Exception):
    """The app is stopping: the job was not run."""


@dataclass(frozen=True)
class Ticket:
    """A place in the lane."""

    number: int
    group: str | None  # a ``latest`` group: only its newest ticket runs


class Superseded(Exception):
    """A newer job of the same ``latest`` group was queued: this one was not run."""


class Lane:
    """First come, first served: one job at a time, in ticket order."""

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._taken = 0  # the next ticket's number
        self._serving = 0  # the ticket whose turn it is
        self._newest: dict[str, int] = {}  # group -> its newest ticket
        self._closed = False
        self._busy = False  # a job holds the lane

    def take(self, group: str | None = None) -> Ticket:
        """A ticket behind every one taken before (call it where the order is decided: the loop)."""
        with self._turn:
            ticket = Ticket(self._taken, group)
            self._taken += 1
            if group is not None:
                self._newest[group] = ticket.number
            return ticket

    @contextmanager
    def turn(self, ticket: Ticket) -> Iterator[None]:
        """Wait for ``ticket``'s turn and hold the lane until the block ends. Raises Superseded when
        a newer ticket of its group exists, LaneClosed when the app stops; either way the lane
        moves on."""
        with self._turn:
            self._turn.wait_for(lambda: self._serving == ticket.number or self._closed)
            if self._closed:
                raise LaneClosed
            if ticket.group is not None and self._newest.get(ticket.group, ticket.number) != ticket.number:
                self._next()
                raise Superseded
            self._busy = True
        try:
            yield
        finally:
            with self._turn:
                self._busy = False
                self._next()

    def _next(self) -> None:
        self._serving += 1
        self._turn.notify_all()

    @property
    def idle(self) -> bool:
        """No ticket is waiting or running."""
        with self._turn:
            return self._serving == self._taken

    def close(self, timeout: float = 30.0) -> None:
        """Let every waiting job go without running, and wait (up to ``timeout`` seconds) for the
        one running to end, so the database can be closed behind it (the app stops)."""
        with self._turn:
            self._closed = True
            self._turn.notify_all()
            self._turn.wait_for(lambda: not self._busy, timeout)
