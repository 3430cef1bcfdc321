"""The hash chain that makes the log tamper-evident.

Findings, corrections, purges (redactions), versions of the roster and rules, and access-log
lines (who looked at whose record, who exported) of one device form one chain, in the order
they were written (``chain_seq`` 1, 2, 3 …). Each row stores a random salt, the SHA-256 of a
canonical encoding of its content with that salt (``payload_hash``), and ``row_hash`` = SHA-256
over its kind, device, seq, the previous row's hash and its payload hash. ``chain_head``
anchors each device's last seq and hash, so a cut tail shows. The salt keeps a short payload
from being guessed back from its hash once a purge has removed the content.

What gives a finding its meaning (the staff member's name, the window's code and name, the
finding type's name, the hall's time zone and rules, the postings) lives in rows that patrol
may change. Every insert or change of such a row through patrol also writes a *version*: the
row's vouched columns (``VERSIONED``) in canonical form, chained like a finding and naming the
version it replaces. ``patrol verify`` checks that each row still equals its latest version.

There is no secret key: anyone with the file can recompute every hash. What a chain proves is
that the database is the continuation of the one whose heads were written down before (the
digest at the foot of 附表1, ``patrol verify --digest``).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
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
    # Added by migration 0005 (the hall's month). A payload lists them only when one differs from
    # its default (``LATER_DEFAULTS``), so every hash written before them still holds.
    "source",  # patrol | clockin | leave | import
    "count",  # how many times (压缩办理时限 28 次): one row, not 28
    "minutes",  # minutes late, early or away (迟到 12 分钟, 无人在岗 15 分钟)
)
CORRECTION_FIELDS = ("id", "finding_id", "reason", "replacement_id", "inspector_id", "device", "at")
REDACTION_FIELDS = ("id", "hall_id", "before", "findings", "corrections", "kept_digest", "inspector_id", "device", "at")
VERSION_FIELDS = ("id", "tbl", "row_id", "replaces", "content", "device", "at")
ACCESS_FIELDS = ("id", "at", "who", "action", "subject", "about_until", "device")
SEEN_FIELDS = ("id", "hall_id", "window_id", "at", "inspector_id", "device", "created_at")
CLOSING_FIELDS = ("id", "hall_id", "period", "starts", "ends", "action", "reason", "inspector_id", "device", "at")
# The hall's monthly service figures (migration 0007_figures): an import of a month, and the
# figures of each window it brought.
SERVICE_IMPORT_FIELDS = ("id", "hall_id", "month", "replaces_id", "source", "inspector_id", "device", "at")
SERVICE_FIELDS = (
    "id",
    "import_id",
    "hall_id",
    "window_id",
    "month",
    "received",
    "completed",
    "on_time",
    "good",
    "bad",
    "device",
    "created_at",
)
FIELDS = {
    "finding": FINDING_FIELDS,
    "correction": CORRECTION_FIELDS,
    "redaction": REDACTION_FIELDS,
    "version": VERSION_FIELDS,
    "access": ACCESS_FIELDS,
    "seen": SEEN_FIELDS,
    "closing": CLOSING_FIELDS,
    "service_import": SERVICE_IMPORT_FIELDS,
    "service": SERVICE_FIELDS,
}
CHAINED_TABLES = {
    "finding": "finding",
    "correction": "correction",
    "redaction": "redaction",
    "version": "row_version",
    "access": "access_log",
    "seen": "seen",
    "closing": "period_close",
    "service_import": "service_import",
    "service": "service_figure",
}
# What a purge removes: who a finding was about, and free text that may name anyone (an
# access-log line names who looked and whose record they looked at).
PERSONAL_FIELDS = {"finding": ("staff_id", "note"), "correction": ("reason",), "access": ("who", "subject")}
# What it keeps, still checked through the redaction's kept_digest.
KEPT_FIELDS = {kind: tuple(f for f in FIELDS[kind] if f not in PERSONAL_FIELDS[kind]) for kind in PERSONAL_FIELDS}

# Fields added to a kind after rows of it were chained, with their canonical default: trailing in
# FIELDS, left out of a payload (and of a purge's kept digest) while all of them are default or
# unset, so a row written before them hashes as it did.
LATER_DEFAULTS: dict[str, dict[str, str | None]] = {"finding": {"source": "patrol", "count": "1", "minutes": None}}

TIME_FIELDS = frozenset({"at", "created_at", "before", "about_until", "starts", "ends"})
# How SQLite holds a time and a date that patrol wrote (SQLAlchemy's storage formats).
_STORED_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?")
_STORED_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def time_text(value: datetime | str) -> str:
    """A time in UTC as the chain encodes it, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, the year always in
    four digits (strftime's %Y writes 202 for the year 202 on Linux, which SQLite's stored text,
    0202, would not match)."""
    if isinstance(value, str):  # SQLite's stored UTC text, "YYYY-MM-DD HH:MM:SS.ffffff"
        # Only that form: "…T…" would encode the same but compare differently in SQL (a finding of
        # 30 November written "2026-11-30T01:00" sorts after the month's end and leaves its ranking).
        if not _STORED_TIME.fullmatch(value):
            raise ValueError(f"not a time as patrol stores it: {value!r}")
        return value.replace(" ", "T") + "Z"
    value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}Z"
    )


def _canonical(name: str, value: Any) -> Any:
    """One field in a form that does not depend on how it was typed or read back: points as a
    fixed decimal (-1, -1.0 and a REAL read from SQLite agree), flags as 0/1, times in UTC."""
    if value is None:
        return None
    try:
        if name == "points":
            return format(float(value), ".6f")
        if name == "substitute":
            return int(bool(value))
        if name in TIME_FIELDS:
            return time_text(value)
    except (TypeError, ValueError, AttributeError):  # a value of the wrong type written into the file
        return f"!{value!r}"
    return str(value)


def payload_hash_of(kind: str, ordered: Sequence[Any], salt: str) -> str:
    """SHA-256 of a row's content given in the order of its kind's fields, with its salt (a
    fixed-order JSON array: no keys to sort, ~2x faster to verify than a sorted object)."""
    content = _without_later_defaults(
        kind, FIELDS[kind], [_canonical(name, value) for name, value in zip(FIELDS[kind], ordered, strict=True)]
    )
    encoded = json.dumps([kind, salt, content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _without_later_defaults(kind: str, names: Sequence[str], content: list[Any]) -> list[Any]:
    """``content`` without the trailing later fields when every one of them is default or unset."""
    later = LATER_DEFAULTS.get(kind)
    if not later:
        return content
    tail = [(names.index(name), default) for name, default in later.items() if name in names]
    if all(content[at] is None or content[at] == default for at, default in tail):
        dropped = {at for at, _default in tail}
        return [value for at, value in enumerate(content) if at not in dropped]
    # Unset means the default the table stores (a row written without ``count`` holds 1).
    content = list(content)
    for at, default in tail:
        if content[at] is None:
            content[at] = default
    return content


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
        content = _without_later_defaults(
            kind, KEPT_FIELDS[kind], [_canonical(name, v) for name, v in zip(KEPT_FIELDS[kind], values, strict=True)]
        )
        hasher.update(json.dumps([kind, content], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        hasher.update(b"\n")
    return hasher.hexdigest()


def digest(heads: Mapping[str, tuple[int, str]]) -> str:
    """One short line a printed appendix carries, to check the database against it later."""
    text = ";".join(f"{device}:{seq}:{head}" for device, (seq, head) in sorted(heads.items()))
    return hashlib.sha256(text.encode()).hexdigest()


# --- versions: what gives a finding its meaning ------------------------------------------

# The tables whose rows give findings their meaning, and the columns of each that a version
# vouches for, with how each is encoded. Left out: columns derived from others (pinyin search and
# sort keys, recomputed from the name), the columns of ``hall`` that no code reads since 0004
# (moved into ``hall_rules``), and secrets kept by their own rules (PIN hashes).
VERSIONED: dict[str, tuple[tuple[str, str], ...]] = {
    "hall": (("name", "text"), ("timezone", "text"), ("created_at", "time")),
    "hall_rules": (("hall_id", "text"), ("starts", "date"), ("settings", "text"), ("created_at", "time")),
    "finding_type": (
        ("hall_id", "text"),
        ("code", "text"),
        ("name", "text"),
        ("category", "text"),
        ("points", "real"),
        ("hotkey", "text"),
        ("level", "text"),
        ("aliases", "text"),
        ("phrase", "text"),
        ("position", "int"),
        ("active", "bool"),
    ),
    "unit": (("hall_id", "text"), ("name", "text")),
    "window": (
        ("hall_id", "text"),
        ("code", "text"),
        ("name", "text"),
        ("unit_id", "text"),
        ("zone", "text"),
        ("position", "int"),
        ("starts", "date"),
    ),
    "staff": (
        ("hall_id", "text"),
        ("window_id", "text"),
        ("name", "text"),
        ("role", "text"),
        ("active", "bool"),
        ("position", "int"),
        ("created_at", "time"),
    ),
    "posting": (
        ("hall_id", "text"),
        ("staff_id", "text"),
        ("window_id", "text"),
        ("role", "text"),
        ("starts", "date"),
        ("created_at", "time"),
        ("unit_id", "text"),  # 0006_units: see LATER_VERSIONED
    ),
    "inspector": (("name", "text"),),
    # The hall's working time (migration 0006): punches are judged against them.
    "work_hours": (
        ("hall_id", "text"),
        ("starts", "date"),
        ("am", "text"),
        ("pm", "text"),
        ("grace", "int"),
        ("punches", "int"),
        ("created_at", "time"),
    ),
    "hall_day": (("hall_id", "text"), ("day", "date"), ("working", "bool"), ("note", "text"), ("created_at", "time")),
    "leave": (
        ("hall_id", "text"),
        ("staff_id", "text"),
        ("starts", "date"),
        ("ends", "date"),
        ("kind", "text"),
        ("approver", "text"),
        ("created_at", "time"),
    ),
}
# Columns added to a versioned table after versions of its rows were written: trailing in
# VERSIONED, left out of a version's content while all of them are unset (None), so a version
# written before them still equals its row.
LATER_VERSIONED: dict[str, tuple[str, ...]] = {"posting": ("unit_id",)}


def _date_text(value: date | str) -> str:
    if isinstance(value, str):  # SQLite's stored text, YYYY-MM-DD and nothing after it
        if not _STORED_DATE.fullmatch(value):
            raise ValueError(f"not a date as patrol stores it: {value!r}")
        return value
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _encoded(kind: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        if kind == "text":
            return str(value)
        if kind == "int":
            return int(value)
        if kind == "bool":
            return int(bool(value))
        if kind == "real":
            return format(float(value), ".6f")
        if kind == "date":
            return _date_text(value)
        return time_text(value)
    except (TypeError, ValueError, AttributeError):  # a value of the wrong type written into the file
        return f"!{value!r}"


def versioned_select(table: str, *, with_later: bool = True) -> str:
    """SQL reading the id and the vouched columns of every row of ``table`` (the same statement
    when a version is written and when it is checked, so both read the same stored values).
    ``with_later=False`` reads the ``LATER_VERSIONED`` columns as NULL, for a migration that runs
    before they exist."""
    later = LATER_VERSIONED.get(table, ()) if not with_later else ()
    columns = ", ".join(f'NULL AS "{name}"' if name in later else f'"{name}"' for name, _kind in VERSIONED[table])
    return f'SELECT id, {columns} FROM "{table}"'


def content_of(table: str, values: Sequence[Any]) -> str:
    """The vouched columns of one row (in ``VERSIONED`` order, as stored) in canonical form: a
    compact JSON array that does not depend on the database (a PostgreSQL bool and a SQLite 1, a
    date and its text agree)."""
    encoded = [_encoded(kind, value) for (_name, kind), value in zip(VERSIONED[table], values, strict=True)]
    later = len(LATER_VERSIONED.get(table, ()))
    if later and all(value is None for value in encoded[-later:]):
        encoded = encoded[:-later]
    return json.dumps(encoded, ensure_ascii=False, separators=(",", ":"))


def content_values(table: str, content: str) -> dict[str, Any]:
    """A version's content as column -> encoded value (to say which column changed); the later
    columns a version leaves out while unset read as None."""
    values = json.loads(content)
    names = [name for name, _kind in VERSIONED[table]]
    later = LATER_VERSIONED.get(table, ())
    if later and len(values) == len(names) - len(later):
        values = [*values, *(None for _name in later)]
    return dict(zip(names, values, strict=True))


# --- the anchor: the heads a printed appendix vouches for ---------------------------------


def device_text(device: str) -> str:
    """A device id as an anchor writes it: whitespace, controls, "%" and the full-width colon (a
    hand-typed line may use it for ":") percent-encoded (UTF-8), so that a line of heads splits on
    spaces and a footer cell holds one line whatever the id is (a device-id file may say "笔记本 A");
    a UUID is written as it is."""
    return "".join(
        ch if ch.isprintable() and not ch.isspace() and ch not in "%：" else "".join(f"%{b:02X}" for b in ch.encode())
        for ch in device
    )


def device_from_text(text: str) -> str:
    """The device id ``device_text`` wrote."""
    from urllib.parse import unquote

    return unquote(text, errors="strict")


def anchor_line(heads: Mapping[str, tuple[int, str]]) -> str:
    """The line `patrol verify --digest` prints and `--against` reads: the digest of the heads,
    then each device's head as device:seq:hash."""
    parts = [
        digest(heads),
        *(f"{device_text(device)}:{seq}:{head}" for device, (seq, head) in sorted(heads.items())),
    ]
    return " ".join(parts)
