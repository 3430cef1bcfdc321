"""Window-credited items and counts: bonuses, 有效投诉 and 差评 may be logged with no name, and
the window item 无人在岗

Revision ID: 0006_credit
Revises: 0005
Create Date: 2026-12-03

- ``finding_type.level`` gains a third value, ``either``: named, the finding counts for the
  person; with no name, for the window. The default items that DESIGN makes ``either`` (bonuses,
  有效投诉, 差评) become so in every hall made before, where they are still ``staff`` (a hall
  that made one window-level on purpose keeps it).
- The default phrase of 压缩办理时限 becomes 主动为企业压缩办理时限, as the notices word it
  ("住建窗口主动为企业压缩办理时限28次"), where the hall still has the old default.
- Every hall gets the window item 无人在岗 (−2, the weight of 脱岗/空岗, hotkey v where free),
  unless it has an item of that code or name already.
- Each changed or added item gets its row version (``storage.chain.VERSIONED``), chained under the
  device ``migration-0006_credit``, so ``patrol verify`` vouches for the new rules as for the old.
- The two ranking indexes also cover ``count``: the period totals weigh each finding by it.

Done here, once, rather than when a hall is opened: opening reads without writing (the fast
start-up path has no SQLAlchemy at all), and a migration runs in the one transaction that
brings the schema up, so a hall never sees half of it.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006_credit"
down_revision = "0006_attendance"
branch_labels = None
depends_on = None

MIGRATION_DEVICE = "migration-0006_credit"
EITHER_CODES = ("complaint", "badreview", "visit", "faster", "booking", "overtime", "simplify", "praise")
OLD_FASTER_PHRASE, NEW_FASTER_PHRASE = "压缩办理时限", "主动为企业压缩办理时限"
VACANT = {
    "code": "vacant",
    "name": "无人在岗",
    "category": "考勤",
    "points": -2.0,
    "level": "window",
    "aliases": "",
    "phrase": "无人在岗",
    "active": True,
}
VACANT_HOTKEY = "v"
_INDEXES = {
    "ix_finding_staff_at_points": ["staff_id", "at", "points", "category", "window_id", "type_id"],
    "ix_finding_window_staff_at": ["window_id", "staff_id", "at", "points", "category", "type_id"],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.drop_index(name, table_name="finding")
        op.create_index(name, "finding", [*columns, "count"], unique=False)
    conn = op.get_bind()
    changed = _either_items(conn)
    added = _vacant_items(conn)
    _version(conn, changed, added)


def _either_items(conn: sa.Connection) -> list[str]:
    """Make the default either-level items so; return the ids of the items changed."""
    codes: sa.BindParameter[list[str]] = sa.bindparam("codes", expanding=True)
    ids = [
        row[0]
        for row in conn.execute(
            sa.text("SELECT id FROM finding_type WHERE code IN :codes AND level = 'staff'").bindparams(codes),
            {"codes": list(EITHER_CODES)},
        )
    ]
    ids += [
        row[0]
        for row in conn.execute(
            sa.text("SELECT id FROM finding_type WHERE code = 'faster' AND phrase = :old"), {"old": OLD_FASTER_PHRASE}
        )
    ]
    conn.execute(
        sa.text("UPDATE finding_type SET level = 'either' WHERE code IN :codes AND level = 'staff'").bindparams(codes),
        {"codes": list(EITHER_CODES)},
    )
    conn.execute(
        sa.text("UPDATE finding_type SET phrase = :new WHERE code = 'faster' AND phrase = :old"),
        {"new": NEW_FASTER_PHRASE, "old": OLD_FASTER_PHRASE},
    )
    return sorted(set(ids))


def _vacant_items(conn: sa.Connection) -> list[str]:
    """Add 无人在岗 to every hall that has no item of its code or name; return the new ids."""
    from storage.ids import new_id

    added = []
    for (hall_id,) in conn.execute(sa.text("SELECT id FROM hall ORDER BY id")).all():
        items = conn.execute(
            sa.text("SELECT code, name, hotkey, position FROM finding_type WHERE hall_id = :hall"), {"hall": hall_id}
        ).all()
        if any(code == VACANT["code"] or name == VACANT["name"] for code, name, _key, _pos in items):
            continue
        taken = {key for _code, _name, key, _pos in items}
        row = {
            **VACANT,
            "id": new_id(),
            "hall_id": hall_id,
            # A hall that gave v to an item of its own keeps it; 无人在岗 is then logged by name.
            "hotkey": VACANT_HOTKEY if VACANT_HOTKEY not in taken else "",
            "position": max((int(pos) for *_rest, pos in items), default=-1) + 1,
        }
        conn.execute(
            sa.text(
                "INSERT INTO finding_type (id, hall_id, code, name, category, points, hotkey, level, aliases, phrase, "
                "position, active) VALUES (:id, :hall_id, :code, :name, :category, :points, :hotkey, :level, "
                ":aliases, :phrase, :position, :active)"
            ),
            row,
        )
        added.append(str(row["id"]))
    return added


def _version(conn: sa.Connection, changed: list[str], added: list[str]) -> None:
    """A version of each changed item (replacing its latest) and a first one of each added item,
    chained under the migration's own device."""
    from storage.chain import GENESIS, content_of, link, versioned_select
    from storage.ids import new_id

    if not changed and not added:
        return
    table = sa.table(
        "row_version",
        *(sa.column(name) for name in ("id", "tbl", "row_id", "replaces", "content", "device")),
        sa.column("at", UTCDateTime()),
        *(sa.column(name) for name in ("chain_seq", "salt", "payload_hash", "prev_hash", "row_hash")),
    )
    latest = sa.text(
        "SELECT v.id FROM row_version v WHERE v.tbl = 'finding_type' AND v.row_id = :row "
        "AND NOT EXISTS (SELECT 1 FROM row_version n WHERE n.replaces = v.id)"
    )
    read = sa.text(versioned_select("finding_type") + " WHERE id = :row")
    now = datetime.now(UTC)
    head = conn.execute(
        sa.text("SELECT seq, row_hash FROM chain_head WHERE device = :device"), {"device": MIGRATION_DEVICE}
    ).first()
    seq, previous = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    rows = []
    for row_id in [*changed, *added]:
        replaces = conn.execute(latest, {"row": row_id}).scalar() if row_id in changed else None
        stored = conn.execute(read, {"row": row_id}).one()
        values = {
            "id": new_id(),
            "tbl": "finding_type",
            "row_id": row_id,
            "replaces": replaces,
            "content": content_of("finding_type", stored[1:]),
            "device": MIGRATION_DEVICE,
            "at": now,
        }
        seq += 1
        linked = {**values, **link("version", values, MIGRATION_DEVICE, seq, previous)}
        previous = linked["row_hash"]
        rows.append(linked)
    conn.execute(sa.insert(table), rows)
    if head:
        conn.execute(
            sa.text("UPDATE chain_head SET seq = :seq, row_hash = :head WHERE device = :device"),
            {"device": MIGRATION_DEVICE, "seq": seq, "head": previous},
        )
    else:
        conn.execute(
            sa.text("INSERT INTO chain_head (device, seq, row_hash) VALUES (:device, :seq, :head)"),
            {"device": MIGRATION_DEVICE, "seq": seq, "head": previous},
        )


def downgrade() -> None:
    # The versions stay: they are part of the chain. Only the indexes go back.
    for name, columns in _INDEXES.items():
        op.drop_index(name, table_name="finding")
        op.create_index(name, "finding", columns, unique=False)
