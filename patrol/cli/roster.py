"""`patrol roster import`: windows and staff from a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from patrol import config
from patrol.cli.common import open_service, url


def register(sub: Any, parser_class: type) -> None:
    """Add `roster import`."""
    roster = sub.add_parser("roster", help="名册：导入窗口与人员", description="管理窗口与人员名册。")
    roster_sub = roster.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = roster_sub.add_parser(
        "import",
        help="从 .xlsx 或 .csv 导入名册",
        description="从 .xlsx 或 .csv 导入名册。表头需含：窗口编号、窗口名称、单位、姓名；可选：岗位、区域。"
        "姓名为空的行只登记窗口。新增、调岗、回岗和岗位变动自 --on 的日期（默认今天；大厅的第一份名册"
        "从头算起）生效，此前的统计周期不受影响。名册中没有的在岗人员会列出；加 --missing-left 记为"
        "自该日起离岗；不加时，在终端中运行会列出他们并询问一次是否全部记为离岗。"
        "数据库里还没有大厅时，会按 --hall（默认“政务服务大厅”）新建。",
        epilog="示例：patrol roster import 12月名册.xlsx --on 2026-12-01 --missing-left --dry-run",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="名册文件（.xlsx 或 .csv）")
    p.add_argument("--on", metavar="日期", help="改动从哪天起生效（YYYY-MM-DD，默认今天）")
    p.add_argument("--missing-left", action="store_true", help="名册中没有的在岗人员记为自该日起离岗")
    p.add_argument("--dry-run", action="store_true", help="只显示将要做的改动，不写入")
    p.set_defaults(func=roster_import)


def roster_import(args: argparse.Namespace) -> int:
    """Check the whole file, print the changes, then apply them in one transaction."""
    from patrol.hall.opening import NoHallError, engine_for
    from patrol.hall.roster import parse_day
    from patrol.hall.service import HallService
    from patrol.imports.roster import apply_plan, leave_missing, plan_roster
    from patrol.model import HallInfo
    from storage.reads import EMPTY

    new_hall = None
    try:
        service = open_service(args, create=True)
    except NoHallError:
        # A new database: the roster brings its hall, created with it in one transaction.
        new_hall = args.hall or "政务服务大厅"
        db_url = url(args)
        service = HallService(
            EMPTY,
            HallInfo(id="", name=new_hall),
            engine_factory=lambda: engine_for(db_url),
            device=config.device_id(),
        )
    starts = parse_day(args.on) if args.on is not None else None
    plan = plan_roster(service, args.file, starts)  # every row is checked before anything is written
    if new_hall:
        print(f"数据库中还没有大厅，{'导入时将' if args.dry_run else '已'}新建大厅“{new_hall}”。")
    for line in plan.lines:
        print(line)
    if plan.missing:
        day = f"{plan.starts:%Y-%m-%d}"
        print(f"名册中没有以下在岗人员：{'、'.join(plan.absent)}")
        said = len(plan.lines)
        if args.missing_left:
            leave_missing(plan)
        elif args.dry_run or not sys.stdin.isatty():
            print(f"这些人员未做改动；如已离岗，加 --missing-left 记为自 {day} 起离岗。")
        elif input(f"是否记为自 {day} 起离岗？[y/N] ").strip().lower() in ("y", "yes", "是"):
            leave_missing(plan)
        else:
            print("这些人员未做改动。")
        for line in plan.lines[said:]:
            print(line)
    if plan.empty:
        print("没有其他需要改动的内容。" if plan.missing else "名册与数据库一致，没有需要改动的内容。")
        return 0
    if args.dry_run:
        print(f"预览：{plan.summary()}未写入（去掉 --dry-run 即可导入）。")
        return 0
    apply_plan(service, plan, new_hall=new_hall)
    print(f"已导入：{plan.summary()}")
    return 0
