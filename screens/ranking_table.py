"""A ranking as a DataTable that updates in place by row key (never rebuilt on each finding), and
whose columns share out the width it has: nothing cut at 80 columns, wider names at 200."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row, RowKey

from patrol.reports.formatting import change_text, points_text
from patrol.rules.scoring import BOTTOM_MARK, Standing
from patrol.text import shown
from screens.text import plain


@dataclass(frozen=True)
class Col:
    """A column: its title, the narrowest it may be and the widest it need be (for flexible
    columns, which share the width that is left)."""

    title: str
    least: int
    most: int | None = None  # None: always ``least`` wide

    @property
    def flexible(self) -> bool:
        return self.most is not None


STAFF_COLUMNS = {
    "rank": Col("名次", 4),
    "name": Col("姓名", 8, 12),
    "window": Col("窗口", 8, 26),
    "score": Col("得分", 5),
    "deductions": Col("扣分", 5),
    "bonuses": Col("加分", 5),
    "findings": Col("项次", 4),
    "change": Col("变化", 4),
    "mark": Col("评定", 13),  # 服务标兵 满勤 whole: a verdict cut to 满 reads as another
}
WINDOW_COLUMNS = {
    "rank": Col("名次", 4),
    "window": Col("窗口", 8, 26),
    "unit": Col("单位", 6, 30),
    "score": Col("得分", 5),
    "deductions": Col("扣分", 5),
    "bonuses": Col("加分", 5),
    "findings": Col("项次", 4),
    "change": Col("变化", 4),
    "mark": Col("评定", 8),
}
# The board's side panel: narrow enough to sit beside three tile columns at 80 cells.
COMPACT_STAFF_COLUMNS = {
    "rank": Col("名次", 4),
    "name": Col("姓名", 8, 16),
    "score": Col("得分", 5),
    "change": Col("变化", 4),
}
PADDING = 2  # DataTable's cell padding, both sides together
DROPPABLE = ("bonuses", "deductions", "findings")  # in this order, when the width is short
# Then, where even the least widths are wider than the table, these give way in this order: a
# column past the table's edge is cut without a mark (a change of +29 read +2, 满勤 read 满).
LAST_RESORT = ("change", "unit", "window", "mark")


def widths(columns: dict[str, Col], width: int, content: dict[str, int] | None = None) -> dict[str, int]:
    """Each column's width in ``width`` cells: fixed columns as they are; flexible ones, in the
    order given, grow towards what their content needs (``content``: the widest cell of each),
    never past their ``most``, while cells are left."""
    out = {key: col.least for key, col in columns.items()}
    spare = width - sum(out.values()) - PADDING * len(columns)
    for key, col in columns.items():
        if not col.flexible or spare <= 0:
            continue
        need = min(col.most or col.least, max(col.least, (content or {}).get(key, col.most or col.least)))
        grow = min(spare, need - out[key])
        if grow > 0:
            out[key] += grow
            spare -= grow
    return out


def numbers_fit(columns: dict[str, Col], rows: Sequence[Standing]) -> dict[str, Col]:
    """``columns`` with 名次 and 变化 wide enough for the largest number ``rows`` can show: a rank
    is at most the number of rows, a change at most that or the largest one now. Cut to four
    cells, a centre's change of +3717 read +371: a wrong number, not a visibly cut one."""
    largest = max([len(rows), *(abs(row.change) for row in rows if row.change is not None)])
    digits = len(str(largest))
    out = dict(columns)
    for key, sign in (("rank", 0), ("change", 1)):
        if key in out and out[key].least < digits + sign:
            out[key] = replace(out[key], least=digits + sign)
    return out


class RankCell(Text):
    """The rank as shown, carrying the row's place in the listing for DataTable.sort."""

    def __init__(self, rank: int, order: int) -> None:
        super().__init__(str(rank), justify="right")
        self.order = order

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RankCell) and (self.plain, self.order) == (other.plain, other.order)

    __hash__ = Text.__hash__


