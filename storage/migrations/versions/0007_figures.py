"""Service figures: a hall's monthly 受理, 办结, 按时办结, 好评 and 差评 per window

Revision ID: 0007_figures
Revises: 0006_credit
Create Date: 2026-12-03

- ``service_import``: one import of one month's figures (who, when, from which file), naming the
  import of that month it replaces. Chained: a re-import is a recorded correction, never an edit.
- ``service_figure``: one window's figures of one month, belonging to one import. Chained; the
  figures of a month are those of its import that no later import replaces.

Only new tables: every row written before hashes as it did.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0007_figures"
down_revision = "0006_credit"
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
        "service_import",
        *_chain_columns(),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("replaces_id", sa.String(length=36), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_service_import_hall_month", "service_import", ["hall_id", "month"], unique=False)
    op.create_index("ix_service_import_replaces", "service_import", ["replaces_id"], unique=True)
    op.create_index("ix_service_import_device_seq", "service_import", ["device", "chain_seq"], unique=True)
    op.create_table(
        "service_figure",
        *_chain_columns(),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("window_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("good", sa.Integer(), nullable=True),
        sa.Column("bad", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["service_import.id"]),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"]),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_service_figure_import", "service_figure", ["import_id", "window_id"], unique=True)
    op.create_index("ix_service_figure_hall_month", "service_figure", ["hall_id", "month"], unique=False)
    op.create_index("ix_service_figure_device_seq", "service_figure", ["device", "chain_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_service_figure_device_seq", table_name="service_figure")
    op.drop_index("ix_service_figure_hall_month", table_name="service_figure")
    op.drop_index("ix_service_figure_import", table_name="service_figure")
    op.drop_table("service_figure")
    op.drop_index("ix_service_import_device_seq", table_name="service_import")
    op.drop_index("ix_service_import_replaces", table_name="service_import")
    op.drop_index("ix_service_import_hall_month", table_name="service_import")
    op.drop_table("service_import")
