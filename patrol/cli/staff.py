"""`patrol staff add|move|leave`: a person's postings, each from a date (today by default).

The checks and the writing are ``patrol.hall.roster_changes``'s, shared with the roster screen (F3);
this module only reads the arguments and prints what changed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from patrol.cli.common import open_service

if TYPE_CHECKING:
    from datetime import date

    from patrol.hall.service import HallService

ON_HELP = "从哪天起（YYYY-MM-DD，默认今天）；此前的统计周期不受影响"


def register(sub: Any, parser_class: type) -> None:
    """Add `staff add`, `staff move` and `staff leave`."""
    staff = sub.add_parser(
        "staff",
        help="人员任职：新增、调岗、离岗（按日期生效）",
        description="登记人员的任职变动。每项变动自 --on 指定的日期（默认今天）起生效："
        "此前的统计周期保留原来的人员、窗口和得分，巡查记录始终留在发生时的窗口。",
    )
    staff_sub = staff.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)

    p = staff_sub.add_parser(
        "add",
        help="新增人员",
        description="在窗口新增一名人员。同名人员曾在该窗口任职并已离岗时，登记为其回岗（记录连续）。",
        epilog="示例：patrol staff add 王芳 --window 5 --role A岗 --on 2026-11-20",
    )
    p.add_argument("name", metavar="姓名", help="人员姓名")
    p.add_argument("--window", required=True, metavar="编号", help="窗口编号")
    p.add_argument("--role", default="", metavar="岗位", help="A岗、B岗、首席代表或购岗人员（可不写）")
    p.add_argument("--on", metavar="日期", help=ON_HELP)
    p.set_defaults(func=add)

    p = staff_sub.add_parser(
        "move",
        help="调岗：从一个窗口调到另一个窗口",
        description="把人员从 --window 窗口调到 --to 窗口。调岗前的巡查记录和得分仍属原窗口。",
        epilog="示例：patrol staff move 单雄 --window 3 --to 5 --on 2026-11-20",
    )
    p.add_argument("name", metavar="姓名", help="人员姓名")
    p.add_argument("--window", required=True, metavar="编号", help="调出窗口（该日期时所在的窗口）")
    p.add_argument("--to", required=True, metavar="编号", help="调入窗口")
    p.add_argument("--on", metavar="日期", help=ON_HELP)
    p.set_defaults(func=move)

    p = staff_sub.add_parser(
        "leave",
        help="离岗：人员不再在窗口任职",
        description="登记人员自某日起离岗。离岗前的巡查记录、得分和排名保留；patrol record 仍能查到此人。",
        epilog="示例：patrol staff leave 曾伟 --window 1 --on 2026-11-20",
    )
    p.add_argument("name", metavar="姓名", help="人员姓名")
    p.add_argument("--window", required=True, metavar="编号", help="离开的窗口（该日期时所在的窗口）")
    p.add_argument("--on", metavar="日期", help=ON_HELP)
    p.set_defaults(func=leave)


def _day(args: argparse.Namespace, service: HallService) -> date:
    from patrol.hall.roster import parse_day

    return parse_day(args.on) if args.on is not None else service.today()


def add(args: argparse.Namespace) -> int:
    """Post a new person (or bring back one who left this window)."""
    from patrol.hall import roster_changes

    service = open_service(args)
    request = roster_changes.StaffAdd(args.name, args.window, args.role, _day(args, service))
    print(roster_changes.apply_change(service, request).done)
    return 0


def move(args: argparse.Namespace) -> int:
    """Move a person from one window to another from a date."""
    from patrol.hall import roster_changes

    service = open_service(args)
    day = _day(args, service)
    source, target = service.lookup.window(args.window), service.lookup.window(args.to)
    person = service.lookup.resolve_staff(args.name, source, day)
    print(roster_changes.apply_change(service, roster_changes.StaffMove(person.id, source.code, target.code, day)).done)
    return 0


def leave(args: argparse.Namespace) -> int:
    """Record that a person left a window from a date."""
    from patrol.hall import roster_changes

    service = open_service(args)
    day = _day(args, service)
    window = service.lookup.window(args.window)
    person = service.lookup.resolve_staff(args.name, window, day)
    print(roster_changes.apply_change(service, roster_changes.StaffLeave(person.id, window.code, day)).done)
    return 0


def choose(service: HallService, query: str, window_code: str | None) -> tuple[str, str, str]:
    """The person (or window) ``query`` names, found as `/` finds them; when several match, ask
    which in a terminal, or refuse listing them. Returns (kind, id, how the access log names it)."""
    import sys

    from patrol.errors import UserError
    from patrol.hall.roster import candidates, describe

    window = service.lookup.window(window_code) if window_code else None
    found = candidates(service, query, window)
    if not found:
        where = f"在 {window.code} 号窗口任职过的" if window else ""
        raise UserError(f"没有与“{query.strip()}”相符的{where}人员或窗口。可写姓名、姓、全拼或拼音首字母（如 zm）。")
    if len(found) > 1:
        shown = [describe(service, hit) for hit in found]
        many = f"“{query.strip()}”对应 {len(found)} {'人' if all(h.kind == 'staff' for h in found) else '个'}"
        if not sys.stdin.isatty():
            raise UserError(f"{many}：{'、'.join(shown)}。请写出全名，或用 --window 指明窗口。")
        print(f"{many}：")
        for number, text in enumerate(shown, start=1):
            print(f"  {number}. {text}")
        answer = input(f"请输入序号（1-{len(found)}，直接回车取消）：").strip()
        if not answer.isdigit() or not 1 <= int(answer) <= len(found):
            raise UserError("未选择，已取消。")
        found = [found[int(answer) - 1]]
    hit = found[0]
    if hit.kind == "staff":
        person = service.staff_by_id[hit.id]
        code = service.window_by_id[person.window_id].code
        return "staff", person.id, f"{person.name}（{code} 号窗口）"
    window = service.window_by_id[hit.id]
    return "window", window.id, f"{window.code} {window.name}"
