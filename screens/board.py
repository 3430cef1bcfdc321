"""The hall board: the main screen. Type a window code and Enter, a staff number, a hotkey:
the finding is saved, and the tiles and the ranking move."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.markup import escape
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from patrol.errors import UserError
from patrol.hall.pending import PendingFinding
from patrol.hall.service import FindingView
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.items import CATEGORIES, RESERVED_KEYS, RuleItem
from patrol.rules.scoring import Ranking, Totals
from screens.base import PatrolScreen
from screens.ranking_table import COMPACT_STAFF_COLUMNS, RankingTable
from screens.tiles import HallMap
from storage.errors import StorageError

MAX_STAFF_KEYS = 9


class BoardScreen(PatrolScreen[None]):
    """Every window as a tile; logging by keys; the staff ranking beside it."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]  # the side panel grows on wide terminals

    BINDINGS = [
        Binding(
            "slash", "app.search", "搜索", id="search", tooltip="按窗口编号、名称、单位或人员搜索（拼音、首字母均可）"
        ),
        Binding("r", "app.ranking", "排名", id="ranking", tooltip="人员与窗口排名"),
        Binding("f3", "app.roster", "名册", id="roster", tooltip="窗口与人员名册"),
        Binding("f4", "record", "记录", show=False, id="record", tooltip="查看所选窗口或人员的记录"),
        Binding("x", "app.export", "导出", id="export", tooltip="导出巡查考核附表与通报草稿"),
        Binding("u", "undo", "撤销", id="undo", tooltip="撤回本机最后一条记录（留有更正记录）"),
        Binding("n", "note", "备注", show=False, id="note", tooltip="给刚保存的记录补充备注"),
        Binding("question_mark", "app.help", "帮助", id="help", tooltip="本页全部按键"),
        Binding("enter", "choose", "选定窗口", show=False, id="choose"),
        Binding("escape", "back", "返回", show=False, id="back"),
        Binding("left", "move('left')", "左", show=False),
        Binding("right", "move('right')", "右", show=False),
        Binding("up", "move('up')", "上", show=False),
        Binding("down", "move('down')", "下", show=False),
        Binding("backspace", "erase", "删除", show=False),
        Binding("f5", "retry", "重试保存", show=False, id="retry", tooltip="再次保存磁盘未能写入的记录"),
    ]

    def __init__(self) -> None:
        super().__init__(id="board")
        self.buffer = ""
        self.window: WindowInfo | None = None
        self.person: StaffInfo | None = None
        self.substitute = False
        self.last_saved_id: str | None = None
        self.saving = 0  # findings on their way to disk
        # Findings the disk refused (full, read-only): kept on screen, in order, until F5 saves them.
        self.unsaved: list[PendingFinding] = []
        self.retrying = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="board-body"):
            with VerticalScroll(id="hall-scroll", can_focus=False):
                yield HallMap(id="hall-map")
            with Vertical(id="side"):
                # Unsaved findings come first: on a small terminal the panel below may run off the screen.
                yield Static("", id="unsaved")
                yield Static("正在打开数据库…", id="log-panel")
                yield Static("", id="status")
                yield Static("", id="ranking-title")
                ranking = RankingTable("staff", COMPACT_STAFF_COLUMNS, id="board-ranking")
                ranking.can_focus = False  # arrows and Enter belong to the hall map
                yield ranking
        yield Footer()

    # --- loading ----------------------------------------------------------------------

    def load(self) -> None:
        """Lay out the hall once the service is open."""
        service = self.patrol.service
        assert service is not None
        self.query_one(HallMap).show_windows(service.windows)
        self.show_panel()

    def show_standings(self, ranking: Ranking, today: dict[str, Totals]) -> None:
        """Colour the tiles and move the ranking (cells updated in place)."""
        self.query_one(HallMap).set_states(today, {row.id: row.mark for row in ranking.windows})
        self.query_one("#board-ranking", RankingTable).show(ranking.staff)
        period = self.patrol.period
        self.query_one("#ranking-title", Static).update(f"[b]{period.label} 人员排名[/b]  r 查看全部")

    # --- the side panel ---------------------------------------------------------------

    def show_panel(self) -> None:
        """Say what the keys do now: which window, which person, which hotkeys."""
        service = self.patrol.service
        panel = self.query_one("#log-panel", Static)
        if service is None:
            return
        if self.window is None:
            tile = self.query_one(HallMap).current
            here = f"光标：{escape(tile.window.code)} {escape(tile.window.name)}" if tile else "暂无窗口"
            typed = f"  已输入：[b]{escape(self.buffer)}[/b]" if self.buffer else ""
            panel.update(
                f"[b]{escape(service.hall.name)}[/b]  督查员：{escape(service.inspector)}\n"
                f"{here}{typed}\n输入窗口编号（或用方向键）后按 Enter 开始记录；/ 搜索；? 帮助"
            )
            return
        w = self.window
        staff = service.staff_at(w.id)[:MAX_STAFF_KEYS]
        people = "  ".join(
            f"[b]{i}[/b] {'[reverse]' if self.person and s.id == self.person.id else ''}{escape(s.name)}"
            f"{'[/reverse]' if self.person and s.id == self.person.id else ''}"
            for i, s in enumerate(staff, start=1)
        )
        sub = "[reverse]替岗人员[/reverse]" if self.substitute else "替岗人员"
        chosen = self.person.name if self.person else ("替岗人员" if self.substitute else "未选（窗口级项可直接按）")
        lines = [
            f"[b]{escape(w.code)} {escape(w.name)}[/b]  {escape(w.unit)}",
            f"{people or '（暂无在岗人员）'} [b]0[/b]{sub}",
            f"人员：{escape(chosen)}",
        ]
        for category in CATEGORIES:
            items = [i for i in service.rules.items if i.category == category and i.active]
            keys = " ".join(f"[b]{i.hotkey}[/b]{escape(i.name)}" for i in items)
            lines.append(f"{category[:2]} {keys}")
        lines.append("Esc 返回大厅  F4 查看记录")
        panel.update("\n".join(lines))

    def set_status(self, text: str, kind: str = "info") -> None:
        """One line under the panel: saved, unsaved, or what went wrong."""
        status = self.query_one("#status", Static)
        status.update(text)
        for name in ("info", "ok", "error", "pending"):
            status.set_class(name == kind, f"-{name}")

    # --- keys -------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Every key of the board is handled here, in the order typed: a binding runs only after
        the key has bubbled back through the app, later than keys typed right after it."""
        if self.app.screen is not self:
            # Typed before a dialog this board opened (search, note) was up: the key is the dialog's.
            event.prevent_default()
            event.stop()
            self.app.screen.post_message(events.Key(event.key, event.character))
            return
        service = self.patrol.service
        if service is None:
            return
        named = {
            "enter": self.action_choose,
            "escape": self.action_back,
            "backspace": self.action_erase,
            "left": lambda: self.action_move("left"),
            "right": lambda: self.action_move("right"),
            "up": lambda: self.action_move("up"),
            "down": lambda: self.action_move("down"),
            "f4": self.action_record,
        }
        char = event.character or ""
        handler = named.get(event.key)
        if handler is None and char.isascii() and char.isalnum():
            handler = self._character(event, char)
        if handler is None:
            handler = {
                "u": self.action_undo,
                "n": self.action_note,
                "r": self.patrol.action_ranking,
                "x": self.patrol.action_export,
                "/": self.patrol.action_search,
                "?": self.patrol.action_help,
            }.get(char) or {"f3": self.patrol.action_roster, "f5": self.action_retry}.get(event.key)
        if handler is not None:
            event.prevent_default()
            event.stop()
            handler()

    def _character(self, event: events.Key, char: str) -> Callable[[], None] | None:
        """What a letter or digit does now, or None to leave it to the bindings."""
        service = self.patrol.service
        assert service is not None
        if self.window is None:
            return self._type_code(char)
        if char.isdigit():
            return lambda: self._choose_person(int(char))
        if char.lower() in RESERVED_KEYS:
            return None
        item = service.rules.by_hotkey.get(char.lower())
        if item is None:
            return lambda: self.set_status(f"没有快捷键为 {char} 的巡查项。", "error")
        return lambda: self.save(item)

    def _type_code(self, char: str) -> Callable[[], None] | None:
        """A window code being typed: the cursor jumps to the first code that matches so far."""
        hall_map = self.query_one(HallMap)
        candidate = (self.buffer + char).upper()
        matches = [i for i, t in enumerate(hall_map.tiles) if t.window.code.upper().startswith(candidate)]
        if matches:
            exact = [i for i in matches if hall_map.tiles[i].window.code.upper() == candidate]

            def jump() -> None:
                self.buffer = candidate
                hall_map.move_to((exact or matches)[0])
                self.show_panel()

            return jump
        if char.isdigit() or self.buffer:

            def refuse() -> None:
                self.set_status(f"没有编号以“{candidate}”开头的窗口。", "error")
                self.buffer = ""
                self.show_panel()

            return refuse
        return None  # a letter no code starts with: r, x and the like are bindings

    def _choose_person(self, number: int) -> None:
        assert self.window is not None and self.patrol.service is not None
        if number == 0:
            self.person, self.substitute = None, True
        else:
            staff = self.patrol.service.staff_at(self.window.id)
            if number > min(len(staff), MAX_STAFF_KEYS):
                self.set_status(f"{self.window.code} 号窗口没有第 {number} 位人员（共 {len(staff)} 位）。", "error")
                return
            self.person, self.substitute = staff[number - 1], False
        self.show_panel()

    def action_move(self, direction: str) -> None:
        if self.window is None:
            self.buffer = ""
            self.query_one(HallMap).move(direction)
            self.show_panel()

    def action_erase(self) -> None:
        self.buffer = self.buffer[:-1]
        self.show_panel()

    def action_choose(self) -> None:
        """Enter: open the typed (or highlighted) window for logging."""
        service = self.patrol.service
        if service is None or self.window is not None:
            return
        hall_map = self.query_one(HallMap)
        if self.buffer:
            window = service.window_by_code.get(self.buffer)
            if window is None:
                self.set_status(f"没有编号为“{self.buffer}”的窗口。", "error")
                self.buffer = ""
                self.show_panel()
                return
            index = hall_map.index_of(window.id)
            if index is not None:
                hall_map.move_to(index)
        tile = hall_map.current
        if tile is None:
            return
        self.open_window(tile.window)

    def open_window(self, window: WindowInfo) -> None:
        """Start logging at ``window``."""
        self.buffer = ""
        self.window, self.person, self.substitute = window, None, False
        index = self.query_one(HallMap).index_of(window.id)
        if index is not None:
            self.query_one(HallMap).move_to(index)
        self.query_one(HallMap).logging = True
        self.query_one(HallMap).refresh()
        self.show_panel()

    def action_back(self) -> None:
        if self.window is not None:
            self.window, self.person, self.substitute = None, None, False
            self.query_one(HallMap).logging = False
            self.query_one(HallMap).refresh()
        self.buffer = ""
        self.show_panel()

    def action_record(self) -> None:
        if self.person is not None:
            self.patrol.open_record("staff", self.person.id)
            return
        tile = self.query_one(HallMap).current
        window = self.window or (tile.window if tile else None)
        if window is not None:
            self.patrol.open_record("window", window.id)

    # --- saving -----------------------------------------------------------------------

    def save(self, item: RuleItem) -> None:
        """Log ``item`` at the open window; the status says saved only once it is committed."""
        service = self.patrol.service
        assert service is not None and self.window is not None
        if not item.is_window_level and self.person is None and not self.substitute:
            count = min(len(service.staff_at(self.window.id)), MAX_STAFF_KEYS)
            self.set_status(f"“{item.name}”针对人员：先按 1-{count} 选人员，0 为替岗人员。", "error")
            return
        # The finding is dated when the inspector saw it, even if the disk takes it only on a retry.
        pending = PendingFinding(
            self.window, self.person, self.substitute, item, service.clock().astimezone(service.hall.tz)
        )
        self.person, self.substitute = None, False
        # The status says "saving" only if the commit is slow: a repaint now would compete with it.
        self.set_timer(0.2, lambda: self._still_saving(pending), name="saving")
        self.run_worker(self._save(time.perf_counter(), pending), group="write")

    def _still_saving(self, pending: PendingFinding) -> None:
        if self.saving:
            self.set_status(f"保存中… {pending.label}（数据库忙，稍候）", "pending")

    async def _save(self, started: float, pending: PendingFinding) -> None:
        service = self.patrol.service
        assert service is not None
        if self.unsaved:
            # Earlier findings wait for the disk: this one joins them, so they are saved in order.
            self._keep_unsaved(pending, None)
            return
        self.saving += 1
        try:
            found = await self.patrol.save_finding(started, lambda: pending.log(service))
        except StorageError as exc:
            self._keep_unsaved(pending, exc)
            return
        except UserError as exc:  # the finding itself is wrong (e.g. the clock): nothing to retry
            self.set_status(f"未保存：{pending.label}。{exc}", "error")
            return
        finally:
            self.saving -= 1
        self.show_panel()
        self._saved(found)
        await self.patrol.refresh_standings()

    def _saved(self, found: FindingView) -> None:
        self.last_saved_id = found.id
        who = found.person or "窗口"
        self.set_status(
            f"已保存 {found.at:%H:%M} {found.window_code} {who} {found.type_name} {found.points:+.1f}  n 备注 u 撤销",
            "ok",
        )

    def _keep_unsaved(self, pending: PendingFinding, exc: StorageError | None) -> None:
        """The disk refused: keep the finding on screen as unsaved and say how to retry."""
        self.unsaved.append(pending)
        self._show_unsaved()
        self.show_panel()  # the person chosen for it is no longer chosen
        if exc is not None:  # said in the status line, not a toast: a toast would cover the list
            self.set_status(f"未保存：{pending.label}。{exc} 按 F5 重试。", "error")
        else:
            self.set_status(f"未保存：{pending.label}（前面还有未保存的记录）。按 F5 重试。", "error")

    def _show_unsaved(self) -> None:
        box = self.query_one("#unsaved", Static)
        box.update(
            "\n".join(f"未保存  {escape(p.label)}" for p in self.unsaved) + "\nF5 重试保存" if self.unsaved else ""
        )
        box.display = bool(self.unsaved)

    def action_retry(self) -> None:
        """F5: save the findings the disk refused, oldest first."""
        if not self.unsaved:
            self.set_status("没有未保存的记录。", "info")
            return
        if not self.retrying:  # not exclusive: that would cancel a save still on its way
            self.retrying = True
            self.run_worker(self._retry(), group="write")

    async def _retry(self) -> None:
        try:
            await self._save_unsaved()
        finally:
            self.retrying = False

    async def _save_unsaved(self) -> None:
        service = self.patrol.service
        assert service is not None
        saved = 0
        while self.unsaved:
            pending = self.unsaved[0]
            try:
                found = await self.patrol.save_finding(time.perf_counter(), lambda p=pending: p.log(service))
            except (UserError, StorageError) as exc:
                self._show_unsaved()
                self.set_status(f"仍未保存 {len(self.unsaved)} 条：{exc} 按 F5 重试。", "error")
                return
            self.unsaved.pop(0)
            saved += 1
            self._saved(found)
        self._show_unsaved()
        if saved > 1:
            self.set_status(f"已保存全部 {saved} 条未保存的记录。", "ok")
        await self.patrol.refresh_standings()

    def action_undo(self) -> None:
        service = self.patrol.service
        if service is not None:
            self.run_worker(self._undo(), group="write")

    async def _undo(self) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            undone = await self.patrol.write(service.undo_last)
        except (UserError, StorageError) as exc:
            self.set_status(f"撤销失败：{exc}", "error")
            return
        if undone is None:
            self.set_status("本机没有可撤销的记录。", "error")
            return
        self.last_saved_id = None
        who = undone.person or "窗口"
        self.set_status(f"已撤销 {undone.window_code} {who} {undone.type_name}（已留更正记录）", "ok")
        await self.patrol.refresh_standings()

    def action_note(self) -> None:
        if self.last_saved_id is None:
            self.set_status("先记录一条，再按 n 补充备注。", "error")
            return
        from screens.prompt import PromptScreen

        finding_id = self.last_saved_id
        self.app.push_screen(
            PromptScreen("补充备注", "备注（Enter 保存，Esc 取消）", max_length=500),
            lambda note: self._add_note(finding_id, note),
        )

    def _add_note(self, finding_id: str, note: str | None) -> None:
        if note:
            self.run_worker(self._save_note(finding_id, note), group="write")

    async def _save_note(self, finding_id: str, note: str) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            found = await self.patrol.write(service.add_note, finding_id, note)
        except (UserError, StorageError) as exc:
            self.set_status(f"备注未保存：{exc}", "error")
            return
        self.last_saved_id = found.id
        self.set_status(f"备注已保存：{found.window_code} {found.type_name}：{note}", "ok")
