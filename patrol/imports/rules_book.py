"""The hall's own rules as a workbook: `patrol rules export` writes every item and setting to an
.xlsx (sheets 巡查项, 评定规则 and a short 说明); `patrol rules import` reads it back, checks every
row, shows what would change and applies it in one transaction.

Items have no date: a finding keeps the points it was logged with, so an item change applies to
findings logged after the import. Settings are versions from a date (``--from``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.imports.tabular import TableRow, read_sheets, table_of
from patrol.rules.items import CATEGORIES, CLOCKIN_CODES, RESERVED_KEYS, RuleItem, parse_points
from patrol.rules.setting_words import (
    NO_WORDS,
    SETTINGS,
    YES_WORDS,
    SettingWords,
    change_from,
    find_setting,
    parse_value,
    score_text,
    value_text,
)
from patrol.rules.settings import HallRules

if TYPE_CHECKING:
    from patrol.hall.service import HallService

ITEMS_SHEET = "巡查项"
SETTINGS_SHEET = "评定规则"
NOTES_SHEET = "说明"
# Column names as exported, with the aliases a person may type instead.
ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "名称": ("巡查项", "项目"),
    "编码": ("代码", "code"),
    "别名": (),
    "类别": ("分类",),
    "分值": ("分数", "扣分", "points"),
    "记给": ("针对", "对象", "级别"),
    "快捷键": ("按键",),
    "启用": ("是否启用",),
    "通报用语": ("用语",),
}
ITEM_REQUIRED = ("名称", "类别", "分值")
SETTING_COLUMNS: dict[str, tuple[str, ...]] = {"规则": ("名称",), "取值": ("值",), "编码": ("代码",), "说明": ()}
SETTING_REQUIRED = ("规则", "取值")
LEVEL_WORDS = {"人员": "staff", "窗口": "window", "均可": "either"}
LEVEL_TEXT = {key: word for word, key in LEVEL_WORDS.items()}
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,29}")
ALIAS_SPLIT = re.compile(r"[|、,，;；/\s]+")
NAME_LENGTH, ALIASES_LENGTH, PHRASE_LENGTH = 50, 200, 200
NOTES = (
    "本文件是本大厅的巡查项和评定规则，可在 Excel 或 WPS 中修改后用 patrol rules import 导入。",
    "巡查项表：每行一项。编码是 patrol 用来认出一项的名字，已有项目请勿改动；新增项目留空即可，导入时自动生成。",
    f"类别：{'、'.join(CATEGORIES)}。分值：加分项为正数，其余为 0 或负数，最多两位小数。",
    "记给：人员、窗口或均可。快捷键：一个小写字母，n 和 u 留作备注和撤销；可留空（该项只能在命令行或导入时记录）。",
    "启用：是 或 否。巡查项不能删除（已有记录用到它），不再使用请写“否”。",
    "评定规则表：只改“取值”一列，写法见“说明”一列；导入时用 --from 指定从哪天起适用（默认今天）。",
    "巡查项的改动没有日期：自导入时起记录的发现按新分值计分，此前的记录保留记录时的分值。",
    "先预览：patrol rules import rules.xlsx --dry-run；确认无误后去掉 --dry-run 再导入。",
)


def _setting_cell(setting: SettingWords, value: Any) -> str:
    """A setting's value as the workbook writes it: what ``parse_value`` reads back as it."""
    if setting.kind == "tie_break" and not value:
        return "无"
    return value_text(setting.key, value)


