"""The app: opens the database after the first frame, keeps the period and the rankings, and
routes actions to one module per screen."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from patrol.errors import UserError
from patrol.hall.service import UNREADABLE, FindingView, HallService, NoHallError, open_hall, unreadable
from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking, Totals
from patrol.text import shown
from screens.board import BoardScreen
from screens.standings import Loaded, Standings, load, paint
from storage.errors import StorageError

if TYPE_CHECKING:
    from textual.timer import Timer

    from patrol.hall.watch import Watch

T = TypeVar("T")
READY_ENV = "PATROL_EXIT_WHEN_READY"  # the start-up benchmark: quit once the board is drawn
WATCH_SECONDS = 0.5  # how often the board asks whether another process wrote
CONFIRM_SECONDS = 2.0  # quiet after a finding before the standings are checked by a full recompute


class PatrolApp(App[int]):
    """巡查: the hall board and its screens."""

    CSS_PATH = "patrol.tcss"
    TITLE = "巡查"
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", id="quit", tooltip="退出（所有已保存的记录都在磁盘上）"),
        Binding("f1", "help", "帮助", show=False, id="help-f1"),
        Binding("ctrl+l", "lock", "锁屏", show=False, id="lock", tooltip="立即锁屏（PIN 解锁）"),
        Binding(
            "ctrl+p",
            "command_palette",
            "命令",
            show=False,
            priority=True,
            id="command-palette",
            tooltip="命令面板：输入名称执行任何操作",
        ),
    ]

    def __init__(
        self,
        url: str,
        hall_name: str | None,
        inspector: str,
        device: str,
        demo: bool = False,
        clock: Callable[[], datetime] | None = None,
        lock_minutes: float = 0,
    ) -> None:
        super().__init__()
        self.lock_minutes = lock_minutes  # idle minutes before the lock covers the screen; 0: never
        self.locked = False
        self.pins_set = False  # without a PIN nobody could open a lock, so none is put up
        self.held_behind_lock = 0  # results that ended while locked and waited for the unlock
        self._last_input = time.monotonic()
        self.clock = clock
        self.url = url
        self.hall_name = hall_name
        self.inspector = inspector
        self.device = device
        self.demo = demo
        self.service: HallService | None = None
        self.period = Period.of("month", date.today())
        self.ranking: Ranking | None = None
        self.standings_version = 0  # counts ranking updates on screen (tests, benchmarks)
        self.standings = Standings()  # the ranking and tiles shown, moved in place by each finding
        self._confirm_timer: Timer | None = None
        self._quit_warned = False  # ctrl+q with unsaved findings asks twice
        self.last_save_latency = 0.0  # seconds from a hotkey to the ranking updated (benchmark)
        # One thread for all database work: writes stay in key order, the UI never waits.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="patrol-db")
        self._watch: Watch | None = None  # notices other writers (patrol.hall.watch)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast of the app (and of its screens, whose ``notify`` hands theirs here with
        Textual's default ``markup=True``): toasts name people and quote what was typed, so their
        text is never markup, whatever the caller says, and never steers the terminal
        (``patrol.text.shown``)."""
        del markup  # plain text always: "[/]" in a name must not end a toast, or the app
        super().notify(
            shown(message, "\n"),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the footer as the help names them (Enter, Esc, 空格, F3), never ⏎."""
        from screens.keys import key_label

        return binding.key_display or key_label(binding.key)

    # --- start-up ---------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(BoardScreen())
        self._open()  # reads through sqlite3, which releases the GIL while the first frame draws
        if self.lock_minutes:
            self.set_interval(min(15.0, self.lock_minutes * 60 / 4), self._lock_if_idle, name="idle-lock")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self._last_input = time.monotonic()  # someone is at the keyboard
        await super().on_event(event)

    @work(thread=True, exclusive=True, group="open")
    def _open(self) -> None:
        try:
            service = open_hall(
                self.url, self.hall_name, inspector=self.inspector, device=self.device, clock=self.clock
            )
            # The change since last period comes with the first refresh, after the board is drawn.
            ranking = service.ranking(service.current_period(), with_change=False)
            today = service.day_totals()
            from patrol.hall.lock import has_pins

            pins = has_pins(service)  # any PIN: the board opens locked
        except NoHallError:
            self.call_from_thread(self._show_welcome, None)
            return
        except (UserError, StorageError) as exc:
            self.call_from_thread(self._show_welcome, str(exc))
            return
        except UNREADABLE:  # a value patrol never writes, put into the file behind its back
            problem = unreadable(self.url)
            if problem is None:
                raise
            self.call_from_thread(self._show_welcome, problem)
            return
        self.call_from_thread(self._opened, service, ranking, today, pins)

    def _show_welcome(self, problem: str | None) -> None:
        from screens.welcome import WelcomeScreen

        self.switch_screen(WelcomeScreen(self.url, problem))
        if os.environ.get(READY_ENV):
            self.call_after_refresh(self.exit, 0)

    def _opened(self, service: HallService, ranking: Ranking, today: dict[str, Totals], pins: bool) -> None:
        self.service = service
        self.period = service.current_period()
        self.sub_title = shown(f"{service.hall.name}{'（演示）' if self.demo else ''}")
        self.pins_set = pins
        if pins:  # before any name is drawn: quitting a lock and starting again opens nothing
            self.action_lock(at_start=True)
        board = self.board
        board.load()
        self._show(ranking, today)
        if os.environ.get(READY_ENV):
            self.call_after_refresh(self.exit, 0)
            return
        self._db.submit(service.warm_up)  # import the write path while the inspector looks
        self._db.submit(self._check_pins, service)
        self._db.submit(self._daily_backup, service)
        self._db.submit(self._start_watching)
        self.run_worker(self.refresh_standings(), group="read")
        self.set_interval(WATCH_SECONDS, self._look_for_changes, name="watch")

    def _check_pins(self, service: HallService) -> None:
        from patrol.hall.lock import DEMO_PIN, has_pins, set_pin

        if self.demo and not has_pins(service):
            set_pin(service, service.inspector, DEMO_PIN)  # the demo's throwaway copy
        self.pins_set = has_pins(service)
        if not self.pins_set and self.lock_minutes:
            self.call_from_thread(
                self.notify,
                "尚未设置督查员 PIN，离开时无法锁屏。按 ctrl+p 选“设置 PIN”，或运行 patrol pin。",
                title="未设置 PIN",
                severity="warning",
                timeout=15,
            )

    # --- the lock ---------------------------------------------------------------------

    def _lock_if_idle(self) -> None:
        if time.monotonic() - self._last_input >= self.lock_minutes * 60:
            self.action_lock(idle=True)

    def action_lock(self, idle: bool = False, at_start: bool = False) -> None:
        """Cover the screen until an inspector's PIN is typed (ctrl+l, after ``lock_minutes``
        idle, and at start when any inspector has a PIN)."""
        if not self.open_for_work or not self.is_running:  # quitting: no screen goes up any more
            return
        if not self.pins_set:
            self.notify("尚未设置 PIN，无法锁屏：按 ctrl+p 选“设置 PIN”。", title="未设置 PIN", severity="warning")
            return
        from patrol.hall.lock import DEMO_PIN
        from screens.lock import LockScreen

        self.locked = True
        self.clear_notifications()  # a toast may name someone
        hint = f"（演示大厅的 PIN：{DEMO_PIN}）" if self.demo else ""
        self.push_screen(LockScreen(self.lock_minutes if idle else 0, hint, at_start=at_start), self._unlocked)

    @property
    def open_for_work(self) -> bool:
        """A hall is open and the screen is not locked: screens may be opened."""
        return self.service is not None and not self.locked

    async def unlocked(self) -> None:
        """Return once the screen is not locked (work that ends while it is waits to show)."""
        if self.locked:
            self.held_behind_lock += 1  # said to tests: a result is waiting for the unlock
        while self.locked:
            await asyncio.sleep(0.1)

    def _unlocked(self, name: str | None) -> None:
        self.locked = False
        self._last_input = time.monotonic()
        if name and name != self.inspector:
            self.inspector = name
            self.notify(f"督查员已切换为 {name}：此后的记录与更正都记在其名下。", title="已解锁")
        self.board.show_panel()

    def action_set_pin(self) -> None:
        """Set the PIN of the inspector on duty: their current PIN first if they have one, then
        the new one twice."""
        if self.open_for_work:
            self.run_worker(self._set_pin(), group="pin", exclusive=True)

    async def _set_pin(self) -> None:
        from patrol.hall.lock import has_pin, replace_pin, whose_pin
        from patrol.hall.pins import MAX_DIGITS, MIN_DIGITS
        from screens.prompt import PromptScreen

        service = self.service
        assert service is not None
        name = service.inspector

        def ask(title: str, placeholder: str = "PIN") -> PromptScreen:
            return PromptScreen(title, placeholder, max_length=MAX_DIGITS, password=True)

        current: str | None = ""
        by: str | None = None
        reason: str | None = ""
        if await self.write(has_pin, service, name):
            current = await self.push_screen_wait(
                ask(f"督查员 {name} 已有 PIN：请输入当前 PIN（忘记时由另一位督查员输入自己的 PIN）", "当前 PIN")
            )
            if not current:
                return
            try:
                who = await self.write(whose_pin, service, name, current)
            except (UserError, StorageError) as exc:
                self.notify(str(exc), title="PIN 未更换", severity="error")
                return
            if who != name:
                by = who
                reason = await self.push_screen_wait(PromptScreen(f"由 {who} 代为更换 {name} 的 PIN：原因", "原因"))
                if not reason:
                    return
        pin = await self.push_screen_wait(ask(f"为督查员 {name} 设置新 PIN（{MIN_DIGITS}–{MAX_DIGITS} 位数字）"))
        if not pin:
            return
        again = await self.push_screen_wait(ask("再次输入新 PIN"))
        if again is None:
            return
        if again != pin:
            self.notify("两次输入的 PIN 不一致，未设置。", title="PIN", severity="error")
            return
        try:
            await self.write(replace_pin, service, name, pin, entered=current or "", by=by, reason=reason or "")
        except (UserError, StorageError) as exc:
            self.notify(str(exc), title="PIN 未设置", severity="error")
            return
        self.pins_set = True
        done = f"已为 {name} 设置 PIN。" + (f"由 {by} 确认，已记入查阅日志。" if by else "")
        self.notify(done + "离开时按 ctrl+l 可立即锁屏。", title="PIN")

    def action_command_palette(self) -> None:
        if not self.locked:  # the palette could open a screen over the lock
            super().action_command_palette()

    def _daily_backup(self, service: HallService) -> None:
        from patrol.hall import leftovers

        leftovers.clean(getattr(service.reader, "path", None))  # what a killed run left (names inside)
        try:
            service.daily_backup()
        except StorageError as exc:  # a failed backup must not stop the patrol, but is said
            self.call_from_thread(self.notify, str(exc), title="备份失败", severity="warning", timeout=10)

    @property
    def board(self) -> BoardScreen:
        """The hall board (under whatever screen is on top)."""
        found = self.board_or_none
        assert found is not None
        return found

    @property
    def board_or_none(self) -> BoardScreen | None:
        """The hall board, or None before a hall is open (the first-start screen)."""
        return next((s for s in self.screen_stack if isinstance(s, BoardScreen)), None)

    # --- database work ----------------------------------------------------------------

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the database thread and wait for it without blocking the UI."""
        try:
            future = self._db.submit(fn, *args, **kwargs)
        except RuntimeError as exc:  # the app is closing: its database thread has stopped
            raise asyncio.CancelledError from exc
        return await asyncio.wrap_future(future)

    def own_write_seen(self) -> None:
        """Tell the watch that what the database holds now is known here (on the database
        thread: right after our own commit, which is not news, or before a full read)."""
        if self._watch is not None:
            self._watch.mark_seen()

    async def save_finding(self, started: float, log: Callable[[], T]) -> T:
        """Commit a finding, then move the standings by it (``standings_after``);
        ``last_save_latency`` is the time from the key press to the standings shown."""

        def commit() -> T:
            found = log()
            self.own_write_seen()
            return found

        found = await self.write(commit)
        await self.standings_after(found)
        self.last_save_latency = time.perf_counter() - started
        return found

    async def standings_after(self, found: object, sign: int = 1) -> None:
        """A finding was committed (``sign`` 1) or undone (-1): move the standings by it in place
        and paint only what changed; a full recompute checks them once the keys are quiet."""
        moved = self.standings.moved(found, sign) if isinstance(found, FindingView) else None
        ranking = self.standings.ranking
        if moved is None or ranking is None:  # nothing kept live yet: read it all
            await self.refresh_standings()
            return
        self.ranking = ranking  # the same rows, moved in place (or ranked anew from the totals kept)
        if self.is_running:
            if moved:
                paint(self.screen_stack, ranking, self.standings.today, moved)
            self.standings_version += 1
        if self._confirm_timer is not None:
            self._confirm_timer.stop()
        self._confirm_timer = self.set_timer(CONFIRM_SECONDS, self.confirm_standings, name="confirm-standings")

    def confirm_standings(self) -> None:
        """Rank the period in full off the hot path; show it only if it differs from what is shown
        (``standings.mismatches`` counts that, a bug)."""
        self.run_worker(self._confirm(), group="confirm", exclusive=True)

    async def _confirm(self) -> None:
        service, period = self.service, self.period
        if service is None:
            return
        loaded = await self.write(load, service, period, self.standings.previous(period))
        if period == self.period and self.standings.confirm(loaded):
            self._show(loaded.live.ranking, loaded.today)

    async def refresh_standings(self) -> None:
        """Recompute the period's ranking and today's tiles, and show them everywhere."""
        service = self.service
        if service is None:
            return
        period = self.period

        def read() -> Loaded:
            self.own_write_seen()  # before reading: a commit after this is news
            return load(service, period)

        loaded = await self.write(read)
        self.standings.reset(loaded)
        self._show(loaded.live.ranking, loaded.today)

    # --- other writers ----------------------------------------------------------------

    def _start_watching(self) -> None:
        from patrol.hall.watch import watch_for

        try:
            self._watch = watch_for(self.url)
        except Exception as exc:  # a board that cannot watch still works; it says so
            self.call_from_thread(
                self.notify, f"无法监视其他设备的记录（{exc}），请重新打开以看到它们。", severity="warning"
            )

    def _look_for_changes(self) -> None:
        if self._watch is not None and self.service is not None and self.is_running:
            self.run_worker(self._refresh_if_changed(), group="watch", exclusive=True)

    async def _refresh_if_changed(self) -> None:
        """Another process wrote (the command line, another laptop): read the roster and the
        standings again, and show them on the board, the rankings and any open record."""
        watch, service = self._watch, self.service
        if watch is None or service is None or not await self.write(watch.changed):
            return
        await self.write(service.reload)
        board = self.board_or_none
        if board is not None:
            board.load()
        await self.refresh_standings()

    def _show(self, ranking: Ranking, today: dict[str, Totals]) -> None:
        if not self.is_running:  # quitting: a refresh that ends now has no screens left to draw on
            return
        self.ranking = ranking
        for screen in self.screen_stack:
            # Each screen that shows standings has this method; importing them here would
            # slow the first frame down.
            show = getattr(screen, "show_standings", None)
            if show is not None:
                show(ranking, today)
        self.standings_version += 1

    def set_period(self, period: Period) -> None:
        """Rank another period (the ranking screen's [ ] and p)."""
        self.period = period
        self.run_worker(self.refresh_standings(), group="read", exclusive=True)

    async def roster_changed(self) -> None:
        """The roster screen changed someone: redraw the hall and the rankings."""
        self.board.load()
        await self.refresh_standings()

    def on_unmount(self) -> None:
        if self._watch is not None:
            self._db.submit(self._watch.close)
        self._db.shutdown(wait=True)
        if self.service is not None:
            self.service.close()

    # --- actions ----------------------------------------------------------------------

    def action_help_quit(self) -> None:
        """ctrl+c, pressed by habit to quit: Textual's toast is English with markup (shown as
        "[b]ctrl+q[/b]" here, where toasts are plain text) and, on the lock, points at a key the
        lock refuses. Say it in Chinese: on the lock that it stays, elsewhere which key quits."""
        if self.locked:
            self._say_no_way_out()
            return
        key = next(
            (
                self.get_key_display(active.binding)
                for active in self.active_bindings.values()
                if active.binding.action in ("quit", "app.quit")
            ),
            "ctrl+q",
        )
        self.notify(f"要退出巡查，请按 {key}。", title="退出")

    def _say_no_way_out(self) -> None:
        from screens.lock import LockScreen

        if isinstance(self.screen, LockScreen):
            self.screen.say("已锁定，不能退出：请先输入 PIN 解锁。")

    async def action_quit(self) -> None:
        """Quit; with findings the disk has not taken, only on a second ctrl+q."""
        if self.locked:  # nobody leaves the lock for the shell, or for a fresh start without it
            self._say_no_way_out()
            return
        board = self.board_or_none
        unsaved = len(board.unsaved) if board is not None else 0
        if unsaved and not self._quit_warned:
            self._quit_warned = True
            self.notify(
                f"还有 {unsaved} 条记录未保存，退出后将丢失。按 F5 重试保存，或再按 ctrl+q 退出。",
                title="未保存",
                severity="error",
                timeout=10,
            )
            return
        await super().action_quit()

    def action_search(self) -> None:
        if not self.open_for_work or self.service is None:
            return
        from screens.search import SearchScreen

        def opened(hit: Any) -> None:
            if hit is None:
                return
            self.open_record("window" if hit.kind in ("window", "unit") else "staff", hit.id)

        self.push_screen(SearchScreen(self.service.search_index), opened)

    def open_record(self, kind: str, item_id: str) -> None:
        """Show the record of a window or a staff member for the current period."""
        from screens.record import RecordScreen

        self.push_screen(RecordScreen(kind, item_id, self.period))

    def action_export(self) -> None:
        """`x`: ask for the period and the file, then export in a worker."""
        if not self.open_for_work or self.service is None:
            return
        from screens.export import ExportScreen

        self.push_screen(ExportScreen(self.service.hall.name, self.period, Path.cwd()), self._export)

    def _export(self, request: Any) -> None:
        from screens.export import run_export

        if request is not None:
            self.run_worker(run_export(self, request), group="export", exclusive=True)

    def action_notice(self) -> None:
        """The draft notice of the current period, to read and copy."""
        service = self.service
        if service is None or not self.open_for_work:
            return
        from patrol.reports.notice import draft_notice
        from patrol.reports.period_report import gather
        from screens.export import NoticeScreen

        period = self.period
        self.push_screen(NoticeScreen(f"{period.label} 通报草稿", draft_notice(gather(service, period))))

    def action_ranking(self) -> None:
        if not self.open_for_work:
            return
        from screens.ranking import RankingScreen

        if not isinstance(self.screen, RankingScreen):
            self.push_screen(RankingScreen())

    def action_roster(self) -> None:
        if not self.open_for_work:
            return
        from screens.roster import RosterScreen

        if not isinstance(self.screen, RosterScreen):
            self.push_screen(RosterScreen())

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen) or self.locked:
            return
        from screens.help import key_rows, screen_title

        self.push_screen(HelpScreen(f"按键：{screen_title(self.screen)}", list(key_rows(self, self.screen))))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) reaches every action."""
        yield SystemCommand("搜索 (/)", "搜索窗口、单位、人员", self.action_search)
        yield SystemCommand("排名 (r)", "人员与窗口排名", self.action_ranking)
        yield SystemCommand("名册 (F3)", "窗口与人员名册", self.action_roster)
        yield SystemCommand("导出 (x)", "导出巡查考核附表与通报草稿", self.action_export)
        yield SystemCommand("通报草稿", "查看并复制本期通报草稿", self.action_notice)
        yield SystemCommand("帮助 (?)", "本页全部按键", self.action_help)
        if self.service is not None:
            board = self.board
            yield SystemCommand("撤销 (u)", "撤回本机最后一条记录", board.action_undo)
            yield SystemCommand("备注 (n)", "给刚保存的记录补充备注", board.action_note)
            for kind, label in (("month", "本月"), ("quarter", "本季度"), ("half", "本半年"), ("year", "本年")):
                yield SystemCommand(
                    f"统计周期：{label}",
                    f"排名按{label}统计",
                    lambda kind=kind: self.set_period(self.service.current_period(kind)),
                )
        yield SystemCommand("锁屏 (ctrl+l)", "立即锁屏，督查员 PIN 解锁", self.action_lock)
        yield SystemCommand("设置 PIN", "为当前督查员设置解锁 PIN", self.action_set_pin)
        yield SystemCommand("退出", "退出巡查", self.action_quit)
