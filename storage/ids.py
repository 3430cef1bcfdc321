"""Record ids: UUIDv7, so logs from several laptops merge without clashes and sort by time."""

from __future__ import annotations

from uuid6 import uuid7


def new_id() -> str:
    """Return a new UUIDv7 as its canonical 36-character string."""
    return str(uuid7())
