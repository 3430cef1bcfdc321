"""What the command line reads out: `rank`, `record`, `report`, `export`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from patrol.cli.common import open_service, period
from patrol.cli.parser import RawFormatter
from patrol.errors import UserError

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from patrol.rules.periods import Period
    from patrol.rules.scoring import Ranking, Standing
    from patrol.rules.settings import HallRules
    from patrol.rules.verdicts import Verdicts


# Every sheet the appendix can hold, in its order (`patrol export --help`).
SHEET_LINES = (
    "附表1 巡查明细：每条有效巡查记录（超过 Excel 行数上限时续写在 附表1 巡查明细(2)…）",
    "附表2 窗口量化考评：窗口排名、扣分加分、评定",
    "附表2 图：窗口得分条形图（窗口名称过长的截短，以“…”结尾）",
    "附表2-1 单位考评：窗口标明单位时才有",
    "附表3 人员考核排名：只列本期出现过的巡查项，按类别分组",
    "附表4 考勤汇总：应出勤、实际出勤、迟到、早退、缺卡、请假、脱岗、串岗、满勤",
    "附表5 更正记录：本期巡查记录的更正（时间、原记录、更正内容、原因、更正人）",
    "附表6 审批业务统计表：大厅导入了本期办件数据（patrol services import）时才有",
    "通报草稿：通报全文，每段在页宽内换行",
)


def register(sub: Any) -> None:
    """Add `export`, `report`, `record` and `rank`."""
    p = sub.add_parser(
        "export",
        help="导出巡查考核附表（.xlsx）",
        description="导出统计周期的巡查考核附表（.xlsx），依次包含以下工作表：\n"
        + "\n".join(f"  {line}" for line in SHEET_LINES)
        + "\n每张表按 A4 打印：正文不小于 9 磅，较宽的表横向打印，每页重复标题和表头，页码按表从第 1 页编起。\n"
        "导出前先校验全部记录（同 patrol verify）：未通过时不导出，报告第一处问题并以 1 退出；通过时附表1 末尾印出"
        "各设备的链头，日后可用 patrol verify --against 附表文件 核对。\n"
        '默认文件名中 Windows 和U盘不允许的字符（/ \\ : * ? " < > |）换成全角字符，大厅名称不会让文件写到别的文件夹。'
        "先写入临时文件再改名，目标处不会留下写了一半的文件；文件夹不存在或不可写时给出一行说明并以 1 退出。",
        epilog="示例：\n  patrol export --period 2026-11\n  patrol export --period 2026-11 --out 附表/\n"
        "  patrol export --period 2026Q4 --out 四季度附表.xlsx --force",
        formatter_class=RawFormatter,
    )
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.add_argument(
        "--out",
        metavar="FILE.xlsx",
        help="输出文件（.xlsx）或文件夹（已有的，或以 / 结尾；默认当前文件夹下的“{大厅名称}{周期}巡查考核附表.xlsx”）",
    )
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    p.add_argument(
        "--allow-unverified",
        action="store_true",
        help="数据库未通过校验时仍然导出：每张表标注“未通过校验”，附表1 末尾不印链头",
    )
    p.set_defaults(func=export)

    p = sub.add_parser(
        "report",
        help="打印通报草稿，或写成公文格式的 Word 文件",
        description="按统计周期打印通报草稿（--format text，默认），或写成 Word 文件（--format docx）。\n\n"
        "Word 文件按党政机关公文格式（GB/T 9704）排版：A4，上 37 毫米、下 35 毫米、左 28 毫米、右 26 毫米；\n"
        "标题 2 号方正小标宋简体；正文 3 号仿宋_GB2312，首行缩进两字，每页 22 行、每行 28 字；\n"
        "一级标题黑体，二级标题楷体；页码“— 1 —”；落款和日期居右；待填写处以黄色底纹标出。\n"
        "先写入临时文件再改名，目标处不会留下写了一半的文件；已存在的文件须加 --force 才覆盖。",
        epilog="示例：\n  patrol report --period 2026-11\n  patrol report --period 2026-11 --format docx\n"
        "  patrol report --period 2026Q4 --format docx --out ~/通报/\n"
        "  patrol report --period 2026-11 --format docx --out 十一月通报.docx --force",
        formatter_class=RawFormatter,
    )
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.add_argument(
        "--format",
        choices=("text", "docx"),
        default="text",
        help="text：打印到屏幕（默认）；docx：写成公文格式的 Word 文件",
    )
    p.add_argument(
        "--out",
        metavar="FILE.docx",
        help="Word 文件（.docx）或文件夹（已有的，或以 / 结尾；仅 --format docx；"
        "默认当前文件夹下的“{大厅名称}{周期}巡查考核通报.docx”）",
    )
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件（仅 --format docx）")
    p.set_defaults(func=report)

    p = sub.add_parser(
        "record",
        help="查看某人或某窗口的记录（会记入查阅日志）",
        description="打印一名人员（按姓名）或一个窗口（--window 编号）在统计周期内的得分、排名、各巡查项次数和"
        "全部巡查记录。每次查阅都会记入查阅日志（谁、何时、查了谁），可用 patrol access-log 查看。",
    )
    p.add_argument("name", nargs="?", metavar="姓名", help="姓名、姓、全拼或拼音首字母（如 zm）；多人相符时列出供选择")
    p.add_argument("--window", metavar="编号", help="窗口编号：只给编号时查看窗口的记录")
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.set_defaults(func=record)

    p = sub.add_parser(
        "rank",
        help="排名：人员、窗口或单位",
        description="按统计周期计算人员、窗口或单位排名。单位排名计入本单位人员（无论坐在哪个窗口）的"
        "全部巡查记录，以及本单位窗口的窗口记录（替岗人员、窗口项；混合窗口的窗口记录计入窗口所属单位）。",
        epilog="示例：\n  patrol rank --period 2026-11 --by window\n  patrol rank --period 2026-11 --by unit\n"
        "  patrol rank --by unit --format csv > 单位排名.csv",
        formatter_class=RawFormatter,
    )
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.add_argument(
        "--by",
        choices=("staff", "window", "unit"),
        default="staff",
        help="按人员（默认）、窗口或单位（unit）排名",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="输出格式（默认 table）")
    p.set_defaults(func=rank)


def record(args: argparse.Namespace) -> int:
    """A person's or a window's record, logged in the access log first."""
    from patrol.reports.record_text import record_lines

    service = open_service(args)
    chosen = period(args, service)
    if args.name:
        from patrol.cli.staff import choose

        kind, item_id, who = choose(service, args.name, args.window)  # as `/` finds people; asks which
    elif args.window:
        window = service.lookup.window(args.window)
        kind, item_id, who = "window", window.id, f"{window.code} {window.name}"
    else:
        raise UserError("请给出人员姓名，或用 --window 编号 查看窗口。")
    for line in record_lines(service.records.look_up(kind, item_id, chosen, who)):
        print(line)
    return 0


def export(args: argparse.Namespace) -> int:
    """Write the appendix workbook of a period."""
    from patrol.reports.export import export as write

    service = open_service(args)
    chosen = period(args, service)
    total = service.standings.finding_count(chosen)
    progress = None
    if total > 50_000 and sys.stderr.isatty():
        from patrol.cli.output import unguarded

        def progress(done: int, all_: int) -> None:  # a line that rewrites itself ("\r")
            print(f"\r正在写入巡查明细：{done}/{all_}", end="", file=unguarded(sys.stderr), flush=True)

    def unverified(problem: str) -> None:
        print(f"patrol: 注意：数据库未通过校验（{problem}），附表每张表都将标注“未通过校验”。", file=sys.stderr)

    path, _notice = write(
        service,
        chosen,
        args.out,
        force=args.force,
        progress=progress,
        if_unverified=unverified if args.allow_unverified else None,
    )
    if progress is not None:
        print(file=sys.stderr)
    print(f"已导出 {chosen.label} 巡查考核附表（巡查记录 {total} 条）：{path}")
    return 0


def report(args: argparse.Namespace) -> int:
    """Print the draft notice of a period, or write it as a Word file (--format docx)."""
    from patrol.reports.notice import compose_notice
    from patrol.reports.period_report import gather

    if args.format == "text" and (args.out is not None or args.force):
        raise UserError(
            "--out 和 --force 只用于 --format docx；纯文本通报直接打印，可重定向保存：patrol report > 通报.txt"
        )
    service = open_service(args)
    chosen = period(args, service)
    if args.format == "docx":
        from patrol.reports.export import export_notice

        path, _notice = export_notice(service, chosen, args.out, force=args.force)
        print(f"已写入 {chosen.label} 通报（Word，公文格式）：{path}")
        return 0
    service.access.log("通报", f"{chosen.label} 通报草稿（命令行输出）", chosen)
    for paragraph in compose_notice(gather(service, chosen)).paragraphs():
        print(paragraph)
        print()
    return 0


BY_WORDS = {"staff": "人员", "window": "窗口", "unit": "单位"}

# The first fields are the contract scripts were written against (a CSV is read by position):
# later fields are only ever added at the end.
STAFF_FIELDS = (
    "rank",
    "name",
    "window",
    "window_name",
    "score",
    "deductions",
    "bonuses",
    "findings",
    "mark",
    "full_attendance",
    "change",
    "tied",
    "new",
    "unit",  # the person's own unit (at a 综合窗口 it may differ from the window's)
)
UNIT_FIELDS = (
    "rank",
    "unit",
    "score",
    "deductions",
    "bonuses",
    "findings",
    "staff",
    "windows",
    "mark",
    "change",
    "tied",
    "new",
)
WINDOW_FIELDS = (
    "rank",
    "window",
    "window_name",
    "unit",
    "score",
    "deductions",
    "bonuses",
    "findings",
    "mark",
    "change",
    "tied",
    "new",
)


def rank(args: argparse.Namespace) -> int:
    """The ranking of a period as a table, JSON or CSV. Marks, 满勤 and ties are the verdicts'
    (``ranking.verdicts``); full_attendance is null when 满勤 was not judged, change is null when
    there is nothing to compare with."""
    service = open_service(args)
    chosen = period(args, service)
    ranking = service.standings.ranking(chosen)
    verdicts = ranking.verdicts
    assert verdicts is not None
    judged = verdicts.full_attendance is not None
    if args.by == "unit":
        return _rank_units(args, service, chosen, ranking)
    rows = ranking.staff if args.by == "staff" else ranking.windows
    records = [
        {
            "rank": r.rank,
            "tied": r.tied,
            "name": r.name,
            "window": r.window_code,
            "window_name": r.window_name,
            "unit": r.unit,
            "score": r.score,
            "deductions": r.deductions,
            "bonuses": r.bonuses,
            "findings": r.findings,
            "mark": r.mark,
            "full_attendance": r.full_attendance if judged else None,
            "change": r.change,
            "new": r.new,
        }
        for r in rows
    ]
    import csv

    fields = STAFF_FIELDS if args.by == "staff" else WINDOW_FIELDS
    records = [{k: rec[k] for k in fields} for rec in records]
    if args.format == "json":
        from patrol.cli.output import json_text

        print(json_text(records))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _csv_cell(v) for k, v in rec.items()} for rec in records)
    else:
        settings = service.settings_for(chosen)
        print_table(service.hall.name, chosen.label, args.by, rows, verdict_lines(verdicts, settings, args.by))
    return 0


def _unit_sizes(ranking: Ranking) -> dict[str, tuple[int, list[str]]]:
    """Each unit's people counted in the period and its windows' codes."""
    people: dict[str, int] = {}
    for row in ranking.staff:
        people[row.unit] = people.get(row.unit, 0) + 1
    codes: dict[str, list[str]] = {}
    for row in ranking.windows:
        codes.setdefault(row.unit, []).append(row.window_code)
    return {r.id: (people.get(r.id, 0), codes.get(r.id, [])) for r in ranking.units}


def _rank_units(args: argparse.Namespace, service: HallService, chosen: Period, ranking: Ranking) -> int:
    """`rank --by unit`: the units of a period as a table, JSON or CSV; staff is how many of the
    unit's people count in the period, windows the codes of the windows it holds."""
    import csv

    rows, sizes, verdicts = ranking.units, _unit_sizes(ranking), ranking.verdicts
    assert verdicts is not None
    records = [
        {
            "rank": r.rank,
            "unit": r.name,
            "score": r.score,
            "deductions": r.deductions,
            "bonuses": r.bonuses,
            "findings": r.findings,
            "staff": sizes[r.id][0],
            "windows": "、".join(sizes[r.id][1]),
            "mark": r.mark,
            "change": r.change,
            "tied": r.tied,
            "new": r.new,
        }
        for r in rows
    ]
    if args.format == "json":
        from patrol.cli.output import json_text

        print(json_text(records))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=UNIT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _csv_cell(v) for k, v in rec.items()} for rec in records)
    else:
        from patrol.reports.verdict_text import summary

        settings = service.settings_for(chosen)
        if not verdicts.has_records:
            notes = ["本期无巡查记录，不评定优质服务窗口单位。"]
        else:
            notes = [f"评定：{summary(verdicts.top_units, settings)}。"]
        print_table(service.hall.name, chosen.label, "unit", rows, notes, sizes)
    return 0


