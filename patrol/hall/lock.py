"""Who may open a locked screen: the inspectors' PINs, checked against their scrypt hashes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from patrol.errors import UserError
from patrol.hall import lock_tries
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

DEFAULT_LOCK_MINUTES = 5
LOCK_ENV = "PATROL_LOCK_MINUTES"
DEMO_PIN = "000000"  # the demo hall is a throwaway copy; its lock is opened with this


def set_pin(service: HallService, name: str, pin: str) -> None:
    """Give inspector ``name`` a PIN (checked: 6 to 12 digits). Callers replacing one go
    through ``replace_pin``, which asks for a PIN first."""
    from patrol.hall.pins import hash_pin
    from storage.writes import set_pin as store

    store(service.engine, name, hash_pin(pin))


def _matches(entered: str, stored: str) -> bool:
    # The hashing (hashlib: OpenSSL) loads with the first PIN typed, not before the board's first
    # frame, which asks only whether any PIN exists (``has_pins``).
    from patrol.hall.pins import pin_matches

    return pin_matches(entered, stored)


def pins(service: HallService) -> dict[str, str]:
    """Every inspector with a PIN: name -> stored hash."""
    return {str(row.name): str(row.pin_hash) for row in service.reader.rows(reads.INSPECTOR_PINS)}


def has_pin(service: HallService, name: str) -> bool:
    """Whether inspector ``name`` has a PIN (replacing it then needs a PIN)."""
    return name in pins(service)


def replace_pin(
    service: HallService, name: str, new_pin: str, *, entered: str, by: str | None = None, reason: str = ""
) -> None:
    """Set ``name``'s PIN. If they have one, ``entered`` must be it, or, with ``by``, the PIN of
    that other inspector, and then a reason is required and the change goes to the access log.
    Wrong PINs count towards the lock's pause, as at the lock (``lock_tries``)."""
    from patrol.hall.pins import check_pin_format

    check_pin_format(new_pin)
    stored = pins(service)
    if name in stored:
        vouching = by or name
        if by is not None and by == name:
            raise UserError("--by 应是另一位督查员；更换自己的 PIN 只需输入当前 PIN。未更换。")
        if by is not None and not reason.strip():
            raise UserError(f"由督查员 {by} 代为更换 {name} 的 PIN 须说明原因（--reason）。未更换。")
        if vouching not in stored:
            raise UserError(f"督查员 {vouching} 没有设置 PIN，不能用来确认。未更换。")
        _check_entered(service, stored[vouching], entered, vouching)
    set_pin(service, name, new_pin)
    if name in stored and by is not None:
        service.access.log("更换 PIN", f"{by} 确认更换督查员 {name} 的 PIN，原因：{reason.strip()}")


def whose_pin(service: HallService, name: str, entered: str) -> str:
    """Whose PIN ``entered`` is, ``name``'s tried first: the app's 设置 PIN takes the current PIN
    of the inspector on duty or, if they forgot it, another inspector's (who then gives a
    reason). A PIN of nobody counts towards the lock's pause and is refused."""
    _not_paused(service)
    for who, stored in sorted(pins(service).items(), key=lambda row: row[0] != name):
        if _matches(entered, stored):
            lock_tries.succeeded(service.hall.id)
            return who
    _wrong(service, f"督查员 {name} 的当前 PIN ")


def _not_paused(service: HallService) -> None:
    wait = lock_tries.load(service.hall.id).wait(time.time())
    if wait > 0:
        raise UserError(f"PIN 连续输错 {lock_tries.MAX_TRIES} 次，请 {wait:.0f} 秒后再试。未更换。")


def _wrong(service: HallService, what: str) -> NoReturn:
    tries = lock_tries.failed(service.hall.id)
    paused = ""
    if tries.failures == 0:  # that was the last try before a pause
        paused = f"（连续输错 {lock_tries.MAX_TRIES} 次，暂停 {lock_tries.PAUSE_SECONDS} 秒）"
    raise UserError(f"{what}不正确{paused}。未更换。")


def _check_entered(service: HallService, stored: str, entered: str, whose: str) -> None:
    _not_paused(service)
    if not _matches(entered, stored):
        _wrong(service, f"督查员 {whose} 的 PIN ")
    lock_tries.succeeded(service.hall.id)


def has_pins(service: HallService) -> bool:
    """Whether any inspector has a PIN: without one, a lock could never be opened."""
    return bool(service.reader.rows(reads.INSPECTOR_PINS))


@dataclass(frozen=True)
class Attempt:
    """What a PIN typed at the lock did: who it opened for (None: nobody), or how long to wait."""

    name: str | None
    wait: float = 0.0  # seconds the lock is paused for (five wrong PINs in a row)
    failures: int = 0  # wrong PINs in a row so far


def lock_state(service: HallService) -> Attempt:
    """The lock as the last run left it: the wrong PINs so far and any pause still running."""
    tries = lock_tries.load(service.hall.id)
    return Attempt(None, tries.wait(time.time()), tries.failures)


def unlock(service: HallService, pin: str) -> Attempt:
    """Try ``pin``: the inspector whose PIN it is becomes the one logging on this device. Wrong
    PINs are counted on disk, so quitting does not reset them; five in a row pause the lock.

    The inspector who locked is tried first: usually the same person comes back."""
    hall = service.hall.id
    wait = lock_tries.load(hall).wait(time.time())
    if wait > 0:
        return Attempt(None, wait)
    rows = sorted(pins(service).items(), key=lambda row: row[0] != service.inspector)
    for name, stored in rows:
        if _matches(pin, stored):
            lock_tries.succeeded(hall)
            service.become(name)
            return Attempt(name)
    tries = lock_tries.failed(hall)
    return Attempt(None, tries.wait(time.time()), tries.failures)


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
