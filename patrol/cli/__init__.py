"""The command line (DESIGN: 'The command line'; a contract that tests and scripts rely on).

One module per command group; each registers its parsers with the function that runs them
(``set_defaults(func=…)``). Exit codes: 0 done, 1 the input was refused (one line on stderr
says what, where and how to fix; nothing was written), 2 the command line itself is malformed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from patrol.cli import app, output
from patrol.cli.parser import Parser, RawFormatter
from patrol.errors import UserError
from storage.errors import StorageError

DESCRIPTION = """政务服务大厅巡查工具：记录巡查发现、实时排名、查询窗口与人员记录。

不带子命令时打开巡查界面（默认数据库在用户数据目录；用 --db 或 PATROL_DB 另指）。"""

EPILOG = """示例：
  patrol demo                                  打开演示大厅（不影响真实数据）
  patrol init --hall 高新区政务服务中心          新建大厅
  patrol roster import 名册.xlsx --dry-run       预览名册导入
  patrol staff move 单雄 --window 3 --to 5 --on 2026-11-20   调岗（此前的得分不变）
  patrol log --window 12 --staff 张梅 --type 迟到
  patrol rank --period 2026-11 --by window --format json
  patrol correct 2611-0042 --type 早退 --reason 经核实为早退
  patrol export --period 2026-11 --out 附表.xlsx   导出巡查考核附表
  patrol report --period 2026Q4                   打印通报草稿
  patrol record 张梅 --period 2026-11             查看一个人的记录（记入查阅日志）
  patrol verify                                   校验记录未被改动
  patrol pin                                      设置解锁 PIN（6–12 位数字）
  patrol purge --before 2023-01-01                清除超过保存期的个人信息
  patrol rules show                               查看评定规则（服务标兵人数、并列、满勤依据等）
  patrol rules set 服务标兵人数 10 --from 2026-12-01   修改一条评定规则
  patrol rules export 规则.xlsx                   导出巡查项和评定规则（可修改后导入）
  patrol rules import 规则.xlsx --dry-run         列出表格带来的改动（去掉 --dry-run 即写入）
  patrol seen --window 12                         记录窗口已巡查、无异常
  patrol rounds --period 2026-11                  列出巡查轮次
  patrol close --period 2026-11                   月结（通报发布后冻结该月）
  patrol reopen --period 2026-11 --reason 补录      重新打开已月结的月份
  patrol hours set --from 2026-10-01 --am 09:00-12:00 --pm 14:00-17:00 --grace 5   作息时间
  patrol clockin import 11月打卡.csv              导入打卡记录（生成迟到、早退、缺卡）
  patrol leave add 张梅 --from 2026-11-09 --to 2026-11-10 --type 事假   登记请假
  patrol services import 11月办件量.xlsx          导入各窗口办件量（受理、办结、按时办结、好差评）
周期写法：2026-11（月）、2026Q4（季度）、2026H1（半年）、2026（年）、2026-11-01..2026-11-15。"""


# The global options that take a value: ``opens_app`` steps over their values to find the command.
VALUE_OPTIONS = frozenset({"--db", "--hall", "--inspector", "--lock-after"})


def opens_app(argv: Sequence[str]) -> bool:
    """Whether ``argv`` opens the app (no command, or `demo`) and asks nothing else of the parser:
    then it is built with `demo` and `init` only (the others' modules and parsers are ~30 ms of
    the app's first frame). Anything unusual (-h, an abbreviated option) takes the whole parser,
    so both parse every command line alike."""
    tokens = iter(argv)
    for token in tokens:
        if token in VALUE_OPTIONS:
            next(tokens, None)
        elif token.split("=", 1)[0] in VALUE_OPTIONS:
            continue
        elif token.startswith("-"):
            return False
        else:
            return token == "demo"  # the same subparser either way, whatever follows it
    return True


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The argument parser with every subcommand and its help (with ``commands`` False: only
    those of ``patrol.cli.app``, for a command line that opens the app)."""
    parser = Parser(prog="patrol", description=DESCRIPTION, epilog=EPILOG, formatter_class=RawFormatter)
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
        help="巡查界面无操作多少分钟后锁屏（默认读取 PATROL_LOCK_MINUTES，否则 5；0 为不锁屏）。"
        "只要有督查员设置了 PIN，巡查界面打开时即锁定",
    )
    parser.set_defaults(func=app.run_app)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    app.register(sub)
    if not commands:
        return parser
    from patrol.cli import attendance, evidence, findings, reports, roster, rounds, rules, services, staff

    roster.register(sub, Parser)
    staff.register(sub, Parser)
    findings.register(sub, Parser)
    reports.register(sub)
    evidence.register(sub)
    rules.register(sub, Parser)
    rounds.register(sub, Parser)
    attendance.register(sub, Parser)
    services.register(sub, Parser)
    return parser


def main(argv: Sequence[str] | None = None, open_app: app.AppRunner | None = None) -> int:
    """Run the command line; returns the exit code. ``open_app`` opens the terminal app (for
    `patrol` with no command and `patrol demo`); the entry point in ``screens.main`` passes it.
    Everything a command prints goes through ``output.guarded`` (names and notes never steer
    the terminal), except the app's own screen."""
    with output.guarded():  # argparse's messages quote what was typed
        args = build_parser(not opens_app(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    args.open_app = open_app
    if args.func in (app.run_app, app.demo):
        return _run(args)
    with output.guarded():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # inside the try: a reader that went away is found here
        return code
    except (UserError, StorageError) as exc:
        print(f"patrol: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except (ValueError, TypeError, LookupError):  # patrol.hall.service.UNREADABLE
        # A value patrol never writes, put into the file behind its back: what verify finds, in one line.
        from patrol.cli.common import url
        from patrol.hall.opening import unreadable

        problem = unreadable(url(args))
        if problem is None:
            raise
        print(f"patrol: {problem}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `patrol rank | head`: the reader has what it wanted. Say nothing, and keep Python from
        # complaining when it flushes stdout again on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
