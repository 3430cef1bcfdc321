"""The command line (DESIGN: 'The command line'; a contract that tests and scripts rely on).

Exit codes: 0 done, 1 the input was refused (one line on stderr says what, where and how to
fix; nothing was written), 2 the command line itself is malformed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from patrol import config
from patrol.errors import UserError
from storage.errors import StorageError

DESCRIPTION = """政务服务大厅巡查工具：记录巡查发现、实时排名、查询窗口与人员记录。

不带子命令时打开巡查界面（默认数据库在用户数据目录；用 --db 或 PATROL_DB 另指）。"""

EPILOG = """示例：
  patrol demo                                  打开演示大厅（不影响真实数据）
  patrol init --hall 高新区政务服务中心          新建大厅
  patrol roster import 名册.xlsx --dry-run       预览名册导入
  patrol log --window 12 --staff 张梅 --type 迟到
  patrol rank --period 2026-11 --by window --format json
  patrol correct 01a2f3c4 --type 早退 --reason 经核实为早退
  patrol export --period 2026-11 --out 附表.xlsx   导出巡查考核附表
  patrol report --period 2026Q4                   打印通报草稿
  patrol record 张梅 --period 2026-11             查看一个人的记录（记入查阅日志）
  patrol verify                                   校验记录未被改动
  patrol pin                                      设置解锁 PIN
  patrol purge --before 2023-01-01                清除超过保存期的个人信息
