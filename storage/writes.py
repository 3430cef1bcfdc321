"""Writes, each in its own short transaction: a finding is on disk when these return."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from storage.chain import GENESIS, link
from storage.channel import NOTIFY_CHANNEL, WRITER_TOKEN
from storage.errors import StorageError
from storage.ids import new_id
from storage.models import (
    AccessLog,
    ChainHead,
    Correction,
    Finding,
    FindingRefCounter,
    FindingType,
    Hall,
    HallRules,
    Inspector,
    Posting,
    Staff,
    Unit,
    Window,
    utcnow,
)


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


def _head(conn: Connection, device: str) -> tuple[int, str]:
    row = conn.execute(select(ChainHead.seq, ChainHead.row_hash).where(ChainHead.device == device)).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _set_head(conn: Connection, device: str, seq: int, head: str, first: bool) -> None:
    """Move the device's chain head to ``seq``; ``first``: the device had no chain yet (its first
    write may be a batch, so ``seq`` alone does not tell)."""
    if first:
        conn.execute(insert(ChainHead), [{"device": device, "seq": seq, "row_hash": head}])
    else:
        conn.execute(update(ChainHead).where(ChainHead.device == device).values(seq=seq, row_hash=head))


def _chained(conn: Connection, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row its link in its device's chain (inside the writing transaction, which
    began immediate, so no other writer can take the same place)."""
    heads: dict[str, tuple[int, str]] = {}
    new_chains: set[str] = set()
    out = []
    for row in rows:
        device = row.get("device", "")
        if device not in heads:
            heads[device] = _head(conn, device)
            if heads[device][0] == 0:
                new_chains.add(device)
        seq, previous = heads[device]
        linked = {**row, **link(kind, row, device, seq + 1, previous)}
        heads[device] = (seq + 1, linked["row_hash"])
        out.append(linked)
    for device, (seq, head) in heads.items():
        _set_head(conn, device, seq, head, first=device in new_chains)
    return out


