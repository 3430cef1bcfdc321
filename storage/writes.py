"""Writes, each in its own short transaction: a finding is on disk when these return."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import models
from storage.chain import GENESIS, content_of, link, versioned_select
from storage.channel import NOTIFY_CHANNEL, WRITER_TOKEN
from storage.errors import StorageError
from storage.ids import new_id, new_ids
from storage.models import utcnow
from storage.reads import sqlite_time


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction. On PostgreSQL it ends with a notification, so open boards on other
    laptops show the change (patrol.hall.watch); SQLite's readers see it by data_version."""
    with engine.begin() as conn:
        yield conn
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_notify(:channel, :writer)"), {"channel": NOTIFY_CHANNEL, "writer": WRITER_TOKEN}
            )


_LOCKED_HEAD = (
    select(models.chain_head.c.seq, models.chain_head.c.row_hash)
    .where(models.chain_head.c.device == bindparam("device"))
    .with_for_update()
)
# A device's first write makes its head row; a second writer of the same device id making it at
# the same moment waits for the first to commit and then leaves it (no error, nothing to retry).
_FIRST_HEAD = text(
    "INSERT INTO chain_head (device, seq, row_hash) VALUES (:device, 0, :genesis) ON CONFLICT (device) DO NOTHING"
)


def _head(conn: Connection, device: str) -> tuple[int, str]:
    """The device's chain head, locked until the transaction ends (SELECT … FOR UPDATE on
    PostgreSQL; on SQLite the transaction began immediate and holds the whole database)."""
    row = conn.execute(_LOCKED_HEAD, {"device": device}).first()
    if row is None:
        conn.execute(_FIRST_HEAD, {"device": device, "genesis": GENESIS})
        row = conn.execute(_LOCKED_HEAD, {"device": device}).one()
    return int(row[0]), str(row[1])


# The statements of every finding's transaction are built once: building one per call (its
# expressions and cache key) cost more than the database took to run it.
_SET_HEAD = (
    update(models.chain_head)
    .where(models.chain_head.c.device == bindparam("head_device"))
    .values(seq=bindparam("head_seq"), row_hash=bindparam("head_hash"))
)


def _set_head(conn: Connection, device: str, seq: int, head: str) -> None:
    """Move the device's chain head (its row exists and is locked: ``_head``) to ``seq``."""
    conn.execute(_SET_HEAD, {"head_device": device, "head_seq": seq, "head_hash": head})


