"""A ranking as a DataTable that updates in place by row key (never rebuilt on each finding)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from patrol.reports.formatting import change_text, points_text
from patrol.rules.scoring import BOTTOM_MARK, Standing

# column key -> (title, width)
STAFF_COLUMNS = {
    "rank": ("名次", 4),
    "name": ("姓名", 8),
    "window": ("窗口", 14),
    "score": ("得分", 6),
    "deductions": ("扣分", 6),
    "bonuses": ("加分", 6),
    "findings": ("项次", 4),
    "change": ("变化", 4),
    "mark": ("评定", 13),
}
WINDOW_COLUMNS = {
    "rank": ("名次", 4),
    "window": ("窗口", 18),
    "unit": ("单位", 16),
    "score": ("得分", 6),
    "deductions": ("扣分", 6),
    "bonuses": ("加分", 6),
    "findings": ("项次", 4),
    "change": ("变化", 4),
    "mark": ("评定", 8),
}
# The board's side panel: narrow enough to sit beside three tile columns at 80 cells.
COMPACT_STAFF_COLUMNS = {
    "rank": ("名次", 4),
    "name": ("姓名", 8),
    "score": ("得分", 5),
    "change": ("变化", 4),
}


class RankCell(Text):
    """The rank as shown, carrying the row's place in the listing for DataTable.sort."""

    def __init__(self, rank: int, order: int) -> None:
        super().__init__(str(rank), justify="right")
        self.order = order

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RankCell) and (self.plain, self.order) == (other.plain, other.order)

    __hash__ = Text.__hash__


def _cells(row: Standing, order: int, kind: str, columns: Sequence[str]) -> dict[str, object]:
    style = "bold red" if row.mark == BOTTOM_MARK else ("bold green" if row.mark else "")
    mark = row.mark
    if kind == "staff" and row.full_attendance:
        mark = f"{mark} 满勤".strip()
    window = f"{row.window_code} {row.window_name}"
    values: dict[str, object] = {
        "rank": RankCell(row.rank, order),
        "name": row.name,
        "window": window if "unit" in columns or (kind == "staff" and "mark" in columns) else row.window_code,
        "unit": row.unit,
        "score": Text(f"{row.score:.1f}", style=style, justify="right"),
        "deductions": Text(points_text(row.deductions), justify="right"),
        "bonuses": Text(points_text(row.bonuses), justify="right"),
        "findings": Text(str(row.findings), justify="right"),
        "change": Text(change_text(row.change), justify="right"),
        "mark": Text(mark, style=style),
    }
    if kind == "window":
        values["window"] = window
    return {key: values[key] for key in columns}


class RankingTable(DataTable[object]):
    """Staff or window standings, keyed by id, updated cell by cell."""

    def __init__(self, kind: str, columns: dict[str, tuple[str, int]], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        self._columns = columns
        self._shown: dict[str, dict[str, object]] = {}
        self._order: list[str] = []

        # Columns from the start: rankings can arrive before this table's on_mount has run.
        for key, (title, width) in columns.items():
            self.add_column(title, key=key, width=width)

    def show(self, rows: Sequence[Standing]) -> None:
        """Show ``rows`` in their order: changed cells are updated, rows moved, never rebuilt."""
        keys = [r.id for r in rows]
        wanted = {r.id: _cells(r, i, self.kind, list(self._columns)) for i, r in enumerate(rows)}
        if set(keys) != set(self._shown):
            self.clear()
            self._shown = {}
            for key in keys:
                self.add_row(*wanted[key].values(), key=key)
            self._shown = wanted
            self._order = keys
            return
        for key, cells in wanted.items():
            old = self._shown[key]
            for column, value in cells.items():
                if old[column] != value:
                    self.update_cell(key, column, value)
        self._shown = wanted
        if keys != self._order:
            self.sort("rank", key=lambda cell: cell.order)
            self._order = keys

    def row_ids(self) -> list[str]:
        """The ids in the order shown (for tests and the cursor)."""
        return [self.coordinate_to_cell_key((i, 0)).row_key.value or "" for i in range(self.row_count)]