def _numbered(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each finding its reference (2611-0042): the year and month of its time in the hall's
    time zone, then the next number of that month, taken from the counter in this transaction."""
    zones: dict[str, ZoneInfo] = {}
    wanted: dict[tuple[str, str], int] = {}
    months = []
    for row in rows:
        hall_id = row["hall_id"]
        if hall_id not in zones:
            tz = conn.execute(select(Hall.timezone).where(Hall.id == hall_id)).scalar_one()
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


def _take_numbers(conn: Connection, hall_id: str, month: str, count: int) -> int:
    """Reserve ``count`` numbers of a hall's month; returns the first. The counter row is locked
    by the update until the transaction ends, so two writers never take the same numbers."""
    where = (FindingRefCounter.hall_id == hall_id) & (FindingRefCounter.month == month)
    for _attempt in range(2):
        last = conn.execute(
            update(FindingRefCounter)
            .where(where)
            .values(last=FindingRefCounter.last + count)
            .returning(FindingRefCounter.last)
        ).scalar()
        if last is not None:
            return int(last) - count + 1
        try:
            with conn.begin_nested():
                conn.execute(insert(FindingRefCounter), [{"hall_id": hall_id, "month": month, "last": count}])
            return 1
        except IntegrityError:  # another writer made the month's counter first: take from it
            continue
    raise StorageError("无法为记录编号，请重试。")


def _finding_rows(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings ready to insert: numbered, then chained."""
    return _chained(conn, "finding", _numbered(conn, rows))


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


def _insert_hall(conn: Connection, name: str, finding_types: Iterable[Mapping[str, Any]], settings: str) -> str:
    hall_id = new_id()
    conn.execute(insert(Hall), [{"id": hall_id, "name": name}])
    rows = [{"id": new_id(), "hall_id": hall_id, "position": i, **item} for i, item in enumerate(finding_types)]
    if rows:
        conn.execute(insert(FindingType), rows)
    conn.execute(insert(HallRules), [{"id": new_id(), "hall_id": hall_id, "starts": None, "settings": settings}])
    return hall_id


def create_hall(engine: Engine, name: str, finding_types: Iterable[Mapping[str, Any]], settings: str) -> str:
    """Create a hall with its items and its settings (JSON, in force from the beginning); returns
    its id."""
    try:
        with writing(engine) as conn:
            return _insert_hall(conn, name, finding_types, settings)
    except IntegrityError as exc:
        raise StorageError(f"大厅“{name}”已存在。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def ensure_inspector(engine: Engine, name: str) -> str:
    """The id of the inspector called ``name``, created on first use."""
    with Session(engine) as session:
        found = session.exec(select(Inspector.id).where(Inspector.name == name)).first()  # type: ignore[call-overload]
        if found:
            return str(found[0])
        inspector = Inspector(name=name)
        session.add(inspector)
        try:
            session.commit()
        except IntegrityError:  # another device created it in the meantime
            session.rollback()
            return str(session.exec(select(Inspector.id).where(Inspector.name == name)).one()[0])  # type: ignore[call-overload]
        except OperationalError as exc:
            raise _write_failed(exc) from exc
        return inspector.id


def log_access(engine: Engine, who: str, action: str, subject: str) -> None:
    """Note that ``who`` took data out (an export) or looked a person up, before they see it."""
    try:
        with writing(engine) as conn:
            conn.execute(
                insert(AccessLog),
                [{"id": new_id(), "at": utcnow(), "who": who[:100], "action": action, "subject": subject[:500]}],
            )
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def set_pin(engine: Engine, name: str, pin_hash: str) -> None:
    """Give the inspector called ``name`` a new PIN hash (the inspector is created if new)."""
    inspector_id = ensure_inspector(engine, name)
    try:
        with writing(engine) as conn:
            conn.execute(update(Inspector).where(Inspector.id == inspector_id).values(pin_hash=pin_hash))
    except OperationalError as exc:
        raise _write_failed(exc) from exc


def insert_finding(engine: Engine, values: Mapping[str, Any]) -> tuple[str, str]:
    """Commit one finding in its own transaction; returns its id and its reference."""
    row = {"id": new_id(), "created_at": utcnow(), **values}
    try:
        with writing(engine) as conn:
            [stored] = _finding_rows(conn, [row])
            conn.execute(insert(Finding), [stored])
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
            conn.execute(insert(Finding), _finding_rows(conn, batch))
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
            if replacement is not None:
                replacement_id = new_id()
                row = {"id": replacement_id, "replaces_id": finding_id, "created_at": utcnow(), **replacement}
                [stored] = _finding_rows(conn, [row])
                replacement_ref = stored["ref"]
                conn.execute(insert(Finding), [stored])
            correction = {
                "id": new_id(),
                "finding_id": finding_id,
                "reason": reason,
                "replacement_id": replacement_id,
                "inspector_id": inspector_id,
                "device": device,
                "at": utcnow(),
            }
            conn.execute(insert(Correction), _chained(conn, "correction", [correction]))
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
) -> str:
    """Apply a roster plan in one transaction: new rows inserted, changed rows updated by id,
    postings added. With ``new_hall`` (name, items, settings) the hall is created in the same
    transaction. Returns the hall's id."""
    try:
        with writing(engine) as conn:
            if new_hall is not None:
                hall_id = _insert_hall(conn, *new_hall)
            assert hall_id is not None
            for table, rows in ((Unit, units), (Window, windows), (Staff, staff)):
                batch = [{"hall_id": hall_id, **r} for r in rows]
                if batch:
                    conn.execute(insert(table), batch)
            steps = [{"id": new_id(), "hall_id": hall_id, "created_at": utcnow(), **p} for p in postings]
            if steps:
                conn.execute(insert(Posting), steps)
            for table, rows in ((Window, window_updates), (Staff, staff_updates)):
                for r in rows:
                    values = {k: v for k, v in r.items() if k != "id"}
                    conn.execute(update(table).where(table.id == r["id"]).values(**values))  # type: ignore[arg-type]
    except IntegrityError as exc:
        raise StorageError(f"名册与已有数据冲突：{exc.orig}") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc
    return hall_id


def add_postings(engine: Engine, hall_id: str, postings: Iterable[Mapping[str, Any]]) -> None:
    """Add steps to people's histories (a move, a departure, a return, a new role), together."""
    rows = [{"id": new_id(), "hall_id": hall_id, "created_at": utcnow(), **p} for p in postings]
    try:
        with writing(engine) as conn:
            conn.execute(insert(Posting), rows)
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc


def add_staff(engine: Engine, hall_id: str, values: Mapping[str, Any], posting: Mapping[str, Any]) -> str:
    """Add one person with their first posting; returns the person's id."""
    row = {"id": new_id(), "hall_id": hall_id, **values}
    first = {"id": new_id(), "hall_id": hall_id, "staff_id": row["id"], "created_at": utcnow(), **posting}
    try:
        with writing(engine) as conn:
            conn.execute(insert(Staff), [row])
            conn.execute(insert(Posting), [first])
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc
    return row["id"]


def add_window(engine: Engine, hall_id: str, values: Mapping[str, Any], unit: Mapping[str, Any] | None) -> str:
    """Add a window (and its unit, when it is new); returns the window's id."""
    row = {"id": new_id(), "hall_id": hall_id, **values}
    try:
        with writing(engine) as conn:
            if unit is not None:
                conn.execute(insert(Unit), [{"hall_id": hall_id, **unit}])
            conn.execute(insert(Window), [row])
    except IntegrityError as exc:
        raise StorageError(f"窗口编号“{values.get('code')}”已存在。") from exc
    except OperationalError as exc:
        raise _write_failed(exc) from exc
    return row["id"]


def add_rules_version(engine: Engine, hall_id: str, starts: Any, settings: str) -> None:
    """Add a version of the hall's settings, in force from ``starts`` (a date, or None)."""
    add_rules_versions(engine, hall_id, [(starts, settings)])


def add_rules_versions(engine: Engine, hall_id: str, versions: Iterable[tuple[Any, str]]) -> None:
    """Add several versions of the hall's settings in one transaction: all of them or none."""
    rows = [
        {"id": new_id(), "hall_id": hall_id, "starts": starts, "settings": settings, "created_at": utcnow()}
        for starts, settings in versions
    ]
    try:
        with writing(engine) as conn:
            conn.execute(insert(HallRules), rows)
    except OperationalError as exc:
        raise _write_failed(exc) from exc
