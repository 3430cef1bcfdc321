"""Opening a hall: finding it in the database, creating one, and saying why a database that
cannot be read is unreadable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.model import HallInfo
from patrol.rules.settings import DEFAULT_SETTINGS
from patrol.text import clean_name
from storage import reads
from storage.errors import StorageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

# What reading a value patrol never writes raises (a time "garbage", points "abc", rules that are
# no JSON, put into the file behind patrol's back).
UNREADABLE = (ValueError, TypeError, LookupError)


class NoHallError(UserError):
    """The database holds no hall yet."""


def halls(reader: reads.Reader) -> list[HallInfo]:
    """Every hall in the database, oldest first."""
    out = []
    for row in reader.rows(reads.HALLS):
        opened = reads.to_utc(row.created_at).astimezone(_zone(row.name, row.timezone)).date()
        out.append(HallInfo(id=row.id, name=row.name, timezone=row.timezone, opened=opened))
    return out


def pick_hall(reader: reads.Reader, name: str | None) -> HallInfo:
    """The hall called ``name``, or the only/first hall; UserError when there is none."""
    found = halls(reader)
    if not found:
        raise NoHallError("数据库里还没有大厅。先运行 patrol init --hall 大厅名称，或用 patrol demo 试用。")
    if name is None:
        return found[0]
    for hall in found:
        if hall.name == name:
            return hall
    raise UserError(f"没有名为“{name}”的大厅。已有：{'、'.join(h.name for h in found)}。")


def open_hall(
    url: str,
    hall_name: str | None = None,
    *,
    inspector: str = "",
    device: str = "",
    fast: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> HallService:
    """Open a hall of the database at ``url`` (migrating the schema when it is old).

    With ``fast`` and a current SQLite file, reads use the standard library and SQLAlchemy is
    only imported at the first write.
    """
    from storage.schema import HEAD_REVISION
    from storage.urls import sqlite_file

    path = sqlite_file(url)
    if fast and path is not None and path.exists():
        from storage.files import check_database_location

        check_database_location(path)  # read nothing another user could have swapped in
        fast_reader = reads.SqliteReader(path)
        if reads.schema_revision(fast_reader) == HEAD_REVISION:
            hall = pick_hall(fast_reader, hall_name)
            return HallService(
                fast_reader,
                hall,
                engine_factory=lambda: engine_for(url),
                device=device,
                inspector=inspector,
                clock=clock,
            )
        fast_reader.close()
    engine = engine_for(url)
    reader: reads.SqliteReader | reads.AlchemyReader = (
        reads.SqliteReader(path) if path is not None else reads.AlchemyReader(engine)
    )
    hall = pick_hall(reader, hall_name)
    return HallService(
        reader, hall, engine_factory=lambda: engine, device=device, inspector=inspector, clock=clock, engine=engine
    )


def _zone(hall: str, timezone: str) -> ZoneInfo:
    """The hall's time zone; UserError naming the hall when the stored name is no time zone."""
    from zoneinfo import ZoneInfoNotFoundError

    from patrol.text import shown

    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise UserError(
            f"大厅“{shown(hall)}”的时区“{shown(str(timezone))}”无法识别（数据库可能已被改动）："
            "应为 Asia/Shanghai 这样的时区名。请恢复一份备份。"
        ) from None


def unreadable(url: str) -> str | None:
    """Why the database at ``url`` could not be read, after one of ``UNREADABLE``: the first problem
    `patrol verify` finds in it, in one line. None when it verifies (or cannot be checked): the
    error is then patrol's own and stays a traceback, to be fixed."""
    try:
        from storage.reads import AlchemyReader, SqliteReader
        from storage.urls import sqlite_file
        from storage.verify import verify

        engine = engine_for(url)
        try:
            path = sqlite_file(url)
            problem = verify(SqliteReader(path) if path is not None else AlchemyReader(engine)).problem
        finally:
            engine.dispose()
    except Exception:  # only a second opinion on an error already being raised
        return None
    if problem is None:
        return None
    return f"数据库中有 patrol 不会写出的内容，无法读取；校验未通过：{problem}"


def engine_for(url: str) -> Engine:
    """An engine on ``url`` with the schema brought up to date."""
    from storage.engine import open_engine

    return open_engine(url)


def init_hall(url: str, name: str, device: str = "") -> HallInfo:
    """Create the database (if needed) and a hall with the default rules (written by ``device``)."""
    from patrol.rules.items import DEFAULT_RULES
    from storage.writes import create_hall

    name = clean_name(name, "大厅名称", 100)
    if not name:
        raise UserError("大厅名称不能为空：patrol init --hall 大厅名称")
    engine = engine_for(url)
    try:
        hall_id = create_hall(
            engine, name, [item.as_row() for item in DEFAULT_RULES], DEFAULT_SETTINGS.to_json(), device=device
        )
    except StorageError as exc:
        raise UserError(str(exc)) from exc
    finally:
        engine.dispose()
    return HallInfo(id=hall_id, name=name)
