"""The lock of the app: covering the screen (ctrl+l, idle, at start), waiting for the unlock, and
setting an inspector's PIN. Every PIN check runs in the database lane (scrypt and the count)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual import events
from textual.app import App

from patrol.errors import UserError
from storage.errors import StorageError

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from screens.board import BoardScreen
    from screens.database import DatabaseWork


class LockingApp(App[int]):
    """The lock's half of the app (``screens.app.PatrolApp`` is the rest)."""

    service: HallService | None
    demo: bool
    inspector: str
    db: DatabaseWork
    board_or_none: BoardScreen | None

    def __init__(self, lock_minutes: float) -> None:
        super().__init__()
        self.lock_minutes = lock_minutes  # idle minutes before the lock covers the screen; 0: never
        self.pins_set = False  # without a PIN nobody could open a lock, so none is put up
        self._free = asyncio.Event()  # set while the screen is not locked
        self._free.set()
        self._last_input = time.monotonic()

    @property
    def locked(self) -> bool:
        """The lock covers the screen."""
        return not self._free.is_set()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self._last_input = time.monotonic()  # someone is at the keyboard
        await super().on_event(event)

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

        self._free.clear()
        self.clear_notifications()  # a toast may name someone
        hint = f"（演示大厅的 PIN：{DEMO_PIN}）" if self.demo else ""
        self.push_screen(LockScreen(self.lock_minutes if idle else 0, hint, at_start=at_start), self._unlocked)

    @property
    def open_for_work(self) -> bool:
        """A hall is open and the screen is not locked: screens may be opened."""
        return self.service is not None and not self.locked

    async def unlocked(self) -> None:
        """Return once the screen is not locked (work that ends while it is waits to show)."""
        await self._free.wait()

    def _unlocked(self, name: str | None) -> None:
        self._free.set()
        self._last_input = time.monotonic()
        if name and name != self.inspector:
            self.inspector = name
            self.notify(f"督查员已切换为 {name}：此后的记录与更正都记在其名下。", title="已解锁")
        board = self.board_or_none
        if board is not None:
            board.show_panel()

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
        if await self.db.ask(has_pin, service, name):
            current = await self.push_screen_wait(
                ask(f"督查员 {name} 已有 PIN：请输入当前 PIN（忘记时由另一位督查员输入自己的 PIN）", "当前 PIN")
            )
            if not current:
                return
            try:
                who = await self.db.ask(whose_pin, service, name, current)
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
            await self.db.ask(replace_pin, service, name, pin, entered=current or "", by=by, reason=reason or "")
        except (UserError, StorageError) as exc:
            self.notify(str(exc), title="PIN 未设置", severity="error")
            return
        self.pins_set = True
        done = f"已为 {name} 设置 PIN。" + (f"由 {by} 确认，已记入查阅日志。" if by else "")
        self.notify(done + "离开时按 ctrl+l 可立即锁屏。", title="PIN")

    def action_command_palette(self) -> None:
        if not self.locked:  # the palette could open a screen over the lock
            super().action_command_palette()

    def _say_no_way_out(self) -> None:
        from screens.lock import LockScreen

        if isinstance(self.screen, LockScreen):
            self.screen.say("已锁定，不能退出：请先输入 PIN 解锁。")

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
