"""The tables. Times are UTC-aware; ids are UUIDv7 strings.

Findings are never edited in place: a correction voids a finding, and an amendment is a void
plus a new finding that names the one it replaces (``replaces_id``). The effective log is the
findings without a correction.

Plain SQLAlchemy Core ``Table`` objects: writes are Core statements and reads are raw SQL
(``storage.reads``), so nothing needs mapped classes. Measured (peak RSS of ``python -c``, with
``textual.app`` loaded as the board has it): these tables 47 MB, the same as SQLModel classes 64 MB
(SQLModel pulls in pydantic and ``sqlalchemy.orm``), declarative classes 53 MB (``sqlalchemy.orm``).
The alembic migrations (``storage/migrations``) are what creates the schema; a test compares them
with these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.ids import new_id
from storage.types import UTCDateTime

metadata = MetaData()


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _id() -> Column[str]:
    return Column("id", String(36), primary_key=True, default=new_id)


def _ref(name: str, target: str, *, nullable: bool = False, index: bool = False) -> Column[str]:
    """A column naming a row of ``target`` (table.column) by its id."""
    return Column(name, String(36), ForeignKey(target), nullable=nullable, index=index)


def _text(name: str, length: int, default: str | None = None, *, nullable: bool = False) -> Column[str]:
    return Column(name, String(length), nullable=nullable, default=default)


def _created_at(name: str = "created_at") -> Column[datetime]:
    return Column(name, UTCDateTime, nullable=False, default=utcnow)


def _chain_links() -> list[Column[Any]]:
    """The hash chain (storage.chain) of a chained table: the row's place in its device's chain,
    its salt, and its hashes."""
    return [
        Column("chain_seq", Integer, nullable=True),
        _text("salt", 32, nullable=True),
        _text("payload_hash", 64, nullable=True),
        _text("prev_hash", 64, nullable=True),
        _text("row_hash", 64, nullable=True),
    ]


# One service hall. Its rules live in ``hall_rules``, as versions.
hall = Table(
    "hall",
    metadata,
    _id(),
    Column("name", String(100), nullable=False, unique=True),
    _text("timezone", 64, "Asia/Shanghai"),
    # Read by no code since 0004 (the values moved into hall_rules); kept because SQLite can drop
    # a column of a table that others reference only by copying the table.
    Column("top_staff", Integer, nullable=False, default=8),
    Column("top_windows", Integer, nullable=False, default=4),
    _text("window_score_mode", 16, "average"),
    Column("score_floor", Float, nullable=True),
    Column("bonus_cap", Float, nullable=True),
    _created_at(),
)

# A version of a hall's settings (awards, ties, eligibility, scoring), in force from ``starts``
# (None: from the beginning) until a later version. Added, never changed.
hall_rules = Table(
    "hall_rules",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    Column("starts", Date, nullable=True),
    Column("settings", Text, nullable=False),  # JSON (patrol.rules.settings)
    _created_at(),
    Index("ix_hall_rules_hall", "hall_id", "starts", "created_at"),
)

# A department stationed at one or more windows.
unit = Table(
    "unit",
    metadata,
    _id(),
    _ref("hall_id", "hall.id", index=True),
    _text("name", 100),
    _text("search_keys", 2000, ""),
    UniqueConstraint("hall_id", "name"),
)

# A service window: code, name, unit and its place on the hall map.
window = Table(
    "window",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    _text("code", 20),
    _text("name", 100),
    _ref("unit_id", "unit.id", nullable=True),
    _text("zone", 50, ""),
    Column("position", Integer, nullable=False, default=0),
    _text("search_keys", 2000, ""),
    _text("sort_key", 400, ""),
    # The day the window opened (None: from the beginning); it counts in no period before.
    Column("starts", Date, nullable=True),
    UniqueConstraint("hall_id", "code"),
    Index("ix_window_hall_id", "hall_id", "id"),  # id order lets period totals group as they stream
)

# A person posted at a window. Never deleted: marked inactive instead.
staff = Table(
    "staff",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    _ref("window_id", "window.id", index=True),
    _text("name", 50),
    _text("role", 20, ""),
    Column("active", Boolean, nullable=False, default=True),
    Column("position", Integer, nullable=False, default=0),
    _text("search_keys", 2000, ""),
    _text("sort_key", 400, ""),
    _created_at(),
    Index("ix_staff_hall_id", "hall_id", "id"),  # see window
)

# One step of a person's history: from ``starts`` (None: from the beginning) they sit at
# ``window_id`` in ``role`` (for ``unit_id``), or, with no window, have left. Added, never changed: a move or a
# departure is a new row, so earlier periods keep the people they had.
posting = Table(
    "posting",
    metadata,
    _id(),
    _ref("hall_id", "hall.id", index=True),
    _ref("staff_id", "staff.id"),
    _ref("window_id", "window.id", nullable=True),
    _text("role", 20, ""),
    Column("starts", Date, nullable=True),
    _created_at(),
    # The unit the person belongs to in this step (a 综合窗口 holds staff of several units); None:
    # the unit of the window they sit at. Added by 0006_units.
    _ref("unit_id", "unit.id", nullable=True),
    Index("ix_posting_staff", "staff_id", "starts", "created_at"),
)

# An item of the hall's rules.
finding_type = Table(
    "finding_type",
    metadata,
    _id(),
    _ref("hall_id", "hall.id", index=True),
    _text("code", 30),
    _text("name", 50),
    _text("category", 20),
    Column("points", Float, nullable=False),
    _text("hotkey", 1),
    _text("level", 10, "staff"),  # staff | window | either (0006)
    _text("aliases", 200, ""),  # separated by "|"
    _text("phrase", 200, ""),  # how the notice says it
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("hall_id", "code"),
    UniqueConstraint("hall_id", "name"),
)

# Who logs findings.
inspector = Table(
    "inspector",
    metadata,
    _id(),
    Column("name", String(50), nullable=False, unique=True),
    # "scrypt$n$r$p$salt$hash" (patrol.hall.pins); None until the inspector sets a PIN.
    _text("pin_hash", 200, nullable=True),
)

# One observation. The points and category are copied from the rules when it is logged, so a
# later change of the rules never rewrites history.
finding = Table(
    "finding",
    metadata,
    *_chain_links(),
    _id(),
    _ref("hall_id", "hall.id"),
    _ref("window_id", "window.id"),
    _ref("staff_id", "staff.id", nullable=True),
    Column("substitute", Boolean, nullable=False, default=False),
    _ref("type_id", "finding_type.id"),
    _text("category", 20),
    Column("points", Float, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    _text("note", 500, ""),
    _ref("inspector_id", "inspector.id", nullable=True),
    _text("device", 64, ""),
    _text("replaces_id", 36, nullable=True),
    _created_at(),
    # Set by a purge: the personal content (person, note) is gone, the hashes stay.
    _text("redaction_id", 36, nullable=True),
    # The reference people read aloud: 2611-0042 (year and month of ``at`` in the hall's time,
    # then the number of the finding in that month). Unique in the hall.
    _text("ref", 16, nullable=True),
    # Where it came from: a patrol (the app, `log`), the clock-in machine, the leave register, an
    # import of findings. One finding may stand for several (压缩办理时限 28 次).
    _text("source", 10, "patrol"),
    Column("count", Integer, nullable=False, default=1),
    # Minutes late, early or away where the item has them (迟到 from the punches, 无人在岗).
    Column("minutes", Integer, nullable=True),
    # A period's ranking seeks each staff member's time range in this index and reads nothing
    # else (at 1.2M rows: 2.5 s with one-column indexes; see the README for today's figure).
    # type_id is in it so that 满勤 and 有效投诉 are counted from the index too, and count (0006)
    # because the totals weigh each finding by it.
    Index("ix_finding_staff_at_points", "staff_id", "at", "points", "category", "window_id", "type_id", "count"),
    # The same for what belongs to a window alone (staff_id IS NULL).
    Index("ix_finding_window_staff_at", "window_id", "staff_id", "at", "points", "category", "type_id", "count"),
    Index("ix_finding_hall_ref", "hall_id", "ref", unique=True),
    Index("ix_finding_hall_at", "hall_id", "at"),
    Index("ix_finding_device_created", "device", "created_at"),  # undo: this device's newest
    Index("ix_finding_device_seq", "device", "chain_seq", unique=True),
)

# The last reference number given in each hall and month.
finding_ref_counter = Table(
    "finding_ref_counter",
    metadata,
    Column("hall_id", String(36), ForeignKey("hall.id"), primary_key=True),
    Column("month", String(4), primary_key=True),  # YYMM
    Column("last", Integer, nullable=False, default=0),
)

# Voids one finding, with a reason; an amendment also names the replacing finding.
correction = Table(
    "correction",
    metadata,
    *_chain_links(),
    _id(),
    Column("finding_id", String(36), ForeignKey("finding.id"), nullable=False, unique=True),
    _text("reason", 500),
    _text("replacement_id", 36, nullable=True),
    _ref("inspector_id", "inspector.id", nullable=True),
    _text("device", 64, ""),
    _created_at("at"),
    # Set by a purge: the reason is gone, the hashes stay.
    _text("redaction_id", 36, nullable=True),
    Index("ix_correction_device_seq", "device", "chain_seq", unique=True),
)

# A purge: the personal content of the findings and corrections before ``before`` was removed.
# It joins its device's chain, and says how many rows it covers so verify can tell a redacted
# row from one whose content was changed.
redaction = Table(
    "redaction",
    metadata,
    *_chain_links(),
    _id(),
    _ref("hall_id", "hall.id"),
    Column("before", UTCDateTime, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("corrections", Integer, nullable=False),
    _text("kept_digest", 64),  # storage.chain.kept_digest of the redacted rows
    _ref("inspector_id", "inspector.id", nullable=True),
    _text("device", 64, ""),
    _created_at("at"),
    Index("ix_redaction_device_seq", "device", "chain_seq", unique=True),
)

# Who looked at whose record or took data away, and when (exports, notices, lookups in the app
# and the CLI). Chained like a finding, so a line deleted or changed is found.
access_log = Table(
    "access_log",
    metadata,
    *_chain_links(),
    _id(),
    _created_at("at"),
    _text("who", 100),  # the inspector, or the system user when none is set
    _text("action", 30),  # 导出 | 通报 | 查看记录 | 清除 (as the log is read)
    _text("subject", 500),  # whose record, which period, which file
    # The end of the period the line is about (a record of 2022, an appendix of 2022年3月): a purge
    # before that day removes the line with the findings it was about.
    Column("about_until", UTCDateTime, nullable=True),
    _text("device", 64, ""),
    # Set by a purge: who looked and whose record are gone, the hashes stay.
    _text("redaction_id", 36, nullable=True),
    Index("ix_access_log_at", "at"),
    Index("ix_access_log_device_seq", "device", "chain_seq", unique=True),
)

# A version of a row that gives findings their meaning (``storage.chain.VERSIONED``: halls, their
# rules, finding types, units, windows, staff, postings, inspectors): what the row's vouched
# columns held after patrol inserted or changed it. Chained like a finding; names the version it
# replaces, so each row's versions form one line whose last must equal the row.
row_version = Table(
    "row_version",
    metadata,
    *_chain_links(),
    _id(),
    _text("tbl", 20),
    _text("row_id", 36),
    _text("replaces", 36, nullable=True),
    Column("content", Text, nullable=False),  # storage.chain.content_of
    _text("device", 64, ""),
    _created_at("at"),
    Index("ix_row_version_device_seq", "device", "chain_seq", unique=True),
    Index("ix_row_version_row", "tbl", "row_id"),
    Index("ix_row_version_replaces", "replaces", unique=True),  # one successor each: no fork
)

# A window seen on a patrol with nothing wrong (a key on the open window, `patrol seen`): evidence
# of the patrol, chained like a finding. Rounds (巡查轮次) are counted from these and the findings.
seen = Table(
    "seen",
    metadata,
    *_chain_links(),
    _id(),
    _ref("hall_id", "hall.id"),
    _ref("window_id", "window.id"),
    Column("at", UTCDateTime, nullable=False),
    _ref("inspector_id", "inspector.id", nullable=True),
    _text("device", 64, ""),
    _created_at(),
    Index("ix_seen_hall_at", "hall_id", "at"),
    Index("ix_seen_device_seq", "device", "chain_seq", unique=True),
)

# A period closed after its notice (月结), or opened again: who, when, why. Added, never changed;
# the newest row of a hall's period says whether it is closed. ``starts``/``ends`` are the
# period's bounds in UTC (cut in the hall's time when it was closed), so a write checks a time
# without knowing periods.
period_close = Table(
    "period_close",
    metadata,
    *_chain_links(),
    _id(),
    _ref("hall_id", "hall.id"),
    _text("period", 32),  # as written: 2026-11, 2026Q4, …
    Column("starts", UTCDateTime, nullable=False),
    Column("ends", UTCDateTime, nullable=False),
    _text("action", 10),  # close | reopen
    _text("reason", 500, ""),
    _ref("inspector_id", "inspector.id", nullable=True),
    _text("device", 64, ""),
    _created_at("at"),
    Index("ix_period_close_hall", "hall_id", "period"),
    Index("ix_period_close_device_seq", "device", "chain_seq", unique=True),
)

# The last link of each device's chain: a cut tail no longer matches it.
chain_head = Table(
    "chain_head",
    metadata,
    Column("device", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    _text("row_hash", 64),
)

# --- the hall's working time, punches and leave (migration 0006_attendance) -------------------

# A version of the hall's working hours, in force from ``starts`` until a later one (summer and
# winter hours). Added, never changed; versioned (storage.chain.VERSIONED): lateness is judged
# against it.
work_hours = Table(
    "work_hours",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    Column("starts", Date, nullable=False),
    _text("am", 11),  # "08:30-12:00"
    _text("pm", 11),  # "14:30-17:30"
    Column("grace", Integer, nullable=False, default=0),  # minutes after the start that are not late
    Column("punches", Integer, nullable=False, default=2),  # 2: in and out; 4: in and out twice
    _created_at(),
    Index("ix_work_hours_hall", "hall_id", "starts", "created_at"),
)

# A day the hall works or rests against the national calendar (a local holiday, a Saturday
# open). The latest row of a day wins. Versioned.
hall_day = Table(
    "hall_day",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    Column("day", Date, nullable=False),
    Column("working", Boolean, nullable=False),
    _text("note", 200, ""),
    _created_at(),
    Index("ix_hall_day_hall", "hall_id", "day", "created_at"),
)

# One punch of a clock-in machine: who and when. Raw data: what it means is in the findings
# derived from it (source clockin), which are chained. The same punch imported twice is one row.
punch = Table(
    "punch",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    _ref("staff_id", "staff.id"),
    Column("at", UTCDateTime, nullable=False),
    _text("machine", 64, ""),  # 设备 as the file names it
    _created_at(),
    UniqueConstraint("staff_id", "at"),
    Index("ix_punch_hall_at", "hall_id", "at"),
)

# Approved leave of one person, ``starts`` to ``ends`` (both included). Versioned; its days are
# written as 请假 findings (source leave).
leave = Table(
    "leave",
    metadata,
    _id(),
    _ref("hall_id", "hall.id"),
    _ref("staff_id", "staff.id"),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    _text("kind", 20),
    _text("approver", 50, ""),
    _created_at(),
    Index("ix_leave_staff", "staff_id", "starts"),
)

# --- the hall's service figures (migration 0007_figures) --------------------------------------

# One import of one month's service figures: who, when, from which file. A re-import of the month
# names the import it replaces (one successor each), so the old figures stay as they were and
# the change is a recorded correction. Chained.
service_import = Table(
    "service_import",
    metadata,
    *_chain_links(),
    _id(),
    _ref("hall_id", "hall.id"),
    _text("month", 7),  # 2026-11
    _text("replaces_id", 36, nullable=True),
    _text("source", 200, ""),  # the file's name
    _ref("inspector_id", "inspector.id", nullable=True),
    _text("device", 64, ""),
    _created_at("at"),
    Index("ix_service_import_hall_month", "hall_id", "month"),
    Index("ix_service_import_replaces", "replaces_id", unique=True),  # one successor each: no fork
    Index("ix_service_import_device_seq", "device", "chain_seq", unique=True),
)

# One window's figures of one month (受理, 办结, 按时办结; 好评 and 差评 where the business
# system counts them), as one import brought them. Chained.
service_figure = Table(
    "service_figure",
    metadata,
    *_chain_links(),
    _id(),
    _ref("import_id", "service_import.id"),
    _ref("hall_id", "hall.id"),
    _ref("window_id", "window.id"),
    _text("month", 7),
    Column("received", Integer, nullable=False),  # 受理
    Column("completed", Integer, nullable=False),  # 办结
    Column("on_time", Integer, nullable=False),  # 按时办结
    Column("good", Integer, nullable=True),  # 好评
    Column("bad", Integer, nullable=True),  # 差评
    _text("device", 64, ""),
    _created_at(),
    Index("ix_service_figure_import", "import_id", "window_id", unique=True),
    Index("ix_service_figure_hall_month", "hall_id", "month"),
    Index("ix_service_figure_device_seq", "device", "chain_seq", unique=True),
)