def _csv_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (a name "=1+1") is kept text with a leading
    quote, as the workbook keeps such cells text; numbers stay numbers."""
    from patrol.text import spreadsheet_text

    return spreadsheet_text(value) if isinstance(value, str) else value


def verdict_lines(verdicts: Verdicts, settings: HallRules, by: str) -> list[str]:
    """What the table's 评定 column rests on, in a line or two under it."""
    from patrol.reports.verdict_text import summary

    if not verdicts.has_records:
        lines = ["本期无巡查记录，不评定服务标兵、优秀服务窗口和末位。"]
    else:
        awards = (
            (verdicts.models, verdicts.bottom_staff) if by == "staff" else (verdicts.excellent, verdicts.bottom_windows)
        )
        lines = ["评定：" + "；".join(summary(a, settings) for a in awards) + "。"]
    if by == "staff":
        if verdicts.full_attendance is None:
            why = "本期无巡查记录" if settings.attendance_basis == "patrol" else "本期无打卡记录"
            lines.append(f"满勤：{why}，未评定。")
        elif verdicts.attendance_basis == "patrol":
            lines.append("满勤：大厅未使用考勤机，仅依据巡查记录认定。")
        else:
            lines.append(f"满勤：依据打卡记录和巡查记录认定，共{len(verdicts.full_attendance)}名。")
    return lines


