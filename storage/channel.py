"""How writers tell an open board that the database changed (PostgreSQL LISTEN/NOTIFY).

Kept free of SQLAlchemy so that the board can watch without importing it. Each process has a
token of its own: its own notifications are not news to it."""

from __future__ import annotations

import uuid

NOTIFY_CHANNEL = "patrol_changes"
WRITER_TOKEN = uuid.uuid4().hex  # this process, as the payload of its notifications
