"""Postings with dates, the hall's rules as versions, and record references

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

- ``posting``: each person's history (who sat at which window from which day). Existing staff
  get one posting from the beginning at their window; people marked inactive get a second one,
  "left", from the day of this migration (when they left was never recorded).
- ``hall_rules``: the settings that were columns of ``hall`` become a first version, in force
  from the beginning.
- ``finding.ref``: a reference people can read aloud (2611-0042), numbered per hall and month in
  the order the findings were written.
- ``window.starts``: the day a window opened (existing windows: from the beginning).
- The two ranking indexes also cover ``type_id`` (满勤 and 有效投诉 are counted from them).
- The hash chain: a seq is unique in each device's chain (unique indexes). Chains that the
  chain-head bug of earlier versions left without a head, or numbered twice from 1 (a device whose
  first write was an import), are mended first: the affected device's rows are linked again in
  the order written, each keeping its payload hash, so a changed content still shows.
- ``row_version``: chained versions of the rows that give findings their meaning (halls, rules,
  finding types, units, windows, staff, postings, inspectors). Every existing row gets a first
  version, chained under the device ``migration-0004``.
- ``access_log.about_until``: the end of the period a line is about, so a purge removes the lines
  about the purged period. The access log is chained too (device, chain columns, redaction_id);
  the lines so far join the chain of ``migration-0004`` after the first versions.
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "posting",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("window_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("starts", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_posting_hall_id", "posting", ["hall_id"], unique=False)
    op.create_index("ix_posting_staff", "posting", ["staff_id", "starts", "created_at"], unique=False)
    op.create_table(
        "hall_rules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("starts", sa.Date(), nullable=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hall_rules_hall", "hall_rules", ["hall_id", "starts", "created_at"], unique=False)
    op.create_table(
        "finding_ref_counter",
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=4), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.PrimaryKeyConstraint("hall_id", "month"),
    )
    # Nullable columns added in place: no copy of a table of a million findings.
    op.add_column("finding", sa.Column("ref", sa.String(length=16), nullable=True))
    op.add_column("window", sa.Column("starts", sa.Date(), nullable=True))
    op.drop_index("ix_finding_staff_at_points", table_name="finding")
    op.create_index(
        "ix_finding_staff_at_points",
        "finding",
        ["staff_id", "at", "points", "category", "window_id", "type_id"],
        unique=False,
    )
    op.drop_index("ix_finding_window_staff_at", table_name="finding")
    op.create_index(
        "ix_finding_window_staff_at",
        "finding",
        ["window_id", "staff_id", "at", "points", "category", "type_id"],
        unique=False,
    )
    conn = op.get_bind()
    _postings_from_staff(conn)
    _rules_from_halls(conn)
    _number_findings(conn)
    op.create_index("ix_finding_hall_ref", "finding", ["hall_id", "ref"], unique=True)
    _mend_chains(conn)
    for table in CHAINED:
        op.drop_index(f"ix_{table}_device_seq", table_name=table)
        op.create_index(f"ix_{table}_device_seq", table, ["device", "chain_seq"], unique=True)
    op.create_table(
        "row_version",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tbl", sa.String(length=20), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("replaces", sa.String(length=36), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_row_version_device_seq", "row_version", ["device", "chain_seq"], unique=True)
    op.create_index("ix_row_version_row", "row_version", ["tbl", "row_id"], unique=False)
    op.create_index("ix_row_version_replaces", "row_version", ["replaces"], unique=True)
    op.add_column("access_log", sa.Column("about_until", UTCDateTime(), nullable=True))
    with op.batch_alter_table("access_log") as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("redaction_id", sa.String(length=36), nullable=True))
        for name, length in (("salt", 32), ("payload_hash", 64), ("prev_hash", 64), ("row_hash", 64)):
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
    op.create_index("ix_access_log_device_seq", "access_log", ["device", "chain_seq"], unique=True)
    seq, previous = _version_existing_rows(conn)
    _chain_access_log(conn, seq, previous)


def _new_id() -> str:
    from storage.ids import new_id

    return new_id()


def _postings_from_staff(conn: sa.Connection) -> None:
    now = datetime.now(UTC)
    halls: dict[str, str] = {hall: zone for hall, zone in conn.execute(sa.text("SELECT id, timezone FROM hall"))}
    rows = conn.execute(sa.text("SELECT id, hall_id, window_id, role, active FROM staff ORDER BY id")).all()
    postings = []
    for staff_id, hall_id, window_id, role, active in rows:
        common = {"hall_id": hall_id, "staff_id": staff_id, "created_at": now}
        postings.append({"id": _new_id(), "window_id": window_id, "role": role or "", "starts": None, **common})
        if not active:
            today = now.astimezone(ZoneInfo(halls.get(hall_id) or "Asia/Shanghai")).date()
            postings.append({"id": _new_id(), "window_id": None, "role": "", "starts": today, **common})
    table = sa.table(
        "posting",
        sa.column("id"),
        sa.column("hall_id"),
        sa.column("staff_id"),
        sa.column("window_id"),
        sa.column("role"),
        sa.column("starts", sa.Date()),
        sa.column("created_at", UTCDateTime()),
    )
    if postings:
        conn.execute(sa.insert(table), postings)


def _rules_from_halls(conn: sa.Connection) -> None:
    now = datetime.now(UTC)
    rows = conn.execute(
        sa.text("SELECT id, top_staff, top_windows, window_score_mode, score_floor, bonus_cap FROM hall")
    ).all()
    table = sa.table(
        "hall_rules",
        sa.column("id"),
        sa.column("hall_id"),
        sa.column("starts", sa.Date()),
        sa.column("settings"),
        sa.column("created_at", UTCDateTime()),
    )
    for hall_id, top_staff, top_windows, mode, floor, cap in rows:
        settings = {
            "top_staff": top_staff,
            "top_windows": top_windows,
            "window_score_mode": mode or "average",
            "score_floor": floor,
            "bonus_cap": cap,
        }
        conn.execute(
            sa.insert(table),
            [
                {
                    "id": _new_id(),
                    "hall_id": hall_id,
                    "starts": None,
                    "settings": json.dumps(settings),
                    "created_at": now,
                }
            ],
        )


def _number_findings(conn: sa.Connection) -> None:
    """Give every finding its reference, per hall and local month, in the order written."""
    from storage.reads import to_utc

    halls = conn.execute(sa.text("SELECT id, timezone FROM hall"))
    zones = {hall_id: ZoneInfo(tz or "Asia/Shanghai") for hall_id, tz in halls}
    counters: dict[tuple[str, str], int] = {}
    # Streamed per statement: options set on the connection would also apply to the DDL after it.
    result = conn.execute(
        sa.text("SELECT id, hall_id, at FROM finding ORDER BY created_at, id"),
        execution_options={"stream_results": True, "yield_per": BATCH},
    )
    update = sa.text("UPDATE finding SET ref = :ref WHERE id = :id")
    pending: list[dict[str, str]] = []
    for finding_id, hall_id, at in result:
        month = to_utc(at).astimezone(zones[hall_id]).strftime("%y%m")
        number = counters.get((hall_id, month), 0) + 1
        counters[(hall_id, month)] = number
        pending.append({"id": finding_id, "ref": f"{month}-{number:04d}"})
        if len(pending) >= BATCH:
            conn.execute(update, pending)
            pending = []
    if pending:
        conn.execute(update, pending)
    counter = sa.table("finding_ref_counter", sa.column("hall_id"), sa.column("month"), sa.column("last"))
    if counters:
        conn.execute(
            sa.insert(counter),
            [{"hall_id": hall_id, "month": month, "last": last} for (hall_id, month), last in counters.items()],
        )


CHAINED = ("finding", "correction", "redaction")
# When each kind of row was written, to put a device's rows back in order.
WRITTEN = {"finding": "created_at", "correction": "at", "redaction": "at"}
MIGRATION_DEVICE = "migration-0004"


def _mend_chains(conn: sa.Connection) -> None:
    """Mend what the chain-head bug left: a device numbered twice (its first write was a batch,
    which made no head, so its next write started again at 1) is linked again in the order its
    rows were written; a device with rows and no head gets the head of its last row. Payload
    hashes are kept as they are: a row whose content was changed still fails verify."""
    from storage.chain import GENESIS, row_hash
    from storage.reads import to_utc

    seqs = " UNION ALL ".join(f"SELECT device, chain_seq FROM {table} WHERE chain_seq IS NOT NULL" for table in CHAINED)
    doubled = [
        device
        for (device,) in conn.execute(
            sa.text(f"SELECT device FROM ({seqs}) s GROUP BY device, chain_seq HAVING COUNT(*) > 1")
        )
    ]
    for device in sorted(set(doubled)):
        rows = []
        for order, table in enumerate(CHAINED):
            found = conn.execute(
                sa.text(
                    f"SELECT id, {WRITTEN[table]}, chain_seq, payload_hash FROM {table} "
                    "WHERE device = :device AND chain_seq IS NOT NULL"
                ),
                {"device": device},
            )
            rows += [(to_utc(written), seq, order, row_id, table, payload) for row_id, written, seq, payload in found]
        rows.sort(key=lambda r: r[:4])
        previous = GENESIS
        for seq, (_written, _old, _order, row_id, table, payload) in enumerate(rows, start=1):
            link = row_hash(table, device, seq, previous, payload)
            conn.execute(
                sa.text(f"UPDATE {table} SET chain_seq = :seq, prev_hash = :prev, row_hash = :link WHERE id = :id"),
                {"seq": seq, "prev": previous, "link": link, "id": row_id},
            )
            previous = link
        conn.execute(sa.text("DELETE FROM chain_head WHERE device = :device"), {"device": device})
        conn.execute(
            sa.text("INSERT INTO chain_head (device, seq, row_hash) VALUES (:device, :seq, :head)"),
            {"device": device, "seq": len(rows), "head": previous},
        )
    # Devices with rows and no head at all (their only write was a batch): the head of their last row.
    every = " UNION ALL ".join(
        f"SELECT device, chain_seq, row_hash FROM {table} WHERE chain_seq IS NOT NULL" for table in CHAINED
    )
    last: dict[str, tuple[int, str]] = {}
    for device, seq, link in conn.execute(
        sa.text(
            f"SELECT device, chain_seq, row_hash FROM ({every}) s "
            "WHERE NOT EXISTS (SELECT 1 FROM chain_head h WHERE h.device = s.device)"
        )
    ):
        if device not in last or int(seq) > last[device][0]:
            last[device] = (int(seq), link)
    for device, (seq, link) in sorted(last.items()):
        conn.execute(
            sa.text("INSERT INTO chain_head (device, seq, row_hash) VALUES (:device, :seq, :head)"),
            {"device": device, "seq": seq, "head": link},
        )


EXISTING_AT_0004 = ("hall", "hall_rules", "finding_type", "unit", "window", "staff", "posting", "inspector")


def _version_existing_rows(conn: sa.Connection) -> tuple[int, str]:
    """A first version of every row that gives findings their meaning, chained under one device
    of its own: from now on a change made behind patrol's back no longer matches it."""
    from storage.chain import GENESIS, VERSIONED, content_of, link, versioned_select

    table = sa.table(
        "row_version",
        *(sa.column(name) for name in ("id", "tbl", "row_id", "replaces", "content", "device")),
        sa.column("at", UTCDateTime()),
        *(sa.column(name) for name in ("chain_seq", "salt", "payload_hash", "prev_hash", "row_hash")),
    )
    now = datetime.now(UTC)
    seq, previous = 0, GENESIS
    pending: list[dict[str, object]] = []
    # The tables that existed at this revision: VERSIONED grows with later ones (0006's hours and
    # leave), which this migration must not read.
    for name in [n for n in VERSIONED if n in EXISTING_AT_0004]:
        for row in conn.execute(sa.text(versioned_select(name, with_later=False) + " ORDER BY id")):
            values = {
                "id": _new_id(),
                "tbl": name,
                "row_id": row[0],
                "replaces": None,
                "content": content_of(name, row[1:]),
                "device": MIGRATION_DEVICE,
                "at": now,
            }
            seq += 1
            linked = {**values, **link("version", values, MIGRATION_DEVICE, seq, previous)}
            previous = linked["row_hash"]
            pending.append(linked)
            if len(pending) >= BATCH:
                conn.execute(sa.insert(table), pending)
                pending = []
    if pending:
        conn.execute(sa.insert(table), pending)
    return seq, previous