def _chained(conn: Connection, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row its link in its device's chain (inside the writing transaction, with the
    device's head locked, so no other writer can take the same place)."""
    heads: dict[str, tuple[int, str]] = {}
    out = []
    for row in rows:
        device = row.get("device", "")
        if device not in heads:
            heads[device] = _head(conn, device)
        seq, previous = heads[device]
        linked = {**row, **link(kind, row, device, seq + 1, previous)}
        heads[device] = (seq + 1, linked["row_hash"])
        out.append(linked)
    for device, (seq, head) in heads.items():
        _set_head(conn, device, seq, head)
    return out


VERSION_BATCH = 500  # ids per statement when reading rows back (SQLite's variable limit)


def _version(conn: Connection, device: str, table: str, ids: Iterable[str], new: bool = True) -> None:
    """Write a chained version of each row ``ids`` of ``table`` as it is now stored (read back, so
    the version holds exactly what ``patrol verify`` will read). ``new``: the rows were inserted
    in this transaction; otherwise each version replaces the row's latest, and a row whose vouched
    columns did not change gets none."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    at = utcnow()
    read = text(versioned_select(table) + " WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
    latest = text(
        "SELECT v.row_id, v.id, v.content FROM row_version v WHERE v.tbl = :tbl AND v.row_id IN :ids "
        "AND NOT EXISTS (SELECT 1 FROM row_version n WHERE n.replaces = v.id)"
    ).bindparams(bindparam("ids", expanding=True))
    rows = []
    for start in range(0, len(wanted), VERSION_BATCH):
        chunk = wanted[start : start + VERSION_BATCH]
        heads = {} if new else {r[0]: (r[1], r[2]) for r in conn.execute(latest, {"tbl": table, "ids": chunk})}
        for row in conn.execute(read, {"ids": chunk}):
            content = content_of(table, row[1:])
            replaces, before = heads.get(row[0], (None, None))
            if content == before:
                continue
            rows.append(
                {
                    "id": new_id(),
                    "tbl": table,
                    "row_id": row[0],
                    "replaces": replaces,
                    "content": content,
                    "device": device,
                    "at": at,
                }
            )
    if rows:
        conn.execute(insert(models.row_version), _chained(conn, "version", rows))


_HALL_ZONE = select(models.hall.c.timezone).where(models.hall.c.id == bindparam("zone_hall"))


def _numbered(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each finding its reference (2611-0042): the year and month of its time in the hall's
    time zone, then the next number of that month, taken from the counter in this transaction."""
    zones: dict[str, ZoneInfo] = {}
    wanted: dict[tuple[str, str], int] = {}
    months = []
    for row in rows:
        hall_id = row["hall_id"]
        if hall_id not in zones:
            tz = conn.execute(_HALL_ZONE, {"zone_hall": hall_id}).scalar_one()
            zones[hall_id] = ZoneInfo(tz)
        month = row["at"].astimezone(zones[hall_id]).strftime("%y%m")
        months.append((hall_id, month))
        wanted[(hall_id, month)] = wanted.get((hall_id, month), 0) + 1
    next_number: dict[tuple[str, str], int] = {}
    for (hall_id, month), count in wanted.items():
        next_number[(hall_id, month)] = _take_numbers(conn, hall_id, month, count)
    out = []
    for row, key in zip(rows, months, strict=True):
        number = next_number[key]
        next_number[key] = number + 1
        out.append({**row, "ref": f"{key[1]}-{number:04d}"})
    return out


_COUNTER = models.finding_ref_counter
_TAKE_NUMBERS = (
    update(_COUNTER)
    .where((_COUNTER.c.hall_id == bindparam("counter_hall")) & (_COUNTER.c.month == bindparam("counter_month")))
    .values(last=_COUNTER.c.last + bindparam("taken"))
    .returning(_COUNTER.c.last)
)


def _take_numbers(conn: Connection, hall_id: str, month: str, count: int) -> int:
    """Reserve ``count`` numbers of a hall's month; returns the first. The counter row is locked
    by the update until the transaction ends, so two writers never take the same numbers."""
    for _attempt in range(2):
        last = conn.execute(_TAKE_NUMBERS, {"counter_hall": hall_id, "counter_month": month, "taken": count}).scalar()
        if last is not None:
            return int(last) - count + 1
        try:
            with conn.begin_nested():
                conn.execute(insert(models.finding_ref_counter), [{"hall_id": hall_id, "month": month, "last": count}])
            return 1
        except IntegrityError:  # another writer made the month's counter first: take from it
            continue
    raise StorageError("无法为记录编号，请重试。")


# What the database stores for a later field a caller left out: the chain must hash the same, or
# a finding with a count (source left out, stored "patrol") would fail verify.
_STORED_DEFAULTS: dict[str, Any] = {"source": "patrol", "count": 1, "minutes": None}


def _finding_rows(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings ready to insert: with the stored defaults of later fields, checked against closed
    periods, numbered, then chained."""
    rows = [{**_STORED_DEFAULTS, **row} for row in rows]
    refuse_closed(conn, rows)
    return _chained(conn, "finding", _numbered(conn, rows))


# The closed periods of a hall: each period whose newest close/reopen row is a close. Read inside
# the writing transaction, so a close committed a moment ago is seen by the next write.
CLOSED_PERIODS = text(
    "SELECT p.period, p.starts, p.ends FROM period_close p WHERE p.hall_id = :hall AND p.action = 'close' "
    "AND NOT EXISTS (SELECT 1 FROM period_close q WHERE q.hall_id = p.hall_id AND q.period = p.period "
    "AND (q.at > p.at OR (q.at = p.at AND q.id > p.id)))"
)


def closed_periods(conn: Connection, hall_id: str) -> list[tuple[str, Any, Any]]:
    """The hall's closed periods as (period as written, start, end) in UTC."""
    from storage.reads import to_utc

    return [(str(r[0]), to_utc(r[1]), to_utc(r[2])) for r in conn.execute(CLOSED_PERIODS, {"hall": hall_id})]


def refuse_closed(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Refuse new findings (not replacements: a correction still works) whose time falls in a
    closed period (月结). Every finding goes through here, whatever wrote it: the app, `log`, every
    importer."""
    spans: dict[str, list[tuple[str, Any, Any]]] = {}
    for row in rows:
        if row.get("replaces_id"):
            continue
        hall_id = row["hall_id"]
        if hall_id not in spans:
            spans[hall_id] = closed_periods(conn, hall_id)
        for period, start, end in spans[hall_id]:
            if start <= row["at"] < end:
                raise StorageError(closed_message(period))


def closed_message(period: str) -> str:
    """What a person reads when a finding would enter a closed period."""
    return (
        f"{period} 已月结，不能再记入新的巡查记录。已有记录仍可更正（patrol correct，须写明原因）；"
        f"确需补记，请先重新打开：patrol reopen --period {period} --reason 原因。"
    )


# What SQLite says, as an inspector should read it.
PLAIN_REASONS = (
    (("disk is full",), "磁盘已满，请腾出空间"),
    (("readonly", "read-only"), "数据库文件或磁盘只读，请检查文件权限或是否插着只读的 U 盘"),
    (("locked",), "数据库正被另一个程序长时间占用，请稍后"),
    (("disk i/o error",), "磁盘读写出错，请检查磁盘"),
)


def _write_failed(exc: Exception) -> StorageError:
    detail = str(getattr(exc, "orig", exc))
    said = detail.lower()
    reason = next((plain for known, plain in PLAIN_REASONS if any(k in said for k in known)), detail)
    return StorageError(f"写入数据库失败（{reason}）。已保存的记录不受影响。")


def _insert_hall(
    conn: Connection, name: str, finding_types: Iterable[Mapping[str, Any]], settings: str, device: str
) -> str:
    hall_id = new_id()
    conn.execute(insert(models.hall), [{"id": hall_id, "name": name}])
    rows = [{"id": new_id(), "hall_id": hall_id, "position": i, **item} for i, item in enumerate(finding_types)]
    if rows:
        conn.execute(insert(models.finding_type), rows)
    rules_id = new_id()
    conn.execute(
        insert(models.hall_rules), [{"id": rules_id, "hall_id": hall_id, "starts": None, "settings": settings}]
    )
    _version(conn, device, "hall", [hall_id])
    _version(conn, device, "finding_type", [r["id"] for r in rows])
    _version(conn, device, "hall_rules", [rules_id])
    return hall_id


def create_hall(
    engine: Engine, name: str, finding_types: Iterable[Mapping[str, Any]], settings: str, device: str = ""
) -> str:
    """Create a hall with its items and its settings (JSON, in force from the beginning); returns
    its id."""
    try:
        with writing(engine) as conn:
            return _insert_hall(conn, name, finding_types, settings, device)
    except IntegrityError as exc:
        raise StorageError(f"大厅“{name}”已存在。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def ensure_inspector(engine: Engine, name: str, device: str = "") -> str:
    """The id of the inspector called ``name``, created (with its version) on first use."""
    by_name = select(models.inspector.c.id).where(models.inspector.c.name == name)
    with engine.connect() as conn:
        found = conn.execute(by_name).scalar()
    if found:
        return str(found)
    inspector_id = new_id()
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.inspector), [{"id": inspector_id, "name": name}])
            _version(conn, device, "inspector", [inspector_id])
    except IntegrityError:  # another device created it in the meantime
        with engine.connect() as conn:
            return str(conn.execute(by_name).scalar_one())
    except OperationalError as exc:
        raise _write_failed(exc) from exc
    return inspector_id


def access_row(who: str, action: str, subject: str, about_until: Any, device: str, at: Any) -> dict[str, Any]:
    """One access-log line, ready for ``_chained`` (who and what cut to their columns)."""
    return {
        "id": new_id(),
        "at": at,
        "who": who[:100],
        "action": action,
        "subject": subject[:500],
        "about_until": about_until,
        "device": device,
    }


def log_access(
    engine: Engine,
    who: str,
    action: str,
    subject: str,
    about_until: Any = None,
    device: str = "",
    at: Any = None,
) -> None:
    """Note that ``who`` took data out (an export, a notice) or looked a record up, before they
    see it; the line joins ``device``'s chain. ``about_until``: the end of the period the line is
    about (a purge before it removes the line's content); ``at``: when (now unless given)."""
    row = access_row(who, action, subject, about_until, device, at or utcnow())
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.access_log), _chained(conn, "access", [row]))
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc


def set_pin(engine: Engine, name: str, pin_hash: str, device: str = "") -> None:
    """Give the inspector called ``name`` a new PIN hash (the inspector is created if new)."""
    inspector_id = ensure_inspector(engine, name, device)
    try:
        with writing(engine) as conn:
            conn.execute(
                update(models.inspector).where(models.inspector.c.id == inspector_id).values(pin_hash=pin_hash)
            )
    except OperationalError as exc:
        raise _write_failed(exc) from exc


_INSERT_FINDING = insert(models.finding)


def insert_finding(engine: Engine, values: Mapping[str, Any]) -> tuple[str, str]:
    """Commit one finding in its own transaction; returns its id and its reference."""
    row = {"id": new_id(), "created_at": utcnow(), **values}
    try:
        with writing(engine) as conn:
            [stored] = _finding_rows(conn, [row])
            conn.execute(_INSERT_FINDING, [stored])
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc
    return stored["id"], stored["ref"]


def insert_findings(engine: Engine, rows: Iterable[Mapping[str, Any]]) -> int:
    """Commit many findings in one transaction (importers, the demo); all or nothing."""
    batch = [{"id": new_id(), "created_at": utcnow(), **r} for r in rows]
    if not batch:
        return 0
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.finding), _finding_rows(conn, batch))
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc
    return len(batch)


