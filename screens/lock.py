"""The lock that covers the hall when the laptop is left alone: no names, only a PIN field."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Input, Static

from screens.base import PatrolScreen

MAX_TRIES = 5  # wrong PINs in a row before a pause
PAUSE_SECONDS = 30


class LockScreen(PatrolScreen[str]):
    """Covers every other screen (it is not a modal: nothing shows through). Dismissed with the
    name of the inspector whose PIN opened it."""

    def __init__(self, minutes: float, hint: str = "") -> None:
        super().__init__(id="lock")
        self.minutes = minutes
        self.hint = hint
        self.failures = 0
        self.paused_until = 0.0

    def compose(self) -> ComposeResult:
        idle = f"离开超过 {self.minutes:g} 分钟，" if self.minutes else ""
        with Center(), Vertical(id="lock-box"):
            yield Static("[b]巡查终端已锁定[/b]", id="lock-title")
            yield Static(f"{idle}屏幕已隐藏。请输入督查员 PIN 解锁。{self.hint}", id="lock-text")
            yield Input(password=True, restrict=r"[0-9]*", max_length=12, placeholder="PIN", id="lock-pin")
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        pin_field = self.query_one(Input)
        message = self.query_one("#lock-message", Static)
        pin = event.value
        pin_field.value = ""
        wait = self.paused_until - time.monotonic()
        if wait > 0:
            message.update(f"PIN 连续输错 {MAX_TRIES} 次，请 {wait:.0f} 秒后再试。")
            return
        if not pin:
            return
        service = self.patrol.service
        assert service is not None
        from patrol.hall.lock import unlock

        name = await self.patrol.write(unlock, service, pin)  # scrypt: off the UI thread
        if name is None:
            self.failures += 1
            if self.failures >= MAX_TRIES:
                self.failures = 0
                self.paused_until = time.monotonic() + PAUSE_SECONDS
                message.update(f"PIN 连续输错 {MAX_TRIES} 次，请 {PAUSE_SECONDS} 秒后再试。")
            else:
                message.update("PIN 不正确，请重试。")
            return
        self.dismiss(name)
