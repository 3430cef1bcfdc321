"""User text on screen: fitting Chinese into terminal cells (Han characters take two cells), and
handing names and notes to widgets as plain text (``plain``), never as markup and never as control
characters. Escaping markup is not enough in Textual: its parser reads "\\x1b[2J…]" as a tag.
Program text with styles is assembled around the user's (``Text.assemble``)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.text import Text

from patrol.text import shown


def fit(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells (with a trailing '..' when cut: rich's '…' is one
    cell or two depending on the font), shown as a screen may show it (``patrol.text.shown``)."""
    text = shown(text)
    if cell_len(text) <= width:
        return text
    return (chop_cells(text, width - 2) or [""])[0] + ".."


def pad(text: str, width: int) -> str:
    """``text`` fitted and padded with spaces to exactly ``width`` cells."""
    return set_cell_size(fit(text, width), width)


def plain(text: str, keep: str = "", **kwargs: Any) -> Text:
    """User text (a name, a note) for a widget: never markup, nothing that steers the terminal
    (``patrol.text.shown``: ``\\x1b``, ``\\u202e`` are written out); ``keep`` ("\\n") for text
    whose lines the program broke itself."""
    return Text(shown(text, keep), **kwargs)
