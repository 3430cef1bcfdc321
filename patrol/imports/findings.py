"""``patrol findings import``: bring in the findings a hall kept in spreadsheets before.

Columns: 时间 (YYYY-MM-DD HH:MM, hall time), 窗口编号, 姓名 (empty for a window-level item or
for a bonus, 有效投诉 or 差评 credited to the window, 替岗人员 for the substitute), 巡查项, 备注,
and optional 督查员, 数量 (how many times, default 1) and 分钟 (无人在岗). Every row is checked before
anything is written; then all rows go in one transaction, or none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from patrol.errors import UserError
from patrol.hall.log import check_count, check_minutes
from patrol.hall.service import INSPECTOR_LIMIT, HallService
from patrol.hall.views import SUBSTITUTE
from patrol.imports.tabular import read_table
from patrol.rules.periods import Period, parse_local_time
from patrol.text import check_note, clean_name, same_name

COLUMNS = {
    "时间": ("巡查时间", "日期时间", "发现时间"),
    "窗口编号": ("窗口号", "编号", "窗口代码"),
    "姓名": ("人员", "工作人员", "被查人员"),
    "巡查项": ("问题", "问题类型", "扣分项", "事项"),
    "备注": ("说明", "情况说明"),
    "督查员": ("巡查人", "检查人", "督查人员"),
    "数量": ("次数", "件数"),
    "分钟": ("分钟数", "时长", "时长（分钟）"),
}
REQUIRED = ("时间", "窗口编号", "姓名", "巡查项")


@dataclass
class FindingsImport:
    """The checked rows of a findings file."""

    rows: list[dict[str, Any]]
    inspectors: dict[int, str]  # row index -> inspector name
    numbers: list[int] = field(default_factory=list)  # row index -> row number in the file


def plan_findings(service: HallService, path: Path, period: Period | None = None) -> FindingsImport:
    """Check every row of ``path``; UserError at the first bad one, naming row and column."""
    rows = read_table(path, COLUMNS, REQUIRED)
    tz = service.hall.tz
    out: list[dict[str, Any]] = []
    inspectors: dict[int, str] = {}
    numbers: list[int] = []
    closed = service.closing.closed()  # month close: read once, checked per row
    for row in rows:
        where = f"{path.name} 第{row.number}行"
        cells = row.cells
        column = "时间"  # the column each check reads: an error names the column at fault
        try:
            at = service.findings.check_time(parse_local_time(cells["时间"], tz))
            if period is not None and not period.contains(at, tz):
                raise UserError(f"时间 {cells['时间']} 不在统计周期 {period.label} 内。")
            service.closing.check_open(at, closed)
            column = "窗口编号"
            window = service.lookup.window(cells["窗口编号"])
            column = "巡查项"
            item = service.lookup.rule(cells["巡查项"])
            column = "备注"
            note = check_note(cells.get("备注", ""))
            column = "督查员"
            inspector = clean_name(cells.get("督查员", ""), "督查员姓名", INSPECTOR_LIMIT)
            column = "数量"
            count = _whole(cells.get("数量", ""), 1)
            check_count(count, item)
            column = "分钟"
            minutes = _whole(cells.get("分钟", ""), None)
            check_minutes(minutes, item)
            column = "姓名"
            person = same_name(cells["姓名"])
            substitute = person == SUBSTITUTE
            staff = None
            if person and not substitute and not item.is_window_level:
                # Who sat at the window at the finding's time, even if they moved or left since.
                staff = service.lookup.resolve_staff(person, window, at)
            values = service.findings.values(
                window, staff, item, substitute=substitute, at=at, note=note, count=count, minutes=minutes
            )
        except UserError as exc:
            raise UserError(f"{where}“{column}”列：{exc}") from None
        if inspector:
            inspectors[len(out)] = inspector
        out.append(values)
        numbers.append(row.number)
    return FindingsImport(out, inspectors, numbers)


def _whole(text: str, empty: int | None) -> Any:
    """A cell's whole number (``empty`` when the cell is empty); UserError otherwise."""
    text = text.strip()
    if not text:
        return empty
    try:
        number = float(text)  # a spreadsheet may hand 28 back as "28.0"
    except ValueError:
        raise UserError(f"“{text}”不是整数（如 28）。") from None
    if not number.is_integer():
        raise UserError(f"“{text}”不是整数（如 28）。")
    return int(number)


def _key(
    at: Any, window_id: str, staff_id: str | None, substitute: Any, type_id: str, note: str, count: Any, minutes: Any
) -> tuple[Any, ...]:
    from storage.reads import to_utc

    return (to_utc(at), window_id, staff_id, bool(substitute), type_id, note or "", int(count or 1), minutes)


def already_recorded(service: HallService, plan: FindingsImport) -> list[int]:
    """The row numbers of ``plan`` identical to effective findings already recorded (same time,
    window, person or substitute, item and note): the same file imported twice. Each recorded
    finding answers for one row, so a file that holds a row twice over one record has one new."""
    from storage import reads

    if not plan.rows:
        return []
    start = min(r["at"] for r in plan.rows)
    end = max(r["at"] for r in plan.rows) + timedelta(seconds=1)
    recorded = Counter(
        _key(f.at, f.window_id, f.staff_id, f.substitute, f.type_id, f.note, f.n, f.minutes)
        for f in service.reader.iter_rows(reads.FINDINGS_OF_HALL, {"hall": service.hall.id, "start": start, "end": end})
    )
    same = []
    for number, r in zip(plan.numbers, plan.rows, strict=True):
        key = _key(
            r["at"],
            r["window_id"],
            r["staff_id"],
            r["substitute"],
            r["type_id"],
            r["note"],
            r.get("count", 1),
            r.get("minutes"),
        )
        if recorded[key] > 0:
            recorded[key] -= 1
            same.append(number)
    return same


def refuse_duplicates(service: HallService, path: Path, plan: FindingsImport) -> None:
    """UserError when rows of ``plan`` are already recorded, saying how many and which first."""
    same = already_recorded(service, plan)
    if same:
        listed = "、".join(str(n) for n in same[:5]) + ("等" if len(same) > 5 else "")
        raise UserError(
            f"{path.name} 中有 {len(same)} 行与已记录的巡查记录完全相同（时间、窗口、人员、巡查项、备注一致；"
            f"第 {listed} 行），像是同一文件导入了两次。未导入。确需重复记录请加 --allow-duplicates。"
        )


def apply_findings(service: HallService, plan: FindingsImport) -> int:
    """Write all checked findings in one transaction; returns how many."""
    from storage.writes import ensure_inspector, insert_findings

    ids: dict[str, str] = {}
    default = service.inspector_id()
    rows = []
    for index, values in enumerate(plan.rows):
        name = plan.inspectors.get(index)
        if name and name not in ids:
            ids[name] = ensure_inspector(service.engine, name, service.device)
        rows.append({**values, "inspector_id": ids[name] if name else default})
    return insert_findings(service.engine, rows)
