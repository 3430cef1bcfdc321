"""`?`: every key of the current screen, and on the board the finding hotkeys."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class HelpScreen(ModalScreen[None]):
    """A list of keys and what they do."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "关闭", id="close")]

    def __init__(self, title: str, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label(self.title_text, classes="dialog-title")
            table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
            table.add_column("key", style="bold", no_wrap=True)
            table.add_column("what", ratio=1, overflow="fold")
            for key, text in self.rows:
                table.add_row(key, text)
            yield Static(table, id="help-keys")
            yield Label("Esc 关闭", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
