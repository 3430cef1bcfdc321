"""A ranking as a DataTable that updates in place by row key (never rebuilt on each finding), and
whose columns share out the width it has: nothing cut at 80 columns, wider names at 200."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

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
    "mark": Col("评定", 12, 13),
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


class RankCell(Text):
    """The rank as shown, carrying the row's place in the listing for DataTable.sort."""

    def __init__(self, rank: int, order: int) -> None:
        super().__init__(str(rank), justify="right")
        self.order = order

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RankCell) and (self.plain, self.order) == (other.plain, other.order)

    __hash__ = Text.__hash__


def _content(rows: Sequence[Standing], columns: dict[str, Col]) -> dict[str, int]:
    """How wide the flexible columns' widest cells are (read from the rows, not from their cells:
    a city's ranking has thousands of rows)."""
    twins = _twins(rows)
    out = {"name": 0, "window": 0, "unit": 0, "mark": 0}
    for row in rows:
        twin = len(row.window_code) + 2 if row.name in twins and "window" not in columns else 0
        out["name"] = max(out["name"], cell_len(shown(row.name)) + twin)
        out["window"] = max(out["window"], cell_len(shown(f"{row.window_code} {row.window_name}")))
        out["unit"] = max(out["unit"], cell_len(shown(row.unit)))
        out["mark"] = max(out["mark"], cell_len(row.mark) + (5 if row.full_attendance else 0))
    return out


_ID = attrgetter("id")


def _looks(row: Standing) -> tuple[object, ...]:
    """What a row shows apart from its rank and its change: when only those moved, the other
    cells need not be drawn again."""
    return (
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


class RankingTable(DataTable[object]):
    """Staff or window standings, keyed by id, updated cell by cell."""

    def __init__(self, kind: str, columns: dict[str, Col], **kwargs: object) -> None:
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
        self._looks: dict[str, tuple[object, ...]] = {}  # each row as drawn, but for its rank
        self._add_columns(widths(columns, 80))  # columns from the start: rankings can arrive before mount

    def _add_columns(self, sizes: dict[str, int]) -> None:
        self._widths = sizes
        for key in sizes:
            self.add_column(self._columns[key].title, key=key, width=sizes[key])

    def on_resize(self, event: events.Resize) -> None:
        if self._fit(self._rows):
            self.show(self._rows)

    def _fit(self, rows: Sequence[Standing]) -> bool:
        """Size the columns to the table's width and the rows' content; True if they changed
        (the rows were then put in again)."""
        if not self.size.width:
            return False
        content = _content(rows, self._columns)
        shown = dict(self._columns)
        sizes = widths(shown, self.size.width - 1, content)  # a cell for the scrollbar
        # Where a name or a window would be cut, the points columns give way (the record has them).
        for key in DROPPABLE:
            if all(sizes[k] >= min(content.get(k, 0), col.most or 0) for k, col in shown.items() if col.flexible):
                break
            if key in shown:
                del shown[key]
                sizes = widths(shown, self.size.width - 1, content)
        if sizes == self._widths:
            return False
        self.clear(columns=True)
        self._add_columns(sizes)
        self._shown, self._order = {}, []
        return True

    def show(self, rows: Sequence[Standing]) -> None:
        """Show ``rows`` in their order: changed cells are updated, rows moved, never rebuilt
        (unless the columns must be sized anew for a name or a window that did not fit)."""
        self._rows = list(rows)
        self._fit(rows)
        twins = self._twins = _twins(rows)
        self._content = _content(rows, self._columns)
        self._looks = {r.id: _looks(r) for r in rows}
        keys = [r.id for r in rows]
        wanted = {r.id: _cells(r, i, self.kind, list(self._widths), twins) for i, r in enumerate(rows)}
        if set(keys) != set(self._shown):
            self.clear()
            self._shown = {}
            self._keys = {key: self.add_row(*wanted[key].values(), key=key) for key in keys}
            self._shown = wanted
            self._order = keys
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
        for key, cells in changes.items():
            row = self._data[self._keys[key]]
            for column, value in cells.items():
                row[ColumnKey(column)] = value
        self._update_count += 1  # what update_cell does, once: the rendered rows are stale
        self.refresh()

    def show_moved(self, rows: Sequence[Standing], changed: Iterable[str], reordered: bool) -> None:
        """Show ``rows`` after a finding changed only the rows ``changed`` (their cells are
        updated; the others are not even looked at) and, if ``reordered``, moved some rows. What
        would need the whole table (a row added, a column too narrow) takes ``show``."""
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
            keys = map(self._keys.__getitem__, ids)
            self._row_locations = TwoWayDict(dict(zip(keys, range(len(ids)), strict=True)))
            self._update_count += 1
            self._order = ids
            self.refresh()

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
