"""How numbers and verdicts read on screen and in print: plain ASCII marks and full-width
Chinese, so CJK terminals align them. Every output (screens, `patrol rank`, the workbook) uses
these, so the same value reads the same everywhere."""

from __future__ import annotations

FULL_ATTENDANCE_WORDS = {True: "是", False: "否", None: "未评定"}


def points_text(value: float) -> str:
    """Points with one decimal; zero as 0."""
    return "0" if abs(value) < 0.005 else f"{value:+.1f}"


def score_text(value: float) -> str:
    """A score as shown: one decimal (the value is already rounded half up, see ``shown``)."""
    return f"{value:.1f}"


def change_text(change: int | None, new: bool | None = None) -> str:
    """Places gained since the previous period: +2, -1, 0; 新 when the row was not ranked in a
    previous period that had records (``new``, i.e. ``Standing.new``); blank when there is
    nothing to compare with (the previous period had no records).

    Called without ``new`` (as the screens still do), a missing change reads 新 as it always did;
    pass ``new=row.new`` to tell the two apart."""
    if change is None:
        return "新" if new is None or new else ""
    return f"{change:+d}" if change else "0"


def tied_text(tied: int, kind: str = "staff") -> str:
    """How many share a rank, when more than one: 4人并列 (people), 2个并列 (windows); else ""."""
    if tied < 2:
        return ""
    return f"{tied}{'个' if kind == 'window' else '人'}并列"


def full_attendance_text(full: bool, judged: bool) -> str:
    """满勤 as a cell reads it: 是, 否, or 未评定 when the period's 满勤 was not judged."""
    return FULL_ATTENDANCE_WORDS[full if judged else None]
