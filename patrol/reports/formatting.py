"""How numbers read on screen and in print: plain ASCII marks, so CJK terminals align them."""

from __future__ import annotations


def points_text(value: float) -> str:
    """Points with one decimal; zero as 0."""
    return "0" if abs(value) < 0.005 else f"{value:+.1f}"


def change_text(change: int | None) -> str:
    """Places gained since the previous period: +2, -1, 0; 新 when not ranked then."""
    if change is None:
        return "新"
    return f"{change:+d}" if change else "0"
