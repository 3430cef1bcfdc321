"""Wrong PINs in a row, kept on disk: quitting or killing the app does not reset the count, nor
end the pause that five wrong PINs start.

One small owner-only file per hall in patrol's data folder (``lock/<hall id>.json``): the lock
belongs to this laptop, so a hall shared on PostgreSQL keeps its count per device.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

MAX_TRIES = 5  # wrong PINs in a row before a pause
PAUSE_SECONDS = 30


@dataclass(frozen=True)
class Tries:
    """Wrong PINs typed since the last right one, and until when (epoch seconds) PINs wait."""

    failures: int = 0
    paused_until: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds left of the pause (never more than a pause: a clock set back shortens it)."""
        return max(0.0, min(self.paused_until - now, PAUSE_SECONDS))


_unsaved: dict[str, Tries] = {}  # counts a full or read-only disk refused: they hold while we run


def _file(hall_id: str) -> Path:
    from patrol.config import data_dir

    safe = "".join(ch for ch in hall_id if ch.isalnum() or ch == "-") or "hall"
    return data_dir() / "lock" / f"{safe}.json"


def load(hall_id: str) -> Tries:
    """The count as last saved (none if nothing was saved or the file is unreadable)."""
    if hall_id in _unsaved:
        return _unsaved[hall_id]
    try:
        data = json.loads(_file(hall_id).read_text(encoding="utf-8"))
        return Tries(int(data["failures"]), float(data["paused_until"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Tries()


def _save(hall_id: str, tries: Tries) -> None:
    from storage.files import create_private_file, private_folder, temporary_name

    _unsaved[hall_id] = tries  # until it is on disk
    try:
        folder = private_folder(_file(hall_id).parent, tighten=True)
    except OSError:
        return
    partial = folder / temporary_name(".json")
    try:
        with os.fdopen(create_private_file(partial, exclusive=True), "w", encoding="utf-8") as handle:
            json.dump({"failures": tries.failures, "paused_until": tries.paused_until}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, _file(hall_id))
        del _unsaved[hall_id]
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def failed(hall_id: str, now: float | None = None) -> Tries:
    """Count one wrong PIN; the ``MAX_TRIES``-th starts a pause (and the count starts again)."""
    now = time.time() if now is None else now
    before = load(hall_id)
    count = before.failures + 1
    tries = Tries(0, now + PAUSE_SECONDS) if count >= MAX_TRIES else Tries(count, before.paused_until)
    _save(hall_id, tries)
    return tries


def succeeded(hall_id: str) -> None:
    """A right PIN: the count starts again."""
    if load(hall_id) != Tries():
        _save(hall_id, Tries())
