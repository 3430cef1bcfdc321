"""Read queries as portable SQL with named parameters.

The same SQL runs through two readers: ``SqliteReader`` uses the standard library's sqlite3, so
the hall board can be drawn before SQLAlchemy is imported; ``AlchemyReader`` runs it through an
engine for PostgreSQL. Still needed without SQLModel: opening the demo hall and ranking the month
took 28-49 ms and 22 MB peak through sqlite3, 430-760 ms and 40 MB through SQLAlchemy Core
(measured 2026-12, three runs each on a busy 2-core machine; most of it is importing SQLAlchemy),
and the first frame waits for that read.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from storage import guard
from storage.errors import StorageError

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Row(Protocol):
    """A result row: its fields by the column names of the query (``row.staff_id``), so code that
    reads it does not break when a SELECT gains or reorders a column. It is also a tuple (what
    the digests and ``storage.verify`` hash), but new code should read fields by name."""

    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, index: Any) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> Any:
    """A named tuple type for a query's columns (one per distinct SELECT, made once). Names that
    are no identifier (an unaliased ``COUNT(*)``) become _0, _1, … by position."""
    return namedtuple("Row", columns, rename=True)


def _named(columns: Iterable[str], rows: Iterable[Sequence[Any]]) -> list[Row]:
    make = _row_type(tuple(columns))._make
    return [make(r) for r in rows]


def _sqlite_columns(cursor: sqlite3.Cursor) -> tuple[str, ...]:
    return tuple(d[0] for d in cursor.description or ())


SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DateTime stores
BATCH = 5000  # rows fetched at a time by iter_rows


class Reader(Protocol):
    """Runs a read query and returns its rows."""

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def iter_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        """The rows a batch at a time, for results too large to hold (a year's findings)."""
        ...


def to_utc(value: Any) -> datetime:
    """A stored time (text from SQLite or a datetime from PostgreSQL) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    # fromisoformat reads SQLite's "YYYY-MM-DD HH:MM:SS.ffffff" in C, ~10x faster than strptime.
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def to_date(value: Any) -> date | None:
    """A stored date (text from SQLite, a date from PostgreSQL), or None."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def sqlite_time(value: datetime) -> str:
    """An aware time as SQLite stores it (SQLITE_TIME_FORMAT, UTC), the year always in four
    digits as SQLAlchemy writes it (strftime's %Y writes 202 for the year 202 on Linux)."""
    value = value.astimezone(UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def _sqlite_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime for :{key}")
            value = sqlite_time(value)
        out[key] = value
    return out


def rows_at_once(reader: Reader, queries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[list[Row]] | None:
    """The rows of each of ``queries`` read at the same time (SQLite,
    ``SqliteReader.rows_at_once``), or None where the reader cannot run them so."""
    run = getattr(reader, "rows_at_once", None)
    return None if run is None else list(run(queries))


def snapshot(reader: Reader) -> Any:
    """A reader whose queries all see the database as it was at the first of them (one read
    transaction), for a walk that must not see a row written between two of its queries; the
    reader itself when it has no such mode."""
    make = getattr(reader, "snapshot", None)
    if make is None:
        return _as_is(reader)
    return make()


@contextmanager
def _as_is(reader: Reader) -> Iterator[Reader]:
    yield reader


class SqliteReader:
    """Reads a SQLite file with the standard library (no SQLAlchemy import)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            raise StorageError(
                f"{path} 是文件夹，不是数据库文件。请让 --db / PATROL_DB 指向其中的数据库文件，"
                f"例如 sqlite:///{path / 'patrol.db'}。"
            )
        try:
            self._conn = self._connect()
        except sqlite3.Error as exc:
            raise StorageError(f"无法打开数据库 {path}：{exc}。请检查 --db / PATROL_DB 指向的文件。") from exc
        self._spares: list[sqlite3.Connection] = []  # for rows_at_once, opened when first needed

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        guard.check()
        return self._rows(self._conn, sql, params)

    def rows_at_once(self, queries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[list[Row]]:
        """The rows of each of ``queries``, run at the same time: the first on this thread, each
        other on a thread and a connection of its own. SQLite steps without Python's interpreter
        lock, so they use separate cores (the 5,000-staff centre's month totals in two halves:
        90 -> 70 ms beside a busy second core). Each reads the database as it is when it starts,
        as separate ``rows`` calls do."""
        guard.check()
        if len(queries) < 2:
            return [self._rows(self._conn, sql, params) for sql, params in queries]
        results: list[list[Row]] = [[] for _ in queries]
        failed: list[BaseException] = []

        def run(index: int) -> None:
            try:
                conn = self._spares.pop()  # list.pop and append are atomic: no lock needed
            except IndexError:
                conn = self._connect()
            try:
                results[index] = self._rows(conn, *queries[index])
            except BaseException as exc:  # raised on the calling thread below
                failed.append(exc)
            finally:
                self._spares.append(conn)

        helpers = [threading.Thread(target=run, args=(i,), name="patrol-read") for i in range(1, len(queries))]
        for helper in helpers:
            helper.start()
        try:
            results[0] = self._rows(self._conn, *queries[0])
        finally:
            for helper in helpers:
                helper.join()
        if failed:
            raise failed[0]
        return results

    def _rows(self, conn: sqlite3.Connection, sql: str, params: Mapping[str, Any] | None) -> list[Row]:
        try:
            cursor = conn.execute(sql, _sqlite_params(params))
            return _named(_sqlite_columns(cursor), cursor.fetchall())
        except sqlite3.OperationalError:
            raise  # a missing table is the caller's question (see schema_revision)
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"{self.path} 不是可用的 patrol 数据库（{exc}）。请检查 --db / PATROL_DB 指向的文件。"
            ) from exc

    def iter_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        guard.check()
        # A connection of its own: a long read must not hold the shared one.
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            cursor = conn.execute(sql, _sqlite_params(params))
            columns = _sqlite_columns(cursor)
            while batch := cursor.fetchmany(BATCH):
                yield from _named(columns, batch)
        finally:
            conn.close()

    def close(self) -> None:
        self._conn.close()
        while self._spares:
            self._spares.pop().close()

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """One read transaction on a connection of its own (WAL: writers go on meanwhile)."""
        guard.check()
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("BEGIN")
            yield _SqliteSnapshot(conn)
        finally:
            conn.close()  # the read transaction ends with it


class _SqliteSnapshot:
    """Queries on one SQLite connection inside one read transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        cursor = self._conn.execute(sql, _sqlite_params(params))
        return _named(_sqlite_columns(cursor), cursor.fetchall())

    def iter_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        cursor = self._conn.execute(sql, _sqlite_params(params))
        columns = _sqlite_columns(cursor)
        while batch := cursor.fetchmany(BATCH):
            yield from _named(columns, batch)


class AlchemyReader:
    """Runs the same SQL through a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        from sqlalchemy import text

        self.engine = engine
        self._text = text
        self._sqlite = engine.dialect.name == "sqlite"

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        bound = _sqlite_params(params) if self._sqlite else dict(params or {})
        with self.engine.connect() as conn:
            result = conn.execute(self._text(sql), bound)
            return _named(result.keys(), result)

    def iter_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        bound = _sqlite_params(params) if self._sqlite else dict(params or {})
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(self._text(sql), bound)
            columns = tuple(result.keys())
            for batch in result.partitions():
                yield from _named(columns, batch)

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """One REPEATABLE READ transaction on PostgreSQL (SQLite through SQLAlchemy: as is)."""
        if self._sqlite:
            yield self
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield _AlchemySnapshot(conn, self._text)


class _AlchemySnapshot:
    """Queries on one SQLAlchemy connection inside one transaction."""

    def __init__(self, conn: Any, text: Any) -> None:
        self._conn = conn
        self._text = text

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        result = self._conn.execute(self._text(sql), dict(params or {}))
        return _named(result.keys(), result)

    def iter_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        streamed = {"stream_results": True, "yield_per": BATCH}
        result = self._conn.execute(self._text(sql), dict(params or {}), execution_options=streamed)
        columns = tuple(result.keys())
        for batch in result.partitions():
            yield from _named(columns, batch)


class _EmptyReader:
    """The reader of a database that has nothing yet (a dry run before the first import)."""

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return []

    def iter_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Row]:
        return iter(())


EMPTY: Reader = _EmptyReader()


def schema_revision(reader: Reader) -> str | None:
    """The Alembic revision stored in the database, or None when there is no schema."""
    try:
        found = reader.rows("SELECT version_num FROM alembic_version")
    except sqlite3.OperationalError:
        return None
    return found[0][0] if found else None


# --- the queries ------------------------------------------------------------------------

HALLS = "SELECT id, name, timezone, created_at FROM hall ORDER BY created_at, name"

# A hall's settings, every version (patrol.rules.settings decides which is in force when).
HALL_RULES = "SELECT starts, settings, created_at FROM hall_rules WHERE hall_id = :hall ORDER BY created_at, id"

# Every step of every person's history (patrol.rules.postings reads them).
POSTINGS = """
SELECT id, staff_id, window_id, role, starts, created_at, unit_id
FROM posting WHERE hall_id = :hall ORDER BY staff_id, created_at, id
"""

UNITS = "SELECT id, name FROM unit WHERE hall_id = :hall"

WINDOWS = """
SELECT w.id, w.code, w.name, COALESCE(u.name, '') AS unit, w.zone, w.position, w.search_keys, w.sort_key,
       COALESCE(u.search_keys, '') AS unit_keys, w.starts
FROM "window" w LEFT JOIN unit u ON u.id = w.unit_id
WHERE w.hall_id = :hall
ORDER BY w.position, w.code
"""

STAFF = """
SELECT id, window_id, name, role, active, position, search_keys, sort_key
FROM staff WHERE hall_id = :hall
ORDER BY position, sort_key
"""

FINDING_TYPES = """
SELECT id, code, name, category, points, hotkey, level, aliases, phrase, position, active
FROM finding_type WHERE hall_id = :hall ORDER BY position
"""

INSPECTORS = "SELECT id, name FROM inspector"
FIRST_FINDING = "SELECT MIN(at) AS first_at FROM finding WHERE hall_id = :hall"
# Lines a purge emptied are left out: who looked and at what is gone.
ACCESS_LOG_SINCE = (
    "SELECT at, who, action, subject FROM access_log WHERE at >= :since AND redaction_id IS NULL ORDER BY at, id"
)


def kept_rows(
    run: Callable[[str, Mapping[str, Any]], Iterable[Row]], redaction_id: str
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """What a purge kept of each row it redacted, as ``storage.chain.kept_digest`` takes them:
    findings, corrections, then access-log lines, in id order (a purge made before the access log
    was chained has none, so its digest reads as it did). ``run`` executes SQL with parameters (a reader's
    ``iter_rows`` when verifying, the purge's own connection while purging)."""
    from storage.chain import KEPT_FIELDS

    for kind, table in (("finding", "finding"), ("correction", "correction"), ("access", "access_log")):
        sql = f"SELECT {', '.join(KEPT_FIELDS[kind])} FROM {table} WHERE redaction_id = :id ORDER BY id"
        for row in run(sql, {"id": redaction_id}):
            yield kind, tuple(row)


INSPECTOR_PINS = "SELECT name, pin_hash FROM inspector WHERE pin_hash IS NOT NULL ORDER BY name"

CHAIN_HEADS = "SELECT device, seq, row_hash FROM chain_head"

# Effective findings are the ones no correction has voided.
_EFFECTIVE = "NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id)"


# A person's effective finding of one type from the punches, in a span (a local day).
PUNCH_FINDING_OF_DAY = (
    "SELECT COALESCE(f.ref, f.id) AS ref FROM finding f WHERE f.hall_id = :hall AND f.staff_id = :staff "
    f"AND f.type_id = :type AND f.at >= :start AND f.at < :end AND f.source = 'clockin' AND {_EFFECTIVE} LIMIT 1"
)


# Period totals. Staff totals seek each staff member's time range in ix_finding_staff_at_points,
# walking the hall's staff in id order so the grouping streams without a temporary B-tree
# (CROSS JOIN fixes that join order in SQLite; PostgreSQL plans it freely). Findings that
# belong to a window alone are read the same way; staff whose findings of the period lie at
# more than one window (they moved) are read again per window; voided findings are few, so
# their sums are subtracted rather than checked row by row.
# Measured on 100,000 findings: 264 ms with a per-row void check, 50 ms this way.
def _in(name: str, count: int) -> str:
    """``f.type_id IN (:name0, :name1, …)``, or a condition that is never true for no ids."""
    if not count:
        return "0 = 1"
    return f"f.type_id IN ({', '.join(f':{name}{i}' for i in range(count))})"


@dataclass(frozen=True)
class TotalsSql:
    """The period-totals queries of a hall whose rules name ``breaks`` finding types that break
    满勤 (bound as :brk0, :brk1, …) and ``complaints`` that bar an award (:cpl0, …).

    Each query returns, after its key columns: deduction points, bonus points, findings,
    满勤-breaking findings, deduction findings, bonus findings, complaint findings. A finding
    counts ``count`` times (压缩办理时限 ×28 is 28 findings of +0.2)."""

    breaks: int
    complaints: int

    @property
    def sums(self) -> str:
        # FILTER rather than SUM(CASE … ELSE 0 END): a row skips the sums it is not in (a
        # deduction is never added to the bonuses as a 0), a tenth less of the scan. A sum with
        # no row is NULL (the reader takes it as 0). SQLite 3.30+ and PostgreSQL 9.4+.
        return f"""
       SUM(f.points * f."count") FILTER (WHERE f.points < 0) AS deductions,
       SUM(f.points * f."count") FILTER (WHERE f.points > 0) AS bonuses,
       SUM(f."count") AS findings,
       SUM(f."count") FILTER (WHERE {_in("brk", self.breaks)}) AS attendance,
       SUM(f."count") FILTER (WHERE f.points < 0) AS deduction_count,
       SUM(f."count") FILTER (WHERE f.points > 0) AS bonus_count,
       SUM(f."count") FILTER (WHERE {_in("cpl", self.complaints)}) AS complaints
"""

    @property
    def staff(self) -> str:
        """Per staff member: the first and last window of their findings, then the sums."""
        return (
            "SELECT s.id AS staff_id, MIN(f.window_id) AS first_window, MAX(f.window_id) AS last_window,"
            + self.sums
            + """FROM staff s CROSS JOIN finding f
WHERE s.hall_id = :hall AND f.staff_id = s.id AND f.at >= :start AND f.at < :end
GROUP BY s.id
"""
        )

    @property
    def staff_below(self) -> str:
        """``staff`` for the people whose id is below :split (with ``staff_from``: the hall in two)."""
        return self.staff.replace("WHERE s.hall_id = :hall", "WHERE s.hall_id = :hall AND s.id < :split")

    @property
    def staff_from(self) -> str:
        """``staff`` for the people whose id is :split or above."""
        return self.staff.replace("WHERE s.hall_id = :hall", "WHERE s.hall_id = :hall AND s.id >= :split")

    @property
    def window_alone(self) -> str:
        """Per window, what belongs to the window alone (substitutes, window-level items)."""
        return (
            "SELECT w.id AS window_id,"
            + self.sums
            + """FROM "window" w CROSS JOIN finding f
WHERE w.hall_id = :hall AND f.window_id = w.id AND f.staff_id IS NULL AND f.at >= :start AND f.at < :end
GROUP BY w.id
"""
        )

    def staff_window(self, count: int) -> str:
        """Per (staff, window) for ``count`` staff ids bound as :s0, :s1, …"""
        names = ", ".join(f":s{i}" for i in range(count))
        return (
            "SELECT f.staff_id, f.window_id,"
            + self.sums
            + f"""FROM finding f
WHERE f.staff_id IN ({names}) AND f.at >= :start AND f.at < :end
GROUP BY f.staff_id, f.window_id
"""
        )

    @property
    def voided(self) -> str:
        """Per (staff, window), the findings of the period that a correction voided."""
        return (
            "SELECT f.staff_id, f.window_id,"
            + self.sums
            + """FROM correction c CROSS JOIN finding f
WHERE f.id = c.finding_id AND f.hall_id = :hall AND f.at >= :start AND f.at < :end
GROUP BY f.staff_id, f.window_id
"""
        )


_FINDING_COLUMNS = """
SELECT f.id, f.at, f.window_id, f.staff_id, f.substitute, f.type_id, f.points, f.note,
       COALESCE(i.name, '') AS inspector, f.category, COALESCE(f.ref, '') AS ref, f."count" AS n, f.minutes,
       f.source
FROM finding f LEFT JOIN inspector i ON i.id = f.inspector_id
"""

FINDINGS_OF_STAFF = (
    _FINDING_COLUMNS
    + f"WHERE f.staff_id = :staff AND f.at >= :start AND f.at < :end AND {_EFFECTIVE} ORDER BY f.at DESC, f.id DESC"
)

# The last effective finding of a person at a window from a time on (a departure cannot predate it).
LAST_FINDING_AT_WINDOW_SINCE = (
    f"SELECT COALESCE(f.ref, '') AS ref, f.at FROM finding f WHERE f.staff_id = :staff AND f.window_id = :window "
    f"AND f.at >= :since AND {_EFFECTIVE} ORDER BY f.at DESC LIMIT 1"
)

FINDINGS_OF_WINDOW = (
    _FINDING_COLUMNS
    + f"WHERE f.window_id = :window AND f.at >= :start AND f.at < :end AND {_EFFECTIVE} ORDER BY f.at DESC, f.id DESC"
)

PERIOD_TYPE_COUNTS = f"""
SELECT f.staff_id, f.window_id, f.type_id, SUM(f."count") AS n
FROM finding f
WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end AND {_EFFECTIVE}
GROUP BY f.staff_id, f.window_id, f.type_id
"""


def attendance_findings(count: int) -> str:
    """The period's effective findings of ``count`` finding types (bound as :att0, :att1, …), with
    what 附表4 counts of them: the day (``at``), where the finding came from, minutes late."""
    return f"""
SELECT f.staff_id, f.window_id, f.substitute, f.type_id, f.at, f.source, f.minutes, f.count
FROM finding f
WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end AND {_in("att", count)} AND {_EFFECTIVE}
"""


# Rows (what 附表1 lists) and times (what they stand for: 压缩办理时限 ×28 is 28 项次).
# What the patrols found (not the punches, not the leave register), as the notice's opening counts
# it: 项次 in all, of them deductions and bonuses.
PERIOD_PATROL_TIMES = (
    'SELECT COALESCE(SUM(f."count"), 0) AS times, '
    'COALESCE(SUM(CASE WHEN f.points < 0 THEN f."count" ELSE 0 END), 0) AS deductions, '
    'COALESCE(SUM(CASE WHEN f.points > 0 THEN f."count" ELSE 0 END), 0) AS bonuses '
    "FROM finding f WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end "
    f"AND f.source IN ('patrol', 'import') AND {_EFFECTIVE}"
)

PERIOD_FINDING_COUNT = (
    f"SELECT COUNT(*) AS n FROM finding f WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end AND {_EFFECTIVE}"
)

FINDINGS_OF_HALL = (
    _FINDING_COLUMNS
    + f"WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end AND {_EFFECTIVE} ORDER BY f.at, f.id"
)

LAST_EFFECTIVE_BY_DEVICE = (
    _FINDING_COLUMNS
    + f"WHERE f.hall_id = :hall AND f.device = :device AND {_EFFECTIVE} ORDER BY f.created_at DESC, f.id DESC LIMIT 1"
)

FINDING_BY_ID = _FINDING_COLUMNS + "WHERE f.id = :id"

IS_VOIDED = "SELECT 1 FROM correction WHERE finding_id = :id"

IS_PURGED = "SELECT 1 FROM finding WHERE id = :id AND redaction_id IS NOT NULL"

# What a correction did to a finding: the finding that replaced it (None: voided), and its reference.
CORRECTION_OF = """
SELECT c.replacement_id, COALESCE(r.ref, '') AS ref FROM correction c LEFT JOIN finding r ON r.id = c.replacement_id
WHERE c.finding_id = :id
"""

# A finding by the first characters of its id, as the command line accepts it.
FINDINGS_BY_ID_PREFIX = _FINDING_COLUMNS + "WHERE f.hall_id = :hall AND f.id LIKE :prefix ORDER BY f.id LIMIT 2"

# A finding by its reference (2611-0042).
FINDING_BY_REF = _FINDING_COLUMNS + "WHERE f.hall_id = :hall AND f.ref = :ref"

# Corrections of the findings of a period: who changed what, when and why (附表5).
CORRECTIONS_OF_PERIOD = """
SELECT c.at, c.reason, COALESCE(i.name, '') AS inspector, c.finding_id, c.replacement_id
FROM correction c
JOIN finding f ON f.id = c.finding_id
LEFT JOIN inspector i ON i.id = c.inspector_id
WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end
ORDER BY c.at, c.id
"""

# Corrections of the previous period's findings made after it ended (a closed month corrected
# later: the next notice says so). :start/:end are the previous period's bounds.
LATE_CORRECTIONS = """
SELECT c.at, c.reason, COALESCE(i.name, '') AS inspector, c.finding_id, c.replacement_id
FROM correction c
JOIN finding f ON f.id = c.finding_id
LEFT JOIN inspector i ON i.id = c.inspector_id
WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end
  -- made after the month was first closed with its notice: the corrections a re-import of punches
  -- or a leave made before the close are already in that month's own notice and 附表5
  AND c.at >= (
    SELECT MIN(pc.at) FROM period_close pc
    WHERE pc.hall_id = :hall AND pc.action = 'close' AND pc.starts <= f.at AND f.at < pc.ends
  )
ORDER BY c.at, c.id
"""

# Month close: every close and reopen of a hall, oldest first.
CLOSINGS = """
SELECT p.period, p.starts, p.ends, p.action, p.reason, p.at, COALESCE(i.name, '') AS inspector
FROM period_close p
LEFT JOIN inspector i ON i.id = p.inspector_id
WHERE p.hall_id = :hall
ORDER BY p.at, p.id
"""

# What a patrol left behind in a span: windows seen with nothing wrong and findings the
# inspectors logged (not those derived from punches or leave), by who (the inspector, or the
# device when none was set) and time. Rounds are cut from these.
_PATROL_MOMENTS = """
SELECT COALESCE(s.inspector_id, 'device:' || s.device) AS who, s.at, s.window_id, 0 AS found
FROM seen s WHERE s.hall_id = :hall AND s.at >= :start AND s.at < :end
UNION ALL
SELECT COALESCE(f.inspector_id, 'device:' || f.device) AS who, f.at, f.window_id, 1 AS found
FROM finding f WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end
AND f.replaces_id IS NULL AND f.source IN ('patrol', 'import')
"""
PATROL_MOMENTS = "SELECT who, at, window_id, found FROM (" + _PATROL_MOMENTS + ") m ORDER BY who, at"
# The last time each window was seen (with or without a finding) since a time.
WINDOWS_SEEN_SINCE = "SELECT window_id, MAX(at) AS last_at FROM (" + _PATROL_MOMENTS + ") m GROUP BY window_id"
# Whether a window was seen with nothing wrong in a span (a clean period is not an empty one).
ANY_SEEN = "SELECT 1 AS one FROM seen WHERE hall_id = :hall AND at >= :start AND at < :end LIMIT 1"
