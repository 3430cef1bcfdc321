"""The hall's working time: hours, its own days, punches of the clock-in machine, leave

Revision ID: 0006_attendance
Revises: 0005
Create Date: 2026-12-03

- ``work_hours``: versions of the working hours, each in force from a date (summer, winter).
- ``hall_day``: the hall's own working or rest days against the national calendar.
- ``punch``: one row per punch (who, when), unique per person and time, so a file imported twice
  adds nothing.
- ``leave``: approved leave (who, from, to, kind, approver).

New tables only: no existing row or hash changes.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006_attendance"
down_revision = "0006_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_hours",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), sa.ForeignKey("hall.id"), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("am", sa.String(length=11), nullable=False),
        sa.Column("pm", sa.String(length=11), nullable=False),
        sa.Column("grace", sa.Integer(), nullable=False),
        sa.Column("punches", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_hours_hall", "work_hours", ["hall_id", "starts", "created_at"])
    op.create_table(
        "hall_day",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), sa.ForeignKey("hall.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hall_day_hall", "hall_day", ["hall_id", "day", "created_at"])
    op.create_table(
        "punch",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), sa.ForeignKey("hall.id"), nullable=False),
        sa.Column("staff_id", sa.String(length=36), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("machine", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "at"),
    )
    op.create_index("ix_punch_hall_at", "punch", ["hall_id", "at"])
    op.create_table(
        "leave",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_id", sa.String(length=36), sa.ForeignKey("hall.id"), nullable=False),
        sa.Column("staff_id", sa.String(length=36), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("approver", sa.String(length=50), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_leave_staff", "leave", ["staff_id", "starts"])


def downgrade() -> None:
    op.drop_table("leave")
    op.drop_table("punch")
    op.drop_table("hall_day")
    op.drop_table("work_hours")
