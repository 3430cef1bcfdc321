"""hash chain

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_head",
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("device"),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("salt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("payload_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_correction_device_seq", ["device", "chain_seq"], unique=False)

    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("salt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("payload_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_finding_device_seq", ["device", "chain_seq"], unique=False)

    _chain_existing_rows()


def _chain_existing_rows() -> None:
    """Link the rows written before the chain existed, per device, in the order they were written."""
    from storage.chain import CORRECTION_FIELDS, FINDING_FIELDS, GENESIS, link
    from storage.reads import to_utc

    conn = op.get_bind()
    findings = (
        conn.execute(
            # The columns this revision knows (later ones are added by later revisions).
            sa.text(
                f"SELECT {', '.join(FINDING_FIELDS[: FINDING_FIELDS.index('source')])}, created_at "
                "FROM finding ORDER BY device, created_at, id"
            )
        )
        .mappings()
        .all()
    )
    corrections = (
        conn.execute(sa.text(f"SELECT {', '.join(CORRECTION_FIELDS)} FROM correction ORDER BY device, at, id"))
        .mappings()
        .all()
    )
    rows = [("finding", dict(r), to_utc(r["created_at"])) for r in findings]
    rows += [("correction", dict(r), to_utc(r["at"])) for r in corrections]
    rows.sort(key=lambda item: (item[1]["device"], item[2], 0 if item[0] == "finding" else 1, item[1]["id"]))
    heads: dict[str, tuple[int, str]] = {}
    for kind, values, _when in rows:
        for name in ("at", "created_at"):
            if values.get(name) is not None:
                values[name] = to_utc(values[name])
        device = values["device"]
        seq, previous = heads.get(device, (0, GENESIS))
        links = link(kind, values, device, seq + 1, previous)
        conn.execute(
            sa.text(
                f"UPDATE {kind} SET chain_seq = :chain_seq, salt = :salt, payload_hash = :payload_hash, "
                "prev_hash = :prev_hash, row_hash = :row_hash WHERE id = :id"
            ),
            {**links, "id": values["id"]},
        )
        heads[device] = (seq + 1, links["row_hash"])
    for device, (seq, head) in heads.items():
        conn.execute(
            sa.text("INSERT INTO chain_head (device, seq, row_hash) VALUES (:d, :s, :h)"),
            {"d": device, "s": seq, "h": head},
        )


def downgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_device_seq")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("payload_hash")
        batch_op.drop_column("salt")
        batch_op.drop_column("chain_seq")

    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_device_seq")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("payload_hash")
        batch_op.drop_column("salt")
        batch_op.drop_column("chain_seq")

    op.drop_table("chain_head")
