"""The hall map: a tile per window, grouped by zone, moved across with the arrow keys.

One widget paints every tile (one widget per tile cost ~8 ms each to mount and lay out, too
much for a centre with hundreds of windows). Tiles avoid block characters, which are ambiguous
width in many Chinese terminal fonts: the coloured bar is a styled space.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from patrol.model import WindowInfo
from patrol.rules.scoring import BOTTOM_MARK, Totals
from screens.text import pad

TILE_TEXT = 12  # cells of text in a tile
TILE_WIDTH = TILE_TEXT + 2  # the bar before it and a gap after it
TILE_HEIGHT = 2


@dataclass
class Tile:
    """One window and how it stands."""

    window: WindowInfo
    today: Totals = field(default_factory=Totals)
    mark: str = ""
    row: int = 0  # first line of the tile on the map
    column: int = 0  # cell where the tile starts
    # Nobody has seen the window (no finding, no 无异常): UNSEEN_WEEK since Monday, UNSEEN_TODAY
    # today, "" seen today (or not known yet).
    unseen: str = ""

    def lines(self) -> tuple[str, str]:
        """The two lines of text: code and short name; today's findings, or that nobody has
        patrolled the window today or this week."""
        head = pad(f"{self.window.code} {self.window.short_name}", TILE_TEXT)
        if self.today.findings:
            net = self.today.deductions + self.today.bonuses
            text = f"今日{self.today.findings}项 {net:+.1f}"
            if cell_len(text) > TILE_TEXT:  # a busy day: the numbers matter more than 今日
                text = f"{self.today.findings}项 {net:+.1f}"
            return head, pad(text, TILE_TEXT)
        return head, pad(UNSEEN_WORDS.get(self.unseen, "今日无"), TILE_TEXT)


UNSEEN_TODAY, UNSEEN_WEEK = "today", "week"
UNSEEN_WORDS = {UNSEEN_TODAY: "今日未巡", UNSEEN_WEEK: "本周未巡"}


class HallMap(Widget, can_focus=False):
    """All windows as tiles, zone by zone, as the hall is laid out."""

    COMPONENT_CLASSES = {
        "hall-map--zone",
        "hall-map--tile",
        "hall-map--top",
        "hall-map--bottom",
        "hall-map--cursor",
        "hall-map--bar",
        "hall-map--bar-deducted",
        "hall-map--dim",
    }

    DEFAULT_CSS = """
    HallMap { height: auto; }
    HallMap > .hall-map--zone { color: $text-muted; text-style: bold; }
    HallMap > .hall-map--tile { background: $surface; }
    HallMap > .hall-map--top { background: $success 30%; }
    HallMap > .hall-map--bottom { background: $error 30%; }
    HallMap > .hall-map--cursor { background: $accent; color: $text; text-style: bold; }
    HallMap > .hall-map--bar { background: $panel-lighten-2; }
    HallMap > .hall-map--bar-deducted { background: $warning; }
    HallMap > .hall-map--dim { color: $text-disabled; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tiles: list[Tile] = []
        self.cursor = 0
        self.logging = False  # a window is open: the others are dimmed
        self._zones: list[tuple[int, str]] = []  # (line, zone name)
        self._height = 0
        self._on_line: dict[int, list[int]] = {}  # the tiles (indices) drawn on each line
        # Lines kept by what they show: opening or closing a window dims or brightens every tile
        # and repaints the whole map (a centre: 100+ tiles, ~10 ms), yet most lines look as they
        # did the last time the map was in that state.
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(1000)

    # --- content ----------------------------------------------------------------------

    def show_windows(self, windows: Iterable[WindowInfo]) -> None:
        """Lay out a tile for every window (once per roster)."""
        self.tiles = [Tile(w) for w in windows]
        self.cursor = min(self.cursor, max(0, len(self.tiles) - 1))
        self._layout(self.size.width)
        self.refresh(layout=True)

    def set_states(self, today: dict[str, Totals], marks: dict[str, str]) -> None:
        """Show today's totals and each window's standing in the period."""
        for tile in self.tiles:
            tile.today = today.get(tile.window.id, Totals())
            tile.mark = marks.get(tile.window.id, "")
        self.refresh()

    def set_tiles(self, window_ids: Iterable[str], today: dict[str, Totals], marks: dict[str, str]) -> None:
        """Show the new state of the tiles of ``window_ids`` only, repainting just those."""
        for window_id in window_ids:
            index = self.index_of(window_id)
            if index is None:
                continue
            tile = self.tiles[index]
            tile.today = today.get(window_id, Totals())
            tile.mark = marks.get(window_id, "")
            self.refresh(Region(tile.column, tile.row, TILE_WIDTH, TILE_HEIGHT))

    def set_unseen(self, today: Iterable[str], week: Iterable[str]) -> None:
        """Mark the windows nobody has seen today, and this week; repaint only the tiles whose
        mark changed."""
        week_ids, today_ids = set(week), set(today)
        for tile in self.tiles:
            window_id = tile.window.id
            unseen = UNSEEN_WEEK if window_id in week_ids else UNSEEN_TODAY if window_id in today_ids else ""
            if unseen != tile.unseen:
                tile.unseen = unseen
                self.refresh(Region(tile.column, tile.row, TILE_WIDTH, TILE_HEIGHT))

    def mark_seen(self, window_id: str) -> None:
        """The window was seen just now (a finding or 无异常): clear its mark, repainting that tile."""
        index = self.index_of(window_id)
        if index is not None and self.tiles[index].unseen:
            tile = self.tiles[index]
            tile.unseen = ""
            self.refresh(Region(tile.column, tile.row, TILE_WIDTH, TILE_HEIGHT))

    def unseen_counts(self) -> tuple[int, int]:
        """How many windows nobody has seen today, and this week."""
        today = sum(1 for t in self.tiles if t.unseen)
        return today, sum(1 for t in self.tiles if t.unseen == UNSEEN_WEEK)

    def tile_text(self, window_id: str) -> str:
        """The text of one tile, as painted (for tests and screen readers)."""
        tile = self.tiles[self.index_of(window_id) or 0]
        return "\n".join(tile.lines())

    # --- layout -----------------------------------------------------------------------

    def _layout(self, width: int) -> None:
        columns = max(1, width // TILE_WIDTH)
        line = 0
        self._zones = []
        zone = None
        index_in_zone = 0
        for tile in self.tiles:
            name = tile.window.zone or "大厅"
            if name != zone:
                if zone is not None:
                    line += TILE_HEIGHT
                zone, index_in_zone = name, 0
                self._zones.append((line, name))
                line += 1
            elif index_in_zone and index_in_zone % columns == 0:
                line += TILE_HEIGHT
            tile.row = line
            tile.column = (index_in_zone % columns) * TILE_WIDTH
            index_in_zone += 1
        self._height = line + TILE_HEIGHT if self.tiles else 0
        self._on_line = {}
        for index, tile in enumerate(self.tiles):
            for y in range(tile.row, tile.row + TILE_HEIGHT):
                self._on_line.setdefault(y, []).append(index)

    def on_resize(self, event: events.Resize) -> None:
        old = self._height
        self._layout(event.size.width)
        if self._height != old:
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._layout(width)
        return self._height

    def notify_style_update(self) -> None:
        self._lines.clear()  # a theme or a class changed the colours
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        """Line ``y``: kept by what it shows (its tiles' text, marks and colours, the cursor on
        one of them, the dimming), drawn only when that changed."""
        width = self.size.width
        on_line = self._on_line.get(y, ())
        key = (
            y,
            width,
            self.logging,
            next((name for line, name in self._zones if line == y), None),
            tuple(
                (
                    i,
                    i == self.cursor,
                    tile.column,
                    tile.row,
                    tile.window.code,
                    tile.window.short_name,
                    tile.mark,
                    tile.today.findings,
                    tile.today.deductions,
                    tile.today.bonuses,
                    tile.unseen,
                )
                for i in on_line
                for tile in (self.tiles[i],)
            ),
        )
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._draw_line(y, on_line)
        return strip

    def _draw_line(self, y: int, on_line: Iterable[int]) -> Strip:
        width = self.size.width
        style = self.get_component_rich_style
        console = self.app.console
        for line, name in self._zones:
            if line == y:
                return Strip(Text(pad(name, width), style=style("hall-map--zone")).render(console), width)
        text = Text()
        x = 0
        for index in on_line:
            tile = self.tiles[index]
            text.append(" " * (tile.column - x))
            if index == self.cursor:
                body = style("hall-map--cursor")
            elif tile.mark == BOTTOM_MARK:
                body = style("hall-map--bottom")
            elif tile.mark:
                body = style("hall-map--top")
            else:
                body = style("hall-map--tile")
            if self.logging and index != self.cursor:
                body += style("hall-map--dim")
            text.append(" ", style("hall-map--bar-deducted" if tile.today.deductions < 0 else "hall-map--bar"))
            text.append(tile.lines()[y - tile.row], body)
            x = tile.column + TILE_WIDTH - 1
        text.append(" " * max(0, width - x))
        text.truncate(width)
        return Strip(text.render(console), width)

    # --- the cursor -------------------------------------------------------------------

    @property
    def current(self) -> Tile | None:
        return self.tiles[self.cursor] if self.tiles else None

    def move_to(self, index: int) -> None:
        """Put the cursor on tile ``index`` and scroll it into view."""
        if not self.tiles:
            return
        self.cursor = max(0, min(index, len(self.tiles) - 1))
        tile = self.tiles[self.cursor]
        self.refresh()
        self.scroll_visible_region(Region(tile.column, tile.row, TILE_WIDTH, TILE_HEIGHT))

    def scroll_visible_region(self, region: Region) -> None:
        parent = self.parent
        if isinstance(parent, Widget):
            parent.scroll_to_region(
                region.translate(self.region.offset - parent.region.offset + parent.scroll_offset),
                animate=False,
                immediate=True,
            )

    def move(self, direction: str) -> None:
        """Move the cursor left, right, up or down across the tiles as they are drawn."""
        if not self.tiles:
            return
        if direction in ("left", "right"):
            self.move_to(self.cursor + (1 if direction == "right" else -1))
            return
        here = self.tiles[self.cursor]
        below = direction == "down"
        rows = sorted({t.row for t in self.tiles if (t.row > here.row if below else t.row < here.row)})
        if not rows:
            return
        target_row = rows[0] if below else rows[-1]
        best = min((abs(t.column - here.column), i) for i, t in enumerate(self.tiles) if t.row == target_row)
        self.move_to(best[1])

    def index_of(self, window_id: str) -> int | None:
        return next((i for i, t in enumerate(self.tiles) if t.window.id == window_id), None)

    def on_click(self, event: events.Click) -> None:
        for index, tile in enumerate(self.tiles):
            if tile.row <= event.y < tile.row + TILE_HEIGHT and tile.column <= event.x < tile.column + TILE_WIDTH:
                self.move_to(index)
                return
