"""`/`: search windows, units and staff as you type (Chinese, full pinyin or initials)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from patrol.hall.search import SearchHit, SearchIndex
from screens.base import SCREENS_CSS
from screens.text import pad, plain

if TYPE_CHECKING:
    from screens.base import Patrol

KIND_LABELS = {"window": "窗口", "staff": "人员", "unit": "单位"}


class IndexReady(Message):
    """The search index, built in the lane."""

    def __init__(self, index: SearchIndex) -> None:
        super().__init__()
        self.index = index


class SearchScreen(ModalScreen[SearchHit | None]):
    """Type to search; Enter or a click opens the record of the highlighted hit."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "关闭", id="cancel"),
        Binding("down", "cursor_down", "下一个", show=False),
        Binding("up", "cursor_up", "上一个", show=False),
    ]

    def __init__(self, index: Callable[[], SearchIndex]) -> None:
        super().__init__()
        self._build = index  # run in the lane: the index is built there if the roster changed
        self.index: SearchIndex | None = None
        self.hits: list[SearchHit] = []

    def on_mount(self) -> None:
        build = self._build
        cast("Patrol", self.app).db.run(lambda: IndexReady(build()), to=self, name="search-index")

    def on_index_ready(self, message: IndexReady) -> None:
        self.index = message.index
        self._search(self.query_one("#search-input", Input).value)  # what was typed meanwhile

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog search"):
            yield Label("搜索窗口、单位、人员（中文、全拼或首字母，如 zm、bdc）", classes="dialog-title")
            yield Input(placeholder="输入后即时显示结果，Enter 打开记录", id="search-input")
            yield OptionList(id="search-results")

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after "/" can arrive before the input has focus: keep them.
        field = self.query_one("#search-input", Input)
        if event.is_printable and event.character and not field.has_focus:
            event.stop()
            field.insert_text_at_cursor(event.character)
            field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        if self.index is None:
            return  # the index is on its way; it searches what is typed by then
        self.hits = self.index.search(text)
        results = self.query_one(OptionList)
        results.clear_options()
        results.add_options(
            Option(plain(f"{pad(KIND_LABELS[h.kind], 5)}{pad(h.title, 20)}{h.detail}"), id=str(i))  # never markup
            for i, h in enumerate(self.hits)
        )
        if self.hits:
            results.highlighted = 0

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        results = self.query_one(OptionList)
        if self.hits and results.highlighted is not None:
            self.dismiss(self.hits[results.highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
