"""The key bar at the foot of every screen: the keys that count now, read from the screen's
active bindings (so it, `?` and what runs are the same thing).

One painted line instead of Textual's Footer, which mounts a widget per key and recomposes them
whenever the bindings change: on the board they change twice for every finding (a window opened,
then closed), and that recomposing was most of the time between a key and 已保存 on screen.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widget import Widget

from screens.keys import key_label


class KeyBar(Widget, can_focus=False):
    """Key and description of every shown binding that is enabled, in the order of the chain."""

    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.keys: list[tuple[str, str]] = []  # (key as shown, description), as drawn
        self._all: list[tuple[str, str, str]] = []  # every key that counts now
        self._spans: list[tuple[int, int, str]] = []  # (from cell, to cell, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        if not self.screen.is_active:
            # Under a dialog: Textual asks the dialog, not this screen, whether this screen's keys
            # count (a board on the hall would list the open window's). Its return updates them.
            return
        keys: list[tuple[str, str, str]] = []  # (key, as shown, description)
        seen: set[str] = set()
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((key, binding.key_display or key_label(key), binding.description))
        if keys != self._all:
            self._all = keys
            self._fit()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """Keep the keys that fit whole (a key cut at the edge reads as another); ? 帮助 stays."""
        width = self.size.width or 80
        kept = list(self._all)

        def used(keys: list[tuple[str, str, str]]) -> int:
            return 1 + sum(cell_len(shown) + 1 + cell_len(text) + 2 for _key, shown, text in keys) - 2

        while kept and used(kept) > width:
            drop = next((i for i in range(len(kept) - 1, -1, -1) if kept[i][0] != "question_mark"), None)
            if drop is None:
                break
            kept.pop(drop)
        spans, x = [], 1
        for key, shown, text in kept:
            end = x + cell_len(shown) + 1 + cell_len(text)
            spans.append((x, end, key))
            x = end + 2
        self.keys = [(shown, text) for _key, shown, text in kept]
        self._spans = spans
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        line = Text(" ", no_wrap=True, overflow="crop")
        for number, (shown, description) in enumerate(self.keys):
            line.append(shown, key_style)
            line.append(" " + description + ("  " if number + 1 < len(self.keys) else ""), text_style)
        return line

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it."""
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
