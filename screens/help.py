"""`?`: every key of the current screen, and on the board the finding hotkeys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from screens.board import BoardScreen

if TYPE_CHECKING:
    from screens.app import PatrolApp


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


ARROW_KEYS = ("left", "right", "up", "down")
# Plain names: Textual's symbols (⏎, arrows) are ambiguous width in many Chinese terminal fonts.
KEY_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "backspace": "Backspace",
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def key_label(key: str) -> str:
    """How the help names a key: Enter, Esc, Ctrl+Q, F3, a."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    *modifiers, last = key.split("+")
    return "+".join([*(m.capitalize() for m in modifiers), last.upper() if modifiers or len(last) > 1 else last])


def screen_title(screen: Screen[Any]) -> str:
    """What the help calls a screen."""
    names = {"BoardScreen": "大厅", "RankingScreen": "排名", "RecordScreen": "记录", "RosterScreen": "名册"}
    return names.get(type(screen).__name__, "当前页面")


def key_rows(app: PatrolApp, screen: Screen[Any]) -> Iterable[tuple[str, str]]:
    """Every key of ``screen`` (and on the board the finding hotkeys) as (key, meaning)."""
    seen: set[str] = set()
    for key, (_node, binding, _enabled, tooltip) in screen.active_bindings.items():
        # Ours are described in Chinese; Textual's own (focus, copy) are not part of this app's help.
        if binding.description and not binding.description.isascii() and key not in seen:
            seen.add(key)
            if key in ARROW_KEYS:
                if key == "left":
                    yield "方向键", "移动光标"
                continue
            text = binding.description + (f"：{tooltip}" if tooltip else "")
            yield key_label(key), text
    if isinstance(screen, BoardScreen) and app.service is not None:
        yield "0-9 A-Z", "大厅上：输入窗口编号，Enter 选定；方向键移动光标"
        yield "1-9 / 0", "选定窗口后：选第几位人员 / 替岗人员"
        for item in app.service.rules.items:
            if item.active:
                level = "（窗口级）" if item.is_window_level else ""
                yield item.hotkey, f"{item.name} {item.points:+g}{level}"
