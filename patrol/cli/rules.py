"""`patrol rules show|set`: the hall's settings for awards, ties, eligibility and scoring.

Settings are versions, each in force from a date; a period is judged by the settings in force on
its last day. A change without --from applies from today, so periods that have already ended
keep their verdicts.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from patrol.cli.common import open_service
from patrol.errors import UserError


def _settings_help() -> str:
    from patrol.rules.setting_words import SETTINGS

    lines = ["可设置的规则（名称写中文或英文均可）："]
    for s in SETTINGS:
        lines.append(f"  {s.label}（{s.key}）：{s.help}")
    return "\n".join(lines)


def register(sub: Any, parser_class: type) -> None:
    """Add `rules show`, `rules set`, `rules export` and `rules import`."""
    from patrol.cli.parser import RawFormatter

    rules = sub.add_parser(
        "rules",
        help="评定规则：查看和修改（服务标兵人数、并列、评先条件、满勤依据等）",
        description="查看和修改本大厅的评定规则。规则按版本保存，各自从某日起适用；"
        "一个统计周期按其最后一天适用的规则评定。",
    )
    rules_sub = rules.add_subparsers(dest="action", metavar="操作", required=True, parser_class=parser_class)
    p = rules_sub.add_parser(
        "show",
        help="列出每条规则、取值和适用起始日",
        description="列出本大厅的每条评定规则：名称、取值、从哪天起适用；已登记但尚未生效的改动列在最后。",
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument("--on", metavar="YYYY-MM-DD", help="显示该日适用的规则（默认今天）")
    when.add_argument("--period", metavar="周期", help="显示评定该统计周期所用的规则（即其最后一天适用的规则）")
    p.set_defaults(func=show)

    p = rules_sub.add_parser(
        "set",
        help="修改一条规则（从某日起适用）",
        description="修改一条评定规则，从 --from 那天起适用（默认今天：已结束的统计周期不受影响）。"
        "名称或取值有误时不写入任何内容。每次修改都记入查阅日志（谁、何时、改了什么）。",
        epilog=_settings_help() + "\n\n示例：\n"
        "  patrol rules set 服务标兵人数 10\n"
        "  patrol rules set tie_break 扣分,项次 --from 2026-12-01\n"
        "  patrol rules set 满勤依据 巡查            （大厅没有考勤机）\n"
        "  patrol rules set 优秀窗口最低分 无",
        formatter_class=RawFormatter,
    )
    p.add_argument("name", metavar="名称", help="规则名称，如 服务标兵人数 或 top_staff")
    p.add_argument("value", metavar="取值", help="新的取值，如 10、是、否、无、扣分,项次、巡查")
    p.add_argument("--from", dest="starts", metavar="YYYY-MM-DD", help="从哪天起适用（默认今天）")
    p.set_defaults(func=set_rule)

    p = rules_sub.add_parser(
        "export",
        help="把巡查项和评定规则导出为 .xlsx（可修改后导入）",
        description="把本大厅的全部巡查项（名称、编码、别名、类别、分值、记给、快捷键、启用、通报用语）"
        "和评定规则导出为 .xlsx：工作表“巡查项”“评定规则”和一张“说明”。修改后用 patrol rules import 导入。",
        epilog="示例：\n  patrol rules export 规则.xlsx\n  patrol rules export 规则.xlsx --on 2026-12-01",
        formatter_class=RawFormatter,
    )
    p.add_argument("file", metavar="文件", help="要写入的 .xlsx 文件")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="导出该日适用的评定规则（默认今天）")
    p.set_defaults(func=export_rules)

    p = rules_sub.add_parser(
        "import",
        help="从 .xlsx 导入巡查项和评定规则（先列出改动）",
        description="读入 patrol rules export 导出并修改过的 .xlsx：新增本大厅自己的巡查项（如 帮办代办、"
        "一次性告知、首问负责），修改分值、快捷键、启用等，修改评定规则。先逐条列出改动再写入；"
        "任何一行有误都不写入，并指出工作表、行和列。\n"
        "巡查项的改动没有日期：自导入时起记录的发现按新分值计分，此前的记录保留原分值。"
        "评定规则的改动自 --from 那天起适用（默认今天）。",
        epilog="示例：\n  patrol rules import 规则.xlsx --dry-run          只列出改动，不写入\n"
        "  patrol rules import 规则.xlsx --from 2026-12-01",
        formatter_class=RawFormatter,
    )
    p.add_argument("file", metavar="文件", help="要导入的 .xlsx 文件")
    p.add_argument("--from", dest="starts", metavar="YYYY-MM-DD", help="评定规则从哪天起适用（默认今天）")
    p.add_argument("--dry-run", action="store_true", help="只列出改动，不写入")
    p.set_defaults(func=import_rules)


def _day(text: str) -> date:
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise UserError(f"无法识别的日期“{text}”，请写作 YYYY-MM-DD，例如 2026-12-01。") from None
    from patrol.rules.periods import check_day

    return check_day(text.strip(), day)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells (a Chinese character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def show(args: argparse.Namespace) -> int:
    """Print every setting, its value and the day it has applied from."""
    from rich.cells import cell_len

    from patrol.rules.periods import Period
    from patrol.rules.setting_words import SETTINGS, changes, since, value_text

    service = open_service(args)
    if args.period is not None:
        chosen = Period.parse(args.period)
        on = chosen.last
        heading = f"{service.hall.name}评定规则（评定{chosen.label}所用，即 {on:%Y-%m-%d} 适用的规则）"
    else:
        on = _day(args.on) if args.on else service.today()
        heading = f"{service.hall.name}评定规则（{on:%Y-%m-%d} 适用；一个统计周期按其最后一天适用的规则评定）"
    current = service.settings_on(on)
    starts = [s for s, _ in service.settings_versions]
    names = [f"{s.label}（{s.key}）" for s in SETTINGS]
    values = [value_text(s.key, getattr(current, s.key)) for s in SETTINGS]
    name_width = max(cell_len(n) for n in names) + 2
    value_width = max(cell_len(v) for v in values) + 2
    print(heading)
    for setting, name, value in zip(SETTINGS, names, values, strict=True):
        begun = since(service.settings_on, starts, on, setting.key)
        applies = "自始适用" if begun is None else f"自 {begun:%Y-%m-%d} 起"
        print(f"  {_pad(name, name_width)}{_pad(value, value_width)}{applies}")
    later = sorted({s for s in starts if s is not None and s > on})
    if later:
        print("已登记、尚未生效的改动：")
        before = current
        for start in later:
            after = service.settings_on(start)
            diff = changes(before, after)
            if diff:
                words = "；".join(
                    f"{s.label} {value_text(s.key, old)} → {value_text(s.key, new)}" for s, old, new in diff
                )
                print(f"  自 {start:%Y-%m-%d} 起：{words}")
            before = after
    print("修改：patrol rules set 名称 取值 [--from YYYY-MM-DD]（patrol rules set --help 列出全部名称和取值）")
    return 0


def set_rule(args: argparse.Namespace) -> int:
    """Check the name, the value and the date, then record a new version of the settings."""
    from patrol.rules.periods import Period
    from patrol.rules.setting_words import change_from, find_setting, parse_value, value_text

    setting = find_setting(args.name)
    value = parse_value(setting, args.value)
    service = open_service(args)
    today = service.today()
    starts = _day(args.starts) if args.starts is not None else today
    before = getattr(service.settings_on(starts), setting.key)
    if before == value:
        print(f"{setting.label}在 {starts:%Y-%m-%d} 已是“{value_text(setting.key, value)}”，未做改动。")
        return 0
    versions = change_from(service.settings_on, [s for s, _ in service.settings_versions], starts, setting.key, value)
    for _starts, settings in versions:
        settings.checked()  # refused before anything is written
    old, new = value_text(setting.key, before), value_text(setting.key, value)
    # Who changed what goes to the access log (where a hall looks), before the change itself.
    service.access.log("修改评定规则", f"{setting.label}（{setting.key}）：{old} → {new}，自 {starts:%Y-%m-%d} 起")
    service.edits.record_settings(list(versions))
    first = Period.of("month", starts)
    if setting.kind == "text":  # the 落款: words on the notice, no verdict changes with it
        print(f"已修改：{setting.label} {old} → {new}，自 {starts:%Y-%m-%d} 起适用（{first.label}起的通报用此落款）。")
    else:
        print(
            f"已修改：{setting.label} {old} → {new}，自 {starts:%Y-%m-%d} 起适用（{first.label}起的统计周期按此评定）。"
        )
    if first.last < service.current_period().first and setting.kind != "text":
        print(f"注意：{first.label}等已结束的统计周期也将按新规则重新评定，已发出的通报可能与之不符。")
    later = sorted({s for s, _ in service.settings_versions if s is not None and s > starts})
    kept = next((d for d in later if getattr(service.settings_on(d), setting.key) != value), None)
    if kept is not None:
        kept_text = value_text(setting.key, getattr(service.settings_on(kept), setting.key))
        print(f"注意：已登记自 {kept:%Y-%m-%d} 起{setting.label}为“{kept_text}”，那天起仍按它评定。")
    return 0


def export_rules(args: argparse.Namespace) -> int:
    """Write the hall's items and settings to an .xlsx a person can edit and import again."""
    from pathlib import Path

    from patrol.imports.rules_book import export_rules as write

    path = Path(args.file)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾，现为“{path.name}”。")
    service = open_service(args)
    on = _day(args.on) if args.on else service.today()
    write(service, path, on)
    count = len(service.rules.items)
    print(f"已导出 {count} 个巡查项和 {on:%Y-%m-%d} 适用的评定规则到 {path}。")
    print(f"修改后先预览：patrol rules import {path.name} --dry-run")
    return 0


def import_rules(args: argparse.Namespace) -> int:
    """Check the workbook, print what it changes, and (unless --dry-run) apply it."""
    from pathlib import Path

    from patrol.imports.rules_book import apply_rules, plan_rules

    path = Path(args.file)
    service = open_service(args)
    day = _day(args.starts) if args.starts is not None else service.today()
    plan = plan_rules(service, path, day)
    if plan.empty:
        print(f"没有改动：{path.name} 与本大厅现行的巡查项和评定规则一致。")
        return 0
    for line in plan.lines():
        print(line)
    if args.dry_run:
        print(f"预览：{plan.summary()}。未写入（去掉 --dry-run 即可导入）。")
        return 0
    apply_rules(service, plan)
    print(f"已导入：{plan.summary()}。")
    if plan.added or plan.changed:
        print("巡查项的改动自现在起记录的发现适用；此前的记录保留记录时的分值。")
    return 0
