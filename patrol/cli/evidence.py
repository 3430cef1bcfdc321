"""Evidence and safekeeping: `verify`, `backup`, `restore`, `access-log`, `purge`, `pin`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from patrol.cli.common import existing_database, open_service, url
from patrol.errors import UserError


def register(sub: Any) -> None:
    """Add the evidence commands."""
    p = sub.add_parser(
        "verify",
        help="校验全部记录未被改动",
        description="逐台设备检查巡查记录、更正记录、清除记录、查阅日志和名册与规则版本的散列链：内容被改、记录被删除、插入、"
        "调换或链尾被截断都会被发现；已清除的记录不得再有个人信息；人员、窗口、单位、巡查项、大厅时区、评定规则"
        "和任职记录须与 patrol 登记的最新版本一致。没有密钥：能改文件的人也能重算全部散列，所以请把链头"
        "（附表1 末尾，或 --digest 输出的一行）打印、签字或报送出去；--against 据此核对数据库仍包含当时的全部记录。"
        "全部完好时退出码为 0，否则报告第一处问题并以 1 退出。",
    )
    p.add_argument(
        "--digest", action="store_true", help="校验通过后只打印一行链头（抄下或报送，日后用 --against 核对）"
    )
    p.add_argument(
        "--against",
        metavar="附表.xlsx|链头",
        help="核对数据库仍包含附表（patrol export 导出的 .xlsx）末尾或 --digest 那一行所记载的全部记录",
    )
    p.set_defaults(func=verify)
    p = sub.add_parser(
        "backup",
        help="立即备份数据库",
        description="用 SQLite 在线备份（使用中也安全）把数据库备份到数据库旁的 backups/数据库文件名/ 文件夹，"
        "只有本人可读；每个数据库保留自己最近的 30 份，备份从不互相覆盖。打开巡查界面时每天也会自动备份一次。",
    )
    p.set_defaults(func=backup_or_restore)
    p = sub.add_parser(
        "restore",
        help="从备份恢复数据库",
        description="先检查备份文件完整可用、散列链未被改动，再恢复；当前数据库另存为 patrol.db.before-restore-时间，"
        "不会丢失。恢复写入数据库文件本身（数据库是链接时写入它指向的文件）：打开着的巡查界面无需关闭，"
        "会立即显示恢复后的内容，此后保存的记录也记入恢复后的数据库。"
        "备份是另一个大厅的时，列出两边的大厅名称并要求确认；这时数据库若正被其他程序打开（会说明是哪个进程），"
        "须先关闭它再恢复。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件（patrol backup 生成的 .db）")
    p.add_argument("--yes", action="store_true", help="备份是另一个大厅的也不再询问，直接恢复（用于脚本）")
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
        description="为 --inspector 指定的督查员（默认当前督查员）设置 6–12 位数字的 PIN（4 位 PIN 只有一万种，"
        "拿到数据库文件的人几分钟就能逐个试出，所以至少 6 位）。已设置过 PIN 的，须先输入其当前 PIN；忘记时由另一位"
        "有 PIN 的督查员输入自己的 PIN 代为更换（--by、--reason），并记入查阅日志。连续输错 5 次暂停 30 秒。"
        "只要有督查员设置了 PIN，巡查界面打开时即锁定；无操作一段时间后也会锁屏，解锁者即为此后记录的督查员。"
        "PIN 只以加盐的 scrypt 散列保存。在终端中逐项询问（新 PIN 输入两次）；从管道输入时，需要确认的先读一行"
        "确认用的 PIN，再读一行新 PIN。",
    )
    p.add_argument(
        "--inspector",
        dest="inspector",
        default=argparse.SUPPRESS,
        metavar="姓名",
        help="为哪位督查员设置（默认当前督查员）",
    )
    p.add_argument("--by", metavar="姓名", help="由这位督查员输入自己的 PIN，代为更换（原 PIN 忘记时）")
    p.add_argument("--reason", metavar="原因", default="", help="代为更换的原因（与 --by 同用，必填，记入查阅日志）")
    p.set_defaults(func=pin)


def verify(args: argparse.Namespace) -> int:
    """Walk every chain; exit 1 naming the first broken link. With --against, also check that the
    database still holds every prefix a printed appendix (or a written-down line) vouched for."""
    from patrol.hall.opening import engine_for
    from storage.reads import AlchemyReader, SqliteReader
    from storage.urls import sqlite_file
    from storage.verify import against, verify

    vouched, source = None, ""
    if args.against is not None:
        from patrol.reports.anchor import vouched as read_vouched

        vouched, source = read_vouched(args.against)  # a file that cannot be read is said before the walk
    db_url = url(args)
    existing_database(db_url)  # a typo in --db verifies nothing, and says so
    engine = engine_for(db_url)  # brings an old schema up to date first
    path = sqlite_file(db_url)
    reader = SqliteReader(path) if path is not None else AlchemyReader(engine)
    try:
        verdict = verify(reader, vouched=vouched)
    finally:
        engine.dispose()
    if not verdict.ok:
        print(f"patrol: 校验未通过：{verdict.problem}", file=sys.stderr)
        return 1
    if vouched is not None:
        problem = against(verdict, vouched)
        if problem is not None:
            print(f"patrol: 与{source}核对未通过：{problem}", file=sys.stderr)
            return 1
    if args.digest:
        print(verdict.line)
        return 0
    print(f"校验通过：{len(verdict.heads)} 台设备，{verdict.rows} 条记录，链头摘要 {verdict.digest}")
    if vouched is not None:
        counted = sum(seq for seq, _head in vouched.values())
        print(f"与{source}核对通过：其记载的 {len(vouched)} 台设备共 {counted} 条记录都在，未被改动。")
    return 0


def backup_or_restore(args: argparse.Namespace) -> int:
    """`backup`: an online copy beside the database; `restore`: a checked backup put back."""
    from datetime import datetime

    from patrol.hall import leftovers
    from storage.backup import take_backup
    from storage.restore import OtherHall, restore
    from storage.urls import sqlite_file

    path = sqlite_file(url(args))
    if path is None:
        raise UserError("备份和恢复只用于本机 SQLite 数据库；PostgreSQL 请用服务器的 pg_dump / pg_restore。")
    now = datetime.now()
    if args.command == "backup":
        leftovers.clean(path)
        print(f"已备份：{take_backup(path, now)}")
        return 0
    leftovers.clean(path)
    try:
        done = restore(path, args.file, now, other_hall=args.yes)
    except OtherHall as exc:
        if not sys.stdin.isatty():
            raise UserError(f"{exc}确认要恢复请加 --yes。未恢复。") from exc
        print(exc)
        if input("输入“恢复”确认：").strip() != "恢复":
            print("已取消，未恢复。")
            return 1
        done = restore(path, args.file, now, other_hall=True)
    print(f"已从 {args.file} 恢复到 {done.database}。" + (f"原数据库另存为：{done.aside}" if done.aside else ""))
    if done.holders:
        print(f"正在使用这个数据库的{'、'.join(done.holders)}已看到恢复后的内容，此后保存的记录记入恢复后的数据库。")
    return 0


def access_log(args: argparse.Namespace) -> int:
    """Who exported what and whose record was looked up."""
    from datetime import timedelta

    from patrol.rules.periods import parse_local_date
    from patrol.text import shown

    service = open_service(args)
    since = parse_local_date(args.since, service.hall.tz) if args.since else service.clock() - timedelta(days=30)
    entries = service.access.since(since)
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
    if plan.empty:
        print(f"{plan.label} 之前没有需要清除的个人信息。")
        return 0
    print(
        f"将清除 {plan.label} 之前的个人信息：巡查记录 {count.findings} 条、更正记录 {count.corrections} 条"
        f"（人员、备注、更正原因），查阅日志 {count.access_entries} 条。窗口、巡查项、分值和时间保留。此操作不可撤销。"
    )
    if plan.leftovers:
        print(f"另有中断的导出、备份或恢复留下的临时文件 {len(plan.leftovers)} 个（含姓名和备注），一并删除：")
        for path in plan.leftovers:
            print(f"  {path}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("需要确认：请在终端中运行并输入“清除”，或加 --yes。未清除任何内容。")
        if input("输入“清除”确认：").strip() != "清除":
            print("已取消，未清除任何内容。")
            return 1
    done = carry_out(service, plan)
    print(
        f"已清除：巡查记录 {done.findings} 条、更正记录 {done.corrections} 条、查阅日志 {done.access_entries} 条"
        + (f"，临时文件 {len(plan.leftovers)} 个。" if plan.leftovers else "。")
        + "散列链完整（可运行 patrol verify 核对）。注意：此前的备份中仍有这些内容，会在 30 份备份轮换后消失。"
    )
    return 0


def pin(args: argparse.Namespace) -> int:
    """Set the PIN that unlocks the app for the inspector: their current PIN first (or, with
    ``--by``, another inspector's and a reason), then the new one (twice in a terminal)."""
    import getpass

    from patrol.hall.lock import has_pin, replace_pin
    from patrol.hall.pins import MAX_DIGITS, MIN_DIGITS, check_pin_format

    service = open_service(args, fast=False)
    name = service.inspector
    if args.by is not None and not args.reason.strip():
        raise UserError(f"由督查员 {args.by} 代为更换 PIN 须说明原因：请加 --reason 原因。未更换。")
    if args.by is None and args.reason:
        raise UserError("--reason 只与 --by 同用（由另一位督查员代为更换时）。未更换。")
    terminal = sys.stdin.isatty()

    def read(prompt: str) -> str:
        return getpass.getpass(prompt) if terminal else sys.stdin.readline().strip()

    entered = ""
    if has_pin(service, name):
        entered = read(f"督查员 {args.by} 的 PIN：" if args.by else f"督查员 {name} 的当前 PIN：")
    elif args.by is not None:
        raise UserError(f"督查员 {name} 还没有 PIN，无须 --by：直接设置即可。未设置。")
    new_pin = check_pin_format(read(f"督查员 {name} 的新 PIN（{MIN_DIGITS}–{MAX_DIGITS} 位数字）："))
    if terminal and getpass.getpass("再次输入新 PIN：") != new_pin:
        raise UserError("两次输入的 PIN 不一致，未设置。")
    replace_pin(service, name, new_pin, entered=entered, by=args.by, reason=args.reason)
    print(f"已为督查员 {name} 设置 PIN。" + (f"由 {args.by} 确认，已记入查阅日志。" if args.by else ""))
    return 0
