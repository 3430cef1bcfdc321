"""Service figures from the command line: `services import FILE [--dry-run]`, `services show`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from patrol.cli.common import open_service, period


def register(sub: Any, parser_class: type) -> None:
    """Add `services`."""
    from patrol.cli.parser import RawFormatter

    services = sub.add_parser(
        "services",
        help="办件量（受理、办结、按时办结、好评、差评）",
        description="导入、查看各窗口每月的办件量。通报的【办件情况】和附表“审批业务统计表”由此生成。",
    )
    services_sub = services.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = services_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入各窗口每月的办件量",
        formatter_class=RawFormatter,
        description="表头需含：月份、窗口编号、受理、办结、按时办结；可选：窗口名称（用于核对编号）、好评、差评。\n"
        "也认业务系统常用的写法：统计月份/年月，受理量/受理件数/收件数，办结量/办件量，\n"
        "按时办结数/按期办结，满意/好评数，不满意/差评数。\n"
        "列名后可带单位，如 受理（件）、好评(条)。\n"
        "月份可写作 2026-11、2026年11月、2026年11月份、202611 或日期（.xlsx 的日期单元格）。\n"
        "CSV 须用逗号分隔，可为 UTF-8（含 BOM）或 GBK/GB18030。\n"
        "窗口按编号匹配名册。任何一行有误（窗口不存在、名称不符、负数、办结多于受理、按时办结多于办结、\n"
        "好评与差评之和多于办结、非数字、重复行）都整份拒绝，并指出文件、行和列，不写入任何数据。\n"
        "再次导入某月即替换该月的全部数据（文件中没有的窗口从该月去掉）：列出改动，\n"
        "原数据作为更正留档（谁、何时、原值→新值，见 patrol services history）。\n"
        "本月（尚未结束）及以后的月份不能导入；已月结的月份须先 patrol reopen（留有记录）。",
        epilog="示例：\n  patrol services import 11月办件量.xlsx --dry-run\n  patrol services import 办件统计.csv",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="办件量文件（.xlsx 或 .csv）")
    p.add_argument("--dry-run", action="store_true", help="只检查并列出改动，不写入")
    p.set_defaults(func=services_import)

    p = services_sub.add_parser(
        "show",
        help="查看一个周期各窗口的办件量",
        formatter_class=RawFormatter,
        description="按窗口列出周期内的受理、办结、按时办结、好评、差评，以及与上一周期相比受理量的增减。",
        epilog="示例：\n  patrol services show --period 2026-11\n  patrol services show --period 2026Q4",
    )
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.set_defaults(func=services_show)

    p = services_sub.add_parser(
        "history",
        help="列出办件量的每次导入（谁、何时、哪个文件、是否替换了此前的数据）",
        formatter_class=RawFormatter,
        description="每次导入都留档：再次导入某月时，原数据不删改，新数据注明替换了哪一次导入。",
        epilog="示例：\n  patrol services history",
    )
    p.set_defaults(func=services_history)


def services_import(args: argparse.Namespace) -> int:
    """Check the file, say what it brings or changes, then write it in one transaction."""
    from patrol.imports.services import apply_services, plan_services, summary_lines

    service = open_service(args)
    plan = plan_services(service, args.file)
    lines = summary_lines(plan)
    if args.dry_run:
        print("检查通过，未写入（去掉 --dry-run 即可导入）：")
    elif not plan.months:
        print("文件中的办件量与已导入的相同，未写入。")
    else:
        apply_services(service, plan)
        print("已导入办件量：")
    for line in lines:
        print(f"  {line}")
    return 0


def services_show(args: argparse.Namespace) -> int:
    """Print a period's figures per window, with the total."""
    from patrol.hall.figures import period_figures
    from patrol.rules.figures import percent

    service = open_service(args)
    shown = period(args, service)
    figures = period_figures(service, shown)
    if figures is None:
        print(f"{shown.label}没有办件量数据（patrol services import 文件 导入）。")
        return 0

    def rate(value: Any) -> str:
        return "—" if value is None else f"{percent(value)}%"

    def change(value: Any) -> str:
        if value is None:
            return "—"
        return ("+" if value > 0 else "-" if value < 0 else "") + f"{percent(value)}%"

    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from patrol.cli.output import unguarded
    from patrol.cli.reports import _console_class
    from patrol.text import shown as safe

    table = Table(title=Text(safe(f"{service.hall.name} {shown.label}办件量")))
    table.add_column("窗口")
    for title in ("受理", "办结", "按时办结", "按时办结率", "好评", "差评", "好评率", "受理增减"):
        table.add_column(title, justify="right")

    def cells(c: Any) -> list[str]:
        if c is None:
            return ["0", "0", "0", "—", "", "", "—"]
        return [
            str(c.received),
            str(c.completed),
            str(c.on_time),
            rate(c.on_time_rate),
            "" if c.good is None else str(c.good),
            "" if c.bad is None else str(c.bad),
            rate(c.good_rate),
        ]

    for w in figures.windows:
        table.add_row(*(Text(safe(cell)) for cell in [f"{w.code} {w.label}", *cells(w.counts), change(w.change)]))
    table.add_row(*(Text(cell) for cell in ["合计", *cells(figures.total), change(figures.change)]))
    # Rich styles the table with escape sequences of its own: it writes beneath the guard, and
    # every piece of user text above went through ``shown``.
    console = _console_class()(file=unguarded(sys.stdout), width=max(100, Console().width))
    console.print(table)
    if not figures.whole:  # part of the period: the 合计 is not the period's
        from patrol.rules.figures import months_words

        compared = (
            f"受理增减为与{months_words(figures.compared)}相比"
            if figures.previous_total is not None
            else "上期无相同月份的数据，不计增减"
        )
        print(f"注：只统计{months_words(figures.months)}的办件量，不是{safe(shown.label)}全部；{compared}。")
    return 0


def services_history(args: argparse.Namespace) -> int:
    """Print every import of the hall's figures, oldest first."""
    from patrol.hall.figures import history
    from patrol.imports.services import month_text
    from storage.reads import to_utc

    service = open_service(args)
    imports = history(service)
    if not imports:
        print("尚未导入办件量（patrol services import 文件）。")
        return 0
    tz = service.hall.tz
    for month, at, source, who, replaced in imports:
        when = to_utc(at).astimezone(tz)
        what = "重新导入，替换此前的数据（原数据留档）" if replaced else "首次导入"
        print(f"{month_text(month)}：{when:%Y-%m-%d %H:%M} {who or '（未署名）'} 导入 {source}，{what}")
    return 0
