"""F3: the roster. Every window and the people who sit (or sat) there, searchable as `/` is.
Add a person or a window, move someone, record a departure or a return, set a 岗位: each asks
for the date (today, prefilled), then for a confirmation that names the person, the window and
the date; nothing changes before it. A change takes effect from its date: earlier periods keep
their people, and findings stay at the window where they happened (patrol.hall.roster)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label
from textual.widgets.data_table import RowDoesNotExist

from patrol.errors import UserError
from patrol.hall import roster, roster_changes
from patrol.hall.service import HallService
from patrol.model import StaffInfo, WindowInfo
from screens.base import SCREENS_CSS, PatrolScreen
from screens.keybar import KeyBar
from screens.roster_forms import ConfirmScreen, Filled, FormField, RosterForm
from screens.text import plain
from storage.errors import StorageError


def apply(service: HallService, request: roster_changes.Request) -> roster_changes.RosterChange:
    """In the lane: the change, and the search index of the new roster built with it."""
    change = roster_changes.apply_change(service, request)
    _ = service.lookup.search_index
    return change


# (title, key, width at 80 columns, width from 120 columns)
COLUMNS = (
    ("窗口", "window", 16, 24),
    ("单位", "unit", 14, 28),
    ("姓名", "name", 8, 10),
    ("岗位", "role", 8, 10),
    ("状态", "state", 18, 20),
)
WIDE = 120
ROLE_HINT = "、".join(roster.ROLES) + "，可空"
DAY_HINT = "YYYY-MM-DD"


class RosterScreen(PatrolScreen[None]):
    """Every window and its people: posted today, left, or starting later."""

    CSS_PATH = SCREENS_CSS

    DEFAULT_CSS = """
    #roster-filter { margin: 0 1; background: $boost; }
    #roster-table { height: 1fr; }
    #roster-said { width: 1fr; height: auto; padding: 0 1; color: $success; }
    #roster-said.-error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="back", tooltip="返回大厅（搜索时先清除搜索）"),
        Binding(
            "slash",
            "search",
            "搜索",
            id="search-roster",
            tooltip="按姓名、拼音首字母、窗口或单位筛选",
            priority=True,  # at once, so that the keys typed after it know they are the search
        ),
        Binding("a", "add_staff", "添加人员", id="add-staff", tooltip="在窗口添加人员，自某日起"),
        Binding("m", "move", "调岗", id="move-staff", tooltip="调到另一个窗口，自某日起"),
        Binding("d", "leave_or_return", "离岗/回岗", id="leave-staff", tooltip="登记离岗或回岗，自某日起"),
        Binding("g", "role", "岗位", id="role-staff", tooltip="设置 A岗、B岗、首席代表或购岗人员，自某日起"),
        Binding("w", "add_window", "添加窗口", id="add-window", tooltip="添加窗口（编号、名称、单位）"),
        Binding("enter", "open_record", "记录", id="open-record", show=False, tooltip="查看选中人员或窗口的记录"),
        Binding("question_mark", "app.help", "帮助", id="help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.wide: bool | None = None  # the column widths in use
        self.query_text = ""
        self._searching = False  # "/" was pressed and the search field has not got the focus yet

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="roster-heading")
            yield Input(placeholder="/ 搜索：姓名、拼音首字母（如 zm）、窗口、单位", id="roster-filter", compact=True)
            yield DataTable(id="roster-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="roster-said")  # what the last change did (a toast cuts Chinese lines)
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        if (event.size.width >= WIDE) != self.wide:
            self.reload(keep=self._selected_key())

    # --- the table ----------------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        """Show the roster again (filtered by the search), keeping the cursor on the row ``keep``."""
        service = self.patrol.service
        assert service is not None
        table = self.query_one(DataTable)
        wide = self.size.width >= WIDE
        if wide != self.wide or not table.columns:
            table.clear(columns=True)
            for title, key, narrow_width, wide_width in COLUMNS:
                table.add_column(title, key=key, width=wide_width if wide else narrow_width)
            self.wide = wide
        table.clear()
        shown_staff, shown_windows = self._matches()
        today = service.today()
        rows = 0
        for window in service.windows:
            people = [s for s in service.staff if s.window_id == window.id]
            if shown_windows is not None and window.id not in shown_windows:
                people = [s for s in people if s.id in (shown_staff or ())]
                if not people:
                    continue
            place = plain(f"{window.code} {window.name}")  # names as typed: never markup
            if not people:
                table.add_row(place, plain(window.unit), "", "", "", key=f"w:{window.id}")
                rows += 1
            for person in people:
                state = roster.status(service, person, today)
                table.add_row(
                    place, plain(window.unit), plain(person.name), plain(person.role), state, key=f"s:{person.id}"
                )
                rows += 1
        posted = sum(1 for s in service.staff if s.active)
        heading = Text.assemble(  # Text, never markup: the hall's name and the search are data
            plain(f"{service.hall.name} 名册", style="bold"),
            f"  窗口 {len(service.windows)} 个，在岗 {posted} 人，不在岗 {len(service.staff) - posted} 人",
        )
        if self.query_text:
            heading += Text.assemble("  搜索“", plain(self.query_text), f"”：{rows} 行（Esc 清除）")
        self.query_one("#roster-heading", Label).update(heading)
        if keep is not None:
            with contextlib.suppress(RowDoesNotExist):  # the row is filtered out; the cursor stays
                table.move_cursor(row=table.get_row_index(keep))

    def _matches(self) -> tuple[set[str] | None, set[str] | None]:
        """The people and the windows the search finds, as `/` finds them (None, None: no
        search). People who match come alone (``zw`` should not bring the whole window of a unit
        called 区政务…); when nobody matches, the windows and units that do, with their people."""
        service = self.patrol.service
        if not self.query_text or service is None:
            return None, None
        hits = service.lookup.search_index.search(self.query_text, limit=10_000)
        people = {h.id for h in hits if h.kind == "staff"}
        return people, set() if people else {h.id for h in hits if h.kind != "staff"}

    def _selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.ordered_rows[table.cursor_row].key.value

    def _selected_window(self) -> WindowInfo | None:
        service = self.patrol.service
        key = self._selected_key()
        if service is None or key is None:
            return None
        kind, _, item_id = key.partition(":")
        return service.window_by_id.get(item_id if kind == "w" else service.staff_by_id[item_id].window_id)

    def _selected_person(self) -> StaffInfo | None:
        """The person under the cursor; says so when the cursor is on a window without people."""
        service = self.patrol.service
        key = self._selected_key()
        if service is None or key is None or not key.startswith("s:"):
            self.say("请先选中一位人员。", error=True)
            return None
        return service.staff_by_id[key[2:]]

    # --- search -------------------------------------------------------------------------

    def action_search(self) -> None:
        self._searching = True
        self.query_one("#roster-filter", Input).focus()

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after "/" may have been sent to the table before the search field
        # got the focus: they are the search, not `w` 添加窗口 or `d` 离岗. (The field itself
        # keeps every printable key it receives, so none of its own reach this.)
        field = self.query_one("#roster-filter", Input)
        if (self._searching or field.has_focus) and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field.insert_text_at_cursor(event.character)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "roster-filter":
            self._searching = False

    @on(Input.Changed, "#roster-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.reload(keep=self._selected_key())
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=0)

    @on(Input.Submitted, "#roster-filter")
    def _to_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_back(self) -> None:
        field = self.query_one("#roster-filter", Input)
        if field.has_focus or field.value:
            field.value = ""
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    # --- changes ------------------------------------------------------------------------

    def _today(self) -> str:
        service = self.patrol.service
        assert service is not None
        return f"{service.today():%Y-%m-%d}"

    def _day_field(self) -> FormField:
        return FormField("day", "自哪天起", self._today(), DAY_HINT, 10)

    def action_add_staff(self) -> None:
        window = self._selected_window()
        fields = [
            FormField("name", "姓名", "", "新人员的姓名"),
            FormField("window", "窗口编号", window.code if window else "", "如 12", 20),
            FormField("role", "岗位", "", ROLE_HINT, 10),
            self._day_field(),
        ]

        def build(v: dict[str, str]) -> roster_changes.Request:
            if not v["name"]:
                raise UserError("请填写姓名。")
            role, day = roster.check_role(v["role"]), roster.parse_day(v["day"])
            return roster_changes.StaffAdd(v["name"], v["window"], role, day)

        self._ask(RosterForm("添加人员", fields, build))

    def action_move(self) -> None:
        person = self._posted_person("调岗")
        if person is None:
            return
        here = self._code(person)
        fields = [FormField("to", "调到窗口", "", "窗口编号，如 12", 20), self._day_field()]

        def build(v: dict[str, str]) -> roster_changes.Request:
            if not v["to"]:
                raise UserError("请填写调入的窗口编号。")
            return roster_changes.StaffMove(person.id, here, v["to"], roster.parse_day(v["day"]))

        self._ask(RosterForm(f"调岗：{person.name}（现在 {here} 号窗口）", fields, build))

    def action_leave_or_return(self) -> None:
        person = self._selected_person()
        if person is None:
            return
        code = self._code(person)
        if person.active:

            def leave(v: dict[str, str]) -> roster_changes.Request:
                return roster_changes.StaffLeave(person.id, code, roster.parse_day(v["day"]))

            self._ask(RosterForm(f"离岗：{person.name}（{code} 号窗口）", [self._day_field()], leave))
            return

        def back(v: dict[str, str]) -> roster_changes.Request:
            return roster_changes.StaffReturn(person.id, v["window"], roster.parse_day(v["day"]))

        fields = [FormField("window", "回到窗口", code, "窗口编号", 20), self._day_field()]
        self._ask(RosterForm(f"回岗：{person.name}", fields, back))

    def action_role(self) -> None:
        person = self._posted_person("设置岗位")
        if person is None:
            return
        fields = [FormField("role", "岗位", person.role, ROLE_HINT, 10), self._day_field()]

        def build(v: dict[str, str]) -> roster_changes.Request:
            return roster_changes.RoleChange(person.id, roster.check_role(v["role"]), roster.parse_day(v["day"]))

        self._ask(RosterForm(f"岗位：{person.name}（{self._code(person)} 号窗口）", fields, build))

    def action_add_window(self) -> None:
        fields = [
            FormField("code", "窗口编号", "", "如 21 或 A03", 20),
            FormField("name", "窗口名称", "", "如 税务窗口", 100),
            FormField("unit", "单位", "", "进驻单位，如 区税务局", 100),
            FormField("zone", "区域", "", "可空，如 B区", 50),
            self._day_field(),
        ]

        def build(v: dict[str, str]) -> roster_changes.Request:
            return roster_changes.WindowAdd(v["code"], v["name"], v["unit"], v["zone"], roster.parse_day(v["day"]))

        self._ask(RosterForm("添加窗口", fields, build))

    def _posted_person(self, what: str) -> StaffInfo | None:
        person = self._selected_person()
        if person is not None and not person.active:
            self.say(f"{person.name} 今天不在岗，不能{what}：可按 d 登记回岗。", error=True)
            return None
        return person

    def _code(self, person: StaffInfo) -> str:
        service = self.patrol.service
        assert service is not None
        return service.window_by_id[person.window_id].code

    # The steps of a change: the form, the check (on the database thread), the confirmation
    # naming what changes, then the write. A refused check reopens the form with the reason.

    def _ask(self, form: RosterForm[roster_changes.Request]) -> None:
        self.app.push_screen(form, lambda filled: self._filled(form, filled))

    def _filled(self, form: RosterForm[roster_changes.Request], filled: Filled[roster_changes.Request] | None) -> None:
        if filled is not None:
            self.run_worker(self._check(form, filled), group="roster")

    async def _check(self, form: RosterForm[roster_changes.Request], filled: Filled[roster_changes.Request]) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            change = await self.patrol.db.ask(roster_changes.plan_change, service, filled.request)
        except (UserError, StorageError) as exc:
            self._ask(form.again(filled.values, str(exc)))
            return
        confirm = ConfirmScreen(change.question, "此前的统计周期和巡查记录不受影响。")
        self.app.push_screen(confirm, self._after(filled.request))

    def _after(self, request: roster_changes.Request) -> Callable[[bool | None], Any]:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._apply(request), group="roster")
            else:
                self.say("已取消，名册未改动。")

        return confirmed

    async def _apply(self, request: roster_changes.Request) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            # The roster read again is swapped in as one snapshot: the board reads old or new, whole.
            change = await self.patrol.db.ask(apply, service, request)
        except (UserError, StorageError) as exc:
            self.say(f"名册未改动：{exc}", error=True)
            return
        self.patrol.roster_changed()
        self.say(change.done)
        self.reload(keep=f"s:{change.staff_id}" if change.staff_id else None)

    def say(self, text: str, error: bool = False) -> None:
        """Show what the last change did (or why it did not happen) under the table."""
        said = self.query_one("#roster-said", Label)
        said.update(plain(text))  # names as typed
        said.set_class(error, "-error")

    # --- records ------------------------------------------------------------------------

    def action_open_record(self) -> None:
        key = self._selected_key()
        if key is not None:
            kind, _, item_id = key.partition(":")
            self.patrol.open_record("staff" if kind == "s" else "window", item_id)

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_open_record()
