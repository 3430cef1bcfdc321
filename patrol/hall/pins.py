"""Inspectors' PINs: salted scrypt hashes from the standard library, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from patrol.errors import UserError

MIN_DIGITS, MAX_DIGITS = 6, 12
# scrypt's cost (2^14, 8, 1: ~16 MiB and ~50 ms here) makes guessing a 6-digit PIN from a stolen
# database take about 14 hours on one core, and one unlock still feels instant. A 4-digit PIN
# (10,000 of them) falls to the same search in about 8 minutes, so it is refused.
WHY_SIX = "4 位 PIN 只有一万种，拿到数据库文件的人几分钟就能逐个试出"
N, R, P = 2**14, 8, 1


def check_pin_format(pin: str) -> str:
    """The PIN if it is 6 to 12 digits; otherwise say what a PIN must be, and why."""
    if not (pin.isascii() and pin.isdigit() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise UserError(f"PIN 须为 {MIN_DIGITS}–{MAX_DIGITS} 位数字（{WHY_SIX}）。未设置。")
    return pin


def hash_pin(pin: str) -> str:
    """``scrypt$n$r$p$salt$hash`` for a new PIN, with a fresh random salt."""
    check_pin_format(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one ``stored`` was made from (False for anything malformed)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
