"""The hall's month: where a finding came from, how many it stands for, and its minutes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

- ``finding.source``: ``patrol`` (the app, `log`), ``clockin`` (from the punches), ``leave`` (the
  leave register), ``import`` (an import of findings). Existing findings are patrols, or imports
  where the device says so.
- ``finding.count``: one finding may stand for several (压缩办理时限 28 次); existing ones are 1.
- ``finding.minutes``: minutes late, early or away, where the item has them.

The chain's payload of a finding lists these only when one differs from its default
(``storage.chain.LATER_DEFAULTS``), so every hash written before this revision still holds.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="patrol"))
        batch.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("minutes")
        batch.drop_column("count")
        batch.drop_column("source")
