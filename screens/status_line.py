"""The board's status line: one message (saved, not saved, what went wrong) under the panel.

It is on the way from a finding's key to 已保存, so it draws itself from strips kept per text and
width (Rich's wrap, by terminal cells, CJK double width), instead of Static's way through Textual
content on every update (a millisecond or more of the frame that shows 已保存). And it can run
something once the frame that paints it has been written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static


class StatusLine(Static):
    """The board's status line, which can run something once it has been painted."""

    AT_THE_LATEST = 0.25  # seconds: a status under another screen is never painted
    # Seconds the loop stays idle after the frame, so Textual's writer thread can take the
    # interpreter and hand the frame to the terminal: run at once, what waits held it for up to
    # the 5 ms switch interval, and longer while the standings moved.
    WRITE_GRACE = 0.003
    # Seconds after a text shorter than the status's lines before they are given back (a layout,
    # which redraws the ranking below: never on the way to 已保存).
    SHRINK_AFTER = 0.6

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after_paint: list[Callable[[], None]] = []
        self._text = Text()
        self._kept: tuple[int, list[Strip]] | None = None  # the width, and the text's lines at it
        self._shrink: Timer | None = None

    def show(self, text: Text) -> None:
        """Show ``text`` (a Text, so names are never markup). Text that fits the lines the status
        has repaints the status alone; a layout pass would redraw the ranking below it too, and
        keep 已保存 off the screen for as long."""
        self._text, self._kept = text, None
        width, height = self.content_region.width, self.content_region.height
        lines = len(self._lines(width))  # kept for the frame that paints them
        fits = width > 0 and lines <= height
        self.refresh(layout=not fits)
        if self._shrink is not None:
            self._shrink.stop()
            self._shrink = None
        least = self.styles.min_height.cells if self.styles.min_height is not None else None
        if fits and height > max(least or 0, lines):
            self._shrink = self.set_timer(self.SHRINK_AFTER, self._give_back, name="status-shrink")

    def _give_back(self) -> None:
        self._shrink = None
        self.refresh(layout=True)

    def render(self) -> Text:
        """The text shown (what a test or a screen reader reads)."""
        return self._text

    def _lines(self, width: int) -> list[Strip]:
        kept = self._kept
        if kept is None or kept[0] != width:
            console = self.app.console
            base = self.visual_style.rich_style  # the widget's colours, under the text's own
            lines: Iterable[Text]
            if width <= 0:
                lines = [self._text]
            elif _fits_unwrapped(self._text.plain, width):  # the common case: split, not wrapped
                lines = self._text.split("\n", allow_blank=True)
            else:
                lines = self._text.wrap(console, width)
            kept = self._kept = (width, [Strip(line.render(console)).apply_style(base) for line in lines])
        return kept[1]

    def render_line(self, y: int) -> Strip:
        lines = self._lines(self.content_region.width)
        return lines[y] if y < len(lines) else Strip.blank(self.content_region.width, self.visual_style.rich_style)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width)) if width > 0 else 0

    def after_paint(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the frame that paints the status now has been written (or after
        ``AT_THE_LATEST`` seconds, if no frame paints it). Textual's ``call_after_refresh`` may run
        before that frame: the status widget tells the screen it changed only when it is idle."""
        done = False

        def once() -> None:
            nonlocal done
            if not done:
                done = True
                callback()

        self._after_paint.append(once)
        self.set_timer(self.AT_THE_LATEST, once, name="after-paint")

    def render_lines(self, crop: Region) -> list[Strip]:
        """Paint the status; what waits for that runs once this frame has been written (the
        timer starts after the screen's frame has returned, and waits for the writer thread)."""
        lines = super().render_lines(crop)
        if self._after_paint:
            waiting, self._after_paint = self._after_paint, []
            for callback in waiting:
                self.set_timer(self.WRITE_GRACE, callback, name="after-paint-written")
        return lines


def _fits_unwrapped(text: str, width: int) -> bool:
    """Whether every line of ``text`` is at most ``width`` cells: then it needs no wrap, whose
    Rich pass costs up to half a millisecond on the way to 已保存."""
    return all(cell_len(line) <= width for line in text.split("\n"))
