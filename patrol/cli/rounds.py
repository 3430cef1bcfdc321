"""Patrol rounds and month close from the command line: `seen`, `rounds`, `close`, `reopen`."""

from __future__ import annotations

import argparse
from typing import Any

from patrol.cli.common import open_service, period
from patrol.errors import UserError


def register(sub: Any, parser_class: type) -> None:
    """Add `seen`, `rounds`, `close` and `reopen`."""
    from patrol.cli.parser import RawFormatter

    p = sub.add_parser(
        "seen",
        help="记录一个窗口已巡查、无异常",
        description="记录督查员看过一个窗口且未发现问题（巡查界面中在打开的窗口上按 Enter 也会记录）。"
        "这些记录与巡查发现一起构成巡查轮次，并让看板知道哪些窗口今天、本周还没有巡查到。",
        epilog='示例：\n  patrol seen --window 12\n  patrol seen --window A03 --at "2026-11-20 09:40"',
        formatter_class=RawFormatter,
    )
    p.add_argument("--window", required=True, metavar="编号", help="窗口编号，如 12 或 A03")
    p.add_argument("--at", metavar="时间", help='巡查时间 "YYYY-MM-DD HH:MM"（大厅当地时间；默认现在）')
    p.set_defaults(func=seen)

    p = sub.add_parser(
        "rounds",
        help="列出一个周期的巡查轮次",
        description="列出巡查轮次：同一督查员的巡查发现和“无异常”记录，前后相隔不到 30 分钟的算同一轮。"
        "通报中“督查组共开展巡查N次”即轮次数。",
        epilog="示例：\n  patrol rounds --period 2026-11",
        formatter_class=RawFormatter,
    )
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.set_defaults(func=rounds)

    p = sub.add_parser(
        "close",
        help="月结：通报发布后冻结一个周期",
        description="月结一个已结束的周期：此后不能再向该周期记入新的巡查记录"
        "（巡查界面、patrol log 和各类导入都会拒绝），"
        "已有记录仍可更正（须写明原因，列入附表5，并在下一期通报中说明）。月结和重新打开都会留下记录。",
        epilog="示例：\n  patrol close --period 2026-11\n  patrol close --list",
        formatter_class=RawFormatter,
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--period", metavar="周期", help="要月结的周期，如 2026-11")
    what.add_argument("--list", action="store_true", help="列出本大厅的月结和重新打开记录")
    p.add_argument("--reason", default="", metavar="说明", help="说明（可选），如 通报已印发")
    p.set_defaults(func=close)

    p = sub.add_parser(
        "reopen",
        help="重新打开已月结的周期",
        description="重新打开一个已月结的周期，以便补记巡查记录。必须写明原因；会留下记录（谁、何时、为何）。",
        epilog="示例：\n  patrol reopen --period 2026-11 --reason 补录11月30日的纸质巡查表",
        formatter_class=RawFormatter,
    )
    p.add_argument("--period", required=True, metavar="周期", help="要重新打开的周期，如 2026-11")
    p.add_argument("--reason", required=True, metavar="原因", help="重新打开的原因（必填）")
    p.set_defaults(func=reopen)


def seen(args: argparse.Namespace) -> int:
    """Record a window seen with nothing wrong."""
    from patrol.rules.periods import parse_local_time

    service = open_service(args)
    window = service.lookup.window(args.window)
    at = parse_local_time(args.at, service.hall.tz) if args.at is not None else None
    saved = service.rounds.seen(window, at).astimezone(service.hall.tz)
    print(f"已记录：{saved:%Y-%m-%d %H:%M} {window.code} {window.name} 巡查无异常")
    return 0


def rounds(args: argparse.Namespace) -> int:
    """List the rounds of a period, one a line, and their count."""
    service = open_service(args)
    chosen = period(args, service)
    found = service.rounds.of_period(chosen)
    if not found:
        print(f"{chosen.label}没有巡查记录。")
        return 0
    for number, one in enumerate(found, 1):
        print(
            f"{number:>3}. {one.start:%Y-%m-%d %H:%M}–{one.end:%H:%M} {one.who}："
            f"巡查窗口 {len(one.windows)} 个，发现问题 {one.findings} 项"
        )
    print(f"{chosen.label}督查组共开展巡查{len(found)}次。")
    return 0


def close(args: argparse.Namespace) -> int:
    """Close a period, or list the closes."""
    service = open_service(args)
    if args.list:
        history = service.closing.history()
        if not history:
            print("本大厅还没有月结记录。")
        for one in history:
            reason = f"（{one.reason}）" if one.reason else ""
            print(f"{one.at:%Y-%m-%d %H:%M} {one.period} {one.words} {one.inspector or '未署名'}{reason}")
        return 0
    chosen = _period(args.period)
    service.closing.close(chosen, args.reason)
    print(f"已月结 {chosen.label}：此后不能再记入新的巡查记录，更正仍可进行（须写明原因）。")
    return 0


def reopen(args: argparse.Namespace) -> int:
    """Open a closed period again, with a reason."""
    service = open_service(args)
    chosen = _period(args.period)
    service.closing.reopen(chosen, args.reason)
    print(
        f"已重新打开 {chosen.label}（原因：{args.reason.strip()}）。"
        f"补记完成后请再次月结：patrol close --period {chosen.code}"
    )
    return 0


def _period(text: str) -> Any:
    from patrol.rules.periods import Period

    if not text.strip():
        raise UserError("请用 --period 指明周期，如 2026-11。")
    return Period.parse(text)
