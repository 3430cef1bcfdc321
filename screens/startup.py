"""Database work the app starts once the board is drawn (in the lane, ``screens.database``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screens.results import PinsChecked, Toast
from storage.errors import StorageError

if TYPE_CHECKING:
    from patrol.hall.service import HallService


def check_pins(service: HallService, demo: bool) -> PinsChecked:
    """Whether a lock could be opened (the demo's is: its PIN is written at the first key,
    ``demo_pin``)."""
    from patrol.hall.lock import has_pins

    return PinsChecked(demo or has_pins(service))


def demo_pin(service: HallService) -> None:
    """The demo's throwaway copy gets the demo PIN (a write: it waits for the write path)."""
    from patrol.hall.lock import DEMO_PIN, has_pins, set_pin

    if not has_pins(service):
        set_pin(service, service.inspector, DEMO_PIN)


def daily_backup(service: HallService) -> Toast | None:
    """Clean what a killed run left, then back the file up once a day; a failure is said, and
    the patrol goes on."""
    from patrol.hall import leftovers

    leftovers.clean(getattr(service.reader, "path", None))  # what a killed run left (names inside)
    try:
        service.evidence.daily_backup()
    except StorageError as exc:
        return Toast(str(exc), "备份失败")
    return None
