"""``patrol services import``: a hall's monthly service figures (办件量) per window, as the
business system exports them.

Columns: 月份, 窗口编号, 受理, 办结, 按时办结 (required), 窗口名称 (checked against the roster when
given), 好评 and 差评 (optional); the words business systems use are accepted as aliases. Every
row is checked before anything is written; the first bad one is refused in one line naming the
file, the row and the column. A month imported again replaces that month's figures: the new
import names the one it replaces, so the old figures stay on record (a recorded correction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.hall.figures import current_imports, month_figures
from patrol.imports.tabular import TableRow, read_table, shown_cell
from patrol.model import WindowInfo
from patrol.rules.figures import Counts
from patrol.rules.periods import FIRST_YEAR, LAST_YEAR, Period
from patrol.text import same_name

if TYPE_CHECKING:
    from patrol.hall.service import HallService

COLUMNS = {
    "月份": ("统计月份", "年月", "月度", "统计年月", "所属月份"),
    "窗口编号": ("窗口号", "编号", "窗口代码", "窗口编码"),
    "窗口名称": ("窗口", "窗口名"),
    "受理": ("受理量", "受理件数", "收件数", "收件量", "受理数", "受理件"),
    "办结": ("办结量", "办件量", "办结件数", "办结数", "办结件"),
    "按时办结": ("按时办结数", "按期办结", "按时办结量", "按期办结数", "按时办结件数"),
    "好评": ("好评数", "满意", "满意数", "好评量"),
    "差评": ("差评数", "不满意", "不满意数", "差评量"),
}
REQUIRED = ("月份", "窗口编号", "受理", "办结", "按时办结")
FIGURES = (("受理", "received"), ("办结", "completed"), ("按时办结", "on_time"), ("好评", "good"), ("差评", "bad"))
OPTIONAL = frozenset({"好评", "差评"})
MAX_FIGURE = 10_000_000  # a window's month: more is a typo (or a sum row pasted in)

_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(月份?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(\s.*)?$")
_SERIAL = re.compile(r"^\d{5}$")  # Excel's day number, in a cell not formatted as a date
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def parse_month(text: str, serial: bool = False) -> str:
    """A month as business systems write it (2026-11, 2026/11, 2026年11月, 2026年11月份, 202611, a
    date in it, or, where ``serial`` (a cell of an .xlsx: Excel keeps a date as a number), Excel's
    day number) as figures are stored: 2026-11. A bare number in a CSV is no date."""
    value = text.strip().replace(" ", "")
    year = month = None
    if match := _MONTH.match(value) or _COMPACT.match(value) or _DAY.match(text.strip()):
        year, month = int(match[1]), int(match[2])
    elif serial and _SERIAL.match(value):
        day = date(1899, 12, 30) + timedelta(days=int(value))
        year, month = day.year, day.month
    if year is None or month is None:
        raise UserError(f"无法识别的月份“{shown_cell(text)}”，请写作 2026-11、2026年11月 或 202611。")
    if not 1 <= month <= 12:
        raise UserError(f"月份“{shown_cell(text)}”不存在（月份应为 1–12）。")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(f"月份“{shown_cell(text)}”的年份超出范围（{FIRST_YEAR}–{LAST_YEAR}），请检查年份。")
    return f"{year:04d}-{month:02d}"


def parse_count(text: str, optional: bool) -> int | None:
    """A figure: a whole number of 0 or more (1,234 with separators too); empty is None where
    the column is optional."""
    value = text.strip().replace(" ", "")
    if not value:
        if optional:
            return None
        raise UserError("为空：请填写数字（没有业务写 0）。")
    if value.startswith("-") and _NUMBER.match(value[1:]):
        raise UserError(f"是负数（{shown_cell(text)}）：件数不能小于 0。")
    if not _NUMBER.match(value):
        raise UserError(f"“{shown_cell(text)}”不是整数：请只填写件数（如 126），不要带单位或文字。")
    digits = value.replace(",", "")
    if len(digits) > 12:  # a 300-digit number is not echoed whole (nor turned into an int)
        raise UserError(f"是{len(digits.lstrip('0'))}位数，过大（超过 {MAX_FIGURE}）：请检查是否误填了合计或多了位数。")
    number = int(digits)
    if number > MAX_FIGURE:
        raise UserError(f"“{text.strip()}”过大（超过 {MAX_FIGURE}）：请检查是否误填了合计或多了位数。")
    return number


def month_text(month: str) -> str:
    """2026-11 as a person reads it: 2026年11月."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def _bare(name: str) -> str:
    """A window's name without spaces or a trailing 窗口, to compare 不动产登记 with 不动产登记窗口."""
    name = same_name(name).replace(" ", "").replace("\u3000", "")
    return name[:-2] if name.endswith("窗口") and len(name) > 2 else name


