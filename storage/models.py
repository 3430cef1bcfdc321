"""The tables. Times are UTC-aware; ids are UUIDv7 strings.

Findings are never edited in place: a correction voids a finding, and an amendment is a void
plus a new finding that names the one it replaces (``replaces_id``). The effective log is the
findings without a correction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, Date, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.ids import new_id
from storage.types import UTCDateTime


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Hall(SQLModel, table=True):
    """One service hall. Its rules live in ``hall_rules``, as versions."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(unique=True, max_length=100)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    # Read by no code since 0004 (the values moved into hall_rules); kept because SQLite can drop
    # a column of a table that others reference only by copying the table.
    top_staff: int = 8
    top_windows: int = 4
    window_score_mode: str = Field(default="average", max_length=16)
    score_floor: float | None = None
    bonus_cap: float | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))


class HallRules(SQLModel, table=True):
    """A version of a hall's settings (awards, ties, eligibility, scoring), in force from
    ``starts`` (None: from the beginning) until a later version. Added, never changed."""

    __tablename__ = "hall_rules"
    __table_args__ = (Index("ix_hall_rules_hall", "hall_id", "starts", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", max_length=36)
    starts: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    settings: str = Field(sa_column=Column(Text, nullable=False))  # JSON (patrol.rules.settings)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))


class Unit(SQLModel, table=True):
    """A department stationed at one or more windows."""

    __table_args__ = (UniqueConstraint("hall_id", "name"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", index=True, max_length=36)
    name: str = Field(max_length=100)
    search_keys: str = Field(default="", max_length=2000)


class Window(SQLModel, table=True):
    """A service window: code, name, unit and its place on the hall map."""

    __table_args__ = (
        UniqueConstraint("hall_id", "code"),
        Index("ix_window_hall_id", "hall_id", "id"),  # id order lets period totals group as they stream
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", max_length=36)
    code: str = Field(max_length=20)
    name: str = Field(max_length=100)
    unit_id: str | None = Field(default=None, foreign_key="unit.id", max_length=36)
    zone: str = Field(default="", max_length=50)
    position: int = 0
    search_keys: str = Field(default="", max_length=2000)
    sort_key: str = Field(default="", max_length=400)
    # The day the window opened (None: from the beginning); it counts in no period before.
    starts: date | None = Field(default=None, sa_column=Column(Date, nullable=True))


class Staff(SQLModel, table=True):
    """A person posted at a window. Never deleted: marked inactive instead."""

    __table_args__ = (Index("ix_staff_hall_id", "hall_id", "id"),)  # see Window
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", max_length=36)
    window_id: str = Field(foreign_key="window.id", index=True, max_length=36)
    name: str = Field(max_length=50)
    role: str = Field(default="", max_length=20)
    active: bool = True
    position: int = 0
    search_keys: str = Field(default="", max_length=2000)
    sort_key: str = Field(default="", max_length=400)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))


class Posting(SQLModel, table=True):
    """One step of a person's history: from ``starts`` (None: from the beginning) they sit at
    ``window_id`` in ``role``, or, with no window, have left. Added, never changed: a move or a
    departure is a new row, so earlier periods keep the people they had."""

    __table_args__ = (Index("ix_posting_staff", "staff_id", "starts", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", index=True, max_length=36)
    staff_id: str = Field(foreign_key="staff.id", max_length=36)
    window_id: str | None = Field(default=None, foreign_key="window.id", max_length=36)
    role: str = Field(default="", max_length=20)
    starts: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))


class FindingType(SQLModel, table=True):
    """An item of the hall's rules."""

    __tablename__ = "finding_type"
    __table_args__ = (UniqueConstraint("hall_id", "code"), UniqueConstraint("hall_id", "name"))
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", index=True, max_length=36)
    code: str = Field(max_length=30)
    name: str = Field(max_length=50)
    category: str = Field(max_length=20)
    points: float
    hotkey: str = Field(max_length=1)
    level: str = Field(default="staff", max_length=10)  # staff | window
    aliases: str = Field(default="", max_length=200)  # separated by "|"
    phrase: str = Field(default="", max_length=200)  # how the notice says it
    position: int = 0
    active: bool = True


class Inspector(SQLModel, table=True):
    """Who logs findings."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(unique=True, max_length=50)
    # "scrypt$n$r$p$salt$hash" (patrol.hall.pins); None until the inspector sets a PIN.
    pin_hash: str | None = Field(default=None, max_length=200)


class ChainLinks(SQLModel):
    """The hash chain (storage.chain) of a chained table: the row's place in its device's chain,
    its salt, and its hashes."""

    chain_seq: int | None = None
    salt: str | None = Field(default=None, max_length=32)
    payload_hash: str | None = Field(default=None, max_length=64)
    prev_hash: str | None = Field(default=None, max_length=64)
    row_hash: str | None = Field(default=None, max_length=64)


class Finding(ChainLinks, table=True):
    """One observation. The points and category are copied from the rules when it is logged,
    so a later change of the rules never rewrites history."""

    __table_args__ = (
        # A period's ranking seeks each staff member's time range in this index and reads nothing
        # else (at 1.2M rows: 2.5 s with one-column indexes; see the README for today's figure).
        # type_id is in it so that 满勤 and 有效投诉 are counted from the index too.
        Index("ix_finding_staff_at_points", "staff_id", "at", "points", "category", "window_id", "type_id"),
        # The same for what belongs to a window alone (staff_id IS NULL).
        Index("ix_finding_window_staff_at", "window_id", "staff_id", "at", "points", "category", "type_id"),
        Index("ix_finding_hall_ref", "hall_id", "ref", unique=True),
        Index("ix_finding_hall_at", "hall_id", "at"),
        Index("ix_finding_device_created", "device", "created_at"),  # undo: this device's newest
        Index("ix_finding_device_seq", "device", "chain_seq", unique=True),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", max_length=36)
    window_id: str = Field(foreign_key="window.id", max_length=36)
    staff_id: str | None = Field(default=None, foreign_key="staff.id", max_length=36)
    substitute: bool = False
    type_id: str = Field(foreign_key="finding_type.id", max_length=36)
    category: str = Field(max_length=20)
    points: float
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    note: str = Field(default="", max_length=500)
    inspector_id: str | None = Field(default=None, foreign_key="inspector.id", max_length=36)
    device: str = Field(default="", max_length=64)
    replaces_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))
    # Set by a purge: the personal content (person, note) is gone, the hashes stay.
    redaction_id: str | None = Field(default=None, max_length=36)
    # The reference people read aloud: 2611-0042 (year and month of ``at`` in the hall's time,
    # then the number of the finding in that month). Unique in the hall.
    ref: str | None = Field(default=None, max_length=16)


class FindingRefCounter(SQLModel, table=True):
    """The last reference number given in each hall and month."""

    __tablename__ = "finding_ref_counter"
    hall_id: str = Field(foreign_key="hall.id", primary_key=True, max_length=36)
    month: str = Field(primary_key=True, max_length=4)  # YYMM
    last: int = 0


class Correction(ChainLinks, table=True):
    """Voids one finding, with a reason; an amendment also names the replacing finding."""

    __table_args__ = (Index("ix_correction_device_seq", "device", "chain_seq", unique=True),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    finding_id: str = Field(foreign_key="finding.id", unique=True, max_length=36)
    reason: str = Field(max_length=500)
    replacement_id: str | None = Field(default=None, max_length=36)
    inspector_id: str | None = Field(default=None, foreign_key="inspector.id", max_length=36)
    device: str = Field(default="", max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))
    # Set by a purge: the reason is gone, the hashes stay.
    redaction_id: str | None = Field(default=None, max_length=36)


class Redaction(ChainLinks, table=True):
    """A purge: the personal content of the findings and corrections before ``before`` was
    removed. It joins its device's chain, and says how many rows it covers so verify can tell a
    redacted row from one whose content was changed."""

    __table_args__ = (Index("ix_redaction_device_seq", "device", "chain_seq", unique=True),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    hall_id: str = Field(foreign_key="hall.id", max_length=36)
    before: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    findings: int
    corrections: int
    kept_digest: str = Field(max_length=64)  # storage.chain.kept_digest of the redacted rows
    inspector_id: str | None = Field(default=None, foreign_key="inspector.id", max_length=36)
    device: str = Field(default="", max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))


class AccessLog(ChainLinks, table=True):
    """Who looked at whose record or took data away, and when (exports, notices, lookups in the
    app and the CLI). Chained like a finding, so a line deleted or changed is found."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_at", "at"),
        Index("ix_access_log_device_seq", "device", "chain_seq", unique=True),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))
    who: str = Field(max_length=100)  # the inspector, or the system user when none is set
    action: str = Field(max_length=30)  # 导出 | 通报 | 查看记录 | 清除 (as the log is read)
    subject: str = Field(max_length=500)  # whose record, which period, which file
    # The end of the period the line is about (a record of 2022, an appendix of 2022年3月): a purge
    # before that day removes the line with the findings it was about.
    about_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    device: str = Field(default="", max_length=64)
    # Set by a purge: who looked and whose record are gone, the hashes stay.
    redaction_id: str | None = Field(default=None, max_length=36)


class RowVersion(ChainLinks, table=True):
    """A version of a row that gives findings their meaning (``storage.chain.VERSIONED``: halls,
    their rules, finding types, units, windows, staff, postings, inspectors): what the row's
    vouched columns held after patrol inserted or changed it. Chained like a finding; names the
    version it replaces, so each row's versions form one line whose last must equal the row."""

    __tablename__ = "row_version"
    __table_args__ = (
        Index("ix_row_version_device_seq", "device", "chain_seq", unique=True),
        Index("ix_row_version_row", "tbl", "row_id"),
        Index("ix_row_version_replaces", "replaces", unique=True),  # one successor each: no fork
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tbl: str = Field(max_length=20)
    row_id: str = Field(max_length=36)
    replaces: str | None = Field(default=None, max_length=36)
    content: str = Field(sa_column=Column(Text, nullable=False))  # storage.chain.content_of
    device: str = Field(default="", max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=utcnow))


class ChainHead(SQLModel, table=True):
    """The last link of each device's chain: a cut tail no longer matches it."""

    __tablename__ = "chain_head"
    device: str = Field(primary_key=True, max_length=64)
    seq: int
    row_hash: str = Field(max_length=64)
