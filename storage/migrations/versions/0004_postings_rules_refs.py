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


def _new_id() -> str:
    from storage.ids import new_id

    return new_id()


def _postings_from_staff(conn: sa.Connection) -> None:
    now = datetime.now(UTC)
    halls = dict(conn.execute(sa.text("SELECT id, timezone FROM hall")).all())
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


def downgrade() -> None:
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