def _chain_access_log(conn: sa.Connection, seq: int, previous: str) -> None:
    """The access log so far joins the chain of the migration's device, oldest line first, after
    the first versions; then that chain's head is written."""
    from storage.chain import FIELDS, link

    fields = [name for name in FIELDS["access"] if name != "device"]
    found = conn.execute(sa.text(f"SELECT {', '.join(fields)} FROM access_log ORDER BY at, id")).all()
    for row in found:
        values = {**dict(zip(fields, row, strict=True)), "device": MIGRATION_DEVICE}
        seq += 1
        linked = link("access", values, MIGRATION_DEVICE, seq, previous)
        previous = linked["row_hash"]
        conn.execute(
            sa.text(
                "UPDATE access_log SET device = :device, chain_seq = :chain_seq, salt = :salt, "
                "payload_hash = :payload_hash, prev_hash = :prev_hash, row_hash = :row_hash WHERE id = :id"
            ),
            {**linked, "device": MIGRATION_DEVICE, "id": values["id"]},
        )
    if seq:
        conn.execute(
            sa.text("INSERT INTO chain_head (device, seq, row_hash) VALUES (:device, :seq, :head)"),
            {"device": MIGRATION_DEVICE, "seq": seq, "head": previous},
        )


def downgrade() -> None:
    op.drop_index("ix_access_log_device_seq", table_name="access_log")
    with op.batch_alter_table("access_log") as batch_op:
        for name in ("chain_seq", "row_hash", "prev_hash", "payload_hash", "salt", "redaction_id", "device"):
            batch_op.drop_column(name)
        batch_op.drop_column("about_until")
    op.execute(sa.text("DELETE FROM chain_head WHERE device = :device").bindparams(device=MIGRATION_DEVICE))
    op.drop_index("ix_row_version_replaces", table_name="row_version")
    op.drop_index("ix_row_version_row", table_name="row_version")
    op.drop_index("ix_row_version_device_seq", table_name="row_version")
    op.drop_table("row_version")
    for table in CHAINED:
        op.drop_index(f"ix_{table}_device_seq", table_name=table)
        op.create_index(f"ix_{table}_device_seq", table, ["device", "chain_seq"], unique=False)
    with op.batch_alter_table("window") as batch_op:
        batch_op.drop_column("starts")
    op.drop_index("ix_finding_hall_ref", table_name="finding")
    with op.batch_alter_table("finding") as batch_op:
        batch_op.drop_column("ref")
    op.drop_table("finding_ref_counter")
    op.drop_index("ix_hall_rules_hall", table_name="hall_rules")
    op.drop_table("hall_rules")
    op.drop_index("ix_posting_staff", table_name="posting")
    op.drop_index("ix_posting_hall_id", table_name="posting")
    op.drop_table("posting")
    op.drop_index("ix_finding_window_staff_at", table_name="finding")
    op.create_index(
        "ix_finding_window_staff_at", "finding", ["window_id", "staff_id", "at", "points", "category"], unique=False
    )
    op.drop_index("ix_finding_staff_at_points", table_name="finding")
    op.create_index(
        "ix_finding_staff_at_points", "finding", ["staff_id", "at", "points", "category", "window_id"], unique=False
    )
