"""A small modal that asks for one line of text and returns it (or None when cancelled)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from screens.base import SCREENS_CSS
from screens.text import plain


class PromptScreen(ModalScreen[str | None]):
    """Ask for a line of text; Enter returns it, Esc returns None."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "cancel", "取消", id="cancel")]

    def __init__(
        self, title: str, placeholder: str = "", value: str = "", max_length: int = 100, password: bool = False
    ) -> None:
        super().__init__()
        self.password = password
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Input(
                value=self.value, placeholder=self.placeholder, max_length=self.max_length, password=self.password
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
