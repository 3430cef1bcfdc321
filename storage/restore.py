"""Putting a backup back (``patrol restore``).

A restore checks the backup first (integrity, schema, hash chain), keeps the current file aside,
and then writes the backup into the database file in place, through the backup API: a board or
a command that has the database open sees the restored content at its next read and writes its
next finding into it (replacing the file under it would have sent that finding into a deleted
file). Restoring another hall's backup over a hall is refused unless asked for.

It sits above ``storage.engine`` (a backup of an older schema is upgraded in a copy first) and
``storage.backup`` (the copies), which import neither this module nor each other in a circle.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from storage.backup import backups, backups_folder, copy_database, copy_new, real_path
from storage.engine import known_revisions, open_engine, unknown_revision_problem
from storage.errors import StorageError
from storage.files import check_database_location, processes_holding, temporary_folder
from storage.reads import SqliteReader, schema_revision
from storage.schema import HEAD_REVISION


def check_backup(path: Path) -> None:
    """Refuse a file that is not a whole, sound patrol database."""
    if path.is_dir():
        found = backups(path)
        raise StorageError(
            f"{path} 是文件夹，不是备份文件："
            + (f"请给出其中的一份，最新的是 {found[-1]}。" if found else "其中没有 patrol 的备份。")
            + "未恢复。"
        )
    if not path.is_file():
        raise StorageError(f"找不到备份文件：{path}")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_schema = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] if has_schema else []
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path.name} 不是可用的数据库（{exc}），未恢复。") from exc
    if result != "ok":
        raise StorageError(f"{path.name} 已损坏（{result}），未恢复。")
    if not has_schema or len(revisions) != 1:  # a bare alembic_version table is no database of ours
        raise StorageError(f"{path.name} 不是 patrol 的数据库，未恢复。")
    if revisions[0] not in known_revisions():
        raise StorageError(unknown_revision_problem(path.name, str(revisions[0])).replace("未打开", "未恢复"))


def check_chain(backup: Path, workdir: Path) -> Path:
    """Verify the hash chain of ``backup``; returns the file to restore from. A backup of an
    older schema is upgraded in a copy inside ``workdir`` first (as opening it would), and that
    copy is what gets checked and restored."""
    from storage.verify import verify  # the whole chain walk, only when a restore runs

    source = backup
    reader = SqliteReader(backup)
    try:
        old = schema_revision(reader) != HEAD_REVISION
    finally:
        reader.close()
    if old:
        source = workdir / "upgraded.db"
        copy_database(backup, source)
        open_engine(f"sqlite:///{source}").dispose()
    reader = SqliteReader(source)
    try:
        verdict = verify(reader)
    finally:
        reader.close()
    if not verdict.ok:
        raise StorageError(f"{backup.name} 的散列链校验未通过：{verdict.problem} 未恢复。")
    return source


def _halls(path: Path) -> dict[str, str]:
    """The halls in a database file: id -> name."""
    with closing(sqlite3.connect(path, timeout=10)) as conn:
        try:
            return dict(conn.execute("SELECT id, name FROM hall ORDER BY created_at, name").fetchall())
        except sqlite3.OperationalError:
            return {}


class OtherHall(StorageError):
    """The backup holds other halls than the database: restoring it would put another hall in
    this one's place. Said with both names; done only when confirmed."""

    def __init__(self, backup: Path, current: dict[str, str], restored: dict[str, str]) -> None:
        theirs = "、".join(f"“{name}”" for name in restored.values()) or "（没有大厅）"
        ours = "、".join(f"“{name}”" for name in current.values())
        same = set(current.values()) & set(restored.values())
        hint = "（同名，但不是同一个数据库里的大厅）" if same else ""
        super().__init__(
            f"{backup.name} 是另一个大厅的备份：备份中是 {theirs}，当前数据库是 {ours}{hint}。"
            "恢复后当前大厅的记录只留在另存的文件里。"
        )


@dataclass
class Restored:
    """What a restore did."""

    database: Path  # the file written (a link's target)
    aside: Path | None  # the database as it was, kept
    holders: list[str] = field(default_factory=list)  # processes that had it open (they see the restored content)


def restore(database: Path, backup: Path, now: datetime, *, other_hall: bool = False) -> Restored:
    """Put ``backup`` into ``database`` after checking it (integrity, schema, hash chain, which
    hall); the current content is kept aside first. ``other_hall``: the backup may hold another
    hall than the database (``OtherHall`` otherwise)."""
    real = real_path(database)
    check_database_location(real)
    if backup.exists() and real.exists() and backup.resolve().samefile(real):
        found = backups(backups_folder(database))
        raise StorageError(
            f"{backup} 就是要恢复的数据库本身，不是它的备份："
            + (f"请给出 {found[-1].parent} 里的一份（最新的是 {found[-1].name}）。" if found else "请给出备份文件。")
            + "未恢复。"
        )
    check_backup(backup)
    with temporary_folder(real.parent) as work:  # beside the database, owner-only, always removed
        source = check_chain(backup, work)
        current = _halls(real) if real.exists() else {}
        restored = _halls(source)
        holders = processes_holding(real)
        if current and not set(current) & set(restored):
            if holders:
                raise StorageError(
                    f"{backup.name} 是另一个大厅的备份，而数据库正被 {'、'.join(holders)} 打开："
                    "请先关闭它（退出巡查界面）再恢复。未恢复。"
                )
            if not other_hall:
                raise OtherHall(backup, current, restored)
        if not real.exists():
            copy_database(source, real)
            return Restored(real, None, holders)

        def aside_name(n: int) -> str:
            return f"{real.name}.before-restore-{now:%Y%m%d-%H%M%S}" + (f"-{n + 1}" if n else "")

        aside = copy_new(real, real.parent, aside_name)
        _write_in_place(source, real, backup)
    return Restored(real, aside, holders)


def _write_in_place(source: Path, database: Path, backup: Path) -> None:
    """Replace the content of ``database`` by that of ``source`` in one transaction, through the
    backup API: connections others hold stay valid and see the new content (the schema cookie
    changes, so they read the schema again), a crash half-way leaves the old content whole."""
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(database, timeout=10)) as dst:
            dst.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst)
    except sqlite3.Error as exc:
        raise StorageError(f"无法把 {backup.name} 写入 {database}（{exc}）。数据库未改变。") from exc
