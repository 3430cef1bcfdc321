"""A column of the appendix's table sheets, and its width from its content: shared by the
workbook (``patrol.reports.workbook``) and the sheets written beside it
(``patrol.reports.services_sheet``), which the workbook calls and so cannot import back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len

HEADER_CAP = 8  # header words wrap: a column is never widened for its title past 4 characters


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: its title, width in cells and the format of its body."""

    title: str
    width: int
    style: str = "body"
    group: str = ""  # a second header row: the category over its finding types (附表3)


def content_width(texts: Iterable[str], title: str, cap: int = 40) -> int:
    """A width from the column's content (a Chinese character counts two), capped: longer text
    wraps. The title wraps too, so it widens a column only up to ``HEADER_CAP``."""
    return min(cap, max([min(cell_len(title), HEADER_CAP), *(cell_len(t) for t in texts)]) + 2)