def void_finding(
    engine: Engine,
    finding_id: str,
    reason: str,
    inspector_id: str | None,
    device: str,
    replacement: Mapping[str, Any] | None = None,
) -> tuple[str, str] | None:
    """Void a finding with a reason; with ``replacement`` also log the amended finding in the
    same transaction. Returns the replacement's id and reference."""
    replacement_id = None
    replacement_ref = ""
    try:
        with writing(engine) as conn:
            purged = conn.execute(
                select(models.finding.c.redaction_id).where(models.finding.c.id == finding_id)
            ).scalar()
            if purged is not None:
                raise StorageError("这条记录的个人信息已按保存期清除，不能再作废或更正。")
            if replacement is not None:
                replacement_id = new_id()
                row = {"id": replacement_id, "replaces_id": finding_id, "created_at": utcnow(), **replacement}
                [stored] = _finding_rows(conn, [row])
                replacement_ref = stored["ref"]
                conn.execute(insert(models.finding), [stored])
            correction = {
                "id": new_id(),
                "finding_id": finding_id,
                "reason": reason,
                "replacement_id": replacement_id,
                "inspector_id": inspector_id,
                "device": device,
                "at": utcnow(),
            }
            conn.execute(insert(models.correction), _chained(conn, "correction", [correction]))
    except IntegrityError as exc:
        raise StorageError("这条记录已被更正过，不能再次更正。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc
    return (replacement_id, replacement_ref) if replacement_id else None


def apply_roster(
    engine: Engine,
    hall_id: str | None,
    units: Iterable[Mapping[str, Any]],
    windows: Iterable[Mapping[str, Any]],
    window_updates: Iterable[Mapping[str, Any]],
    staff: Iterable[Mapping[str, Any]],
    staff_updates: Iterable[Mapping[str, Any]],
    postings: Iterable[Mapping[str, Any]] = (),
    new_hall: tuple[str, Iterable[Mapping[str, Any]], str] | None = None,
    device: str = "",
) -> str:
    """Apply a roster plan in one transaction: new rows inserted, changed rows updated by id,
    postings added, each with its version. With ``new_hall`` (name, items, settings) the hall is
    created in the same transaction. Returns the hall's id."""
    try:
        with writing(engine) as conn:
            if new_hall is not None:
                hall_id = _insert_hall(conn, *new_hall, device)
            assert hall_id is not None
            for table, rows in ((models.unit, units), (models.window, windows), (models.staff, staff)):
                batch = [{"hall_id": hall_id, **r} for r in rows]
                if batch:
                    conn.execute(insert(table), batch)
                    _version(conn, device, table.name, [r["id"] for r in batch])
            # unit_id in every step: one executemany needs the same keys in each (a departure has none)
            steps = [
                {"id": new_id(), "hall_id": hall_id, "created_at": utcnow(), "unit_id": None, **p} for p in postings
            ]
            if steps:
                conn.execute(insert(models.posting), steps)
                _version(conn, device, "posting", [p["id"] for p in steps])
            for table, rows in ((models.window, window_updates), (models.staff, staff_updates)):
                changed = []
                for r in rows:
                    values = {k: v for k, v in r.items() if k != "id"}
                    conn.execute(update(table).where(table.c.id == r["id"]).values(**values))
                    changed.append(r["id"])
                _version(conn, device, table.name, changed, new=False)
    except IntegrityError as exc:
        raise StorageError(f"名册与已有数据冲突：{exc.orig}") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc
    return hall_id


def add_postings(engine: Engine, hall_id: str, postings: Iterable[Mapping[str, Any]], device: str = "") -> None:
    """Add steps to people's histories (a move, a departure, a return, a new role), together."""
    rows = [{"id": new_id(), "hall_id": hall_id, "created_at": utcnow(), **p} for p in postings]
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.posting), rows)
            _version(conn, device, "posting", [r["id"] for r in rows])
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc


