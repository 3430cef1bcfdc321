"""F6: the hall's rules. Every item (名称, 类别, 分值, 记给, 快捷键, 启用) and every setting with its
value. Enter on an item changes its points or switches it on or off; Enter on a setting changes
its value from a day (today, prefilled). Each change is checked, then confirmed in a dialog that
names it, then written in the lane; nothing changes before the confirmation. A whole set of rules
(the hall's own items, aliases, hotkeys) comes in through `patrol rules import`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from patrol.errors import UserError
from patrol.hall import roster
from patrol.hall.service import HallService
from patrol.rules.items import RuleItem, parse_points
from patrol.rules.setting_words import BY_KEY, SETTINGS, parse_value, score_text, value_text
from screens.base import SCREENS_CSS, PatrolScreen
from screens.keybar import KeyBar
from screens.roster_forms import ConfirmScreen, Filled, FormField, RosterForm
from screens.text import plain
from storage.errors import StorageError

LEVELS = {"staff": "人员", "window": "窗口", "either": "均可"}
ITEM_COLUMNS = (("名称", 16), ("类别", 10), ("分值", 6), ("记给", 6), ("快捷键", 6), ("启用", 4))
SETTING_COLUMNS = (("评定规则", 22), ("取值", 26))
ACTIVE_WORDS = {"是": True, "否": False}
LATER = "此前记录的发现保留原分值，自现在起记录的按新分值。"


@dataclass(frozen=True)
class ItemChange:
    """New points and on/off for one item."""

    item: RuleItem
    points: float
    active: bool

    def question(self) -> str:
        words = []
        if self.points != self.item.points:
            words.append(f"分值 {_points(self.item.points)} → {_points(self.points)}")
        if self.active != self.item.active:
            words.append("启用" if self.active else "停用")
        return f"修改巡查项“{self.item.name}”：{'，'.join(words)}？"


@dataclass(frozen=True)
class SettingChange:
    """A setting's new value from a day."""

    key: str
    value: Any
    starts: date
    before: Any

    def question(self) -> str:
        setting = BY_KEY[self.key]
        old, new = value_text(self.key, self.before), value_text(self.key, self.value)
        return f"修改评定规则“{setting.label}”：{old} → {new}，自 {self.starts:%Y-%m-%d} 起适用？"


def _points(points: float) -> str:
    return ("+" if points > 0 else "") + score_text(points)


def apply_item(service: HallService, change: ItemChange) -> None:
    """In the lane: write the item's change (the roster and rules are read again with it)."""
    service.edits.change_item(change.item.code, change.points, change.active)


def apply_setting(service: HallService, change: SettingChange) -> None:
    """In the lane: write the setting's new versions."""
    service.edits.set_setting(change.key, change.value, change.starts)


def setting_before(service: HallService, key: str, starts: date) -> Any:
    """In the lane: the value ``key`` has on ``starts`` (read from the snapshot)."""
    return getattr(service.settings_on(starts), key)


