"""Units: each person carries their own unit (a 综合窗口 holds staff of several units)

Revision ID: 0006_units
Revises: 0005
Create Date: 2026-12-03

- ``posting.unit_id``: the unit the person belongs to from the posting's day on; None means the
  unit of the window they sit at (every posting written before this revision). On the posting, so
  a person who changes unit changes later periods only, never earlier ones.

A posting's version lists ``unit_id`` only when it is set (``storage.chain.LATER_VERSIONED``), so
every version written before this revision still equals its row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_units"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posting") as batch:
        batch.add_column(sa.Column("unit_id", sa.String(length=36), nullable=True))
        batch.create_foreign_key("fk_posting_unit_id_unit", "unit", ["unit_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("posting") as batch:
        batch.drop_constraint("fk_posting_unit_id_unit", type_="foreignkey")
        batch.drop_column("unit_id")
