"""Findings from the command line: `log`, `findings import`, `correct`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from patrol.cli.common import open_service
from patrol.cli.parser import RawFormatter
from patrol.errors import UserError
from patrol.text import NOTE_LIMIT


def register(sub: Any, parser_class: type) -> None:
    """Add `findings import`, `log` and `correct`."""
    findings = sub.add_parser("findings", help="巡查记录：导入以往的表格", description="导入以往手工记录的巡查表格。")
    findings_sub = findings.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = findings_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入巡查记录",
        description="表头需含：时间（YYYY-MM-DD HH:MM）、窗口编号、姓名（窗口级巡查项留空，替岗人员写“替岗人员”；"
        "加分项、有效投诉、差评留空则记在窗口上）、巡查项；可选：备注、督查员、数量（次数，默认 1）、"
        "分钟（无人在岗必填）。先检查每一行，全部无误才一次写入。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="巡查记录文件（.xlsx 或 .csv）")
    p.add_argument("--period", metavar="周期", help="只接受该周期内的记录（其余行报错）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="允许导入与已有记录完全相同的行（默认拒绝：同一文件导入两次会重复扣分）",
    )
    p.set_defaults(func=findings_import)

    p = sub.add_parser(
        "log",
        help="记录一条巡查发现",
        description="记录一条巡查发现，写入磁盘后才返回。加分项、有效投诉和差评不写姓名时记在窗口上（只计入窗口得分）；"
        "无人在岗是窗口级巡查项，需写明分钟数。",
        epilog="示例：\n"
        "  patrol log --window 12 --staff 张伟 --type 迟到\n"
        "  patrol log --window 11 --type 压缩办理时限 --count 28   # 记在窗口上，28 次各 +0.2\n"
        "  patrol log --window 11 --type 无人在岗 --minutes 15",
        formatter_class=RawFormatter,
    )
    p.add_argument("--window", required=True, metavar="编号", help="窗口编号，如 12 或 A03")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--staff", metavar="姓名", help="工作人员姓名（窗口级巡查项不需要；加分项等不写则记在窗口上）")
    who.add_argument("--substitute", action="store_true", help="针对替岗人员（只计入窗口）")
    p.add_argument("--type", required=True, metavar="巡查项", help="巡查项名称、别名或代码，如 迟到、空岗、late")
    p.add_argument("--at", metavar="时间", help='发现时间 "YYYY-MM-DD HH:MM"（大厅当地时间；默认现在）')
    p.add_argument("--note", default="", metavar="备注", help=f"备注（最多 {NOTE_LIMIT} 字，照原样保存）")
    p.add_argument("--count", default="1", metavar="次数", help="发生的次数（默认 1）：一条记录按 分值×次数 计分")
    p.add_argument("--minutes", metavar="分钟", help="持续的分钟数（无人在岗必填）")
    p.set_defaults(func=log)

    p = sub.add_parser(
        "correct",
        help="更正一条巡查记录（作废或修改，留有记录）",
        description="作废或修改一条巡查记录。记录从不被直接改动：原记录作废，修改后的记录另存，"
        "更正的原因、更正人和时间都会留下，并列入附表5 更正记录。",
    )
    p.add_argument("id", metavar="记录号", help="记录号，如 2611-0042（patrol log 保存时、记录页和附表1 中显示）")
    p.add_argument("--reason", required=True, metavar="原因", help=f"更正原因（必填，最多 {NOTE_LIMIT} 字）")
    p.add_argument("--void", action="store_true", help="作废这条记录")
    p.add_argument("--type", metavar="巡查项", help="改为另一巡查项（分值按现行规则）")
    p.add_argument("--window", metavar="编号", help="改到另一窗口")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--staff", metavar="姓名", help="改为另一工作人员")
    who.add_argument("--substitute", action="store_true", help="改为替岗人员")
    p.add_argument("--at", metavar="时间", help='改正发现时间 "YYYY-MM-DD HH:MM"')
    p.add_argument("--note", metavar="备注", help=f"改写备注（最多 {NOTE_LIMIT} 字）")
    p.add_argument("--count", metavar="次数", help="改正次数，如 28 记成了 82")
    p.add_argument("--minutes", metavar="分钟", help="改正分钟数（无人在岗）")
    p.set_defaults(func=correct)


def findings_import(args: argparse.Namespace) -> int:
    """Check every row, then write them all in one transaction."""
    from patrol.imports.findings import apply_findings, plan_findings, refuse_duplicates
    from patrol.rules.periods import Period

    service = open_service(args)
    period = Period.parse(args.period) if args.period is not None else None
    plan = plan_findings(service, args.file, period)
    if not args.allow_duplicates:
        refuse_duplicates(service, args.file, plan)
    if args.dry_run:
        print(f"检查通过：{len(plan.rows)} 条记录可导入。未写入（去掉 --dry-run 即可导入）。")
        return 0
    count = apply_findings(service, plan)
    print(f"已导入 {count} 条巡查记录。")
    return 0


def log(args: argparse.Namespace) -> int:
    """Save one finding; print it once it is on disk."""
    from patrol.rules.periods import parse_local_time

    service = open_service(args)
    window = service.lookup.window(args.window)
    item = service.lookup.rule(args.type)
    at = service.findings.check_time(parse_local_time(args.at, service.hall.tz)) if args.at is not None else None
    staff = None
    if item.is_window_level and (args.staff or args.substitute):
        raise UserError(f"“{item.name}”是窗口级巡查项，只记在窗口上：请去掉 --staff / --substitute。")
    if args.staff:
        staff = service.lookup.resolve_staff(args.staff, window, at)  # who sat at the window then
    found = service.findings.log(
        window,
        staff,
        item,
        substitute=args.substitute,
        at=at,
        note=args.note,
        count=_whole(args.count, "--count") or 0,
        minutes=_whole(args.minutes, "--minutes"),
    )
    who = found.person or "窗口"
    print(
        f"已保存：{found.at:%Y-%m-%d %H:%M} {found.window_code} {found.window_name} {who} {found.type_name}"
        f"{found.times} {found.total_points:+.1f}（记录号 {found.ref}）"
    )
    return 0


def _whole(text: str | None, option: str) -> int | None:
    """A whole number typed after ``option`` (None when it was not given); UserError otherwise."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise UserError(f"{option} 应为整数（如 {option} 28），而不是“{text}”。") from None


def correct(args: argparse.Namespace) -> int:
    """Void or amend a finding, with a reason."""
    from patrol.hall.corrections import CorrectionText, apply_correction

    service = open_service(args)
    found = service.findings.finding(args.id)
    text = CorrectionText(
        reason=args.reason,
        void=args.void,
        type_name=args.type,
        window_code=args.window,
        person="替岗人员" if args.substitute else args.staff,
        at=args.at,
        note=args.note,
        count=_whole(args.count, "--count"),
        minutes=_whole(args.minutes, "--minutes"),
    )
    replacement = apply_correction(service, found, text)
    if replacement is None:
        print(
            f"已作废 {found.ref}：{found.at:%Y-%m-%d %H:%M} {found.window_code} {found.person or '窗口'} "
            f"{found.type_name}（原因：{args.reason.strip()}）"
        )
    else:
        from patrol.hall.views import CorrectionView
        from patrol.reports.wording import correction_change

        change = correction_change(CorrectionView(replacement.at, args.reason.strip(), "", found, replacement))
        print(f"已更正 {found.ref}：{change}（新记录号 {replacement.ref}；原因：{args.reason.strip()}）")
    return 0
