"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("top_staff", sa.Integer(), nullable=False),
        sa.Column("top_windows", sa.Integer(), nullable=False),
        sa.Column("window_score_mode", sa.String(length=16), nullable=False),
        sa.Column("score_floor", sa.Float(), nullable=True),
        sa.Column("bonus_cap", sa.Float(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "inspector",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "finding_type",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("hotkey", sa.String(length=1), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("aliases", sa.String(length=200), nullable=False),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["hall.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hall_id", "code"),
        sa.UniqueConstraint("hall_id", "name"),
    )
    with op.batch_alter_table("finding_type", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_type_hall_id"), ["hall_id"], unique=False)

    op.create_table(
        "unit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("search_keys", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["hall.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hall_id", "name"),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_hall_id"), ["hall_id"], unique=False)

    op.create_table(
        "window",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=True),
        sa.Column("zone", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search_keys", sa.String(length=2000), nullable=False),
        sa.Column("sort_key", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["hall.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hall_id", "code"),
    )
    with op.batch_alter_table("window", schema=None) as batch_op:
        batch_op.create_index("ix_window_hall_id", ["hall_id", "id"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("window_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search_keys", sa.String(length=2000), nullable=False),
        sa.Column("sort_key", sa.String(length=400), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["hall.id"],
        ),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["window.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index("ix_staff_hall_id", ["hall_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_window_id"), ["window_id"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), nullable=False),
        sa.Column("window_id", sa.String(length=36), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=True),
        sa.Column("substitute", sa.Boolean(), nullable=False),
        sa.Column("type_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("replaces_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"],
            ["hall.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["finding_type.id"],
        ),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["window.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index("ix_finding_device_created", ["device", "created_at"], unique=False)
        batch_op.create_index("ix_finding_hall_at", ["hall_id", "at"], unique=False)
        batch_op.create_index(
            "ix_finding_staff_at_points", ["staff_id", "at", "points", "category", "window_id"], unique=False
        )
        batch_op.create_index(
            "ix_finding_window_staff_at", ["window_id", "staff_id", "at", "points", "category"], unique=False
        )

    op.create_table(
        "correction",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("replacement_id", sa.String(length=36), nullable=True),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("finding_id"),
    )


def downgrade() -> None:
    op.drop_table("correction")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_window_staff_at")
        batch_op.drop_index("ix_finding_staff_at_points")
        batch_op.drop_index("ix_finding_hall_at")
        batch_op.drop_index("ix_finding_device_created")

    op.drop_table("finding")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_window_id"))
        batch_op.drop_index("ix_staff_hall_id")

    op.drop_table("staff")
    with op.batch_alter_table("window", schema=None) as batch_op:
        batch_op.drop_index("ix_window_hall_id")

    op.drop_table("window")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_hall_id"))

    op.drop_table("unit")
    with op.batch_alter_table("finding_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_type_hall_id"))

    op.drop_table("finding_type")
    op.drop_table("inspector")
    op.drop_table("hall")