# The fields of a row each content-sized column is measured from.
_MEASURED = {
    "name": ("name", "window_code"),
    "window": ("window_code", "window_name"),
    "unit": ("unit",),
    "mark": ("mark", "full_attendance"),
}


def _content(rows: Sequence[Standing], columns: dict[str, Col]) -> dict[str, int]:
    """How wide the widest cells of the content-sized columns among ``columns`` are (read from
    the rows, not from their cells: a city's ranking has thousands of rows, so only the columns
    the table has are measured)."""
    twins = _twins(rows) if "name" in columns else set()
    out = {key: 0 for key in _MEASURED if key in columns}
    for row in rows:
        if "name" in out:
            twin = len(row.window_code) + 2 if row.name in twins and "window" not in columns else 0
            out["name"] = max(out["name"], cell_len(shown(row.name)) + twin)
        if "window" in out:
            out["window"] = max(out["window"], cell_len(shown(f"{row.window_code} {row.window_name}")))
        if "unit" in out:
            out["unit"] = max(out["unit"], cell_len(shown(row.unit)))
        if "mark" in out:
            out["mark"] = max(out["mark"], cell_len(row.mark) + (5 if row.full_attendance else 0))
    return out


_ID = attrgetter("id")


class _Looks(NamedTuple):
    """What a row shows apart from its rank and its change: when only those moved, the other
    cells need not be drawn again."""

    name: str
    window_code: str
    window_name: str
    unit: str
    score: float
    deductions: float
    bonuses: float
    findings: int
    mark: str
    full_attendance: bool


def _looks(row: Standing) -> _Looks:
    """The row's ``_Looks``."""
    return _Looks(
        row.name,
        row.window_code,
        row.window_name,
        row.unit,
        row.score,
        row.deductions,
        row.bonuses,
        row.findings,
        row.mark,
        row.full_attendance,
    )


def _twins(rows: Sequence[Standing]) -> set[str]:
    """Names that more than one row carries."""
    counts = Counter(r.name for r in rows)
    return {name for name, n in counts.items() if n > 1}


def _cells(row: Standing, order: int, kind: str, columns: Sequence[str], twins: set[str]) -> dict[str, object]:
    """The cells of ``columns`` for one row (only those: a rank shift redraws thousands of rows)."""
    style = "bold red" if row.mark == BOTTOM_MARK else ("bold green" if row.mark else "")
    out: dict[str, object] = {}
    for key in columns:
        if key == "rank":
            out[key] = RankCell(row.rank, order)
        elif key == "name":
            # Two people of one name are told apart by their window wherever it is not beside them.
            twin = row.name in twins and "window" not in columns
            out[key] = plain(f"{row.name}({row.window_code})" if twin else row.name)  # as typed: never markup
        elif key == "window":
            out[key] = plain(f"{row.window_code} {row.window_name}")
        elif key == "unit":
            out[key] = plain(row.unit)
        elif key == "score":
            out[key] = Text(f"{row.score:.1f}", style=style, justify="right")
        elif key in ("deductions", "bonuses"):
            out[key] = Text(points_text(getattr(row, key)), justify="right")
        elif key == "findings":
            out[key] = Text(str(row.findings), justify="right")
        elif key == "change":
            change = "新" if row.new else ("" if row.change is None else change_text(row.change))
            out[key] = Text(change, justify="right")
        elif key == "mark":
            mark = f"{row.mark} 满勤".strip() if kind == "staff" and row.full_attendance else row.mark
            out[key] = Text(mark, style=style)
    return out


