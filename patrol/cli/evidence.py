"""Evidence and safekeeping: `verify`, `backup`, `restore`, `access-log`, `purge`, `pin`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from patrol.cli.common import open_service, url
from patrol.errors import UserError


def register(sub: Any) -> None:
    """Add the evidence commands."""
    p = sub.add_parser(
        "verify",
        help="校验全部记录未被改动",
        description="逐台设备检查巡查记录和更正记录的散列链：内容被改、记录被删除、插入、调换或链尾被截断都会被发现。"
        "全部完好时退出码为 0，否则报告第一处断链及其记录并以 1 退出。",
    )
    p.add_argument("--digest", action="store_true", help="只打印链头摘要（印在附表1 末尾，日后可据此核对）")
    p.set_defaults(func=verify)
    p = sub.add_parser(
        "backup",
        help="立即备份数据库",
        description="用 SQLite 在线备份（使用中也安全）把数据库备份到数据库旁的 backups 文件夹，"
        "只有本人可读，保留最近 30 份。打开巡查界面时每天也会自动备份一次。",
    )
    p.set_defaults(func=backup_or_restore)
    p = sub.add_parser(
        "restore",
        help="从备份恢复数据库",
        description="先检查备份文件完整可用、散列链未被改动，再恢复；"
        "当前数据库另存为 patrol.db.before-restore-时间，不会丢失。"
        "恢复前请先关闭所有打开这个数据库的巡查界面。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件（patrol backup 生成的 .db）")
    p.set_defaults(func=backup_or_restore)
    p = sub.add_parser(
        "access-log",
        help="查阅日志：谁导出过数据、查看过谁的记录",
        description="列出导出、通报和按人查阅记录的日志（时间、督查员、操作、对象），默认最近 30 天。",
    )
    p.add_argument("--since", metavar="日期", help="从哪天起（YYYY-MM-DD，默认 30 天前）")
    p.set_defaults(func=access_log)
    p = sub.add_parser(
        "purge",
        help="清除超过保存期的个人信息",
        description="清除某日之前的巡查记录和更正记录中的个人信息（人员、备注、更正原因）以及查阅日志。"
        "窗口、巡查项、分值和时间保留，散列链保持完整，patrol verify 仍然通过；清除本身作为一条记录加入链中。"
        "日期须早于大厅的保存期（36 个月）。执行前会列出数量并要求确认；不可撤销。",
    )
    p.add_argument("--before", metavar="日期", required=True, help="清除此日（YYYY-MM-DD，当地零点）之前的记录")
    p.add_argument("--yes", action="store_true", help="不再询问，直接清除（用于脚本）")
    p.set_defaults(func=purge)
    p = sub.add_parser(
        "pin",
        help="设置督查员 PIN（解锁屏幕用）",
        description="为 --inspector 指定的督查员（默认当前督查员）设置 4–12 位数字的 PIN。巡查界面无操作一段时间后"
        "会锁屏，只有已设置 PIN 的督查员能解锁，此后的记录记在解锁者名下。PIN 只以加盐的 scrypt 散列保存。"
        "在终端中会要求输入两次；从管道输入时读取第一行。",
    )
    p.add_argument(
        "--inspector",
        dest="inspector",
        default=argparse.SUPPRESS,
        metavar="姓名",
        help="为哪位督查员设置（默认当前督查员）",
    )
    p.set_defaults(func=pin)


def verify(args: argparse.Namespace) -> int:
    """Walk every chain; exit 1 naming the first broken link."""
    from patrol.hall.service import engine_for
    from storage.reads import AlchemyReader, SqliteReader
    from storage.urls import sqlite_file
    from storage.verify import verify

    db_url = url(args)
    engine = engine_for(db_url)  # brings an old schema up to date first
    path = sqlite_file(db_url)
    reader = SqliteReader(path) if path is not None else AlchemyReader(engine)
    verdict = verify(reader)
    if not verdict.ok:
        print(f"patrol: 校验未通过：{verdict.problem}", file=sys.stderr)
        return 1
    if args.digest:
        print(verdict.digest)
    else:
        print(f"校验通过：{len(verdict.heads)} 台设备，{verdict.rows} 条记录，链头摘要 {verdict.digest}")
    return 0


def backup_or_restore(args: argparse.Namespace) -> int:
    """`backup`: an online copy beside the database; `restore`: a checked backup put back."""
    from datetime import datetime

    from storage.backup import restore, take_backup
    from storage.urls import sqlite_file

    path = sqlite_file(url(args))
    if path is None:
        raise UserError("备份和恢复只用于本机 SQLite 数据库；PostgreSQL 请用服务器的 pg_dump / pg_restore。")
    now = datetime.now()
    if args.command == "backup":
        print(f"已备份：{take_backup(path, now)}")
    else:
        aside = restore(path, args.file, now)
        print(f"已从 {args.file} 恢复。原数据库另存为：{aside}")
    return 0


def access_log(args: argparse.Namespace) -> int:
    """Who exported what and whose record was looked up."""
    from datetime import timedelta

    from patrol.rules.periods import parse_local_date
    from patrol.text import shown

    service = open_service(args)
    since = parse_local_date(args.since, service.hall.tz) if args.since else service.clock() - timedelta(days=30)
    entries = service.access_log(since)
    if not entries:
        print(f"{since.astimezone(service.hall.tz):%Y-%m-%d} 以来没有查阅记录。")
    for at, who, action, subject in entries:
        print(shown(f"{at:%Y-%m-%d %H:%M}  {who}  {action}  {subject}"))  # one line each, as typed
    return 0


def purge(args: argparse.Namespace) -> int:
    """Past the retention period: names, notes and reasons go; the chain stays whole."""
    from patrol.hall.purge import carry_out, plan_purge

    service = open_service(args, fast=False)
    plan = plan_purge(service, args.before)
    count = plan.count
    if count.findings == 0 and count.corrections == 0 and count.access_entries == 0:
        print(f"{plan.label} 之前没有需要清除的个人信息。")
        return 0
    print(
        f"将清除 {plan.label} 之前的个人信息：巡查记录 {count.findings} 条、更正记录 {count.corrections} 条"
        f"（人员、备注、更正原因），查阅日志 {count.access_entries} 条。窗口、巡查项、分值和时间保留。此操作不可撤销。"
    )
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("需要确认：请在终端中运行并输入“清除”，或加 --yes。未清除任何内容。")
        if input("输入“清除”确认：").strip() != "清除":
            print("已取消，未清除任何内容。")
            return 1
    done = carry_out(service, plan)
    print(
        f"已清除：巡查记录 {done.findings} 条、更正记录 {done.corrections} 条、查阅日志 {done.access_entries} 条。"
        "散列链完整（可运行 patrol verify 核对）。注意：此前的备份中仍有这些内容，会在 30 份备份轮换后消失。"
    )
    return 0


def pin(args: argparse.Namespace) -> int:
    """Set the PIN that unlocks the app for the inspector (asked twice in a terminal)."""
    import getpass

    from patrol.hall.lock import set_pin
    from patrol.hall.pins import check_pin_format

    service = open_service(args, fast=False)
    if sys.stdin.isatty():
        new_pin = check_pin_format(getpass.getpass(f"督查员 {service.inspector} 的新 PIN（4–12 位数字）："))
        if getpass.getpass("再次输入：") != new_pin:
            raise UserError("两次输入的 PIN 不一致，未设置。")
    else:
        new_pin = check_pin_format(sys.stdin.readline().strip())
    set_pin(service, service.inspector, new_pin)
    print(f"已为督查员 {service.inspector} 设置 PIN。")
    return 0
