"""The patrol appendix (附表) as an .xlsx workbook, ready to print on the first try.

openpyxl in write-only mode with named styles: rows stream to disk, so a year of a city
(1.2 million findings) fits in bounded memory. A longer 附表1 continues on further sheets.
Every string is written as text, never as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from patrol.hall_service import FindingView
from patrol.period_report import PeriodReport
from patrol.scoring import BOTTOM_MARK

MAX_SHEET_ROWS = 1_048_576  # Excel's limit
HEADER_ROWS = 3  # title, period line, column header
PROGRESS_EVERY = 5000
DETAIL = "附表1 巡查明细"
WINDOWS = "附表2 窗口量化考评"
STAFF = "附表3 人员考核排名"
ATTENDANCE_SHEET = "附表4 考勤汇总"
NOTICE = "通报草稿"
ATTENDANCE_CODES = (("late", "迟到"), ("early", "早退"), ("absent", "脱岗"), ("noclock", "缺卡"), ("leave", "请假"))

Progress = Callable[[int, int], None]  # (findings written, findings in all)


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: its title, width in cells and the style of its body."""

    title: str
    width: int
    style: str = "body"


def _width(texts: Iterable[str], title: str, cap: int = 40) -> int:
    """A width that fits Chinese text (two cells a character) in a column."""
    return min(cap, max([cell_len(title), *(cell_len(t) for t in texts)]) + 2)


