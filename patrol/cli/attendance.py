"""Working time from the command line: `hours set|show|day`, `clockin import`, `leave import|add`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from patrol.cli.common import open_service
from patrol.cli.parser import RawFormatter
from patrol.errors import UserError

CALENDAR_NOTE = (
    "工作日按国家法定节假日及调休安排计算（chinese-calendar 1.11，覆盖 2004–2026 年）；"
    "超出的年份按周一至周五计算，并提示一行；大厅自己的安排用 patrol hours day 补充。"
)


def register(sub: Any, parser_class: type) -> None:
    """Add `hours`, `clockin` and `leave`."""
    hours = sub.add_parser(
        "hours",
        help="作息时间与工作日",
        description="设置大厅的作息时间（可按日期分夏令、冬令），以及大厅自己的工作日、休息日。\n" + CALENDAR_NOTE,
        formatter_class=RawFormatter,
        epilog="示例：\n"
        "  patrol hours set --from 2026-05-01 --am 08:30-12:00 --pm 14:30-17:30 --grace 5\n"
        "  patrol hours set --from 2026-10-01 --am 09:00-12:00 --pm 14:00-17:00 --punches 4\n"
        "  patrol hours show\n"
        "  patrol hours day 2026-11-07 --work --note 周六延时服务",
    )
    hours_sub = hours.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = hours_sub.add_parser(
        "set", help="设置自某日起的作息时间", description="自 --from 起按新的作息时间判断迟到早退。"
    )
    p.add_argument("--from", dest="starts", required=True, metavar="日期", help="起始日期 YYYY-MM-DD")
    p.add_argument("--am", required=True, metavar="HH:MM-HH:MM", help="上午上下班时间，如 08:30-12:00")
    p.add_argument("--pm", required=True, metavar="HH:MM-HH:MM", help="下午上下班时间，如 14:30-17:30")
    p.add_argument("--grace", type=int, default=0, metavar="分钟", help="上班后多少分钟内不算迟到（默认 0）")
    p.add_argument(
        "--punches", type=int, choices=(2, 4), default=2, help="每日应打卡次数：2（上班、下班）或 4（上下午各两次）"
    )
    p.set_defaults(func=hours_set)
    p = hours_sub.add_parser("show", help="查看作息时间与大厅自定的工作日")
    p.set_defaults(func=hours_show)
    p = hours_sub.add_parser(
        "day",
        help="把某天定为工作日或休息日",
        description="不按国家日历：把某天定为大厅的工作日（--work）或休息日（--off）。",
    )
    p.add_argument("day", metavar="日期", help="YYYY-MM-DD")
    which = p.add_mutually_exclusive_group()  # one of them: said in Chinese by hours_day
    which.add_argument("--work", action="store_true", help="这天上班")
    which.add_argument("--off", action="store_true", help="这天休息")
    p.add_argument("--note", default="", metavar="说明", help="说明，如 周六延时服务")
    p.set_defaults(func=hours_day)

    clockin = sub.add_parser("clockin", help="打卡记录", description="导入考勤机或办公软件导出的打卡记录。")
    clockin_sub = clockin.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = clockin_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入打卡记录",
        formatter_class=RawFormatter,
        description="两种表格均可：\n"
        "  每次打卡一行：姓名、打卡时间（或 日期时间、时间；可带秒），可选 部门、工号、设备；\n"
        "  每人每天一行：姓名、日期、上班打卡、下班打卡（或 上班1打卡时间、下班1打卡时间…；\n"
        "  空格为未打卡），可选 部门、工号。\n"
        "CSV 可为 UTF-8（含 BOM）或 GBK/GB18030。按姓名匹配名册，同名者按“部门”（单位）区分。\n"
        "按作息时间生成迟到（含分钟数）、早退、缺卡记录，每人每天每项一条；重复导入不会重复记录；\n"
        "请假日不计；同一天已有巡查记录的迟到、早退不再重复记录。今天尚未结束，不作判断。\n" + CALENDAR_NOTE,
        epilog="示例：\n  patrol clockin import 11月打卡.csv --dry-run\n"
        "  patrol clockin import 考勤.xlsx --skip-unknown",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="打卡记录文件（.xlsx 或 .csv）")
    p.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
    p.add_argument("--skip-unknown", action="store_true", help="跳过名册中没有的人（默认拒绝整个文件）")
    p.set_defaults(func=clockin_import)

    leave = sub.add_parser(
        "leave", help="请假登记", description="登记经批准的请假：请假日不计打卡，记为请假（不扣分，但不算满勤）。"
    )
    leave_sub = leave.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = leave_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入请假登记",
        description="表头需含：姓名、开始日期、结束日期、类型；可选：审批人、部门（区分同名人员）。"
        "每个工作日记一条“请假”；已生成的当日打卡记录（迟到、早退、缺卡）作废并注明原因。",
        epilog="示例：\n  patrol leave import 11月请假.xlsx",
        formatter_class=RawFormatter,
    )
    p.add_argument("file", type=Path, metavar="FILE", help="请假登记文件（.xlsx 或 .csv）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.set_defaults(func=leave_import)
    p = leave_sub.add_parser(
        "add",
        help="登记一次请假",
        epilog="示例：\n  patrol leave add 张梅 --from 2026-11-09 --to 2026-11-10 --type 事假 --approver 李主任\n"
        "  patrol leave add 张伟 --window 3 --from 2026-11-12 --to 2026-11-12 --type 公出",
        formatter_class=RawFormatter,
    )
    p.add_argument("name", metavar="姓名")
    p.add_argument("--from", dest="starts", required=True, metavar="日期", help="开始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="ends", required=True, metavar="日期", help="结束日期 YYYY-MM-DD（含当天）")
    p.add_argument("--type", dest="kind", required=True, metavar="类型", help="事假、病假、年休假、公出……")
    p.add_argument("--window", metavar="编号", help="窗口编号（有同名人员时必填）")
    p.add_argument("--approver", default="", metavar="姓名", help="审批人")
    p.set_defaults(func=leave_add)


def hours_set(args: argparse.Namespace) -> int:
    """Add a version of the working hours."""
    from patrol.hall.roster import parse_day
    from patrol.rules.hours import WorkHours, parse_range

    service = open_service(args)
    hours = WorkHours(
        parse_day(args.starts), parse_range(args.am, "上午"), parse_range(args.pm, "下午"), args.grace, args.punches
    ).checked()
    service.attendance.set_hours(hours)
    print(f"已设置作息时间：{hours.describe()}。")
    return 0


def hours_show(args: argparse.Namespace) -> int:
    """Print the versions of the hours and the hall's own days."""
    from patrol.rules.workdays import calendar_years

    service = open_service(args)
    versions = service.attendance.hours_versions()
    if not versions:
        print("尚未设置作息时间（patrol hours set --from 日期 --am 08:30-12:00 --pm 14:30-17:30）。")
    for hours in versions:
        print(hours.describe())
    own = service.attendance.own_days()
    for day in sorted(own):
        print(f"{day:%Y-%m-%d} {'上班' if own[day] else '休息'}（大厅自定）")
    first, last = calendar_years()
    print(f"国家法定节假日数据：{first}–{last} 年；超出的年份按周一至周五计算。")
    return 0