周期写法：2026-11（月）、2026Q4（季度）、2026H1（半年）、2026（年）、2026-11-01..2026-11-15。"""


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class _RawFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, speaking Chinese in its own words too (usage, headings, -h)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "命令与参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{_in_chinese(message)}（用 {self.prog} --help 查看用法）\n")


# argparse's own messages, as the user should read them.
ARGPARSE_MESSAGES = (
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", "参数 {0} 的取值“{1}”无效，可选：{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 需要一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能与 {1} 同时使用"),
    (r"argument (\S+): invalid (\w+) value: '(.*)'", "参数 {0} 的值“{2}”无效"),
)


def _in_chinese(message: str) -> str:
    import re

    for pattern, text in ARGPARSE_MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return text.format(*(group.replace("'", "") for group in found.groups()))
    return message


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand and its help."""
    parser = _Parser(prog="patrol", description=DESCRIPTION, epilog=EPILOG, formatter_class=_RawFormatter)
    parser.add_argument(
        "--db",
        metavar="URL",
        help="数据库地址（SQLAlchemy URL，如 sqlite:///路径/patrol.db 或 "
        "postgresql+psycopg://…）；默认读取 PATROL_DB，否则用用户数据目录下的 patrol.db",
    )
    parser.add_argument("--hall", metavar="名称", help="大厅名称（数据库中有多个大厅时指定；默认第一个）")
    parser.add_argument("--inspector", metavar="姓名", help="督查员姓名（默认读取 PATROL_INSPECTOR，否则用登录名）")
    parser.add_argument(
        "--lock-after",
        metavar="分钟",
        help="巡查界面无操作多少分钟后锁屏（默认读取 PATROL_LOCK_MINUTES，否则 5；0 为不锁屏）",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    sub.add_parser(
        "demo",
        help="打开演示大厅（约 20 个窗口、60 名人员、一个多月的巡查记录）",
        description="在临时副本上打开演示大厅，不会改动你的数据库。",
    )

    p = sub.add_parser(
        "init", help="新建大厅（使用默认巡查规则）", description="创建数据库（如需要）和一个使用默认规则的大厅。"
    )
    p.add_argument("--hall", dest="init_hall", metavar="名称", required=True, help="大厅名称")

    roster = sub.add_parser("roster", help="名册：导入窗口与人员", description="管理窗口与人员名册。")
    roster_sub = roster.add_subparsers(dest="action", metavar="操作", required=True, parser_class=_Parser)
    p = roster_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入名册",
        description="从 .xlsx 或 .csv 导入名册。表头需含：窗口编号、窗口名称、单位、姓名；可选：岗位、区域。"
        "姓名为空的行只登记窗口。名册中没有的人员不会被停用，只会列出。"
        "数据库里还没有大厅时，会按 --hall（默认“政务服务大厅”）新建。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="名册文件（.xlsx 或 .csv）")
    p.add_argument("--dry-run", action="store_true", help="只显示将要做的改动，不写入")

    findings = sub.add_parser("findings", help="巡查记录：导入以往的表格", description="导入以往手工记录的巡查表格。")
    findings_sub = findings.add_subparsers(dest="action", metavar="操作", required=True, parser_class=_Parser)
    p = findings_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入巡查记录",
        description="表头需含：时间（YYYY-MM-DD HH:MM）、窗口编号、姓名（窗口级巡查项留空，替岗人员写“替岗人员”）、"
        "巡查项；可选：备注、督查员。先检查每一行，全部无误才一次写入。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="巡查记录文件（.xlsx 或 .csv）")
    p.add_argument("--period", metavar="周期", help="只接受该周期内的记录（其余行报错）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    p = sub.add_parser("log", help="记录一条巡查发现", description="记录一条巡查发现，写入磁盘后才返回。")
    p.add_argument("--window", required=True, metavar="编号", help="窗口编号，如 12 或 A03")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--staff", metavar="姓名", help="工作人员姓名（窗口级巡查项不需要）")
    who.add_argument("--substitute", action="store_true", help="针对替岗人员（只计入窗口）")
    p.add_argument("--type", required=True, metavar="巡查项", help="巡查项名称、别名或代码，如 迟到、空岗、late")
    p.add_argument("--at", metavar="时间", help='发现时间 "YYYY-MM-DD HH:MM"（大厅当地时间；默认现在）')
    p.add_argument("--note", default="", metavar="备注", help="备注")

    p = sub.add_parser(
        "export",
        help="导出巡查考核附表（.xlsx）",
        description="导出统计周期的巡查考核附表：附表1 巡查明细、附表2 窗口量化考评、附表3 人员考核排名、"
        "附表4 考勤汇总和通报草稿。先写入临时文件再改名，目标处不会留下写了一半的文件。",
    )
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE.xlsx",
        help="输出文件或文件夹（默认当前文件夹下的“{大厅名称}{周期}巡查考核附表.xlsx”）",
    )
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件")

    p = sub.add_parser("report", help="打印通报草稿", description="按统计周期打印通报草稿，可直接复制到正式文件。")
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")

    p = sub.add_parser(
        "correct",
        help="更正一条巡查记录（作废或修改，留有记录）",
        description="作废或修改一条巡查记录。记录从不被直接改动：原记录作废，修改后的记录另存，"
        "更正的原因、更正人和时间都会留下，并列入附表5 更正记录。",
    )
    p.add_argument("id", metavar="记录号", help="记录号（patrol log 保存时显示；至少前 8 位）")
    p.add_argument("--reason", required=True, metavar="原因", help="更正原因（必填）")
    p.add_argument("--void", action="store_true", help="作废这条记录")
    p.add_argument("--type", metavar="巡查项", help="改为另一巡查项（分值按现行规则）")
    p.add_argument("--window", metavar="编号", help="改到另一窗口")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--staff", metavar="姓名", help="改为另一工作人员")
    who.add_argument("--substitute", action="store_true", help="改为替岗人员")
    p.add_argument("--at", metavar="时间", help='改正发现时间 "YYYY-MM-DD HH:MM"')
    p.add_argument("--note", metavar="备注", help="改写备注")

    p = sub.add_parser(
        "verify",
        help="校验全部记录未被改动",
        description="逐台设备检查巡查记录和更正记录的散列链：内容被改、记录被删除、插入、调换或链尾被截断都会被发现。"
        "全部完好时退出码为 0，否则报告第一处断链及其记录并以 1 退出。",
    )
    p.add_argument("--digest", action="store_true", help="只打印链头摘要（印在附表1 末尾，日后可据此核对）")
    sub.add_parser(
        "backup",
        help="立即备份数据库",
        description="用 SQLite 在线备份（使用中也安全）把数据库备份到数据库旁的 backups 文件夹，"
        "只有本人可读，保留最近 30 份。打开巡查界面时每天也会自动备份一次。",
    )
    p = sub.add_parser(
        "restore",
        help="从备份恢复数据库",
        description="先检查备份文件完整可用、散列链未被改动，再恢复；"
        "当前数据库另存为 patrol.db.before-restore-时间，不会丢失。"
        "恢复前请先关闭所有打开这个数据库的巡查界面。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件（patrol backup 生成的 .db）")

    p = sub.add_parser(
        "record",
        help="查看某人或某窗口的记录（会记入查阅日志）",
        description="打印一名人员（按姓名）或一个窗口（--window 编号）在统计周期内的得分、排名、各巡查项次数和"
        "全部巡查记录。每次查阅都会记入查阅日志（谁、何时、查了谁），可用 patrol access-log 查看。",
    )
    p.add_argument("name", nargs="?", metavar="姓名", help="人员姓名（同名时加 --window 区分）")
    p.add_argument("--window", metavar="编号", help="窗口编号：只给编号时查看窗口的记录")
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p = sub.add_parser(
        "access-log",
        help="查阅日志：谁导出过数据、查看过谁的记录",
        description="列出导出、通报和按人查阅记录的日志（时间、督查员、操作、对象），默认最近 30 天。",
    )
    p.add_argument("--since", metavar="日期", help="从哪天起（YYYY-MM-DD，默认 30 天前）")

    p = sub.add_parser(
        "purge",
        help="清除超过保存期的个人信息",
        description="清除某日之前的巡查记录和更正记录中的个人信息（人员、备注、更正原因）以及查阅日志。"
        "窗口、巡查项、分值和时间保留，散列链保持完整，patrol verify 仍然通过；清除本身作为一条记录加入链中。"
        "日期须早于大厅的保存期（36 个月）。执行前会列出数量并要求确认；不可撤销。",
    )
    p.add_argument("--before", metavar="日期", required=True, help="清除此日（YYYY-MM-DD，当地零点）之前的记录")
    p.add_argument("--yes", action="store_true", help="不再询问，直接清除（用于脚本）")

    sub.add_parser(
        "pin",
        help="设置督查员 PIN（解锁屏幕用）",
        description="为 --inspector 指定的督查员（默认当前督查员）设置 4–12 位数字的 PIN。巡查界面无操作一段时间后"
        "会锁屏，只有已设置 PIN 的督查员能解锁，此后的记录记在解锁者名下。PIN 只以加盐的 scrypt 散列保存。"
        "在终端中会要求输入两次；从管道输入时读取第一行。",
    )

    p = sub.add_parser("rank", help="排名：人员或窗口", description="按统计周期计算人员或窗口排名。")
    p.add_argument("--period", metavar="周期", help="统计周期（默认本月）")
    p.add_argument("--by", choices=("staff", "window"), default="staff", help="按人员（默认）或窗口排名")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="输出格式（默认 table）")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (UserError, StorageError) as exc:
        print(f"patrol: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _url(args: argparse.Namespace) -> str:
    return args.db or config.default_db_url()


def _open(args: argparse.Namespace, fast: bool = True):  # type: ignore[no-untyped-def]
    from patrol.hall_service import open_hall

    return open_hall(
        _url(args),
        args.hall,
        inspector=args.inspector or config.default_inspector(),
        device=config.device_id(),
        fast=fast,
    )


def _run(args: argparse.Namespace) -> int:
    command = args.command
    if command is None:
        return _app(args, _url(args))
    if command == "demo":
        return _demo(args)
    if command == "init":
        return _init(args)
    if command == "roster":
        return _roster_import(args)
    if command == "findings":
        return _findings_import(args)
    if command == "log":
        return _log(args)
    if command == "rank":
        return _rank(args)
    if command == "export":
        return _export(args)
    if command == "correct":
        return _correct(args)
    if command == "verify":
        return _verify(args)
    if command in ("backup", "restore"):
        return _backup_or_restore(args)
    if command == "report":
        return _report(args)
    if command == "pin":
        return _pin(args)
    if command == "purge":
        return _purge(args)
    if command == "record":
        return _record(args)
    if command == "access-log":
        return _access_log(args)
    raise AssertionError(command)


def _app(args: argparse.Namespace, url: str, demo: bool = False) -> int:
    import os

    from patrol.launch import run_app
    from patrol.lock import LOCK_ENV, lock_minutes

    minutes = lock_minutes(args.lock_after if args.lock_after is not None else os.environ.get(LOCK_ENV))
    return run_app(
        url, hall=args.hall, inspector=args.inspector or config.default_inspector(), demo=demo, lock_minutes=minutes
    )


def _record(args: argparse.Namespace) -> int:
    from patrol.record_text import record_lines

    service = _open(args)
    period = _period(args, service)
    if args.name:
        window = service.window(args.window) if args.window else None
        person = service.resolve_staff(args.name, window)
        code = service.window_by_id[person.window_id].code
        kind, item_id, who = "staff", person.id, f"{person.name}（{code} 号窗口）"
    elif args.window:
        window = service.window(args.window)
        kind, item_id, who = "window", window.id, f"{window.code} {window.name}"
    else:
        raise UserError("请给出人员姓名，或用 --window 编号 查看窗口。")
    service.log_access("查看记录", f"{who}，{period.label}")
    for line in record_lines(service.record(kind, item_id, period)):
        print(line)
    return 0


def _access_log(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from patrol.periods import parse_local_date

    service = _open(args)
    since = parse_local_date(args.since, service.hall.tz) if args.since else service.clock() - timedelta(days=30)
    entries = service.access_log(since)
    if not entries:
        print(f"{since.astimezone(service.hall.tz):%Y-%m-%d} 以来没有查阅记录。")
    for at, who, action, subject in entries:
        print(f"{at:%Y-%m-%d %H:%M}  {who}  {action}  {subject}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from patrol.purge import carry_out, plan_purge

    service = _open(args, fast=False)
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


def _pin(args: argparse.Namespace) -> int:
    import getpass

    from patrol.lock import set_pin
    from patrol.pins import check_pin_format

    service = _open(args, fast=False)
    if sys.stdin.isatty():
        pin = check_pin_format(getpass.getpass(f"督查员 {service.inspector} 的新 PIN（4–12 位数字）："))
        if getpass.getpass("再次输入：") != pin:
            raise UserError("两次输入的 PIN 不一致，未设置。")
    else:
        pin = check_pin_format(sys.stdin.readline().strip())
    set_pin(service, service.inspector, pin)
    print(f"已为督查员 {service.inspector} 设置 PIN。")
    return 0


def _demo(args: argparse.Namespace) -> int:
    import shutil

    from patrol.demo import demo_url

    print("正在准备演示大厅…", file=sys.stderr)
    url, folder = demo_url()
    try:
        return _app(argparse.Namespace(**{**vars(args), "hall": None}), url, demo=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _init(args: argparse.Namespace) -> int:
    from patrol.hall_service import init_hall

    hall = init_hall(_url(args), args.init_hall)
    print(f"已创建大厅“{hall.name}”（默认巡查规则）。下一步：patrol roster import 名册.xlsx")
    return 0


def _roster_import(args: argparse.Namespace) -> int:
    from patrol.hall_service import HallService, NoHallError, engine_for
    from patrol.roster_import import apply_plan, plan_roster
    from patrol.roster_model import HallInfo
    from storage.reads import EMPTY

    new_hall = None
    try:
        service = _open(args)
    except NoHallError:
        # A new database: the roster brings its hall, created with it in one transaction.
        new_hall = args.hall or "政务服务大厅"
        url = _url(args)
        service = HallService(EMPTY, HallInfo(id="", name=new_hall), engine_factory=lambda: engine_for(url))
    plan = plan_roster(service, args.file)  # every row is checked before anything is written
    if new_hall:
        print(f"数据库中还没有大厅，{'导入时将' if args.dry_run else '已'}新建大厅“{new_hall}”。")
    for line in plan.lines:
        print(line)
    if plan.absent:
        print(f"名册中没有以下在岗人员（未做改动，如已离岗请在名册页停用）：{'、'.join(plan.absent)}")
    if plan.empty:
        print("名册与数据库一致，没有需要改动的内容。")
        return 0
    if args.dry_run:
        print(f"预览：{plan.summary()}未写入（去掉 --dry-run 即可导入）。")
        return 0
    apply_plan(service, plan, new_hall=new_hall)
    print(f"已导入：{plan.summary()}")
    return 0


def _findings_import(args: argparse.Namespace) -> int:
    from patrol.findings_import import apply_findings, plan_findings
    from patrol.periods import Period

    service = _open(args)
    period = Period.parse(args.period) if args.period else None
    plan = plan_findings(service, args.file, period)
    if args.dry_run:
        print(f"检查通过：{len(plan.rows)} 条记录可导入。未写入（去掉 --dry-run 即可导入）。")
        return 0
    count = apply_findings(service, plan)
    print(f"已导入 {count} 条巡查记录。")
    return 0


def _log(args: argparse.Namespace) -> int:
    from patrol.periods import parse_local_time

    service = _open(args)
    window = service.window(args.window)
    item = service.rule(args.type)
    staff = None
    if args.staff and not item.is_window_level:
        staff = service.resolve_staff(args.staff, window)
    at = parse_local_time(args.at, service.hall.tz) if args.at else None
    if len(args.note) > 500:
        raise UserError("备注过长（最多 500 字）。")
    found = service.log(window, staff, item, substitute=args.substitute, at=at, note=args.note)
    who = found.person or "窗口"
    print(
        f"已保存：{found.at:%Y-%m-%d %H:%M} {found.window_code} {found.window_name} {who} {found.type_name} "
        f"{found.points:+.1f}（记录号 {found.id}）"
    )
    return 0


def _period(args: argparse.Namespace, service):  # type: ignore[no-untyped-def]
    from patrol.periods import Period

    return Period.parse(args.period) if args.period else service.current_period()


def _correct(args: argparse.Namespace) -> int:
    from patrol.corrections import CorrectionText, apply_correction

    service = _open(args)
    found = service.finding(args.id)
    text = CorrectionText(
        reason=args.reason,
        void=args.void,
        type_name=args.type,
        window_code=args.window,
        person="替岗人员" if args.substitute else args.staff,
        at=args.at,
        note=args.note,
    )
    replacement = apply_correction(service, found, text)
    if replacement is None:
        print(
            f"已作废：{found.at:%Y-%m-%d %H:%M} {found.window_code} {found.person or '窗口'} {found.type_name}"
            f"（原因：{args.reason.strip()}）"
        )
    else:
        print(
            f"已更正：{found.type_name} → {replacement.type_name}，{replacement.person or '窗口'}，"
            f"{replacement.at:%Y-%m-%d %H:%M}（新记录号 {replacement.id}；原因：{args.reason.strip()}）"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from patrol.hall_service import engine_for
    from storage.reads import AlchemyReader, SqliteReader
    from storage.urls import sqlite_file
    from storage.verify import verify

    url = _url(args)
    engine = engine_for(url)  # brings an old schema up to date first
    path = sqlite_file(url)
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


def _backup_or_restore(args: argparse.Namespace) -> int:
    from datetime import datetime

    from storage.backup import restore, take_backup
    from storage.urls import sqlite_file

    path = sqlite_file(_url(args))
    if path is None:
        raise UserError("备份和恢复只用于本机 SQLite 数据库；PostgreSQL 请用服务器的 pg_dump / pg_restore。")
    now = datetime.now()
    if args.command == "backup":
        print(f"已备份：{take_backup(path, now)}")
    else:
        aside = restore(path, args.file, now)
        print(f"已从 {args.file} 恢复。原数据库另存为：{aside}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from patrol.export import export

    service = _open(args)
    period = _period(args, service)
    total = service.finding_count(period)
    progress = None
    if total > 50_000 and sys.stderr.isatty():

        def progress(done: int, all_: int) -> None:
            print(f"\r正在写入巡查明细：{done}/{all_}", end="", file=sys.stderr, flush=True)

    path, _notice = export(service, period, args.out, force=args.force, progress=progress)
    if progress is not None:
        print(file=sys.stderr)
    print(f"已导出 {period.label} 巡查考核附表（巡查记录 {total} 条）：{path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from patrol.notice import draft_notice
    from patrol.period_report import gather

    service = _open(args)
    period = _period(args, service)
    service.log_access("通报", f"{period.label} 通报草稿（命令行输出）")
    for paragraph in draft_notice(gather(service, period)):
        print(paragraph)
        print()
    return 0


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
)


def _rank(args: argparse.Namespace) -> int:
    service = _open(args)
    period = _period(args, service)
    ranking = service.ranking(period)
    rows = ranking.staff if args.by == "staff" else ranking.windows
    records = [
        {
            "rank": r.rank,
            "name": r.name,
            "window": r.window_code,
            "window_name": r.window_name,
            "unit": r.unit,
            "score": r.score,
            "deductions": r.deductions,
            "bonuses": r.bonuses,
            "findings": r.findings,
            "mark": r.mark,
            "full_attendance": r.full_attendance,
            "change": r.change,
        }
        for r in rows
    ]
    import csv
    import json

    fields = STAFF_FIELDS if args.by == "staff" else WINDOW_FIELDS
    records = [{k: rec[k] for k in fields} for rec in records]
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        _print_table(service.hall.name, period.label, args.by, rows)
    return 0


def _print_table(hall: str, label: str, by: str, rows) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from patrol.formatting import change_text, points_text

    title = f"{hall} {label} {'人员' if by == 'staff' else '窗口'}排名"
    table = Table(title=title, show_lines=False)
    table.add_column("名次", justify="right")
    if by == "staff":
        table.add_column("姓名")
    table.add_column("窗口")
    table.add_column("得分", justify="right")
    table.add_column("扣分", justify="right")
    table.add_column("加分", justify="right")
    table.add_column("项次", justify="right")
    table.add_column("变化", justify="right")
    table.add_column("评定")
    for r in rows:
        cells = [str(r.rank)]
        if by == "staff":
            cells.append(r.name)
        mark = r.mark + ("/满勤" if by == "staff" and r.full_attendance else "")
        cells += [
            f"{r.window_code} {r.window_name}",
            f"{r.score:.1f}",
            points_text(r.deductions),
            points_text(r.bonuses),
            str(r.findings),
            change_text(r.change),
            mark.strip("/"),
        ]
        table.add_row(*cells)
    Console(width=max(100, Console().width)).print(table)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