class _Styles:
    """The named styles of the appendix: 黑体 title, 宋体 body, thin borders, one decimal."""

    def __init__(self, book: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

        thin = Side(style="thin")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        body_font = Font(name="宋体", size=11)
        styles = [
            NamedStyle(
                "title", font=Font(name="黑体", size=16), alignment=Alignment(horizontal="center", vertical="center")
            ),
            NamedStyle("subtitle", font=Font(name="宋体", size=10), alignment=Alignment(horizontal="center")),
            NamedStyle(
                "header",
                font=Font(name="宋体", size=11, bold=True),
                border=border,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            ),
            NamedStyle("body", font=body_font, border=border, alignment=Alignment(vertical="center")),
            NamedStyle(
                "center", font=body_font, border=border, alignment=Alignment(horizontal="center", vertical="center")
            ),
            NamedStyle(
                "number",
                font=body_font,
                border=border,
                number_format="0",
                alignment=Alignment(horizontal="center", vertical="center"),
            ),
            NamedStyle(
                "points",
                font=body_font,
                border=border,
                number_format="0.0",
                alignment=Alignment(horizontal="right", vertical="center"),
            ),
            NamedStyle(
                "date",
                font=body_font,
                border=border,
                number_format="yyyy-mm-dd",
                alignment=Alignment(horizontal="center", vertical="center"),
            ),
            NamedStyle(
                "time",
                font=body_font,
                border=border,
                number_format="hh:mm",
                alignment=Alignment(horizontal="center", vertical="center"),
            ),
            NamedStyle(
                "paragraph", font=Font(name="仿宋", size=14), alignment=Alignment(wrap_text=True, vertical="top")
            ),
        ]
        for style in styles:
            book.add_named_style(style)


class _TableSheet:
    """One sheet of the appendix: merged title, period line, header, then rows."""

    def __init__(
        self, book: Any, name: str, title: str, subtitle: str, columns: Sequence[Column], landscape: bool
    ) -> None:
        from openpyxl.utils import get_column_letter

        self.sheet = book.create_sheet(name)
        self.columns = columns
        last = get_column_letter(len(columns))
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.merged_cells.add(f"A1:{last}1")
        self.sheet.merged_cells.add(f"A2:{last}2")
        self.sheet.freeze_panes = f"A{HEADER_ROWS + 1}"
        self.sheet.print_title_rows = f"1:{HEADER_ROWS}"
        _print_setup(self.sheet, landscape)
        self.sheet.print_options.horizontalCentered = True
        self.sheet.row_dimensions[1].height = 30
        self._cell = _cell_maker(self.sheet)
        self.sheet.append([self._cell(title, "title")])
        self.sheet.append([self._cell(subtitle, "subtitle")])
        self.sheet.append([self._cell(c.title, "header") for c in columns])
        self.rows = 0

    def append(self, values: Sequence[Any]) -> None:
        self.sheet.append([self._cell(v, c.style) for v, c in zip(values, self.columns, strict=True)])
        self.rows += 1


def _print_setup(sheet: Any, landscape: bool) -> None:
    """A4, one page wide, as many pages long as it takes, page numbers in the footer."""
    from openpyxl.worksheet.properties import PageSetupProperties

    setup = sheet.page_setup
    setup.paperSize = "9"  # A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _cell_maker(sheet: Any) -> Callable[[Any, str], Any]:
    from copy import copy

    from openpyxl.cell import WriteOnlyCell

    # Assigning a named style by name costs a lookup per cell (17 of 80 profiled seconds for
    # 100,000 findings); resolve each style once and copy its style array, as openpyxl does
    # internally when it copies a cell's style.
    resolved: dict[str, Any] = {}

    def make(value: Any, style: str) -> Any:
        cell = WriteOnlyCell(sheet, value)
        template = resolved.get(style)
        if template is None:
            cell.style = style
            resolved[style] = cell._style
        else:
            cell._style = copy(template)
        if isinstance(value, str):
            cell.data_type = "s"  # "=SUM(…)" typed into a note stays text (formula injection)
        return cell

    return make


def write_workbook(
    report: PeriodReport,
    notice: Callable[[], Sequence[str]],
    path: Path,
    progress: Progress | None = None,
    on_finding: Callable[[FindingView], None] | None = None,
) -> None:
    """Write the appendix for ``report`` to ``path`` (the caller picks a temporary name).

    Each finding of 附表1 is handed to ``on_finding`` as it is written; ``notice`` is asked for
    its paragraphs after that, for the last sheet."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    _Styles(book)
    hall, label = report.hall.name, report.period.label
    first, last = report.period.first, report.period.last
    subtitle = (
        f"统计周期：{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
        f"　　制表日期：{report.made_on.year}年{report.made_on.month}月{report.made_on.day}日"
    )

    def sheet(name: str, columns: Sequence[Column], landscape: bool) -> _TableSheet:
        table_name = name.split(" ", 1)[1].split("(")[0]
        return _TableSheet(book, name, f"{hall}{label}{table_name}", subtitle, columns, landscape)

    _detail_sheets(report, sheet, progress, on_finding)
    _window_sheet(report, sheet)
    _staff_sheet(report, sheet)
    _attendance_sheet(report, sheet)
    _notice_sheet(book, notice())
    book.save(path)


def _detail_sheets(
    report: PeriodReport,
    sheet: Callable[..., _TableSheet],
    progress: Progress | None,
    on_finding: Callable[[FindingView], None] | None,
) -> None:
    windows = report.windows
    columns = [
        Column("序号", 8, "number"),
        Column("日期", 12, "date"),
        Column("时间", 7, "time"),
        Column("窗口编号", 10, "center"),
        Column("窗口", _width((w.name for w in windows), "窗口", 24)),
        Column("单位", _width((w.unit for w in windows), "单位", 28)),
        Column("姓名", _width((s.name for s in report.staff), "替岗人员", 12)),
        Column("巡查项", _width((i.name for i in report.rules.items), "巡查项", 18)),
        Column("类别", 10, "center"),
        Column("分值", 7, "points"),
        Column("备注", 30),
        Column("督查员", 10),
    ]
    unit_of = {w.code: w.unit for w in windows}
    current = sheet(DETAIL, columns, True)
    part = 1
    for number, f in enumerate(report.findings(), start=1):
        if on_finding is not None:
            on_finding(f)
        if current.rows == MAX_SHEET_ROWS - HEADER_ROWS:
            part += 1
            current = sheet(f"{DETAIL}({part})", columns, True)
        current.append(
            [
                number,
                f.at.date(),
                f.at.time().replace(second=0, microsecond=0),
                f.window_code,
                f.window_name,
                unit_of.get(f.window_code, ""),
                f.person,
                f.type_name,
                f.category,
                f.points,
                f.note,
                f.inspector,
            ]
        )
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, report.finding_count)
    if progress is not None:
        progress(report.finding_count, report.finding_count)


def _window_sheet(report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    from openpyxl.chart import BarChart, Reference

    rows = report.ranking.windows
    columns = [
        Column("排名", 6, "number"),
        Column("窗口编号", 10, "center"),
        Column("窗口", _width((r.window_name for r in rows), "窗口", 24)),
        Column("单位", _width((r.unit for r in rows), "单位", 28)),
        Column("扣分项次", 10, "number"),
        Column("扣分", 8, "points"),
        Column("加分项次", 10, "number"),
        Column("加分", 8, "points"),
        Column("得分", 8, "points"),
        Column("评定", 10, "center"),
    ]
    table = sheet(WINDOWS, columns, True)
    for r in rows:
        table.append(
            [
                r.rank,
                r.window_code,
                r.window_name,
                r.unit,
                r.deduction_findings,
                r.deductions,
                r.bonus_findings,
                r.bonuses,
                r.score,
                r.mark if r.mark != BOTTOM_MARK else "",
            ]
        )
    if rows:
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: window names read along the axis
        chart.title = "窗口得分"
        chart.legend = None
        chart.height = max(7.5, 0.5 * len(rows))
        chart.width = 16
        scores = Reference(table.sheet, min_col=9, min_row=HEADER_ROWS, max_row=HEADER_ROWS + len(rows))
        names = Reference(table.sheet, min_col=3, min_row=HEADER_ROWS + 1, max_row=HEADER_ROWS + len(rows))
        chart.add_data(scores, titles_from_data=True)
        chart.set_categories(names)
        table.sheet.add_chart(chart, f"L{HEADER_ROWS + 1}")


def _counts_by_staff(report: PeriodReport) -> dict[str, dict[str, int]]:
    """Finding counts per staff member and type id, over every window they were at."""
    by_staff: dict[str, dict[str, int]] = {}
    for (staff_id, _window), counts in report.type_counts.items():
        if staff_id is not None:
            mine = by_staff.setdefault(staff_id, {})
            for type_id, n in counts.items():
                mine[type_id] = mine.get(type_id, 0) + n
    return by_staff


def _staff_sheet(report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    by_staff = _counts_by_staff(report)
    occurred = {type_id for counts in by_staff.values() for type_id in counts}
    items = [i for i in report.rules.items if i.id in occurred]
    rows = report.ranking.staff
    columns = [
        Column("排名", 6, "number"),
        Column("姓名", _width((r.name for r in rows), "姓名", 12)),
        Column("窗口", _width((r.window_name for r in rows), "窗口", 24)),
        *(Column(i.name, max(6, cell_len(i.name) + 2), "number") for i in items),
        Column("扣分", 8, "points"),
        Column("加分", 8, "points"),
        Column("得分", 8, "points"),
        Column("评定", 10, "center"),
    ]
    table = sheet(STAFF, columns, len(columns) > 9)
    for r in rows:
        counts = by_staff.get(r.id, {})
        table.append(
            [
                r.rank,
                r.name,
                r.window_name,
                *(counts.get(i.id, 0) for i in items),
                r.deductions,
                r.bonuses,
                r.score,
                r.mark,
            ]
        )


def _attendance_sheet(report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    rules = {i.code: i for i in report.rules.items}
    kinds = [(rules[code].id if code in rules else "", name) for code, name in ATTENDANCE_CODES]
    columns = [
        Column("窗口", _width((w.name for w in report.windows), "窗口", 24)),
        Column("姓名", _width((s.name for s in report.staff), "姓名", 12)),
        *(Column(name, 7, "number") for _, name in kinds),
        Column("满勤", 7, "center"),
    ]
    table = sheet(ATTENDANCE_SHEET, columns, False)
    windows = report.window_by_id
    position = {w.id: w.position for w in report.windows}
    full = {r.id: r.full_attendance for r in report.ranking.staff}
    by_staff = _counts_by_staff(report)
    for person in sorted(report.staff, key=lambda s: (position.get(s.window_id, 0), s.position)):
        counts = by_staff.get(person.id, {})
        window = windows.get(person.window_id)
        table.append(
            [
                window.name if window else "",
                person.name,
                *(counts.get(t, 0) for t, _ in kinds),
                "是" if full.get(person.id) else "否",
            ]
        )


def _notice_sheet(book: Any, notice: Sequence[str]) -> None:
    sheet = book.create_sheet(NOTICE)
    sheet.column_dimensions["A"].width = 100
    _print_setup(sheet, landscape=False)
    make = _cell_maker(sheet)
    for paragraph in notice:
        sheet.append([make(paragraph, "paragraph")])