def _console_class() -> type:
    from rich.console import Console

    class PipedConsole(Console):
        """Rich's console, except that a reader that went away (``patrol rank | head``) ends the
        command as it ends every other one (``patrol.cli``), not with Rich's own exit 1."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return PipedConsole


def print_table(
    hall: str,
    label: str,
    by: str,
    rows: Sequence[Standing],
    notes: Sequence[str] = (),
    sizes: dict[str, tuple[int, list[str]]] | None = None,
) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from patrol.cli.output import unguarded
    from patrol.reports.formatting import change_text, points_text, score_text, tied_text
    from patrol.text import shown

    title = Text(shown(f"{hall} {label} {BY_WORDS[by]}排名"))
    table = Table(title=title, show_lines=False)
    table.add_column("名次", justify="right")
    table.add_column("并列")
    if by == "staff":
        table.add_column("姓名")
    if by == "unit":
        table.add_column("单位")
        table.add_column("人数", justify="right")
    table.add_column("窗口")
    table.add_column("得分", justify="right")
    table.add_column("扣分", justify="right")
    table.add_column("加分", justify="right")
    table.add_column("项次", justify="right")
    table.add_column("变化", justify="right")
    table.add_column("评定")
    kind = "staff" if by == "staff" else "window"
    for r in rows:
        cells = [str(r.rank), tied_text(r.tied, kind)]
        if by == "staff":
            cells.append(r.name)
        mark = r.mark + ("/满勤" if by == "staff" and r.full_attendance else "")
        if by == "unit":
            people, codes = (sizes or {}).get(r.id, (0, []))
            cells += [r.name, str(people)]
        cells += [
            "、".join(codes) if by == "unit" else f"{r.window_code} {r.window_name}",
            score_text(r.score),
            points_text(r.deductions),
            points_text(r.bonuses),
            str(r.findings),
            change_text(r.change, r.new),
            mark.strip("/"),
        ]
        # Names are data, never markup ("[/]" is a name too), and never steer the terminal.
        table.add_row(*(Text(shown(cell)) for cell in cells))
    # Rich styles the table with escape sequences of its own: it writes beneath the guard, and
    # every piece of user text above went through ``shown``.
    console = _console_class()(file=unguarded(sys.stdout), width=max(120 if by == "unit" else 100, Console().width))
    console.print(table)
    for line in notes:
        print(line)