class RulesScreen(PatrolScreen[None]):
    """The hall's items and settings; Enter changes the one under the cursor."""

    CSS_PATH = SCREENS_CSS

    DEFAULT_CSS = """
    RulesScreen Vertical { height: 1fr; }
    #rules-items { height: 2fr; }
    #rules-settings { height: 1fr; }
    #rules-said { width: 1fr; height: auto; padding: 0 1; color: $success; }
    #rules-said.-error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="back", tooltip="返回大厅"),
        Binding("enter", "edit", "修改", id="edit-rule", tooltip="修改选中的巡查项（分值、启用）或评定规则（取值）"),
        Binding("tab", "switch", "巡查项/评定规则", id="switch-table", tooltip="在巡查项和评定规则之间切换"),
        Binding("question_mark", "app.help", "帮助", id="help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="rules-heading")
            yield DataTable(id="rules-items", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="rules-settings", cursor_type="row", zebra_stripes=True)
            yield Label("", id="rules-said")
        yield KeyBar()

    def on_mount(self) -> None:
        for table_id, columns in (("#rules-items", ITEM_COLUMNS), ("#rules-settings", SETTING_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for title, width in columns:
                table.add_column(title, key=title, width=width)
        self.reload()
        self.query_one("#rules-items", DataTable).focus()

    def reload(self, keep: str | None = None) -> None:
        """Fill both tables from the rules as last read, the cursor kept on the row ``keep``."""
        service = self.patrol.service
        assert service is not None
        today = service.today()
        items = self.query_one("#rules-items", DataTable)
        items.clear()
        for item in sorted(service.rules.items, key=lambda i: i.position):
            items.add_row(
                plain(item.name),  # a hall's own names are data: never markup
                item.category,
                _points(item.points),
                LEVELS.get(item.level, item.level),
                item.hotkey or "—",
                "是" if item.active else "否",
                key=f"i:{item.code}",
            )
        settings = self.query_one("#rules-settings", DataTable)
        settings.clear()
        current = service.settings_on(today)
        for setting in SETTINGS:
            settings.add_row(
                setting.label, value_text(setting.key, getattr(current, setting.key)), key=f"s:{setting.key}"
            )
        active = sum(1 for i in service.rules.items if i.active)
        self.query_one("#rules-heading", Label).update(
            Text.assemble(
                plain(f"{service.hall.name} 评定规则", style="bold"),
                f"  巡查项 {len(service.rules.items)} 个（启用 {active} 个），评定规则为 {today:%Y-%m-%d} 适用的",
                "  Enter 修改选中的一项",
            )
        )
        if keep is not None:
            for table in (items, settings):
                if keep in table.rows:
                    table.move_cursor(row=table.get_row_index(keep))

    def _selected(self) -> str | None:
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#rules-items", DataTable)
        if table.row_count == 0:
            return None
        value = table.ordered_rows[table.cursor_row].key.value
        return str(value) if value is not None else None

    def action_switch(self) -> None:
        items = self.query_one("#rules-items", DataTable)
        (self.query_one("#rules-settings", DataTable) if items.has_focus else items).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        key = self._selected()
        service = self.patrol.service
        if key is None or service is None:
            return
        kind, _, code = key.partition(":")
        if kind == "i":
            self._edit_item(service, code)
        else:
            self._edit_setting(service, code)

    def _edit_item(self, service: HallService, code: str) -> None:
        item = next(i for i in service.rules.items if i.code == code)
        fields = [
            FormField("points", "分值", score_text(item.points), "如 -1 或 0.5", 8),
            FormField("active", "启用", "是" if item.active else "否", "是 或 否", 2),
        ]

        def build(v: dict[str, str]) -> ItemChange:
            points = parse_points(v["points"], item.category)
            if v["active"] not in ACTIVE_WORDS:
                raise UserError(f"“启用”应为 是 或 否，现为“{v['active']}”。")
            change = ItemChange(item, points, ACTIVE_WORDS[v["active"]])
            if change.points == item.points and change.active == item.active:
                raise UserError("没有改动：改分值或启用后按 Enter，Esc 取消。")
            return change

        form = RosterForm(
            f"巡查项：{item.name}（{item.category}，记给{LEVELS.get(item.level, item.level)}）", fields, build
        )
        self.app.push_screen(form, self._item_filled)

    def _item_filled(self, filled: Filled[ItemChange] | None) -> None:
        if filled is None:
            return
        change = filled.request
        self.app.push_screen(ConfirmScreen(change.question(), LATER), self._confirmed(apply_item, change))

    def _edit_setting(self, service: HallService, key: str) -> None:
        setting = BY_KEY[key]
        today = service.today()
        current = getattr(service.settings_on(today), key)
        shown = "无" if setting.kind == "tie_break" and not current else value_text(key, current)
        fields = [
            FormField("value", "取值", shown, setting.help[:40], 40),
            FormField("day", "自哪天起", f"{today:%Y-%m-%d}", "YYYY-MM-DD", 10),
        ]

        def build(v: dict[str, str]) -> tuple[Any, date]:
            value = parse_value(setting, v["value"])
            starts = roster.parse_day(v["day"])
            return value, starts

        form = RosterForm(f"评定规则：{setting.label}", fields, build)
        self.app.push_screen(form, lambda filled: self._setting_filled(key, filled))

    def _setting_filled(self, key: str, filled: Filled[tuple[Any, date]] | None) -> None:
        if filled is not None:
            self.run_worker(self._ask_setting(key, *filled.request), group="rules")

    async def _ask_setting(self, key: str, value: Any, starts: date) -> None:
        service = self.patrol.service
        assert service is not None
        before = await self.patrol.db.ask(setting_before, service, key, starts)
        if before == value:
            self.say(f"{BY_KEY[key].label}在 {starts:%Y-%m-%d} 已是“{value_text(key, value)}”，未做改动。")
            return
        change = SettingChange(key, value, starts, before)
        note = "一个统计周期按其最后一天适用的规则评定；已结束的周期不受影响，除非起始日在它之前。"
        self.app.push_screen(ConfirmScreen(change.question(), note), self._confirmed(apply_setting, change))

    def _confirmed(self, job: Callable[[HallService, Any], None], change: ItemChange | SettingChange) -> Any:
        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._apply(job, change), group="rules")
            else:
                self.say("已取消，规则未改动。")

        return answered

    async def _apply(self, job: Callable[[HallService, Any], None], change: ItemChange | SettingChange) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            await self.patrol.db.ask(job, service, change)
        except (UserError, StorageError) as exc:
            self.say(f"规则未改动：{exc}", error=True)
            return
        self.patrol.roster_changed()  # the board's hotkeys and the standings follow the rules
        self.say("已修改：" + change.question().removeprefix("修改").removesuffix("？"))
        keep = f"i:{change.item.code}" if isinstance(change, ItemChange) else f"s:{change.key}"
        self.reload(keep=keep)

    def say(self, text: str, error: bool = False) -> None:
        """Show what the last change did (or why not) under the tables."""
        said = self.query_one("#rules-said", Label)
        said.update(plain(text))
        said.set_class(error, "-error")
