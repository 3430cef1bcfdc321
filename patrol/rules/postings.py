"""Who sat where, and when (DESIGN: 'Who counts in a period'). Pure functions over a person's
postings: each says "from this day on, at this window in this role" (or "left"); a later one
takes over from its day. Of two with the same day, the one recorded later wins, so a mistaken
date is put right by a new posting rather than by editing the old one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from patrol.model import PostingInfo


@dataclass(frozen=True)
class Stint:
    """An unbroken time at one window: ``first`` (None: from the beginning) up to ``end``
    (excluded; None: still there)."""

    window_id: str
    role: str
    first: date | None
    end: date | None
    unit_id: str | None = None  # the person's own unit there; None: the window's unit

    def overlaps(self, first: date, end: date) -> bool:
        """Whether the stint shares a day with ``first`` up to ``end`` (excluded)."""
        return (self.first is None or self.first < end) and (self.end is None or self.end > first)

    def covers(self, day: date) -> bool:
        """Whether the person sat at the window on ``day``."""
        return (self.first is None or self.first <= day) and (self.end is None or day < self.end)


def _in_order(postings: Iterable[PostingInfo]) -> list[PostingInfo]:
    return sorted(postings, key=lambda p: (p.starts is not None, p.starts or date.min, p.created_at, p.id))


def stints(postings: Iterable[PostingInfo]) -> list[Stint]:
    """A person's postings as the stints they add up to, oldest first."""
    out: list[Stint] = []
    current: PostingInfo | None = None
    ordered = _in_order(postings)
    # Of several postings on one day only the last recorded counts.
    effective = [p for i, p in enumerate(ordered) if i + 1 == len(ordered) or ordered[i + 1].starts != p.starts]
    for posting in effective:
        if current is not None and current.window_id is not None:
            if (posting.window_id, posting.role, posting.unit_id) == (
                current.window_id,
                current.role,
                current.unit_id,
            ):
                continue  # the same seat again: the stint goes on
            out.append(Stint(current.window_id, current.role, current.starts, posting.starts, current.unit_id))
        current = posting
    if current is not None and current.window_id is not None:
        out.append(Stint(current.window_id, current.role, current.starts, None, current.unit_id))
    return out


def seat_on(postings: Iterable[PostingInfo], day: date) -> Stint | None:
    """Where the person sat on ``day``, or None when they were not posted."""
    return next((s for s in stints(postings) if s.covers(day)), None)


def last_seat(postings: Iterable[PostingInfo]) -> Stint | None:
    """The last window the person sat at (the current one, if they are still posted)."""
    found = stints(postings)
    return found[-1] if found else None


def seats_during(postings: Iterable[PostingInfo], first: date, end: date) -> list[Stint]:
    """Every stint that shares a day with ``first`` up to ``end`` (excluded)."""
    return [s for s in stints(postings) if s.overlaps(first, end)]
