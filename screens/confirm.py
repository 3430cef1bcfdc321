"""A yes-or-no question that names what will happen; it returns True only on a clear yes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from screens.base import SCREENS_CSS
from screens.text import plain


class ConfirmScreen(ModalScreen[bool]):
    """``question`` (plain text, never markup) with two buttons; y confirms, n or Esc cancels.
    The focus starts on 取消, so an Enter pressed by habit changes nothing."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("y", "answer(True)", "确定", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "取消", id="confirm-no"),
    ]

    def __init__(self, title: str, question: str, yes: str = "确定") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Static(plain(self.question, keep="\n"), id="confirm-question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="confirm-yes", compact=True)
                yield Button("取消 (Esc)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