def add_staff(
    engine: Engine, hall_id: str, values: Mapping[str, Any], posting: Mapping[str, Any], device: str = ""
) -> str:
    """Add one person with their first posting; returns the person's id."""
    row = {"id": new_id(), "hall_id": hall_id, **values}
    first = {"id": new_id(), "hall_id": hall_id, "staff_id": row["id"], "created_at": utcnow(), **posting}
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.staff), [row])
            conn.execute(insert(models.posting), [first])
            _version(conn, device, "staff", [row["id"]])
            _version(conn, device, "posting", [first["id"]])
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc
    return row["id"]


def add_window(
    engine: Engine, hall_id: str, values: Mapping[str, Any], unit: Mapping[str, Any] | None, device: str = ""
) -> str:
    """Add a window (and its unit, when it is new); returns the window's id."""
    row = {"id": new_id(), "hall_id": hall_id, **values}
    try:
        with writing(engine) as conn:
            if unit is not None:
                conn.execute(insert(models.unit), [{"hall_id": hall_id, **unit}])
                _version(conn, device, "unit", [unit["id"]])
            conn.execute(insert(models.window), [row])
            _version(conn, device, "window", [row["id"]])
    except IntegrityError as exc:
        raise StorageError(f"窗口编号“{values.get('code')}”已存在。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc
    return row["id"]


def add_rules_version(engine: Engine, hall_id: str, starts: Any, settings: str, device: str = "") -> None:
    """Add a version of the hall's settings, in force from ``starts`` (a date, or None)."""
    add_rules_versions(engine, hall_id, [(starts, settings)], device)


def add_rules_versions(engine: Engine, hall_id: str, versions: Iterable[tuple[Any, str]], device: str = "") -> None:
    """Add several versions of the hall's settings in one transaction: all of them or none."""
    rows = [
        {"id": new_id(), "hall_id": hall_id, "starts": starts, "settings": settings, "created_at": utcnow()}
        for starts, settings in versions
    ]
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.hall_rules), rows)
            _version(conn, device, "hall_rules", [r["id"] for r in rows])
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def save_rules(
    engine: Engine,
    hall_id: str,
    added: Iterable[Mapping[str, Any]],
    changed: Iterable[Mapping[str, Any]],
    versions: Iterable[tuple[Any, str]],
    device: str = "",
) -> None:
    """A change of the hall's rules in one transaction, all of it or nothing: new finding types,
    changed ones (by id; points already copied onto findings stay as they are) and new versions
    of the settings, each row with its version in the chain."""
    new_rows = [{"id": new_id(), "hall_id": hall_id, **r} for r in added]
    setting_rows = [
        {"id": new_id(), "hall_id": hall_id, "starts": starts, "settings": settings, "created_at": utcnow()}
        for starts, settings in versions
    ]
    try:
        with writing(engine) as conn:
            if new_rows:
                conn.execute(insert(models.finding_type), new_rows)
                _version(conn, device, "finding_type", [r["id"] for r in new_rows])
            updated = []
            for r in changed:
                values = {k: v for k, v in r.items() if k != "id"}
                ft = models.finding_type
                conn.execute(update(ft).where(ft.c.id == r["id"], ft.c.hall_id == hall_id).values(**values))
                updated.append(r["id"])
            _version(conn, device, "finding_type", updated, new=False)
            if setting_rows:
                conn.execute(insert(models.hall_rules), setting_rows)
                _version(conn, device, "hall_rules", [r["id"] for r in setting_rows])
    except IntegrityError as exc:
        raise StorageError(f"巡查项与已有数据冲突（名称或编码重复）：{exc.orig}") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def add_versioned(engine: Engine, table: str, rows: Iterable[Mapping[str, Any]], device: str = "") -> None:
    """Insert rows of a versioned table that is only ever added to (work_hours, hall_day), each
    with its version, in one transaction."""
    batch = [{"id": new_id(), "created_at": utcnow(), **r} for r in rows]
    if not batch:
        return
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.metadata.tables[table]), batch)
            _version(conn, device, table, [r["id"] for r in batch])
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def insert_seen(engine: Engine, values: Mapping[str, Any]) -> str:
    """Commit one record of a window seen with nothing wrong, chained; returns its id."""
    row = {"id": new_id(), "created_at": utcnow(), **values}
    try:
        with writing(engine) as conn:
            conn.execute(insert(models.seen), _chained(conn, "seen", [row]))
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc
    return str(row["id"])


