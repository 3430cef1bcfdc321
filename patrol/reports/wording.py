"""How people read the hall's data objects: the change a correction made, a record's title and
subtitle, a month of its history. The command line, the appendix and the screens all word them
here, so the service hands out data and the wording is in one place."""

from __future__ import annotations

from datetime import date

from patrol.hall.views import CorrectionView, Record


def correction_change(correction: CorrectionView) -> str:
    """What changed, from what to what: 作废, or 巡查项：迟到→早退；备注：（空）→已提醒."""
    if correction.after is None:
        return "作废"
    before, after = correction.before, correction.after
    fields = (
        ("窗口", before.window_code, after.window_code),
        ("人员", before.person or "（窗口）", after.person or "（窗口）"),
        ("巡查项", before.type_name, after.type_name),
        ("时间", f"{before.at:%m-%d %H:%M}", f"{after.at:%m-%d %H:%M}"),
        ("次数", str(before.count), str(after.count)),
        ("分钟", str(before.minutes or "（空）"), str(after.minutes or "（空）")),
        ("备注", before.note or "（空）", after.note or "（空）"),
    )
    return "；".join(f"{name}：{old}→{new}" for name, old, new in fields if old != new) or "无变化"


def record_title(record: Record) -> str:
    """A person's name, or a window's code and name."""
    if record.person is not None:
        return record.person.name
    window = record.window
    return f"{window.code} {window.name}" if window else ""


def record_subtitle(record: Record) -> str:
    """A person's window (and why they are not posted today), or a window's unit and the people
    who sat there in the period."""
    window = record.window
    if record.kind == "staff":
        where = f"{window.code} {window.name}" if window else ""
        return where + (f"（{record.status}）" if record.status else "")
    names = "、".join(record.seated) or "暂无人员"
    return f"{window.unit if window else ''}  人员：{names}"


def month_label(first_day: date) -> str:
    """A month of a record's history as its chart names it: 11月."""
    return f"{first_day.month}月"


def history_labels(record: Record) -> list[tuple[str, float | None]]:
    """A record's history as (month label, score) pairs, oldest first."""
    return [(month_label(first), score) for first, score in record.history]