@dataclass
class ServicePlan:
    """What an import of service figures would write, and what it changes."""

    source: str
    # month -> (the import it replaces or None, each window's figures as rows to write)
    months: dict[str, tuple[str | None, list[dict[str, Any]]]] = field(default_factory=dict)
    new: dict[str, dict[str, Counts]] = field(default_factory=dict)  # month -> window id -> figures
    old: dict[str, dict[str, Counts]] = field(default_factory=dict)  # the same, as on record now
    unchanged: list[str] = field(default_factory=list)  # months imported again with the same figures
    labels: dict[str, str] = field(default_factory=dict)  # window id -> 3号不动产登记窗口
    order: dict[str, int] = field(default_factory=dict)  # window id -> place in the hall


def _window(service: HallService, row: TableRow, where: str) -> WindowInfo:
    code = same_name(row.cells["窗口编号"])
    if not code:
        raise UserError(f"{where}“窗口编号”列（{row.cell_at('窗口编号')}）为空：每行都要写窗口编号。")
    by_code = service.window_by_code
    window = by_code.get(code.upper())
    if window is None and code.isdigit():  # 3 in the file, 03 in the roster (or the other way)
        window = next((w for w in service.windows if w.code.isdigit() and int(w.code) == int(code)), None)
    if window is None:
        raise UserError(
            f"{where}“窗口编号”列（{row.cell_at('窗口编号')}）：名册中没有编号为“{shown_cell(code)}”的窗口。"
            "请核对编号，或先用 patrol roster import 导入该窗口。"
        )
    name = row.cells.get("窗口名称", "")
    if name.strip() and _bare(name) != _bare(window.name):
        raise UserError(
            f"{where}“窗口名称”列（{row.cell_at('窗口名称')}）：编号 {window.code} 的窗口在名册中叫“{window.name}”，"
            f"文件中写的是“{shown_cell(name)}”。请核对是编号还是名称写错了。"
        )
    return window


def _counts(row: TableRow, where: str) -> Counts:
    values: dict[str, int | None] = {}
    for word, key in FIGURES:
        if word not in row.positions:
            values[key] = None
            continue
        try:
            values[key] = parse_count(row.cells[word], word in OPTIONAL)
        except UserError as exc:
            raise UserError(f"{where}“{word}”列（{row.cell_at(word)}）{exc}") from None
    received, completed, on_time = values["received"] or 0, values["completed"] or 0, values["on_time"] or 0
    if completed > received:
        raise UserError(
            f"{where}“办结”列（{row.cell_at('办结')}）：办结 {completed} 件多于受理 {received} 件。"
            "请核对两列是否填反或多写了位数后重试。"
        )
    if on_time > completed:
        raise UserError(
            f"{where}“按时办结”列（{row.cell_at('按时办结')}）：按时办结 {on_time} 件多于办结 {completed} 件。"
            "请核对后重试。"
        )
    good, bad = values["good"], values["bad"]
    if (good or 0) + (bad or 0) > completed:
        # Each case completed is reviewed once at most (好差评): more reviews than cases is a
        # column shifted, a sum pasted in or a figure of another period.
        column = "好评" if good is not None else "差评"
        raise UserError(
            f"{where}“{column}”列（{row.cell_at(column)}）：好评 {good or 0} 条与差评 {bad or 0} 条合计多于办结 "
            f"{completed} 件。请核对是否填错列、多了位数或混入了其他月份的评价后重试。"
        )
    return Counts(received, completed, on_time, good, bad)