def hours_day(args: argparse.Namespace) -> int:
    """Make one day a working day or a day off for the hall."""
    from patrol.hall.roster import parse_day
    from patrol.text import check_note

    if not (args.work or args.off):
        raise UserError(f"请写明 {args.day} 是工作日（--work）还是休息日（--off）。")
    service = open_service(args)
    day = parse_day(args.day)
    service.attendance.set_day(day, bool(args.work), check_note(args.note, "说明")[:200])
    print(f"已将 {day:%Y-%m-%d} 定为{'工作日' if args.work else '休息日'}。")
    return 0


def clockin_import(args: argparse.Namespace) -> int:
    """Check the file, then write its punches and their findings in one transaction."""
    import sys

    from patrol.imports.clockin import apply_clockin, plan_clockin, summary

    service = open_service(args)
    plan = plan_clockin(service, args.file, args.skip_unknown)
    if plan.warning:
        print(plan.warning, file=sys.stderr)
    if args.dry_run:
        print(f"检查通过：{summary(plan)}未写入（去掉 --dry-run 即可导入）。")
        return 0
    apply_clockin(service, plan)
    print(f"已导入：{summary(plan)}")
    return 0


def _leave_summary(plan: Any) -> str:
    voided = f"，作废当日打卡记录 {len(plan.voids)} 条" if plan.voids else ""
    return f"请假 {len(plan.leaves)} 次，共 {plan.days} 个工作日{voided}"


def leave_import(args: argparse.Namespace) -> int:
    """Check a leave register, then write it in one transaction."""
    from patrol.imports.leave import apply_leaves, plan_leaves, read_leaves

    service = open_service(args)
    plan = plan_leaves(service, read_leaves(service, args.file))
    if args.dry_run:
        print(f"检查通过：{_leave_summary(plan)}。未写入（去掉 --dry-run 即可导入）。")
        return 0
    apply_leaves(service, plan)
    print(f"已登记：{_leave_summary(plan)}。")
    return 0


def leave_add(args: argparse.Namespace) -> int:
    """Register one leave."""
    from patrol.hall.roster import parse_day
    from patrol.imports.leave import apply_leaves, check_leave, plan_leaves
    from patrol.imports.people import People
    from patrol.text import same_name

    service = open_service(args)
    first, last = parse_day(args.starts), parse_day(args.ends)
    window = service.lookup.window(args.window) if args.window else None
    people = People.of(service)
    if window is None and len(people.by_name.get(same_name(args.name), [])) > 1:
        raise UserError(f"名册中有多位“{args.name}”：请用 --window 窗口编号 指明是哪一位。")
    person = people.find(args.name, window.code if window else "")
    if person is None:
        raise UserError(f"名册中没有“{args.name}”，请核对姓名。")
    plan = plan_leaves(service, [check_leave(person, first, last, args.kind, args.approver, service.today())])
    if not plan.leaves:
        raise UserError(f"{args.name} {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 的{args.kind}已登记过，未重复登记。")
    apply_leaves(service, plan)
    print(f"已登记：{args.name} {first:%Y-%m-%d} 至 {last:%Y-%m-%d} {args.kind}，{_leave_summary(plan)}。")
    return 0
