"""F3: the roster. Add a person, move them to another window, mark them inactive or active
again; their findings stay where they were logged."""

from __future__ import annotations

import contextlib

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label
from textual.widgets.data_table import RowDoesNotExist

from patrol.errors import UserError
from patrol.model import StaffInfo
from screens.base import PatrolScreen
from screens.prompt import PromptScreen
from storage.errors import StorageError


class RosterScreen(PatrolScreen[None]):
    """Every window and its staff, active and inactive."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回", id="back"),
        Binding("a", "add", "添加人员", id="add-staff"),
        Binding("m", "move", "调岗", id="move-staff"),
        Binding("d", "toggle_active", "停用/启用", id="toggle-staff"),
        Binding("enter", "open_record", "查看记录", id="open-record"),
        Binding("question_mark", "app.help", "帮助", id="help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="roster-heading")
            yield DataTable(id="roster-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key, width in (
            ("窗口", "window", 18),
            ("单位", "unit", 18),
            ("姓名", "name", 8),
            ("岗位", "role", 8),
            ("状态", "state", 6),
        ):
            table.add_column(title, key=key, width=width)
        self.reload()
        table.focus()

    def reload(self, keep: str | None = None) -> None:
        """Show the roster again, keeping the cursor on ``keep`` (a staff id)."""
        service = self.patrol.service
        assert service is not None
        table = self.query_one(DataTable)
        table.clear()
        active = sum(1 for s in service.staff if s.active)
        self.query_one("#roster-heading", Label).update(
            f"[b]{service.hall.name} 名册[/b]  窗口 {len(service.windows)} 个，在岗 {active} 人，"
            f"停用 {len(service.staff) - active} 人"
        )
        for window in service.windows:
            people = [s for s in service.staff if s.window_id == window.id]
            if not people:
                table.add_row(f"{window.code} {window.name}", window.unit, "", "", "", key=f"w:{window.id}")
            for person in people:
                table.add_row(
                    f"{window.code} {window.name}",
                    window.unit,
                    person.name,
                    person.role,
                    "在岗" if person.active else "停用",
                    key=f"s:{person.id}",
                )
        if keep is not None:
            with contextlib.suppress(RowDoesNotExist):  # the row is gone; the cursor stays
                table.move_cursor(row=table.get_row_index(f"s:{keep}"))

    def _selected(self) -> tuple[str, str] | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or ""
        kind, _, item_id = key.partition(":")
        return kind, item_id

    def _selected_window_code(self) -> str:
        service = self.patrol.service
        selected = self._selected()
        if service is None or selected is None:
            return ""
        kind, item_id = selected
        window_id = item_id if kind == "w" else service.staff_by_id[item_id].window_id
        return service.window_by_id[window_id].code

    def action_add(self) -> None:
        code = self._selected_window_code()
        self.app.push_screen(PromptScreen("添加人员", "姓名", max_length=50), lambda name: self._ask_window(name, code))

    def _ask_window(self, name: str | None, code: str) -> None:
        if name:
            self.app.push_screen(
                PromptScreen(f"“{name}”所在窗口编号", "窗口编号", value=code, max_length=20),
                lambda chosen: (
                    self._run(lambda s: s.add_staff(name, s.window(chosen or "")), f"已添加 {name}") if chosen else None
                ),
            )

    def _selected_person(self) -> StaffInfo | None:
        """The staff member under the cursor; says so when the cursor is on an empty window."""
        selected = self._selected()
        service = self.patrol.service
        if service is None or selected is None or selected[0] != "s":
            self.notify("请先选中一位人员。", severity="warning")
            return None
        return service.staff_by_id[selected[1]]

    def action_move(self) -> None:
        person = self._selected_person()
        if person is None:
            return
        self.app.push_screen(
            PromptScreen(f"把 {person.name} 调到哪个窗口？", "窗口编号", max_length=20),
            lambda code: (
                self._run(
                    lambda s: s.move_staff(person, s.window(code)),
                    f"{person.name} 已调到 {code} 号窗口",
                    keep=person.id,
                )
                if code
                else None
            ),
        )

    def action_toggle_active(self) -> None:
        person = self._selected_person()
        if person is None:
            return
        verb = "启用" if not person.active else "停用"
        self._run(
            lambda s: s.leave(person) if person.active else s.move_staff(person, s.window_by_id[person.window_id]),
            f"已{verb} {person.name}（历史记录保留）",
            keep=person.id,
        )

    def _run(self, change, done: str, keep: str | None = None) -> None:  # type: ignore[no-untyped-def]
        self.run_worker(self._apply(change, done, keep), group="write")

    async def _apply(self, change, done: str, keep: str | None) -> None:  # type: ignore[no-untyped-def]
        service = self.patrol.service
        assert service is not None
        try:
            await self.patrol.write(change, service)
        except (UserError, StorageError) as exc:
            self.notify(str(exc), title="未改动", severity="error")
            return
        self.notify(done)
        self.reload(keep)
        await self.patrol.roster_changed()

    def action_open_record(self) -> None:
        selected = self._selected()
        if selected is not None:
            kind, item_id = selected
            self.patrol.open_record("staff" if kind == "s" else "window", item_id)