def record_closing(engine: Engine, values: Mapping[str, Any], *, expect_closed: bool) -> None:
    """Close a period or open it again (``values``: hall_id, period, starts, ends, action, reason,
    inspector_id, device), chained. ``expect_closed``: whether the period must be closed now
    (a reopen) or open (a close); checked in the same transaction, so two laptops closing the
    same month at once write one close."""
    row = {"id": new_id(), "at": utcnow(), **values}
    try:
        with writing(engine) as conn:
            closed = {period for period, _start, _end in closed_periods(conn, row["hall_id"])}
            if (row["period"] in closed) != expect_closed:
                if expect_closed:
                    raise StorageError(f"{row['period']} 未月结，无需重新打开。")
                raise StorageError(f"{row['period']} 已经月结，无需再次月结。")
            conn.execute(insert(models.period_close), _chained(conn, "closing", [row]))
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc


PUNCH_BATCH = 20_000  # rows per executemany: bounded memory for a city's month


def _insert_punches(conn: Connection, hall_id: str, punches: Sequence[tuple[str, datetime, str]], at: datetime) -> None:
    """Insert punches with the driver's executemany (times as the dialect stores them)."""
    if not punches:
        return
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO punch (id, hall_id, staff_id, at, machine, created_at) VALUES ({', '.join([mark] * 6)})"
    stamp: Any = sqlite_time(at) if sqlite else at
    for start in range(0, len(punches), PUNCH_BATCH):
        chunk = punches[start : start + PUNCH_BATCH]
        ids = new_ids(len(chunk))
        # isoformat in C, the text sqlite_time writes (the times are UTC, of years 1900–2100).
        rows = [
            (
                ids[i],
                hall_id,
                staff_id,
                when.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else when,
                machine,
                stamp,
            )
            for i, (staff_id, when, machine) in enumerate(chunk)
        ]
        conn.exec_driver_sql(sql, rows)


