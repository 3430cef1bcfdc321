"""The hash chain that makes the log tamper-evident.

Findings and corrections of one device form one chain, in the order they were written
(``chain_seq`` 1, 2, 3 …). Each row stores a random salt, the SHA-256 of a canonical encoding
of its content with that salt (``payload_hash``), and ``row_hash`` = SHA-256 over its kind,
device, seq, the previous row's hash and its payload hash. ``chain_head`` anchors each device's
last seq and hash, so a cut tail shows. The salt keeps a short payload from being guessed back
from its hash once a purge has removed the content.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from typing import Any

GENESIS = "0" * 64
FINDING_FIELDS = (
    "id",
    "hall_id",
    "window_id",
    "staff_id",
    "substitute",
    "type_id",
    "category",
    "points",
    "at",
    "note",
    "inspector_id",
    "device",
    "replaces_id",
    "created_at",
)
CORRECTION_FIELDS = ("id", "finding_id", "reason", "replacement_id", "inspector_id", "device", "at")
REDACTION_FIELDS = ("id", "hall_id", "before", "findings", "corrections", "kept_digest", "inspector_id", "device", "at")
FIELDS = {"finding": FINDING_FIELDS, "correction": CORRECTION_FIELDS, "redaction": REDACTION_FIELDS}
# What a purge removes: who a finding was about, and free text that may name anyone.
PERSONAL_FIELDS = {"finding": ("staff_id", "note"), "correction": ("reason",)}
# What it keeps, still checked through the redaction's kept_digest.
KEPT_FIELDS = {kind: tuple(f for f in FIELDS[kind] if f not in PERSONAL_FIELDS[kind]) for kind in PERSONAL_FIELDS}

TIME_FIELDS = frozenset({"at", "created_at", "before"})


def _canonical(name: str, value: Any) -> Any:
    """One field in a form that does not depend on how it was typed or read back: points as a
    fixed decimal (-1, -1.0 and a REAL read from SQLite agree), flags as 0/1, times in UTC."""
    if value is None:
        return None
    if name == "points":
        return format(float(value), ".6f")
    if name == "substitute":
        return int(bool(value))
    if name in TIME_FIELDS:
        if isinstance(value, str):  # SQLite's stored UTC text, "YYYY-MM-DD HH:MM:SS.ffffff"
            return value.replace(" ", "T") + "Z"
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


def payload_hash_of(kind: str, ordered: Sequence[Any], salt: str) -> str:
    """SHA-256 of a row's content given in the order of its kind's fields, with its salt (a
    fixed-order JSON array: no keys to sort, ~2x faster to verify than a sorted object)."""
    content = [_canonical(name, value) for name, value in zip(FIELDS[kind], ordered, strict=True)]
    encoded = json.dumps([kind, salt, content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def payload_hash(kind: str, values: Mapping[str, Any], salt: str) -> str:
    """SHA-256 of the row's content in a canonical encoding (fixed field order, UTC times,
    fixed decimals), with its salt."""
    return payload_hash_of(kind, [values.get(name) for name in FIELDS[kind]], salt)


def row_hash(kind: str, device: str, seq: int, previous: str, payload: str) -> str:
    """The link: SHA-256 over the row's place in its device's chain and its payload hash."""
    return hashlib.sha256(f"{kind}|{device}|{seq}|{previous}|{payload}".encode()).hexdigest()


def new_salt() -> str:
    """A random salt for one row."""
    return secrets.token_hex(16)


def link(kind: str, values: Mapping[str, Any], device: str, seq: int, previous: str) -> dict[str, Any]:
    """The chain columns of a new row that follows ``previous`` as number ``seq``."""
    salt = new_salt()
    payload = payload_hash(kind, values, salt)
    return {
        "chain_seq": seq,
        "salt": salt,
        "payload_hash": payload,
        "prev_hash": previous,
        "row_hash": row_hash(kind, device, seq, previous, payload),
    }


def kept_digest(kept: Iterable[tuple[str, Sequence[Any]]]) -> str:
    """SHA-256 over what a purge keeps of each row it redacts, as (kind, KEPT_FIELDS values),
    findings then corrections, each in id order: points, window, type and time stay checkable."""
    hasher = hashlib.sha256()
    for kind, values in kept:
        content = [_canonical(name, value) for name, value in zip(KEPT_FIELDS[kind], values, strict=True)]
        hasher.update(json.dumps([kind, content], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        hasher.update(b"\n")
    return hasher.hexdigest()


def digest(heads: Mapping[str, tuple[int, str]]) -> str:
    """One short line a printed appendix carries, to check the database against it later."""
    text = ";".join(f"{device}:{seq}:{head}" for device, (seq, head) in sorted(heads.items()))
    return hashlib.sha256(text.encode()).hexdigest()
