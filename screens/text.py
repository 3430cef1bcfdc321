"""Fitting Chinese text into terminal cells: Han characters take two cells."""

from __future__ import annotations

from rich.cells import cell_len


def fit(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells (with a trailing '..' when cut)."""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 2:
            break
        out += ch
    return out + ".."


def pad(text: str, width: int) -> str:
    """``text`` fitted and padded with spaces to exactly ``width`` cells."""
    text = fit(text, width)
    return text + " " * (width - cell_len(text))
