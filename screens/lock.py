"""The lock that covers the hall when the laptop is left alone: no names, only a PIN field."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Input, Static

from screens.base import SCREENS_CSS, PatrolScreen


class LockScreen(PatrolScreen[str]):
    """Covers every other screen (it is not a modal: nothing shows through). Dismissed with the
    name of the inspector whose PIN opened it. The wrong PINs and the pause they start are kept
    on disk (``patrol.hall.lock_tries``): quitting and starting again resets neither."""

    CSS_PATH = SCREENS_CSS

    def __init__(self, minutes: float, hint: str = "", at_start: bool = False) -> None:
        super().__init__()  # no fixed id: a lock going up as the last one is still being removed would clash
        self.minutes = minutes
        self.hint = hint
        self.at_start = at_start
        self.answered = 0  # PINs typed and refused (tests wait on it, or on the lock leaving)

    def compose(self) -> ComposeResult:
        if self.at_start:
            why = "已设置督查员 PIN，打开时即锁定。"
        elif self.minutes:
            why = f"离开超过 {self.minutes:g} 分钟，屏幕已隐藏。"
        else:
            why = "屏幕已隐藏。"
        with Center(), Vertical(id="lock-box"):
            yield Static("[b]巡查终端已锁定[/b]", id="lock-title")
            yield Static(f"{why}请输入督查员 PIN 解锁。{self.hint}", id="lock-text", markup=False)
            yield Input(password=True, restrict=r"[0-9]*", max_length=12, placeholder="PIN", id="lock-pin")
            yield Static("", id="lock-message", markup=False)

    def on_mount(self) -> None:
        for field in self.query(Input):  # none when the app quits as the lock goes up
            field.focus()
        self.run_worker(self._show_pause(), group="lock")

    async def _show_pause(self) -> None:
        """A pause the last run started is still said (and still holds)."""
        from patrol.hall.lock import lock_state

        service = self.patrol.service
        if service is None:
            return
        state = await self.patrol.db.ask(lock_state, service)
        if state.wait > 0:
            self.say(_paused(state.wait))

    def say(self, text: str) -> None:
        """Show ``text`` under the PIN field (if the lock is still there to show it)."""
        for message in self.query("#lock-message").results(Static):
            message.update(text)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        pin = event.value
        event.input.value = ""
        if not pin:
            return
        service = self.patrol.service
        assert service is not None
        from patrol.hall.lock import unlock

        attempt = await self.patrol.db.ask(unlock, service, pin)  # scrypt and the count: in the lane
        if attempt.name is not None:
            self.dismiss(attempt.name)  # the lock leaves the screen: that is its answer
            return
        self.answered += 1
        if attempt.wait > 0:
            self.say(_paused(attempt.wait))
        else:
            self.say("PIN 不正确，请重试。")


def _paused(seconds: float) -> str:
    from patrol.hall.lock_tries import MAX_TRIES

    return f"PIN 连续输错 {MAX_TRIES} 次，请 {max(seconds, 1):.0f} 秒后再试。"