def plan_services(service: HallService, path: Path) -> ServicePlan:
    """Check every row of a figures file and work out what importing it changes; UserError at
    the first bad row (file, row, column, how to fix), before anything is written."""
    plan = ServicePlan(source=path.name)
    today = service.today()  # in the hall's time zone
    current = f"{today.year:04d}-{today.month:02d}"
    seen: dict[tuple[str, str], int] = {}
    checked: set[str] = set()  # months whose close was checked
    serial = path.suffix.lower() == ".xlsx"  # Excel's day number only where Excel wrote one
    for row in read_table(path, COLUMNS, REQUIRED, what="办件量表"):
        where = f"{path.name} 第{row.number}行"
        try:
            month = parse_month(row.cells["月份"], serial)
        except UserError as exc:
            raise UserError(f"{where}“月份”列（{row.cell_at('月份')}）：{exc}") from None
        if month >= current:
            # A month's figures are whole only once it is over: the running month would be
            # compared with whole months and added into its quarter as if it were one.
            state = "还没有结束" if month == current else "还没有到"
            raise UserError(
                f"{where}“月份”列（{row.cell_at('月份')}）：{month_text(month)}{state}（今天是{today:%Y-%m-%d}），"
                "办件量须在该月结束后导入，未导入。请检查年份和月份。"
            )
        if month not in checked:
            checked.add(month)
            if service.closing.is_closed(Period.parse(month)):
                raise UserError(
                    f"{where}“月份”列（{row.cell_at('月份')}）：{month_text(month)}已月结，导入办件量会改变已发出的"
                    f"通报和附表，未导入。确需更正请先 patrol reopen --period {month} --reason 原因，导入后再月结。"
                )
        window = _window(service, row, where)
        if (month, window.id) in seen:
            raise UserError(
                f"{where}：{month_text(month)} {window.code} 号窗口的办件量与第{seen[(month, window.id)]}行重复。"
                "每个窗口每月只写一行：请删去或合并重复的行。"
            )
        seen[(month, window.id)] = row.number
        plan.new.setdefault(month, {})[window.id] = _counts(row, where)
        plan.labels[window.id] = f"{window.code}号{window.label}"
    months = sorted(plan.new)
    plan.old = month_figures(service, months)
    replaced = current_imports(service, months)
    for window in service.windows:
        plan.labels.setdefault(window.id, f"{window.code}号{window.label}")
        plan.order[window.id] = window.position
    for month in months:
        if plan.old.get(month) == plan.new[month]:
            plan.unchanged.append(month)
            continue
        rows = [
            {
                "window_id": window_id,
                "received": c.received,
                "completed": c.completed,
                "on_time": c.on_time,
                "good": c.good,
                "bad": c.bad,
            }
            for window_id, c in plan.new[month].items()
        ]
        plan.months[month] = (replaced.get(month), rows)
    return plan


def _total(figures: dict[str, Counts]) -> Counts:
    total = Counts()
    for counts in figures.values():
        total = total.plus(counts)
    return total


def _shown(value: int | None) -> str:
    return "（空）" if value is None else str(value)


def _changed(old: Counts, new: Counts) -> str:
    parts = [
        f"{word} {_shown(getattr(old, key))}→{_shown(getattr(new, key))}"
        for word, key in FIGURES
        if getattr(old, key) != getattr(new, key)
    ]
    return "、".join(parts)


def summary_lines(plan: ServicePlan) -> list[str]:
    """What the import brings, a line a month; for a month imported before, what changed
    (2026年11月：3号不动产登记窗口 受理 120→126)."""
    lines = []
    for month in sorted(plan.new):
        new = plan.new[month]
        total = _total(new)
        if month in plan.unchanged:
            lines.append(f"{month_text(month)}：与已导入的办件量相同，未改动。")
            continue
        head = (
            f"{month_text(month)}：{len(new)}个窗口，受理 {total.received} 件、办结 {total.completed} 件、"
            f"按时办结 {total.on_time} 件"
        )
        if total.reviews is not None:
            head += f"、好评 {total.good or 0} 条、差评 {total.bad or 0} 条"
        old = plan.old.get(month)
        if not old:
            lines.append(head + "。")
            continue
        changes = []
        for window_id in sorted({*old, *new}, key=lambda w: (plan.order.get(w, 0), plan.labels.get(w, w))):
            label = plan.labels.get(window_id, window_id)
            if window_id not in old:
                changes.append(f"{label} 新增（受理 {new[window_id].received}）")
            elif window_id not in new:
                changes.append(f"{label} 删除（原受理 {old[window_id].received}）")
            elif old[window_id] != new[window_id]:
                changes.append(f"{label} {_changed(old[window_id], new[window_id])}")
        lines.append(f"{head}。替换此前导入的数据（原数据留档备查），改动：{'；'.join(changes)}。")
    return lines


def apply_services(service: HallService, plan: ServicePlan) -> None:
    """Write the plan's imports in one transaction (months whose figures are unchanged are skipped)."""
    from storage.writes import record_service_figures

    if not plan.months:
        return
    record_service_figures(
        service.engine,
        service.hall.id,
        plan.months,
        source=plan.source,
        inspector_id=service.inspector_id(),
        device=service.device,
    )
