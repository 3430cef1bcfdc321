"""The app: opens the database after the first frame, keeps the period and the rankings, and
routes actions to one module per screen. Every database call runs in the lane
(``screens.database``); the event loop only draws, and a guard (``storage.guard``) says so."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker

from patrol.errors import UserError
from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking
from patrol.text import shown
from screens.board import BoardScreen
from screens.database import DatabaseWork
from screens.keeping import KeepingApp
from screens.results import HallNotOpened, HallOpened, PinsChecked, Toast
from screens.standings import Standings
from storage import guard
from storage.errors import StorageError

if TYPE_CHECKING:
    from textual.timer import Timer

    from patrol.hall.service import HallService
    from patrol.hall.watch import Watch

READY_ENV = "PATROL_EXIT_WHEN_READY"  # the start-up benchmark: quit once the board is drawn
WATCH_SECONDS = 0.5  # how often the board asks whether another process wrote


class PatrolApp(KeepingApp):
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
        super().__init__(lock_minutes)
        self.clock = clock
        self.url = url
        self.hall_name = hall_name
        self.inspector = inspector
        self.device = device
        self.demo = demo
        self.service: HallService | None = None
        self.period = Period.of("month", date.today())
        self.ranking: Ranking | None = None
        self.standings = Standings()  # the ranking and tiles shown, moved in place by each finding
        self._confirm_timer: Timer | None = None
        self._quit_warned = False  # ctrl+q with unsaved findings asks twice
        self.db = DatabaseWork(self)  # the one way to the database: the lane's workers
        self._watch: Watch | None = None  # notices other writers (patrol.hall.watch)
        self._warm = False  # the write path is loaded (or loading): see _warm_up
        self._opened: HallOpened | HallNotOpened | None = None  # see open_before_start
        self._when_drawn: list[Callable[[], None]] = []  # see when_drawn

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
        super().notify(shown(message, "\n"), title=shown(title), severity=severity, timeout=timeout, markup=False)

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the footer as the help names them (Enter, Esc, 空格, F3), never ⏎."""
        from screens.keys import key_label

        return binding.key_display or key_label(binding.key)

    # --- start-up ---------------------------------------------------------------------

    def open_before_start(self) -> None:
        """Open the hall now, before the event loop runs (``patrol``, ``patrol demo``): the read
        has the process to itself, and the first frame is the board. Run in a worker beside the
        loop's start, it shared the GIL with Textual's own start and took three times as long,
        and the screen showed an empty frame first. Anything unforeseen is left to the worker,
        whose failure the app says (``on_worker_state_changed``)."""
        try:
            self._opened = self._open_hall()
        except Exception:  # said by the lane's worker, which tries again
            self._opened = None

    def when_drawn(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the first frame with something in it (the board, or the first-start
        screen) has been drawn."""
        self._when_drawn.append(callback)

    def _drawn(self) -> None:
        waiting, self._when_drawn = self._when_drawn, []
        for callback in waiting:
            callback()

    def on_mount(self) -> None:
        guard.forbid_thread(threading.get_ident())  # from now on the loop only draws
        self.push_screen(BoardScreen())
        if self._opened is not None:  # read before start: shown in the board's first frame
            self.post_message(self._opened)
            self._opened = None
        else:  # read through sqlite3, which releases the GIL while the first frame draws
            self.db.run(self._open_hall, name="open")

        if self.lock_minutes:
            self.set_interval(min(15.0, self.lock_minutes * 60 / 4), self._lock_if_idle, name="idle-lock")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self._warm_up()  # someone is at the keyboard
        await super().on_event(event)

    def _open_hall(self) -> HallOpened | HallNotOpened:
        from patrol.hall.lock import has_pins
        from patrol.hall.opening import UNREADABLE, NoHallError, open_hall, unreadable

        try:
            service = open_hall(
                self.url, self.hall_name, inspector=self.inspector, device=self.device, clock=self.clock
            )
            # The change since last period comes with the first refresh, after the board is drawn.
            ranking = service.standings.ranking(service.current_period(), with_change=False)
            # Any PIN: the board opens locked.
            return HallOpened(service, ranking, service.standings.day_totals(), has_pins(service))
        except NoHallError:
            return HallNotOpened(None)
        except (UserError, StorageError) as exc:
            return HallNotOpened(str(exc))
        except UNREADABLE:  # a value patrol never writes, put into the file behind its back
            problem = unreadable(self.url)
            if problem is None:
                raise
            return HallNotOpened(problem)

    def on_hall_not_opened(self, message: HallNotOpened) -> None:
        from screens.welcome import WelcomeScreen

        self.switch_screen(WelcomeScreen(self.url, message.problem))
        self.call_after_refresh(self._drawn)
        if os.environ.get(READY_ENV):
            self.call_after_refresh(self.exit, 0)

    def on_hall_opened(self, message: HallOpened) -> None:
        service = self.service = message.service
        self.period = service.current_period()
        self.sub_title = shown(f"{service.hall.name}{'（演示）' if self.demo else ''}")
        self.pins_set = message.pins
        if message.pins:  # before any name is drawn: quitting a lock and starting again opens nothing
            self.action_lock(at_start=True)
        ready = os.environ.get(READY_ENV)
        if ready:  # once the board is drawn, before what comes after its first frame
            self.call_after_refresh(self.exit, 0)
        self.board.load()
        self._show(message.ranking, message.today)
        if ready:
            return
        # The rest waits for the first frame: the lane's threads would share the GIL with its paint.
        self.call_after_refresh(self._after_first_frame, service)

    def _after_first_frame(self, service: HallService) -> None:
        from screens import startup

        self._drawn()

        self.db.run(lambda: startup.check_pins(service, self.demo))
        self.db.run(lambda: startup.daily_backup(service), own_connections=True)  # a copy: saves go on
        self.db.run(self._start_watching)
        self.refresh_standings()
        self.set_interval(WATCH_SECONDS, self._look_for_changes, name="watch")

    def _warm_up(self) -> None:
        # The write path (SQLAlchemy: 16 MB, the app's largest import) loads when someone is at the
        # keyboard, not for a board that only shows standings; the first key of a finding (its
        # window code) leaves it time before the save. The demo's PIN comes with it, in the lane
        # before the unlock that the PIN's digits lead to.
        from screens import startup

        service = self.service
        if service is None or self._warm:
            return
        self._warm = True
        self.db.run(service.warm_up, name="warm-up")
        if self.demo:
            self.db.run(lambda: startup.demo_pin(service), name="demo-pin")

    def on_pins_checked(self, message: PinsChecked) -> None:
        self.pins_set = message.pins
        if not message.pins and self.lock_minutes:
            self.notify(
                "尚未设置督查员 PIN，离开时无法锁屏。按 ctrl+p 选“设置 PIN”，或运行 patrol pin。",
                title="未设置 PIN",
                severity="warning",
                timeout=15,
            )

    def on_toast(self, message: Toast) -> None:
        self.notify(message.text, title=message.title, severity=message.severity, timeout=message.timeout)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is said: no exception of database work is lost."""
        self.db.said(event)

    @property
    def board(self) -> BoardScreen:
        """The hall board (under whatever screen is on top)."""
        found = self.board_or_none
        assert found is not None
        return found

    @property
    def board_or_none(self) -> BoardScreen | None:  # type: ignore[override]
        """The hall board, or None before a hall is open (the first-start screen)."""
        return next((s for s in self.screen_stack if isinstance(s, BoardScreen)), None)

    def on_unmount(self) -> None:
        self.db.lane.close()  # waiting jobs go; the one running ends first
        guard.allow_all()
        if self._watch is not None:
            self._watch.close()
        if self.service is not None:
            self.service.close()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) reaches every action (``screens.commands``)."""
        from screens.commands import system_commands

        return system_commands(self)