def record_attendance(
    engine: Engine,
    *,
    hall_id: str = "",
    punches: Sequence[tuple[str, datetime, str]] = (),
    leaves: Iterable[Mapping[str, Any]] = (),
    findings: Iterable[Mapping[str, Any]] = (),
    voids: Iterable[tuple[str, str]] = (),
    inspector_id: str | None = None,
    device: str = "",
) -> None:
    """One transaction, all or nothing: new punches of ``hall_id`` as (staff id, UTC time,
    machine), leave rows with their versions, the findings derived from them (numbered and
    chained) and the corrections that void findings the leave excuses (finding id, reason).

    Punches go in through the driver's executemany in batches, without SQLAlchemy's per-row
    parameter processing (a city's month is 220,000 rows: 20 s of Core binding, 2 s this way)."""
    at = utcnow()
    leave_rows = [{"id": new_id(), "created_at": at, **r} for r in leaves]
    # The later fields are hashed as they will be read back: a default left to the column would
    # hash as unset and read back as set.
    finding_rows = [
        {"id": new_id(), "created_at": at, "source": "patrol", "count": 1, "minutes": None, **r} for r in findings
    ]
    void_rows = [
        {
            "id": new_id(),
            "finding_id": finding_id,
            "reason": reason,
            "replacement_id": None,
            "inspector_id": inspector_id,
            "device": device,
            "at": at,
        }
        for finding_id, reason in voids
    ]
    try:
        with writing(engine) as conn:
            _insert_punches(conn, hall_id, punches, at)
            if leave_rows:
                conn.execute(insert(models.leave), leave_rows)
                _version(conn, device, "leave", [r["id"] for r in leave_rows])
            if finding_rows:
                conn.execute(insert(models.finding), _finding_rows(conn, finding_rows))
            if void_rows:
                conn.execute(insert(models.correction), _chained(conn, "correction", void_rows))
    except IntegrityError as exc:
        raise StorageError("打卡或请假记录与已有记录冲突（可能另一台电脑正在导入同一文件），未写入，请重试。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc


# The import of a hall's month that no later import replaces (its figures are the month's).
_CURRENT_SERVICE_IMPORT = text(
    "SELECT i.id FROM service_import i WHERE i.hall_id = :hall AND i.month = :month "
    "AND NOT EXISTS (SELECT 1 FROM service_import n WHERE n.replaces_id = i.id)"
)


def record_service_figures(
    engine: Engine,
    hall_id: str,
    months: Mapping[str, tuple[str | None, Sequence[Mapping[str, Any]]]],
    *,
    source: str,
    inspector_id: str | None = None,
    device: str = "",
) -> None:
    """Write an import of each month's service figures, all or nothing. ``months`` maps a month
    (2026-11) to (the import it replaces, as the caller read it: None for a first import; the
    figures of each window: window_id, received, completed, on_time, good, bad). Each import is
    chained and names the one it replaces, so the old figures stay as they were (a recorded
    correction). If another import of a month was written since the caller read it, nothing is
    written."""
    at = utcnow()
    try:
        with writing(engine) as conn:
            imports: list[dict[str, Any]] = []
            figures: list[dict[str, Any]] = []
            for month, (replaces, rows) in sorted(months.items()):
                current = conn.execute(_CURRENT_SERVICE_IMPORT, {"hall": hall_id, "month": month}).scalar()
                if current != replaces:
                    raise StorageError(
                        f"{month} 的办件量在检查之后被另一次导入改动（可能另一台电脑同时在导入），未写入，请重新导入。"
                    )
                import_id = new_id()
                imports.append(
                    {
                        "id": import_id,
                        "hall_id": hall_id,
                        "month": month,
                        "replaces_id": replaces,
                        "source": source[:200],
                        "inspector_id": inspector_id,
                        "device": device,
                        "at": at,
                    }
                )
                figures.extend(
                    {
                        "id": new_id(),
                        "import_id": import_id,
                        "hall_id": hall_id,
                        "month": month,
                        "good": None,
                        "bad": None,
                        **row,
                        "device": device,
                        "created_at": at,
                    }
                    for row in rows
                )
            if imports:
                conn.execute(insert(models.service_import), _chained(conn, "service_import", imports))
            if figures:
                conn.execute(insert(models.service_figure), _chained(conn, "service", figures))
    except IntegrityError as exc:
        raise StorageError("办件量与已有记录冲突（可能另一台电脑同时在导入同一月份），未写入，请重试。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc
