"""Patrol rounds and month close: windows seen with nothing wrong, and closed periods

Revision ID: 0006_rounds
Revises: 0005
Create Date: 2026-12-03

- ``seen``: an inspector saw a window and found nothing wrong (a key on the open window, or
  `patrol seen`). Evidence of the patrol, chained like a finding; rounds (巡查轮次) are counted
  from these and the findings.
- ``period_close``: a period closed after its notice (月结) or opened again, who, when and why.
  Chained; the latest row of a period says whether it is closed.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006_rounds"
down_revision = "0006_units"
branch_labels = None
depends_on = None


def _chain_columns() -> list[sa.Column]:
    return [
        sa.Column("chain_seq", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "seen",
        *_chain_columns(),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("window_id", sa.String(length=36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"]),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_seen_hall_at", "seen", ["hall_id", "at"], unique=False)
    op.create_index("ix_seen_device_seq", "seen", ["device", "chain_seq"], unique=True)
    op.create_table(
        "period_close",
        *_chain_columns(),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("starts", UTCDateTime(), nullable=False),
        sa.Column("ends", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_period_close_hall", "period_close", ["hall_id", "period"], unique=False)
    op.create_index("ix_period_close_device_seq", "period_close", ["device", "chain_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_period_close_device_seq", table_name="period_close")
    op.drop_index("ix_period_close_hall", table_name="period_close")
    op.drop_table("period_close")
    op.drop_index("ix_seen_device_seq", table_name="seen")
    op.drop_index("ix_seen_hall_at", table_name="seen")
    op.drop_table("seen")
