"""PINs, purges (redaction) and the access log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns are added in place (no copy of a table of a million findings).
    op.add_column("inspector", sa.Column("pin_hash", sa.String(length=200), nullable=True))
    op.add_column("finding", sa.Column("redaction_id", sa.String(length=36), nullable=True))
    op.add_column("correction", sa.Column("redaction_id", sa.String(length=36), nullable=True))
    op.create_table(
        "redaction",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("before", UTCDateTime(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("kept_digest", sa.String(length=64), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_redaction_device_seq", "redaction", ["device", "chain_seq"], unique=False)
    op.create_table(
        "access_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")
    op.drop_index("ix_redaction_device_seq", table_name="redaction")
    op.drop_table("redaction")
    with op.batch_alter_table("correction") as batch_op:
        batch_op.drop_column("redaction_id")
    with op.batch_alter_table("finding") as batch_op:
        batch_op.drop_column("redaction_id")
    with op.batch_alter_table("inspector") as batch_op:
        batch_op.drop_column("pin_hash")
