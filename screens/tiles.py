"""The hall map: a tile per window, grouped by zone, moved across with the arrow keys."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.geometry import Region
from textual.widgets import Label, Static

from patrol.roster_model import WindowInfo
from patrol.scoring import BOTTOM_MARK, Totals
from screens.text import pad

TILE_WIDTH = 14  # cells, margin included
TILE_TEXT = 12


class WindowTile(Static):
    """One window: code and short name, today's findings, coloured by how it stands."""

    def __init__(self, window: WindowInfo) -> None:
        super().__init__(id=f"tile-{_css_id(window.code)}", classes="tile")
        self.window = window
        self.today = Totals()
        self.mark = ""

    def on_mount(self) -> None:
        self.redraw()

    def set_state(self, today: Totals, mark: str) -> None:
        """Show today's totals and the window's standing in the period."""
        self.today, self.mark = today, mark
        self.redraw()

    def redraw(self) -> None:
        w = self.window
        head = pad(f"{w.code} {w.short_name}", TILE_TEXT)
        if self.today.findings:
            net = self.today.deductions + self.today.bonuses
            body = pad(f"今日{self.today.findings}项 {net:+.1f}", TILE_TEXT)
        else:
            body = pad("今日无", TILE_TEXT)
        self.update(f"{head}\n{body}")
        self.set_class(self.mark == BOTTOM_MARK, "-bottom")
        self.set_class(bool(self.mark) and self.mark != BOTTOM_MARK, "-top")
        self.set_class(self.today.deductions < 0, "-deducted")


def _css_id(code: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in code)


class HallMap(VerticalScroll, can_focus=False):
    """All windows as tiles, zone by zone, as the hall is laid out."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tiles: list[WindowTile] = []
        self.cursor = 0

    def show_windows(self, windows: Iterable[WindowInfo]) -> None:
        """Lay out the tiles (once per roster)."""
        self.remove_children()
        self.tiles = []
        zones: dict[str, list[WindowInfo]] = {}
        for window in windows:
            zones.setdefault(window.zone or "大厅", []).append(window)
        widgets: list[Label | Grid] = []
        for zone, members in zones.items():
            tiles = [WindowTile(w) for w in members]
            self.tiles.extend(tiles)
            widgets.append(Label(zone, classes="zone"))
            widgets.append(Grid(*tiles, classes="zone-grid"))
        self.mount_all(widgets)
        self.cursor = 0
        self.call_after_refresh(self._fit_columns)
        self.call_after_refresh(self.move_to, 0)

    def compose(self) -> ComposeResult:
        return iter(())

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        columns = max(1, (self.scrollable_content_region.width) // TILE_WIDTH)
        for grid in self.query(".zone-grid"):
            grid.styles.grid_size_columns = columns
            rows = -(-len(grid.children) // columns)
            grid.styles.height = rows * 2

    @property
    def current(self) -> WindowTile | None:
        return self.tiles[self.cursor] if self.tiles else None

    def move_to(self, index: int) -> None:
        """Put the cursor on tile ``index``."""
        if not self.tiles:
            return
        self.tiles[self.cursor].remove_class("-cursor")
        self.cursor = max(0, min(index, len(self.tiles) - 1))
        tile = self.tiles[self.cursor]
        tile.add_class("-cursor")
        self.scroll_to_widget(tile, animate=False)

    def move(self, direction: str) -> None:
        """Move the cursor left, right, up or down across the tiles as they are drawn."""
        if not self.tiles:
            return
        if direction in ("left", "right"):
            self.move_to(self.cursor + (1 if direction == "right" else -1))
            return
        here = self.tiles[self.cursor].region
        below = direction == "down"
        candidates = [
            (abs(t.region.y - here.y), abs(t.region.x - here.x), i)
            for i, t in enumerate(self.tiles)
            if (t.region.y > here.y if below else t.region.y < here.y)
        ]
        if candidates:
            self.move_to(min(candidates)[2])
        elif below and here == Region():  # not drawn yet
            self.move_to(self.cursor + 1)

    def tile_of(self, window_id: str) -> WindowTile | None:
        return next((t for t in self.tiles if t.window.id == window_id), None)

    def index_of(self, window_id: str) -> int | None:
        return next((i for i, t in enumerate(self.tiles) if t.window.id == window_id), None)
