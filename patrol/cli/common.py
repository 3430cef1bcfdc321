"""What the commands share: the database URL, opening the hall, reading a period."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from patrol import config

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from patrol.rules.periods import Period


def url(args: argparse.Namespace) -> str:
    """The database URL: --db, else PATROL_DB, else the default file."""
    return args.db or config.default_db_url()


def existing_database(db_url: str) -> None:
    """Refuse a SQLite file that is not there: a typo in --db must not make an empty database
    (folders and all) and then report on it (`verify` said 校验通过：0 台设备 of a typo)."""
    from patrol.errors import UserError
    from storage.urls import sqlite_file

    path = sqlite_file(db_url)
    if path is not None and not path.exists():
        raise UserError(
            f"数据库文件 {path} 不存在：请检查 --db 或 PATROL_DB 给出的路径。"
            "新建大厅用 patrol init --hall 大厅名称（或 patrol roster import 名册.xlsx）。"
        )


def open_service(args: argparse.Namespace, fast: bool = True, create: bool = False) -> HallService:
    """The hall named by --hall (or the only one), opened for the inspector on this device. The
    database file must exist unless ``create`` (a roster import may bring the first hall)."""
    from patrol.hall.opening import open_hall

    if not create:
        existing_database(url(args))
    return open_hall(
        url(args),
        args.hall,
        inspector=args.inspector or config.default_inspector(),
        device=config.device_id(),
        fast=fast,
    )


def period(args: argparse.Namespace, service: HallService) -> Period:
    """--period as given, or the current month; a period that has not begun is refused."""
    from patrol.errors import UserError
    from patrol.rules.periods import Period

    chosen = Period.parse(args.period) if args.period is not None else service.current_period()
    today = service.today()
    if chosen.is_after(today):
        raise UserError(f"统计周期 {chosen.label} 尚未开始（今天是 {today:%Y-%m-%d}），没有可统计的记录。")
    return chosen
