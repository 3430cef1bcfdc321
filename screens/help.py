"""`?`: every key of the current screen, and on the board the finding hotkeys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from screens.base import SCREENS_CSS
from screens.board import BoardScreen
from screens.keys import ARROW_KEYS, key_label


class HelpScreen(ModalScreen[None]):
    """A list of keys and what they do."""

    CSS_PATH = SCREENS_CSS

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


def screen_title(screen: Screen[Any]) -> str:
    """What the help calls a screen (on the board, the open window if there is one)."""
    if isinstance(screen, BoardScreen) and screen.window is not None:
        return f"{screen.window.code} {screen.window.name}（已打开窗口）"
    names = {
        "BoardScreen": "大厅",
        "RankingScreen": "排名",
        "RecordScreen": "记录",
        "RosterScreen": "名册",
        "RulesScreen": "评定规则",
    }
    return names.get(type(screen).__name__, "当前页面")


def key_rows(app: App[Any], screen: Screen[Any]) -> Iterable[tuple[str, str]]:
    """Every key that counts on ``screen`` now, as (key, meaning): exactly the bindings that
    would run, so on the board with a window open these are the window's keys."""
    rows: list[tuple[list[str], str]] = []
    by_text: dict[str, list[str]] = {}
    for key, (_node, binding, _enabled, tooltip) in screen.active_bindings.items():
        # Ours are described in Chinese; Textual's own (focus, copy) are not part of this app's help.
        if not binding.description or binding.description.isascii():
            continue
        if key in ARROW_KEYS:
            key, tooltip = "方向键", ""
        text = binding.description + (f"：{tooltip}" if tooltip else "")
        if text in by_text:  # 0-9, A-Z typing a code; 1-9 picking a person: one row each
            if key not in by_text[text]:
                by_text[text].append(key)
            continue
        by_text[text] = [key]
        rows.append((by_text[text], text))
    for keys, text in rows:
        yield _key_range([key_label(k) for k in keys]), text
    if isinstance(screen, BoardScreen) and screen.window is None:
        yield "", "打开窗口后（输入编号按 Enter）再按 ? 可查看巡查项快捷键"


def _key_range(labels: list[str]) -> str:
    """1、2、3…9 as 1-9; 0-9 and A-Z as 0-9 A-Z; other keys joined with /."""
    if len(labels) <= 2:
        return " / ".join(labels)
    digits = [k for k in labels if k.isdigit()]
    letters = [k for k in labels if k.isalpha() and len(k) == 1]
    parts = []
    if digits:
        parts.append(f"{min(digits)}-{max(digits)}")
    if letters:
        parts.append(f"{min(letters).upper()}-{max(letters).upper()}")
    rest = [k for k in labels if k not in digits and k not in letters]
    return " ".join(parts + rest)