def export_rules(service: HallService, path: Path, on: date) -> None:
    """Write the hall's items and the settings in force on ``on`` to the .xlsx ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def put(sheet: Any, row: list[Any]) -> None:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a text starting with "=" stays text, never a formula

    book = Workbook()
    items = book.active
    assert items is not None
    items.title = ITEMS_SHEET
    put(items, list(ITEM_COLUMNS))
    for item in sorted(service.rules.items, key=lambda i: i.position):
        put(
            items,
            [
                item.name,
                item.code,
                "、".join(item.aliases),
                item.category,
                item.points,
                LEVEL_TEXT.get(item.level, item.level),
                item.hotkey,
                "是" if item.active else "否",
                item.phrase,
            ],
        )
    settings = book.create_sheet(SETTINGS_SHEET)
    put(settings, ["规则", "取值", "编码", "说明"])
    current = service.settings_on(on)
    for setting in SETTINGS:
        put(settings, [setting.label, _setting_cell(setting, getattr(current, setting.key)), setting.key, setting.help])
    notes = book.create_sheet(NOTES_SHEET)
    put(notes, [f"{service.hall.name}巡查项和评定规则（{on:%Y-%m-%d} 适用）"])
    for line in NOTES:
        put(notes, [line])
    for sheet, widths in ((items, (16, 14, 16, 10, 8, 8, 8, 6, 30)), (settings, (22, 24, 22, 60)), (notes, (100,))):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
    if not path.parent.is_dir():
        raise UserError(f"无法写入 {path}：文件夹 {path.parent} 不存在，请先建好或换一个位置。")
    try:
        book.save(path)
    except OSError as exc:
        raise UserError(f"无法写入 {path}：没有写入权限，或该文件正在 Excel 或 WPS 中打开。请关闭后重试。") from exc


@dataclass
class RulesPlan:
    """What an import would change: items added, changed (before, after), settings changed."""

    path: Path
    day: date
    added: list[RuleItem] = field(default_factory=list)
    changed: list[tuple[RuleItem, RuleItem]] = field(default_factory=list)
    settings: list[tuple[SettingWords, Any, Any]] = field(default_factory=list)
    versions: list[tuple[date | None, HallRules]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.settings)

    def lines(self) -> list[str]:
        """The differences, one per line, in the words of the workbook."""
        out: list[str] = []
        if self.added or self.changed:
            out.append("巡查项：")
            for item in self.added:
                out.append(f"  新增 {item.name}（{_item_words(item)}）")
            for before, after in self.changed:
                if before.active and not after.active:
                    out.append(f"  停用 {before.name}")
                elif not before.active and after.active:
                    out.append(f"  启用 {after.name}（{_item_words(after)}）")
                diff = _item_diff(before, after)
                if diff:
                    out.append(f"  修改 {before.name}：{'；'.join(diff)}")
        if self.settings:
            out.append(f"评定规则（自 {self.day:%Y-%m-%d} 起适用）：")
            for setting, old, new in self.settings:
                out.append(f"  {setting.label} {value_text(setting.key, old)} → {value_text(setting.key, new)}")
        return out

    def summary(self) -> str:
        """How many of each, in one sentence."""
        added = len(self.added)
        off = sum(1 for b, a in self.changed if b.active and not a.active)
        changed = len(self.changed) - off
        parts = [f"新增 {added} 项", f"修改 {changed} 项", f"停用 {off} 项"]
        return f"巡查项{'、'.join(parts)}，评定规则改动 {len(self.settings)} 条"

    def deactivated(self) -> list[RuleItem]:
        return [after for before, after in self.changed if before.active and not after.active]


def _points_text(points: float) -> str:
    return f"{'+' if points > 0 else ''}{score_text(points)} 分"


def _item_words(item: RuleItem) -> str:
    key = f"快捷键 {item.hotkey}" if item.hotkey else "无快捷键"
    return f"{item.category}，{_points_text(item.points)}，记给{LEVEL_TEXT.get(item.level, item.level)}，{key}"


def _item_diff(before: RuleItem, after: RuleItem) -> list[str]:
    out = []
    for label, old, new in (
        ("名称", before.name, after.name),
        ("类别", before.category, after.category),
        ("分值", _points_text(before.points), _points_text(after.points)),
        ("记给", LEVEL_TEXT.get(before.level, before.level), LEVEL_TEXT.get(after.level, after.level)),
        ("快捷键", before.hotkey or "无", after.hotkey or "无"),
        ("别名", "、".join(before.aliases) or "无", "、".join(after.aliases) or "无"),
        ("通报用语", before.phrase or "无", after.phrase or "无"),
    ):
        if old != new:
            out.append(f"{label} {old} → {new}")
    return out


class _Place:
    """Says where in the workbook a value is: file, sheet, row, column and cell."""

    def __init__(self, path: Path, sheet: str) -> None:
        self.path, self.sheet = path, sheet

    def error(self, row: TableRow, column: str, what: str) -> UserError:
        cell = row.cell_at(column)
        at = f"（{cell}）" if cell else ""
        return UserError(f"{self.path.name}“{self.sheet}”表第{row.number}行“{column}”列{at}：{what}")


def plan_rules(service: HallService, path: Path, day: date) -> RulesPlan:
    """Read ``path`` and work out what it changes, checking every row first (UserError naming
    sheet, row and column for the first problem; nothing is written here)."""
    sheets = read_sheets(path, (ITEMS_SHEET, SETTINGS_SHEET))
    if not sheets:
        raise UserError(
            f"{path.name} 没有“{ITEMS_SHEET}”表或“{SETTINGS_SHEET}”表：请用 patrol rules export 导出的文件修改后导入。"
        )
    plan = RulesPlan(path, day)
    if ITEMS_SHEET in sheets:
        where = f"{path.name}“{ITEMS_SHEET}”表"
        rows = table_of(where, sheets[ITEMS_SHEET], set(), ITEM_COLUMNS, ITEM_REQUIRED)
        _plan_items(service, _Place(path, ITEMS_SHEET), rows, plan)
    if SETTINGS_SHEET in sheets:
        where = f"{path.name}“{SETTINGS_SHEET}”表"
        rows = table_of(where, sheets[SETTINGS_SHEET], set(), SETTING_COLUMNS, SETTING_REQUIRED)
        _plan_settings(service, _Place(path, SETTINGS_SHEET), rows, plan)
    return plan


def _points(place: _Place, row: TableRow, category: str) -> float:
    try:
        return parse_points(row.cells["分值"], category)
    except UserError as exc:
        raise place.error(row, "分值", str(exc)) from None


def _new_code(name: str, taken: set[str]) -> str:
    from patrol.hall.pinyin_keys import sort_key

    base = re.sub(r"[^a-z0-9]", "", sort_key(name).lower())[:24] or "item"
    if not base[0].isalpha():
        base = f"x{base}"[:24]
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}{n}"
    return code


def _cleaned(place: _Place, row: TableRow) -> dict[str, str]:
    """The row's cells with its texts (名称, 别名, 通报用语) as they will be kept: NFC, nothing
    invisible (a control, bidi or zero-width character is refused where it is)."""
    from patrol.text import clean_name

    cells = dict(row.cells)
    for column in ("名称", "别名", "通报用语"):
        if column in cells:
            try:
                cells[column] = clean_name(cells[column], column)
            except UserError as exc:
                raise place.error(row, column, str(exc)) from None
    return cells


def _plan_items(service: HallService, place: _Place, rows: list[TableRow], plan: RulesPlan) -> None:
    existing = {item.code: item for item in service.rules.items}
    by_name = {item.name: item for item in service.rules.items}
    seen_codes: dict[str, int] = {}
    words: dict[str, tuple[int, str]] = {}  # a name or alias (lower case) -> (row, the item's name)
    hotkeys: dict[str, tuple[int, str]] = {}
    result: list[tuple[TableRow, RuleItem, RuleItem | None]] = []
    taken = set(existing)
    for row in rows:
        cells = _cleaned(place, row)
        name = cells["名称"]
        if not name:
            raise place.error(row, "名称", "名称为空：每个巡查项都要有名称。")
        if len(name) > NAME_LENGTH:
            raise place.error(row, "名称", f"名称超过 {NAME_LENGTH} 个字。")
        code = cells.get("编码", "").strip().lower()
        before = existing.get(code) if code else by_name.get(name)
        if code and before is None and not CODE_PATTERN.fullmatch(code):
            raise place.error(row, "编码", f"编码“{code}”只能用小写字母、数字和下划线，以字母开头；新增项目可留空。")
        if code in seen_codes:
            raise place.error(row, "编码", f"编码“{code}”与第{seen_codes[code]}行重复。")
        if before is not None:
            code = before.code
        elif not code:
            code = _new_code(name, taken)
        taken.add(code)
        seen_codes[code] = row.number
        category = cells["类别"].strip()
        if category not in CATEGORIES:
            raise place.error(row, "类别", f"未知的类别“{category}”，应为 {'、'.join(CATEGORIES)} 之一。")
        points = _points(place, row, category)
        level_text = cells.get("记给", "").strip() or (LEVEL_TEXT.get(before.level, "人员") if before else "人员")
        level = LEVEL_WORDS.get(level_text) or (level_text if level_text in LEVEL_TEXT else None)
        if level is None:
            raise place.error(row, "记给", f"“{level_text}”应为 人员、窗口 或 均可。")
        if code in CLOCKIN_CODES and level != "staff":
            raise place.error(row, "记给", f"“{name}”是考勤项（打卡和请假记录用它），只能记给人员。")
        hotkey = cells.get("快捷键", "").strip().lower() if "快捷键" in cells else (before.hotkey if before else "")
        if hotkey and not (len(hotkey) == 1 and "a" <= hotkey <= "z"):
            raise place.error(row, "快捷键", f"快捷键“{hotkey}”应为一个字母（a–z），或留空。")
        if hotkey in RESERVED_KEYS:
            raise place.error(
                row, "快捷键", f"快捷键“{hotkey}”留作{'备注' if hotkey == 'n' else '撤销'}，请换一个字母。"
            )
        active_text = cells.get("启用", "").strip().lower()
        if active_text in YES_WORDS or (not active_text):
            active = True
        elif active_text in NO_WORDS:
            active = False
        else:
            raise place.error(row, "启用", f"“{active_text}”应为 是 或 否。")
        if code in CLOCKIN_CODES and not active:
            raise place.error(row, "启用", f"“{name}”是考勤项（打卡和请假记录用它），不能停用；可以改分值。")
        if hotkey and active:
            if hotkey in hotkeys:
                other_row, other = hotkeys[hotkey]
                raise place.error(row, "快捷键", f"快捷键“{hotkey}”已由第{other_row}行“{other}”使用，请换一个字母。")
            hotkeys[hotkey] = (row.number, name)
        if "别名" in cells:
            aliases = tuple(dict.fromkeys(a for a in ALIAS_SPLIT.split(cells["别名"].strip()) if a and a != name))
        else:
            aliases = before.aliases if before else ()
        if len("|".join(aliases)) > ALIASES_LENGTH:
            raise place.error(row, "别名", f"别名合计超过 {ALIASES_LENGTH} 个字。")
        for column, word in (("名称", name), *(("别名", a) for a in aliases)):
            key = word.lower()
            if key in words:
                other_row, other = words[key]
                raise place.error(row, column, f"“{word}”与第{other_row}行“{other}”的名称或别名重名，记录时无法区分。")
            words[key] = (row.number, name)
        phrase = cells["通报用语"].strip() if "通报用语" in cells else (before.phrase if before else "")
        if len(phrase) > PHRASE_LENGTH:
            raise place.error(row, "通报用语", f"通报用语超过 {PHRASE_LENGTH} 个字。")
        item = RuleItem(
            code=code,
            name=name,
            category=category,
            points=points,
            hotkey=hotkey,
            level=level,
            aliases=aliases,
            phrase=phrase or (before.phrase if before else name),
            id=before.id if before else "",
            active=active,
            position=before.position if before else 0,
        )
        result.append((row, item, before))
    # A name or alias may not be another item's code either (`log --type late` finds items by code).
    for row, item, _before in result:
        for column, word in (("名称", item.name), *(("别名", a) for a in item.aliases)):
            owner = seen_codes.get(word.lower())
            if owner is not None and word.lower() != item.code:
                raise place.error(row, column, f"“{word}”与第{owner}行巡查项的编码相同，记录时无法区分。")
    missing = [item for code, item in existing.items() if code not in seen_codes]
    if missing:
        item = missing[0]
        raise UserError(
            f"{place.path.name}“{place.sheet}”表缺少巡查项“{item.name}”（编码 {item.code}）：巡查项不能删除"
            "（已有记录用到它），不再使用请保留该行并把“启用”写作“否”。"
        )
    for _row, item, before in result:
        if before is None:
            plan.added.append(item)
        elif item != before:
            plan.changed.append((before, item))


def _plan_settings(service: HallService, place: _Place, rows: list[TableRow], plan: RulesPlan) -> None:
    current = service.settings_on(plan.day)
    seen: dict[str, int] = {}
    wanted: dict[str, Any] = {}
    for row in rows:
        key_text = row.cells.get("编码", "").strip()
        label = row.cells["规则"].strip()
        try:
            setting = find_setting(key_text) if key_text else find_setting(label)
        except UserError as exc:
            column = "编码" if key_text else "规则"
            raise place.error(row, column, str(exc)) from None
        if setting.key in seen:
            raise place.error(row, "规则", f"“{setting.label}”与第{seen[setting.key]}行重复。")
        seen[setting.key] = row.number
        try:
            wanted[setting.key] = parse_value(setting, row.cells["取值"])
        except UserError as exc:
            raise place.error(row, "取值", str(exc)) from None
    after = replace(current, **wanted)
    try:
        after.checked()
    except UserError as exc:
        raise UserError(f"{place.path.name}“{place.sheet}”表：{exc}") from None
    plan.settings = [(s, getattr(current, s.key), getattr(after, s.key)) for s in SETTINGS if s.key in wanted]
    plan.settings = [(s, old, new) for s, old, new in plan.settings if old != new]
    plan.versions = _versions(service, plan.day, [(s.key, new) for s, _old, new in plan.settings])


def _versions(service: HallService, day: date, changes: list[tuple[str, Any]]) -> list[tuple[date | None, HallRules]]:
    """The versions that make each change hold from ``day`` on, later versions carrying it along
    as `patrol rules set` does (``change_from``), all changes merged into one set of versions."""
    starts = [s for s, _ in service.settings_versions]
    pending: dict[date, HallRules] = {}

    def on(when: date) -> HallRules:
        mine = [s for s in pending if s <= when]
        theirs = [s for s in starts if s is not None and s <= when]
        if mine and (not theirs or max(mine) >= max(theirs)):
            return pending[max(mine)]
        return service.settings_on(when)

    settings_on: Callable[[date], HallRules] = on
    for key, value in changes:
        for start, settings in change_from(settings_on, starts, day, key, value):
            pending[start] = settings
    return sorted(pending.items())


def apply_rules(service: HallService, plan: RulesPlan) -> None:
    """Write the plan in one transaction, after a line in the access log saying who did it."""
    if plan.empty:
        return
    service.access.log("导入评定规则", f"{plan.path.name}：{plan.summary()}，评定规则自 {plan.day:%Y-%m-%d} 起")
    service.edits.record_rules(plan.added, [after for _before, after in plan.changed], list(plan.versions))
