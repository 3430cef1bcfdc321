"""Who may open a locked screen: the inspectors' PINs, checked against their scrypt hashes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patrol.errors import UserError
from patrol.hall.pins import hash_pin, pin_matches
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

DEFAULT_LOCK_MINUTES = 5
LOCK_ENV = "PATROL_LOCK_MINUTES"
DEMO_PIN = "0000"  # the demo hall is a throwaway copy; its lock is opened with this


def set_pin(service: HallService, name: str, pin: str) -> None:
    """Give inspector ``name`` a new PIN (checked: 4 to 12 digits)."""
    from storage.writes import set_pin as store

    store(service.engine, name, hash_pin(pin))


def has_pins(service: HallService) -> bool:
    """Whether any inspector has a PIN: without one, a lock could never be opened."""
    return bool(service.reader.rows(reads.INSPECTOR_PINS))


def unlock(service: HallService, pin: str) -> str | None:
    """The inspector whose PIN this is (now the one logging on this device), or None.

    The inspector who locked is tried first: usually the same person comes back."""
    rows = sorted(service.reader.rows(reads.INSPECTOR_PINS), key=lambda row: row[0] != service.inspector)
    for name, stored in rows:
        if pin_matches(pin, stored):
            service.become(name)
            return str(name)
    return None


def lock_minutes(value: str | None) -> float:
    """Minutes of idleness before the screen locks (0: never), from ``--lock-after`` or the env."""
    if value is None or value.strip() == "":
        return DEFAULT_LOCK_MINUTES
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1
    if minutes < 0:
        raise UserError(f"锁屏时间“{value}”无效：请给分钟数（如 5），0 表示不锁屏。")
    return minutes