class _OneLineRows:
    """What DataTable's ``_y_offsets`` list holds (each line's row key and line within the row),
    read from the row order when asked: every row here is one line high, and DataTable builds the
    list anew, row by row, after each update (5,000 rows in a centre, on every finding)."""

    def __init__(self, table: RankingTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return self._table.row_count

    def __getitem__(self, y: int) -> tuple[RowKey, int]:
        key = self._table._row_locations.get_key(y) if y >= 0 else None
        if key is None:
            raise IndexError(y)
        return key, 0

    def clear(self) -> None:
        """DataTable.clear empties its list; this one follows the rows."""


class RankingTable(DataTable[object]):
    """Staff or window standings, keyed by id, updated cell by cell.

    A finding changes a few rows, and only their lines are drawn again. DataTable keys every one
    of its render caches by an update count that any cell change bumps, so alone it would render
    every visible row after each finding; here each line is also kept by what it shows (its row,
    that row's version, its place, whether the cursor is on it, the crop and the styles), and a
    line is rendered by DataTable only when one of those changed. Anything else that bumps the
    count (columns, rows added, a resize, ``sort``) starts everything afresh, as before. Every row
    is one line high (rows are added with the default height), which lets row regions and line
    offsets be read from the row order instead of summed over the rows above.
    """

    # A ranking is a list of rows: Home and End go to its first and last row (DataTable's own go to
    # the first and last column, which a row cursor does not have).
    BINDINGS = [
        Binding("home", "scroll_top", "首行", show=False, id="ranking-first-row"),
        Binding("end", "scroll_bottom", "末行", show=False, id="ranking-last-row"),
    ]

    def __init__(self, kind: str, columns: dict[str, Col], **kwargs: object) -> None:
        # Before DataTable's own: its setup already clears its caches (and these with them).
        self._versions: dict[RowKey, int] = {}  # bumped when a row's cells change
        self._own_updates = 0  # update-count bumps made here for changed cells or a new order
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(2000)
        self._reorders = 0  # new orders given by show_moved
        self._ordered: tuple[tuple[int, int, int], list[Row]] | None = None
        self._frame: tuple[object, ...] | None = None
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        self._columns = columns
        self._shown: dict[str, dict[str, object]] = {}
        self._order: list[str] = []
        self._rows: list[Standing] = []
        self._widths: dict[str, int] = {}
        self._keys: dict[str, RowKey] = {}  # each row's key in the table, by id
        self._twins: set[str] = set()
        self._content: dict[str, int] = {}  # the widest cell of each flexible column, at the last show
        self._looks: dict[str, _Looks] = {}  # each row as drawn, but for its rank
        self._fitted_width = 0  # the width the columns were last sized for
        self._content_stale = False  # a row's measured content changed since they were sized
        self._cursor_on: str | None = None  # the cursor's row while the columns are sized anew
        self._add_columns(widths(columns, 80))  # columns from the start: rankings can arrive before mount

    def _add_columns(self, sizes: dict[str, int]) -> None:
        self._widths = sizes
        for key in sizes:
            self.add_column(self._columns[key].title, key=key, width=sizes[key])

    def on_resize(self, event: events.Resize) -> None:
        # DataTable counts a resize as an update of every row (its _on_resize); the lines kept
        # here are keyed by the width, so a change of height (the panel above grows as a window
        # opens) leaves them good.
        self._own_updates += 1
        # The same width and the same content size the columns as they are: measuring 5,000 rows
        # again would hold up the keys of the window just opened.
        if self.size.width == self._fitted_width and not self._content_stale:
            self._keep_cursor_in_view()
            return
        if self._fit(self._rows):
            self.show(self._rows)
        self._keep_cursor_in_view()

    def _keep_cursor_in_view(self) -> None:
        """After a resize, the cursor's row in what is shown (a lower table had left it below)."""
        if self.show_cursor and 0 <= self.cursor_row < self.row_count:
            header = self.header_height if self.show_header else 0
            top = round(self.scroll_y)
            if not top <= self.cursor_row < top + self.size.height - header:
                self.call_after_refresh(self._scroll_to_cursor)

    def _scroll_to_cursor(self) -> None:
        # The cursor's row when this runs (a save's reveal may have moved it since the resize).
        if 0 <= self.cursor_row < self.row_count:
            self.move_cursor(row=self.cursor_row, animate=False, scroll=True)

    def _fit(self, rows: Sequence[Standing]) -> bool:
        """Size the columns to the table's width and the rows' content; True if they changed
        (the rows were then put in again)."""
        if not self.size.width:
            return False
        content = self._content = _content(rows, self._columns)
        self._fitted_width, self._content_stale = self.size.width, False
        shown = numbers_fit(self._columns, rows)
        room = self.size.width - self.styles.scrollbar_size_vertical  # the cells beside the scrollbar
        sizes = widths(shown, room, content)
        # Where a name or a window would be cut, the points columns give way (the record has them);
        # where the columns are wider than the table, the last resorts too.
        for key in (*DROPPABLE, *LAST_RESORT):
            whole = sum(sizes.values()) + PADDING * len(sizes) <= room
            named = key in LAST_RESORT or all(
                sizes[k] >= min(content.get(k, 0), col.most or 0) for k, col in shown.items() if col.flexible
            )
            if whole and named:
                break
            if key in shown:
                del shown[key]
                sizes = widths(shown, room, content)
        if sizes == self._widths:
            return False
        if self.row_count and 0 <= self.cursor_row < self.row_count:  # kept on its row, for show
            self._cursor_on = self.ordered_rows[self.cursor_row].key.value
        self.clear(columns=True)
        self._add_columns(sizes)
        self._shown, self._order = {}, []
        return True

    def show(self, rows: Sequence[Standing]) -> None:
        """Show ``rows`` in their order: changed cells are updated, rows moved, never rebuilt
        (unless the columns must be sized anew for a name or a window that did not fit)."""
        self._rows = list(rows)
        self._fit(rows)
        if not self.size.width:  # (else _fit has measured them)
            self._content = _content(rows, self._columns)
        twins = self._twins = _twins(rows)
        self._looks = {r.id: _looks(r) for r in rows}
        keys = [r.id for r in rows]
        wanted = {r.id: _cells(r, i, self.kind, list(self._widths), twins) for i, r in enumerate(rows)}
        if set(keys) != set(self._shown):
            self.clear()
            self._shown = {}
            self._keys = {key: self.add_row(*wanted[key].values(), key=key) for key in keys}
            self._shown = wanted
            self._order = keys
            cursor_on, self._cursor_on = self._cursor_on, None
            if cursor_on in self._keys:  # the columns were sized anew: the cursor stays on its row
                self.move_cursor(row=keys.index(cursor_on), animate=False, scroll=True)
            return
        self.set_cells(
            {
                key: {column: value for column, value in cells.items() if self._shown[key][column] != value}
                for key, cells in wanted.items()
            }
        )
        self._shown = wanted
        if keys != self._order:
            self.sort("rank", key=lambda cell: cell.order)
            self._order = keys

    def set_cells(self, changes: dict[str, dict[str, object]]) -> None:
        """Put new values into cells (row id -> column -> value) with one repaint, however many:
        DataTable.update_cell repaints on each call, ~0.2 ms, and a finding that moves someone out
        of a tie at 100 changes the rank of thousands of rows in a centre."""
        changes = {key: cells for key, cells in changes.items() if cells}
        if not changes:
            return
        places = []
        for key, cells in changes.items():
            row_key = self._keys[key]
            row = self._data[row_key]
            for column, value in cells.items():
                row[ColumnKey(column)] = value
            self._versions[row_key] = self._versions.get(row_key, 0) + 1
            places.append(self._row_locations.get(row_key))
        self._bump()
        self._refresh_rows(places)

    def _bump(self) -> None:
        """What update_cell does, once: DataTable's rendered rows are stale. Counted as ours, so
        the lines of the rows that did not change are still good (``render_line``)."""
        self._update_count += 1
        self._own_updates += 1

    def _refresh_rows(self, places: Iterable[int | None]) -> None:
        """Repaint the lines of the rows at ``places`` that are in view (a tie that grows changes
        the rank of thousands of rows, and a few dozen are on screen)."""
        header = self.header_height if self.show_header else 0
        top = int(self.scroll_y)
        bottom = top + self.size.height - header
        for place in places:
            if place is not None and top <= place < bottom:
                self._refresh_lines(place, place)

    def _refresh_lines(self, first: int, last: int) -> None:
        """Repaint the rows from ``first`` to ``last`` (places in the order), where in view."""
        header = self.header_height if self.show_header else 0
        band = Region(0, header + first, max(self.size.width, self.virtual_size.width), last - first + 1)
        if self.window_region.overlaps(band):  # as DataTable's _refresh_region: rows scrolled by
            self.refresh(band.translate(-self.scroll_offset))

    def show_moved(self, rows: Sequence[Standing], changed: Iterable[str], reordered: bool) -> None:
        """Show ``rows`` after a finding changed only the rows ``changed`` (their cells are
        updated; the others are not even looked at) and, if ``reordered``, moved some rows. What
        would need the whole table (a row added, a column too narrow) takes ``show``."""
        changed = list(changed)
        where = None if reordered else self._places(rows, changed)
        if where is None:
            # Built in C (map, zip, dict): a centre lists 5,000 rows and a finding moves a handful.
            ids = list(map(_ID, rows))
            where = dict(zip(ids, range(len(ids)), strict=True))
        if len(rows) != len(self._shown) or any(i not in self._shown or i not in where for i in changed):
            self.show(rows)
            return
        moved = [rows[where[i]] for i in changed]
        # Most rows a finding moves only change rank (a tie they were in grew or shrank): their
        # other cells stay as drawn, and only what else changed is measured against the columns.
        redrawn = [r for r in moved if self._looks.get(r.id) != _looks(r)]
        again = {r.id for r in redrawn}
        content = _content(redrawn, self._columns)
        if any(width > self._content.get(key, 0) for key, width in content.items()):
            self.show(rows)  # a longer window name or mark: the columns may need sizing anew
            return
        # A measured cell that changed may have been the widest: a resize then sizes them anew.
        measured = [field for key in self._columns for field in _MEASURED.get(key, ())]
        for row in redrawn:
            drawn = self._looks.get(row.id)
            if drawn is None or any(getattr(drawn, f) != getattr(row, f) for f in measured):
                self._content_stale = True
        self._rows = list(rows)
        columns = list(self._widths)
        changes: dict[str, dict[str, object]] = {}
        for row in moved:
            old = self._shown[row.id]
            place = where[row.id] if reordered else getattr(old.get("rank"), "order", 0)
            if row.id not in again:
                fresh = _cells(row, place, self.kind, [c for c in ("rank", "change") if c in old], set())
                cells = {**old, **fresh}
            else:
                fresh = cells = _cells(row, place, self.kind, columns, self._twins)
                self._looks[row.id] = _looks(row)
            changes[row.id] = {column: value for column, value in fresh.items() if old[column] != value}
            self._shown[row.id] = cells
        self.set_cells(changes)
        if reordered:
            # What DataTable.sort does, from the order we already have (sorting 5,000 rows by a
            # cell would cost more than the finding): rows keep their cells, only places move.
            # Only rows between the highest and the lowest place a moved row left or took can
            # have another place now: those get their new places and their lines are repainted.
            locations = self._row_locations
            places = [p for i in changed for p in (locations.get(self._keys[i]), where[i]) if p is not None]
            first, last = (min(places), max(places)) if places else (0, len(ids) - 1)
            listed = self._ordered if self._ordered is not None and self._ordered[0] == self._ordered_key() else None
            if self._order[:first] == ids[:first] and self._order[last + 1 :] == ids[last + 1 :]:
                for place in range(first, last + 1):  # a few hundred rows, not the 5,000 of a centre
                    row_key = self._keys[ids[place]]
                    locations[row_key] = place
                    if listed is not None:
                        listed[1][place] = self.rows[row_key]
            else:  # (the rows outside moved too: they take their places from the whole order)
                keys = map(self._keys.__getitem__, ids)
                self._row_locations = TwoWayDict(dict(zip(keys, range(len(ids)), strict=True)))
                first, last, listed = 0, len(ids) - 1, None
            self._bump()
            self._reorders += 1
            self._order = ids
            if listed is not None:  # ordered_rows, moved as the places were (the cursor reads it)
                self._ordered = (self._ordered_key(), listed[1])
            self._refresh_lines(first, last)

    # --- rendering only what changed (see the class's docstring) -----------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = None  # the styles every line of this paint shares, read at its first line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the table: kept by what it shows, rendered by DataTable if that changed."""
        if self.cursor_type != "row" or self.fixed_rows:
            return super().render_line(y)  # the keys below are a row cursor's
        header = self.header_height if self.show_header else 0
        scroll_x, scroll_y = self.scroll_offset
        if y < header:
            row_key, place = None, -1 - y
        else:
            place = y - header + scroll_y
            if place >= self.row_count:
                return super().render_line(y)  # blank below the rows
            row_key = self._row_locations.get_key(place)
        frame = self._frame
        if frame is None:  # (rich_style is worked out from the ancestors: once a paint, not a line)
            frame = self._frame = (
                self.rich_style,
                self._pseudo_class_state,
                self.show_cursor,
                self._show_hover_cursor,
                self.fixed_columns,
                self.zebra_stripes,
            )
        key = (
            row_key,
            place,
            self._versions.get(row_key, 0) if row_key is not None else 0,
            self.cursor_coordinate.row == place,
            self.hover_coordinate.row == place,
            self._update_count - self._own_updates,  # anything else DataTable counts as an update
            scroll_x,
            self.size.width,
            frame,
        )
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = super().render_line(y)
        return line

    def _clear_caches(self) -> None:
        # DataTable clears its caches when its look changes (cursor shown, padding, labels...).
        super()._clear_caches()
        self._lines.clear()

    def notify_style_update(self) -> None:
        self._lines.clear()  # a theme or a class changed the styles
        super().notify_style_update()

    @property
    def _y_offsets(self) -> _OneLineRows:  # type: ignore[override]
        return _OneLineRows(self)

    @property
    def ordered_rows(self) -> list[Row]:
        """The rows as shown (DataTable lists them anew after every cell update; here only when
        rows were added, removed or moved)."""
        key = self._ordered_key()
        if self._ordered is None or self._ordered[0] != key:
            self._ordered = (key, super().ordered_rows)
        return self._ordered[1]

    def _ordered_key(self) -> tuple[int, int, int]:
        """What ``ordered_rows`` is listed for: the rows, DataTable's own updates, our orders."""
        return (self.row_count, self._update_count - self._own_updates, self._reorders)

    def _get_row_region(self, row_index: int) -> Region:
        """The region of the row at ``row_index``: one line each, so no sum over the rows above."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        row_width = sum(column.get_render_width(self) for column in self.columns.values())
        row_width += self._row_label_column_width
        header = self.header_height if self.show_header else 0
        return Region(0, row_index + header, max(self.size.width, row_width), 1)

    def _places(self, rows: Sequence[Standing], changed: Sequence[str]) -> dict[str, int] | None:
        """Where the ``changed`` rows are in ``rows`` when nothing was reordered: where the table
        has them (looked up for these rows alone, not for the 5,000 of a centre), or None if
        ``rows`` does not hold them there."""
        places = {}
        for row_id in changed:
            key = self._keys.get(row_id)
            place = self._row_locations.get(key) if key is not None else None
            if place is None or place >= len(rows) or rows[place].id != row_id:
                return None
            places[row_id] = place
        return places

    def reveal(self, row_id: str) -> None:
        """Put the cursor on ``row_id``'s row and scroll it into view (a finding just saved)."""
        if row_id in self._shown:
            self.move_cursor(row=self.get_row_index(row_id), animate=False, scroll=True)

    def row_ids(self) -> list[str]:
        """The ids in the order shown (for tests and the cursor)."""
        return [self.ordered_rows[i].key.value or "" for i in range(self.row_count)]

    def row_text(self, row_id: str) -> str:
        """One row as plain text (for tests and screen readers)."""
        return " ".join(str(getattr(v, "plain", v)) for v in self._shown.get(row_id, {}).values())
