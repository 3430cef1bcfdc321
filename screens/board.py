"""The hall board: the main screen. Type a window code and Enter, a staff number, a hotkey: the
finding is saved, the board returns to the hall, and the tiles and the ranking move.

Every key is a Textual binding with an id, so the footer, `?` and a keymap agree with what runs.
They are priority bindings: the app runs each as it takes the key, in the order typed, before
the next key is handed on (a key typed right after `/` goes to the search box, not the board).
The board has two states. On the hall, digits and letters type a window code (Enter opens
exactly that code, or the window under the cursor when nothing is typed) and lower-case command
letters (r, x, u, n) run their command. With a window open, the keys of its panel
(``WindowPanel``, which always holds the focus) count instead: digits pick a person and each
item's hotkey logs it. After a save the board is back on
the hall, so a window code typed next always means a window; Space opens the last window again
with the same person chosen, for a second finding in two keys.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from patrol.errors import UserError
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.items import COUNT_LIMIT
from patrol.rules.scoring import Ranking, Standing, Totals
from patrol.text import NOTE_LIMIT
from screens.base import PatrolScreen
from screens.keybar import KeyBar
from screens.status_line import StatusLine
from screens.text import plain
from screens.tiles import HallMap
from screens.window_panel import MAX_STAFF_KEYS, WindowPanel
from storage.errors import StorageError

if TYPE_CHECKING:
    from textual.timer import Timer

    from patrol.hall.pending import PendingFinding
    from patrol.hall.rounds import Coverage
    from patrol.hall.views import FindingView
    from patrol.rules.live import Moved
    from screens.ranking_table import RankingTable

COMMAND_KEYS = frozenset("rxun")  # lower-case letters that are board commands, never part of a code
CODE = "输入窗口编号"  # one description for every code key, so the help lists them as one row
# With a window open these are off (and out of the footer), so its panel's keys count instead:
# r is 表扬信 there, x 闲聊.
HALL_ONLY = frozenset({"open_window", "again", "type", "erase", "clear", "move", "ranking", "export"})
WINDOW_ONLY = frozenset({"pick", "log", "close_window", "seen", "count"})  # the panel's keys, only with a window open


def _code_bindings() -> list[Binding]:
    keys = [*string.digits, *string.ascii_uppercase, *(c for c in string.ascii_lowercase if c not in COMMAND_KEYS)]
    out = [Binding(key, f"type('{key.upper()}')", CODE, show=False, priority=True, id=f"type-{key}") for key in keys]
    out.append(Binding("minus", "type('-')", CODE, show=False, priority=True, id="type-minus"))
    return out


STATUS_LOOK = {"ok": ("success", True), "error": ("error", True), "pending": ("warning", False)}


class BoardScreen(PatrolScreen[None]):
    """Every window as a tile; logging by keys; the staff ranking beside it."""

    WIDE = 140  # columns: the side panel grows on wide terminals
    # Seconds after a save with no window opened again: then the panel gives back the open
    # window's height it kept (the relayout redraws the ranking; keys typed in a row never wait).
    RELEASE_AFTER = 0.6
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    BINDINGS = [
        Binding(
            "enter",
            "open_window",
            "打开窗口",
            show=False,
            priority=True,
            id="open-window",
            tooltip="打开输入的窗口（未输入时为光标所在窗口）",
        ),
        Binding(
            "space",
            "again",
            "再记",
            show=False,
            priority=True,
            id="again",
            tooltip="打开刚才的窗口并选好刚才的人员，再按巡查项即可",
        ),
        Binding(
            "slash",
            "search",
            "搜索",
            priority=True,
            id="search",
            tooltip="按窗口编号、名称、单位或人员搜索（拼音、首字母均可）",
        ),
        Binding("r", "ranking", "排名", priority=True, id="ranking", tooltip="人员与窗口排名"),
        Binding("f3", "roster", "名册", priority=True, id="roster", tooltip="窗口与人员名册"),
        Binding("f4", "record", "记录", priority=True, id="record", tooltip="查看所选窗口或人员的记录"),
        Binding("f6", "rules", "规则", show=False, priority=True, id="rules", tooltip="巡查项和评定规则：查看与修改"),
        Binding("x", "export", "导出", priority=True, id="export", tooltip="导出巡查考核附表与通报草稿"),
        Binding("u", "undo", "撤销", priority=True, id="undo", tooltip="撤回本机最后一条记录（先确认，留有更正记录）"),
        Binding("n", "note", "备注", show=False, priority=True, id="note", tooltip="给刚保存的记录补充备注"),
        Binding("question_mark", "help", "帮助", priority=True, id="help", tooltip="本页全部按键"),
        Binding("f5", "retry", "重试保存", show=False, priority=True, id="retry", tooltip="再次保存磁盘未能写入的记录"),
        Binding("escape", "clear", "清除输入", show=False, priority=True, id="clear-code"),
        Binding("backspace", "erase", "退格", show=False, priority=True, id="erase-code"),
        Binding("left", "move('left')", "移动光标", show=False, priority=True, id="cursor-left"),
        Binding("right", "move('right')", "移动光标", show=False, priority=True, id="cursor-right"),
        Binding("up", "move('up')", "移动光标", show=False, priority=True, id="cursor-up"),
        Binding("down", "move('down')", "移动光标", show=False, priority=True, id="cursor-down"),
        *_code_bindings(),
    ]

    def __init__(self) -> None:
        # Made with the breakpoint class of the terminal's width now: left to the first resize, it
        # would restyle every widget of the board once more before the first frame.
        super().__init__(id="board", classes="-wide" if self.app.size.width >= self.WIDE else "-narrow")
        self.buffer = ""  # the window code typed so far
        # No window code starts with the buffer: Enter opens nothing, the next character starts anew.
        self.refused = False
        self.window: WindowInfo | None = None  # the open window, or None on the hall
        self.person: StaffInfo | None = None
        self.substitute = False
        # The number typed after * at the open window: a count (压缩办理时限 ×28), or the minutes
        # of an item that has them (无人在岗 15). None: no * pressed.
        self.count: str | None = None
        self.last_target: tuple[WindowInfo, StaffInfo | None, bool] | None = None  # for Space
        self.last_saved_id: str | None = None
        self.saving = 0  # findings on their way to disk
        # Findings the disk refused (full, read-only): kept on screen, in order, until F5 saves them.
        self.unsaved: list[PendingFinding] = []
        self.retrying = False
        self._reveal: str | None = None  # the person of the last save: their ranking row is shown
        self._closed_unpainted = False  # a save closed the window; the screen shows it with its status
        self._release_timer: Timer | None = None  # gives the panel's held height back (``RELEASE_AFTER``)
        self._status_theme: str | None = None
        self._status_colours: dict[str, str] = {}
        # The ranking is made and mounted right after the first frame (a DataTable's import, styles
        # and cells are most of what that frame would cost); standings before it wait in ``_unshown``.
        self.ranking_table: RankingTable | None = None
        self._unshown: Sequence[Standing] | None = None
        self._ranking_placed = False
        self.coverage_known = False  # the unseen marks were read (``show_coverage``)
        self.period_closed = False  # the shown period is closed (月结)

    def compose(self) -> ComposeResult:
        # Hidden until the hall is read: an empty board painted while the hall opens would only
        # delay the first frame with something in it (``load`` shows it).
        body = Horizontal(id="board-body")
        body.display = False
        with body:
            with VerticalScroll(id="hall-scroll", can_focus=False):
                yield HallMap(id="hall-map")
            with Vertical(id="side"):
                # Unsaved findings come first: on a small terminal the panel below may run off the screen.
                yield Static("", id="unsaved")
                yield WindowPanel(id="window-panel")
                yield StatusLine("", id="status")
                yield Static("", id="ranking-title")
        yield KeyBar()

    def on_mount(self) -> None:
        # The panel holds the focus for good: opening a window changes which keys count, not where
        # the focus is (a focus change restyles and re-lays the side panel: slow on every finding).
        self.set_focus(self.query_one(WindowPanel))

    # --- loading ----------------------------------------------------------------------

    def load(self) -> None:
        """Lay out the hall once the service is open (and again when the roster changes)."""
        service = self.patrol.service
        assert service is not None
        self.query_one("#board-body").display = True
        if not self._ranking_placed:
            self._ranking_placed = True
            self.call_after_refresh(self._mount_ranking)
        self.query_one(HallMap).show_windows(service.windows)
        self.query_one(WindowPanel).set_items(service.rules.items)
        if self.window is not None:
            self.window = service.window_by_id.get(self.window.id)
            if self.window is None:
                self.action_close_window()
        self.show_panel()

    async def _mount_ranking(self) -> None:
        from screens.ranking_table import COMPACT_STAFF_COLUMNS, RankingTable

        side = self.query_one("#side", Vertical)
        if not side.is_attached or self.ranking_table is not None:  # the app is quitting
            return
        table = self.ranking_table = RankingTable("staff", COMPACT_STAFF_COLUMNS, id="board-ranking")
        table.can_focus = False  # arrows and Enter belong to the hall map
        await side.mount(table)
        if self._unshown is not None:
            table.show(self._unshown)
            self._unshown = None
        self._reveal_saved(table)

    def show_standings(self, ranking: Ranking, today: dict[str, Totals]) -> None:
        """Colour the tiles and move the ranking (cells updated in place)."""
        self._release_panel()
        self.query_one(HallMap).set_states(today, {row.id: row.mark for row in ranking.windows})
        table = self.ranking_table
        if table is not None and table.is_mounted:
            table.show(ranking.staff)
        else:
            self._unshown = ranking.staff
        self._reveal_saved(table)
        self._show_title()

    def _show_title(self) -> None:
        period = self.patrol.period
        closed = "（已月结）" if self.period_closed else ""
        self.query_one("#ranking-title", Static).update(
            f"[b]{period.label} 人员排名{closed}[/b]\n[dim]变化：比上期名次升(+)降(-)[/dim]"
        )

    def show_coverage(self, coverage: Coverage, closed: bool) -> None:
        """Mark the tiles of windows nobody has seen today or this week (only changed tiles are
        repainted) and say whether the period is closed."""
        self.query_one(HallMap).set_unseen(coverage.unseen_today, coverage.unseen_week)
        first = not self.coverage_known
        self.coverage_known = True
        if closed != self.period_closed:
            self.period_closed = closed
            self._show_title()
        if self.window is None and (first or not self.saving):
            self.show_panel()

    def _reveal_saved(self, table: RankingTable | None, now: bool = False) -> None:
        if self._reveal is not None and table is not None and table.is_mounted:
            if now:  # the panel kept its height: the cursor moves in the frame that moves the rows
                table.reveal(self._reveal)
            else:  # after the panel has its new height, so the row stays in what is left of it
                self.call_after_refresh(table.reveal, self._reveal)
            self._reveal = None

    def show_moved(self, ranking: Ranking, today: dict[str, Totals], moved: Moved) -> None:
        """Paint only the tiles and the ranking rows one finding changed (the panel keeps its
        height: a relayout would redraw the whole ranking, not just these rows)."""
        marks = {row.id: row.mark for row in ranking.windows if row.id in moved.windows}
        self.query_one(HallMap).set_tiles(moved.windows, today, marks)
        table = self.ranking_table
        if table is not None and table.is_mounted:
            table.show_moved(ranking.staff, moved.staff, moved.staff_order)
        else:
            self._unshown = ranking.staff
        self._reveal_saved(table, now=True)

    # --- what the side panel says -----------------------------------------------------

    def show_panel(self) -> None:
        """Say what the keys do now: the hall and the typed code, or the open window."""
        service = self.patrol.service
        if service is None:
            return
        panel = self.query_one(WindowPanel)
        if self.window is None:
            tile = self.query_one(HallMap).current
            here = plain(f"光标：{tile.window.code} {tile.window.name}" if tile else "暂无窗口")
            typed = Text()
            if self.buffer:
                typed = Text.assemble(
                    "  已输入：", plain(self.buffer, style="bold"), "（无此窗口）" if self.refused else ""
                )
            again = "；空格 再记" if self.last_target else ""
            coverage = ""
            if self.coverage_known:
                today, week = self.query_one(HallMap).unseen_counts()
                coverage = f"\n今日未巡查 {today} 个窗口，本周未巡查 {week} 个" if today else "\n今日各窗口均已巡查"
            panel.show_text(  # Text, never markup: the names are data
                Text.assemble(
                    plain(service.hall.name, style="bold"),
                    "  督查员：",
                    plain(service.inspector),
                    "\n",
                    here,
                    typed,
                    coverage,
                    f"\n输入窗口编号后按 Enter 开始记录{again}；r 全部排名；? 帮助",
                )
            )
            return
        staff = service.lookup.staff_at(self.window.id)
        panel.show(self.window, staff, self.person, self.substitute, _names(staff), self.count)

    def set_status(self, text: str, kind: str = "info") -> None:
        """One line under the panel: saved, unsaved, or what went wrong (plain text, never markup)."""
        content = plain(text, keep="\n")  # names and notes as typed: never markup, shown escaped
        # The kind's colour is a style of the text, not a CSS class: a class change re-applies the
        # stylesheet to the widget, a few milliseconds that 已保存 would wait for.
        style = self._status_style(kind)
        if style is not None:
            content.stylize(style)
        self.query_one(StatusLine).show(content)

    def _status_style(self, kind: str) -> Style | None:
        """The theme's colour for a status of ``kind`` (ok, error, pending; info has none)."""
        look = STATUS_LOOK.get(kind)
        if look is None:
            return None
        theme = self.app.theme
        if self._status_theme != theme:  # the theme's colours, worked out once per theme
            self._status_theme, self._status_colours = theme, self.app.get_css_variables()
        colour, bold = look
        return Style(color=self._status_colours.get(colour), bold=bold)

    # --- which keys count now ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Typing a code, opening and moving belong to the hall; with a window open they are off
        (and out of the footer), and its panel's keys count instead; without one, those are off."""
        if action in HALL_ONLY:
            return self.window is None
        if action in WINDOW_ONLY:
            return self.window is not None
        return True

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        # A half-typed code does not wait for the inspector's return from another screen.
        self._clear_code()

    def _clear_code(self) -> None:
        if self.buffer:
            self.buffer, self.refused = "", False
            self.show_panel()

    # --- the hall: typing a code ------------------------------------------------------

    def action_type(self, char: str) -> None:
        """A character of a window code: the cursor jumps to the first code that starts so."""
        if self.patrol.service is None:
            return
        hall_map = self.query_one(HallMap)
        if self.refused:  # a code that matched nothing is not continued: the next key starts anew
            self.buffer, self.refused = "", False
        self.buffer += char
        if not self.refused:
            candidate = self.buffer.upper()
            matches = [i for i, t in enumerate(hall_map.tiles) if t.window.code.upper().startswith(candidate)]
            if matches:
                exact = [i for i in matches if hall_map.tiles[i].window.code.upper() == candidate]
                hall_map.move_to((exact or matches)[0])
            else:
                self.refused = True
        if self.refused:
            hint = ""
            if char.isalpha():
                hint = (
                    "记录前先输入窗口编号并按 Enter" + ("，或按空格再记刚才的人员" if self.last_target else "") + "。"
                )
            self.set_status(f"没有编号以“{self.buffer}”开头的窗口。{hint}", "error")
        self.show_panel()

    def action_erase(self) -> None:
        """Backspace: take back the last character of the code."""
        typed = self.buffer[:-1]
        self.buffer, self.refused = "", False
        for char in typed:
            self.action_type(char)
        self.show_panel()

    def action_clear(self) -> None:
        """Esc on the hall: forget the typed code."""
        self._clear_code()

    def action_move(self, direction: str) -> None:
        """Arrows: move the cursor over the tiles (a typed code is forgotten)."""
        self.buffer, self.refused = "", False
        self.query_one(HallMap).move(direction)
        self.show_panel()

    def action_open_window(self) -> None:
        """Enter: open exactly the typed code, or the window under the cursor when none is typed."""
        service = self.patrol.service
        if service is None:
            return
        if self.buffer:
            code = self.buffer
            self.buffer, self.refused = "", False
            window = service.window_by_code.get(code.upper())
            if window is None:
                self.set_status(f"没有编号为“{code}”的窗口，未打开任何窗口。", "error")
                self.show_panel()
                return
            self.open_window(window)
            return
        tile = self.query_one(HallMap).current
        if tile is not None:
            self.open_window(tile.window)

    def action_again(self) -> None:
        """Space: the last window again, with the same person chosen."""
        service = self.patrol.service
        if service is None or self.last_target is None:
            self.set_status("还没有可再记的记录：先输入窗口编号并按 Enter。", "error")
            return
        window, person, substitute = self.last_target
        if person is not None and all(s.id != person.id for s in service.lookup.staff_at(window.id)):
            person = None  # they have left the window since
        self.open_window(window, person, substitute)

    # --- a window open ----------------------------------------------------------------

    def open_window(self, window: WindowInfo, person: StaffInfo | None = None, substitute: bool = False) -> None:
        """Start logging at ``window`` (with ``person`` or the substitute already chosen)."""
        self.buffer, self.refused = "", False
        self._closed_unpainted = False  # painted now, open again
        self.window, self.person, self.substitute = window, person, substitute
        self.count = None
        self.set_status("")  # the last confirmation belongs to the last finding, not to this one
        hall_map = self.query_one(HallMap)
        index = hall_map.index_of(window.id)
        if index is not None:
            hall_map.move_to(index)
        hall_map.logging = True
        hall_map.refresh()
        self.query_one(WindowPanel).release_height(redraw=False)  # the window's own text sets it
        self.show_panel()
        self.refresh_bindings()

    def action_close_window(self) -> None:
        """Esc with a window open: a number being typed after * is dropped; else back to the hall,
        nothing logged."""
        if self.count is not None:
            self.count = None
            self.show_panel()
            return
        self.window, self.person, self.substitute = None, None, False
        hall_map = self.query_one(HallMap)
        hall_map.logging = False
        hall_map.refresh()
        self.show_panel()
        self.refresh_bindings()

    def action_pick(self, number: int) -> None:
        """1-9: the window's n-th person; 0: the substitute."""
        service = self.patrol.service
        if self.window is None or service is None:
            return
        if self.count is not None:  # after *, digits type the count
            if len(self.count) < len(str(COUNT_LIMIT)):
                self.count = (self.count + str(number)).lstrip("0")
            self.show_panel()
            return
        if number == 0:
            self.person, self.substitute = None, True
        else:
            staff = service.lookup.staff_at(self.window.id)
            if number > min(len(staff), MAX_STAFF_KEYS):
                self.set_status(f"{self.window.code} 号窗口没有第 {number} 位人员（共 {len(staff)} 位）。", "error")
                return
            self.person, self.substitute = staff[number - 1], False
        self.show_panel()

    def action_log(self, code: str) -> None:
        """An item's hotkey: log it at the open window."""
        service = self.patrol.service
        if service is None or self.window is None:
            return
        item = next((i for i in service.rules.items if i.code == code and i.active), None)
        if item is None:
            return
        if not item.may_credit_window and self.person is None and not self.substitute:
            count = min(len(service.lookup.staff_at(self.window.id)), MAX_STAFF_KEYS)
            keys = "1" if count == 1 else f"1-{count}"
            first = f"先按 {keys} 选人员，" if count else "本窗口暂无在岗人员：按 "
            self.set_status(f"“{item.name}”针对人员：{first}0 为替岗人员。", "error")
            return
        typed = int(self.count) if self.count else None
        if item.takes_minutes:
            if typed is None:
                self.set_status(f"“{item.name}”要记分钟数：按 * 再输入分钟数，然后按 {item.hotkey}。", "error")
                return
            self.save(item, minutes=typed)
            return
        self.save(item, count=typed or 1)

    def action_count(self) -> None:
        """*: the digits that follow are a count (or the minutes of 无人在岗), until an item's key."""
        if self.window is None:
            return
        self.count = ""
        self.show_panel()

    def action_seen(self) -> None:
        """Enter with a window open: the window seen with nothing wrong (evidence of the patrol,
        a round's step); back to the hall, its unseen mark cleared once it is saved."""
        service = self.patrol.service
        window = self.window
        if service is None or window is None:
            return
        self.action_close_window()

        def commit() -> WindowSeen | SeenRefused:
            try:
                at = service.rounds.seen(window)
            except (UserError, StorageError) as exc:
                return SeenRefused(window, exc)
            self.patrol.own_write_seen()  # our own commit: no news for the watch
            return WindowSeen(window, at.astimezone(service.hall.tz).strftime("%H:%M"))

        self.patrol.db.run(commit, to=self, name="seen")

    def on_window_seen(self, message: WindowSeen) -> None:
        self.query_one(HallMap).mark_seen(message.window.id)
        ranking = self.patrol.ranking
        if ranking is not None and not ranking.has_records:
            self.patrol.standings_after()  # the first patrol record of the period: judge it anew
        if self.window is None:
            self.show_panel()
        self.set_status(f"已记录 {message.at} {message.window.code} {message.window.name} 巡查无异常", "ok")

    def on_seen_refused(self, message: SeenRefused) -> None:
        self.set_status(f"未记录 {message.window.code} {message.window.name} 巡查无异常：{message.error}", "error")

    # --- commands ---------------------------------------------------------------------

    def action_search(self) -> None:
        self._clear_code()
        self.patrol.action_search()

    def action_ranking(self) -> None:
        self._clear_code()
        self.patrol.action_ranking()

    def action_roster(self) -> None:
        self._clear_code()
        self.patrol.action_roster()

    def action_export(self) -> None:
        self._clear_code()
        self.patrol.action_export()

    def action_rules(self) -> None:
        self._clear_code()
        self.patrol.action_rules()

    def action_help(self) -> None:
        self._clear_code()
        self.patrol.action_help()

    def action_record(self) -> None:
        """F4: the record of the chosen person, else of the open (or typed, or highlighted) window."""
        service = self.patrol.service
        if service is None:
            return
        if self.person is not None:
            self.patrol.open_record("staff", self.person.id)
            return
        window = self.window
        if window is None and self.buffer and not self.refused:
            window = service.window_by_code.get(self.buffer.upper())
        if window is None:
            tile = self.query_one(HallMap).current
            window = tile.window if tile else None
        self._clear_code()
        if window is not None:
            self.patrol.open_record("window", window.id)

    # --- saving -----------------------------------------------------------------------

    def save(self, item: object, count: int = 1, minutes: int | None = None) -> None:
        """Log ``item`` at the open window and go back to the hall at once; the status says
        saved as soon as the commit returns (``FindingSaved``), the standings follow."""
        from patrol.rules.items import RuleItem

        service = self.patrol.service
        assert service is not None and self.window is not None and isinstance(item, RuleItem)
        # The finding is dated when the inspector saw it, even if the disk takes it only on a retry.
        from patrol.hall.pending import PendingFinding  # the write path: loaded with the first key

        pending = PendingFinding(
            self.window,
            self.person,
            self.substitute,
            item,
            service.clock().astimezone(service.hall.tz),
            count=count,
            minutes=minutes,
        )
        self.count = None
        self.last_target = (self.window, self.person, self.substitute)
        self._hold_panel_height()
        if self.unsaved:
            # Earlier findings wait for the disk: this one joins them, so they are saved in order.
            self.action_close_window()
            self._release_panel()
            self._keep_unsaved(pending, None)
            return
        self._close_unpainted()
        # The status says "saving" only if the commit is slow: a repaint now would compete with it.
        self.set_timer(0.2, lambda: self._still_saving(pending), name="saving")
        self.saving += 1

        def commit() -> FindingSaved | SaveRefused:
            try:
                return FindingSaved(self._commit(pending), pending)
            except (UserError, StorageError) as exc:
                return SaveRefused(pending, exc)

        self.patrol.db.run(commit, to=self, on_error=lambda exc: self._save_failed(pending, exc), name="save")

    def _commit(self, pending: PendingFinding) -> FindingView:
        """In the lane: write the finding; our own commit is no news for the watch."""
        service = self.patrol.service
        assert service is not None
        found = pending.log(service)
        self.patrol.own_write_seen()
        return found

    def _close_unpainted(self) -> None:
        """Back on the hall for the keys that follow (``check_action`` reads ``window``), painted
        in the frame after the save's status (``_paint_closed``): a frame now (the hall map, the
        panel, the key bar) would take the loop, and the GIL, from the commit running beside it,
        and then make the status wait for the next frame."""
        self.window, self.person, self.substitute = None, None, False
        self.query_one(HallMap).logging = False  # any repaint of the map before that is right
        self._closed_unpainted = True

    def _paint_closed(self) -> None:
        if self._closed_unpainted:
            self._closed_unpainted = False
            self.query_one(HallMap).refresh()
            self.show_panel()
            self.refresh_bindings()

    def _hold_panel_height(self) -> None:
        """Until the next window opens (or ``RELEASE_AFTER`` seconds pass without one), the panel
        keeps the open window's height as it shows the hall: the status and the ranking below stay
        where they are, unredrawn. A relayout redraws the whole ranking (tens of milliseconds):
        after the key it would hold 已保存 off the screen for as long, and after the standings move
        it would hold the next keys; the next window's panel mostly has this height again, and
        then opening it needs no relayout either."""
        self.query_one(WindowPanel).hold_height()

    def _release_panel(self) -> None:
        self.query_one(WindowPanel).release_height()

    def _release_when_quiet(self) -> None:
        """Give the panel's held height back once no window has been opened for ``RELEASE_AFTER``
        seconds: on a small terminal the open window's height leaves the ranking its header alone."""
        if self._release_timer is not None:
            self._release_timer.stop()
        self._release_timer = self.set_timer(self.RELEASE_AFTER, self._release_if_quiet, name="release-panel")

    def _release_if_quiet(self) -> None:
        self._release_timer = None
        if self.window is None and not self.saving:
            self._release_panel()

    def _still_saving(self, pending: PendingFinding) -> None:
        self._paint_closed()
        if self.saving:
            self.set_status(f"保存中… {pending.label}（数据库忙，稍候）", "pending")

    def on_finding_saved(self, message: FindingSaved) -> None:
        self.saving -= 1
        self._saved(message.found)
        # 已保存 goes to the screen in a frame of its own, the status line alone (a few hundred
        # bytes). The hall closing (map, panel, key bar) and the standings moving follow in the
        # next frame: painted with it, they held 已保存 back by some 15 ms of rendering and 5 KB
        # more for the terminal to take in.
        found, person = message.found, message.pending.person

        def after_saved() -> None:
            # A finding means the window was seen: cleared before the panel counts what is unseen.
            self.query_one(HallMap).mark_seen(found.window_id)
            if self._closed_unpainted:
                self._paint_closed()
            elif self.window is None:  # the hall was painted already (a slow commit): count again
                self.show_panel()
            # Their row, once the standings have moved it: set here, with this finding's move, and
            # only for the last save. Set on arrival, an earlier save's move (keys typed in a burst)
            # put the cursor where the person stood before their own finding moved them.
            if person is not None and found.id == self.last_saved_id:
                self._reveal = person.id
            self.patrol.standings_after(found)
            self._release_when_quiet()

        self.query_one(StatusLine).after_paint(after_saved)

    def on_save_refused(self, message: SaveRefused) -> None:
        self.saving -= 1
        self._paint_closed()
        self._release_panel()
        if isinstance(message.error, StorageError):
            self._keep_unsaved(message.pending, message.error)
        else:  # the finding itself is wrong (e.g. the clock): nothing to retry
            self.set_status(f"未保存：{message.pending.label}。{message.error}", "error")

    def _save_failed(self, pending: PendingFinding, exc: BaseException) -> None:
        """The save broke in a way nobody foresaw (the app's handler has said how): the finding
        is kept as unsaved, for F5."""
        self.saving -= 1
        self._paint_closed()
        self._release_panel()
        self.unsaved.append(pending)
        self._show_unsaved()
        self.show_panel()
        self.set_status(f"未保存：{pending.label}。{type(exc).__name__}: {exc} 按 F5 重试。", "error")

    def _saved(self, found: FindingView) -> None:
        self.last_saved_id = found.id
        who = found.person or "窗口"
        self.set_status(
            f"已保存 {found.at:%H:%M} {found.window_code} {found.window_name} {who} {found.type_name}{found.times} "
            f"{found.total_points:+.1f}  记录号 {found.ref}\nn 备注  u 撤销  空格 再记",
            "ok",
        )

    def _keep_unsaved(self, pending: PendingFinding, exc: StorageError | None) -> None:
        """The disk refused: keep the finding on screen as unsaved and say how to retry."""
        self.unsaved.append(pending)
        self._show_unsaved()
        self.show_panel()
        if exc is not None:  # said in the status line, not a toast: a toast would cover the list
            self.set_status(f"未保存：{pending.label}。{exc} 按 F5 重试。", "error")
        else:
            self.set_status(f"未保存：{pending.label}（前面还有未保存的记录）。按 F5 重试。", "error")

    def _show_unsaved(self) -> None:
        box = self.query_one("#unsaved", Static)
        lines = [*(plain(f"未保存  {p.label}") for p in self.unsaved), Text("F5 重试保存")]
        box.update(Text("\n").join(lines) if self.unsaved else "")
        box.display = bool(self.unsaved)

    def action_retry(self) -> None:
        """F5: save the findings the disk refused, oldest first."""
        if not self.unsaved:
            self.set_status("没有未保存的记录。", "info")
            return
        if not self.retrying:
            self.retrying = True
            self.run_worker(self._retry(), group="write")

    async def _retry(self) -> None:
        try:
            await self._save_unsaved()
        finally:
            self.retrying = False

    async def _save_unsaved(self) -> None:
        saved = 0
        while self.unsaved:
            pending = self.unsaved[0]
            try:
                found = await self.patrol.db.ask(self._commit, pending)
            except (UserError, StorageError) as exc:
                self._show_unsaved()
                self.set_status(f"仍未保存 {len(self.unsaved)} 条：{exc} 按 F5 重试。", "error")
                return
            self.unsaved.pop(0)
            saved += 1
            self._saved(found)
            self.patrol.standings_after(found)
        self._show_unsaved()
        if saved > 1:
            self.set_status(f"已保存全部 {saved} 条未保存的记录。", "ok")

    # --- taking back and adding a note -------------------------------------------------

    def action_undo(self) -> None:
        """u: show this device's last finding and ask before taking it back."""
        self._clear_code()
        if self.patrol.service is not None:
            self.run_worker(self._confirm_undo(), group="write")

    async def _confirm_undo(self) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            last = await self.patrol.db.ask(service.findings.last_finding)
        except (UserError, StorageError) as exc:
            self.set_status(f"撤销失败：{exc}", "error")
            return
        if last is None:
            self.set_status("本机没有可撤销的记录。", "error")
            return
        from screens.confirm import ConfirmScreen

        who = last.person or "窗口"
        question = (
            f"撤销这条记录？\n\n{last.at:%Y-%m-%d %H:%M}  {last.window_code} {last.window_name}  {who}\n"
            f"{last.type_name}{last.times} {last.total_points:+.1f}  记录号 {last.ref}\n\n"
            "撤销后原记录作废，并留有更正记录。"
        )
        if await self.app.push_screen_wait(ConfirmScreen("撤销", question, yes="撤销")):
            await self._undo(last)

    async def _undo(self, finding: FindingView) -> None:
        service = self.patrol.service
        assert service is not None

        def take_back() -> FindingView:
            undone = service.findings.undo(finding.id)
            self.patrol.own_write_seen()  # our own write: the watch need not read everything again
            return undone

        try:
            undone = await self.patrol.db.ask(take_back)
        except (UserError, StorageError) as exc:
            self.set_status(f"撤销失败：{exc}", "error")
            return
        self.last_saved_id = None
        who = undone.person or "窗口"
        self.set_status(
            f"已撤销 {undone.window_code} {who} {undone.type_name}（记录号 {undone.ref}，已留更正记录）", "ok"
        )
        if undone.staff_id is not None:  # their row, once the standings have moved it back
            self._reveal = undone.staff_id
        self.patrol.standings_after(undone, sign=-1)

    def action_note(self) -> None:
        """n: a note for the finding just saved."""
        self._clear_code()
        if self.last_saved_id is None:
            self.set_status("先记录一条，再按 n 补充备注。", "error")
            return
        from screens.prompt import PromptScreen

        finding_id = self.last_saved_id
        self.app.push_screen(
            PromptScreen("补充备注", "备注（Enter 保存，Esc 取消）", max_length=NOTE_LIMIT),
            lambda note: self._add_note(finding_id, note),
        )

    def _add_note(self, finding_id: str, note: str | None) -> None:
        if note:
            self.run_worker(self._save_note(finding_id, note), group="write")

    async def _save_note(self, finding_id: str, note: str) -> None:
        service = self.patrol.service
        assert service is not None
        try:
            found = await self.patrol.db.ask(service.findings.add_note, finding_id, note)
        except (UserError, StorageError) as exc:
            self.set_status(f"备注未保存：{exc}", "error")
            return
        self.last_saved_id = found.id
        self.set_status(f"备注已保存：{found.window_code} {found.type_name}：{note}", "ok")


class FindingSaved(Message, bubble=False):  # the board's alone: on the way to 已保存, no visit to the app
    """A finding is committed (posted from the lane to the board)."""

    def __init__(self, found: FindingView, pending: PendingFinding) -> None:
        super().__init__()
        self.found, self.pending = found, pending


class WindowSeen(Message):
    """A window seen with nothing wrong is committed (posted from the lane to the board)."""

    def __init__(self, window: WindowInfo, at: str) -> None:
        super().__init__()
        self.window, self.at = window, at


class SeenRefused(Message):
    """The 无异常 record was refused (the disk, the clock)."""

    def __init__(self, window: WindowInfo, error: UserError | StorageError) -> None:
        super().__init__()
        self.window, self.error = window, error


class SaveRefused(Message):
    """The disk (StorageError: kept for F5) or the finding itself (UserError) was refused."""

    def __init__(self, pending: PendingFinding, error: UserError | StorageError) -> None:
        super().__init__()
        self.pending, self.error = pending, error


def _names(staff: list[StaffInfo]) -> dict[str, str]:
    """Names as the panel shows them (a person's window is implied by the panel)."""
    return {s.id: s.name for s in staff}
