"""The patrol appendix (附表) as an .xlsx workbook, ready to print on the first try.

Written with xlsxwriter in constant-memory mode: rows stream to disk, so a year of a city
(1.2 million findings) fits in bounded memory. openpyxl, which the project started with, was
measured first and could not meet the budgets (100,000 findings: 26 s; plain write-only rows
alone 9.9 s; see the README). A longer 附表1 continues on further sheets. Every string is
written as a string, never as a formula.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from patrol.hall.views import SUBSTITUTE, FindingView
from patrol.reports.anchor import footer_lines
from patrol.reports.attendance_summary import AttendanceLine
from patrol.reports.columns import Column, content_width
from patrol.reports.formatting import tied_text
from patrol.reports.period_report import PeriodReport
from patrol.reports.verdict_text import summary
from patrol.reports.wording import correction_change
from patrol.rules.items import CATEGORIES
from patrol.rules.scoring import Standing
from patrol.rules.settings import TIE_BREAKS
from patrol.rules.verdicts import Award
from patrol.text import shown

MAX_SHEET_ROWS = 1_048_576  # Excel's limit
HEADER_ROWS = 3  # title, period line, column header
PROGRESS_EVERY = 5000
DETAIL = "附表1 巡查明细"
WINDOWS = "附表2 窗口量化考评"
CHART_SHEET = "附表2 图"  # 附表2's scores as bars, on a sheet of its own: no table header over them
UNITS = "附表2-1 单位考评"  # after 附表2, only when the hall's windows name units
STAFF = "附表3 人员考核排名"
ATTENDANCE_SHEET = "附表4 考勤汇总"
CORRECTIONS = "附表5 更正记录"
NOTICE = "通报草稿"
NOT_JUDGED = "—"  # 附表4: 满勤 not judged, or days that do not apply to a window's substitutes
# Each sheet numbers its own pages from 1 (set_start_page) and names itself: LibreOffice's &N
# counts the pages of the whole workbook, so "共 &N 页" would read "第 1 页，共 16 页" on 附表2.
FOOTER = "&C&A　第 &P 页"
WINDOW_NAME_COLUMN = 3  # 附表2's 窗口 and 得分 columns, which the chart reads
WINDOW_SCORE_COLUMN = 9
NUMBER_STYLES = frozenset({"number", "points", "tally"})
WRAP_STYLES = frozenset({"wrap", "wrap_center"})
UNVERIFIED = "未通过校验"  # on every sheet of an appendix written from a database that failed verify
TIME_STYLES = frozenset({"date", "time", "datetime"})

# Printing. Every page is A4 with body text of at least 9 pt: the body is 11 pt, so a sheet is
# shrunk to the page's width only down to FIT_SCALE (11 pt x 0.84 = 9.2 pt); a wider sheet
# prints across pages at PRINT_SCALE with its first columns repeated. Widths are estimated as
# LibreOffice lays them out without the Calibri metrics (7.25 points a unit of column width),
# the widest of the programs: Excel and WPS (5.25 points a unit) print the same sheet larger.
BODY_SIZE = 11
FIT_SCALE = 0.84
PRINT_SCALE = 90
MARGIN_SIDE = 0.3  # inches
MARGIN_TOP = 0.6
MARGIN_BOTTOM = 0.7
A4_SHORT, A4_LONG = 595.3, 841.9  # points
TITLE_HEIGHT = 30  # points: the title row
DEFAULT_ROW = 15.75  # points: a row of 11 pt text left to its default height
BARS_PER_CHART = 30  # 附表2's chart: past this many windows, the next chart on a page of its own
BAR_HEIGHT = 22  # pixels a window takes in the chart: room for its label at 10 pt, none skipped
LABEL_CELLS = 24  # a chart's window label: at most 12 Chinese characters, a longer name cut with …
CHART_FRAME = 75  # pixels of a chart that are not bars: its title, the value axis and padding
NOTICE_CHUNK = 240  # characters: a longer paragraph of 通报草稿 is cut at a sentence into rows,
# since a spreadsheet never splits a row across pages and would cut off what is past the foot
HEADING = re.compile(r"【[^】]{2,10}】|[1-9]、[\u4e00-\u9fff]{2,8}")  # a heading of the notice
CODE_NUMBER = re.compile(r"(0|[1-9][0-9]{0,14})")  # 窗口编号 12 is a number; A03 and 007 are text

Progress = Callable[[int, int], None]  # (findings written, findings in all)

# The appendix's formats: 黑体 title, 宋体 body, thin borders, one decimal for points.
_BODY = {"font_name": "宋体", "font_size": 11, "border": 1, "valign": "vcenter"}
# Cells that hold people's text (names, notes, the hall's name in a title, the notice) carry
# Excel's quote prefix: a name "=1+1" is written as a string and, when someone edits the cell
# in Excel or WPS, stays text instead of becoming a formula. Number cells never carry it (an
# edited number would turn into text).
_TEXT = {"quote_prefix": True}
_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter", **_TEXT},
    "subtitle": {"font_name": "宋体", "font_size": BODY_SIZE, "align": "center"},
    "subtitle_wrap": {"font_name": "宋体", "font_size": BODY_SIZE, "align": "center", "text_wrap": True},
    "subtitle_left": {"font_name": "宋体", "font_size": 9, **_TEXT},
    "header": {**_BODY, "bold": True, "align": "center", "text_wrap": True, **_TEXT},
    "header_top": {**_BODY, "bold": True, "align": "center", "text_wrap": True, "bottom": 0, **_TEXT},
    "header_bottom": {**_BODY, "top": 0},
    "body": {**_BODY, **_TEXT},
    "wrap": {**_BODY, "text_wrap": True, **_TEXT},  # 单位, 备注, 原因: long text wraps in its column
    "wrap_center": {**_BODY, "text_wrap": True, "align": "center", **_TEXT},
    "code": {**_BODY, "align": "center", "num_format": "0", **_TEXT},  # 窗口编号: number or text
    "center": {**_BODY, "align": "center", **_TEXT},
    "number": {**_BODY, "align": "center", "num_format": "0"},
    # 附表3's count per finding type: a 0 is stored, shown blank, so the few counts stand out.
    "tally": {**_BODY, "align": "center", "num_format": '0;-0;""'},
    "count": {**_BODY, "align": "center", "num_format": "0"},
    "maybe_number": {**_BODY, "align": "center", "num_format": "0"},  # a number, or blank
    "points": {**_BODY, "align": "right", "num_format": "0.0"},
    "rate": {**_BODY, "align": "center", "num_format": "0.00%"},  # 审批业务统计表's shares
    "date": {**_BODY, "align": "center", "num_format": "yyyy-mm-dd"},
    "time": {**_BODY, "align": "center", "num_format": "hh:mm"},
    "datetime": {**_BODY, "align": "center", "num_format": "yyyy-mm-dd hh:mm"},
    "note": {"font_name": "宋体", "font_size": BODY_SIZE, "text_wrap": True, "valign": "top", **_TEXT},
    "paragraph": {"font_name": "仿宋", "font_size": 14, "text_wrap": True, "valign": "top", **_TEXT},
}
NOTICE_SIZE = 14


def _points(widths: Iterable[float]) -> float:
    """Printed width at 100 % of columns ``widths`` wide (Excel's units), as LibreOffice prints
    them where Calibri is missing: 7.25 points a unit and 5 of padding (Excel: 5.25 and 3.75)."""
    return sum(7.25 * w + 5 for w in widths)


def _excel_points(width: float) -> float:
    """A column's width in points as Excel and WPS print it (the narrowest: wrap by this)."""
    return 5.25 * width + 3.75


def _printable(landscape: bool) -> tuple[float, float]:
    """Width and height (points) inside the margins of an A4 page."""
    wide, high = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    return wide - 2 * MARGIN_SIDE * 72, high - (MARGIN_TOP + MARGIN_BOTTOM) * 72


@dataclass(frozen=True)
class PagePlan:
    """How a sheet prints: orientation and scale (``None``: shrink to one page wide)."""

    landscape: bool
    scale: int | None

    @property
    def least_scale(self) -> float:
        """The smallest scale the sheet may print at."""
        return FIT_SCALE if self.scale is None else self.scale / 100


def page_plan(widths: Sequence[float]) -> PagePlan:
    """Portrait where the columns fit the page at 100 % (or nearly), else landscape; shrunk to
    the width only as far as ``FIT_SCALE``, else printed across pages at ``PRINT_SCALE``."""
    needed = _points(widths)
    if needed <= _printable(False)[0] / 0.97:
        return PagePlan(False, None)
    if needed <= _printable(True)[0] / FIT_SCALE:
        return PagePlan(True, None)
    return PagePlan(True, PRINT_SCALE)


def _print_setup(sheet: Any, plan: PagePlan, repeat_columns: int = 0) -> None:
    """A4 as planned, page numbers in the footer restarting at 1 on every sheet."""
    sheet.set_paper(9)
    if plan.landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_BOTTOM)
    if plan.scale is None:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(plan.scale)
        if repeat_columns:
            sheet.repeat_columns(0, repeat_columns - 1)  # who the row is about, on every page across
    sheet.set_start_page(1)
    sheet.set_footer(FOOTER, {"margin": 0.3})


@functools.lru_cache(maxsize=4096)
def _cell_lines(value: Any, width: float) -> int:
    """Lines a wrapped body cell takes (a unit's or a window's name recurs on every row)."""
    return _lines(value, BODY_SIZE, width) if isinstance(value, str) and value else 1


def _lines(text: str, size: float, width: float) -> int:
    """How many lines ``text`` takes at ``size`` points in a block ``width`` points wide (a
    Chinese character is ``size`` wide, other characters half, a little padding each side)."""
    per_line = max(2, int((width - 4) / size * 2))  # in halves of a Chinese character
    return sum(max(1, math.ceil(cell_len(part) / per_line)) for part in text.split("\n"))


class _TableSheet:
    """One sheet of the appendix: merged title, period line, header, then rows."""

    def __init__(
        self,
        book: Any,
        formats: dict[str, Any],
        name: str,
        title: str,
        subtitle: str,
        columns: Sequence[Column],
        keep: int = 1,
    ) -> None:
        """``keep``: how many first columns say who a row is about (repeated on every page
        across, when the sheet is too wide for one)."""
        self.sheet = book.add_worksheet(name)
        self.title, self.subtitle = title, subtitle
        self.window_names: list[str] = []  # 附表2: the windows in rank order, for its chart sheet
        self.formats = formats
        self.columns = columns
        self.plan = page_plan([c.width for c in columns])
        grouped = any(c.group for c in columns)
        self.header_rows = HEADER_ROWS + grouped
        self.header_points = TITLE_HEIGHT + DEFAULT_ROW + 2  # what repeats atop every page; rows add theirs
        last = len(columns) - 1
        for index, column in enumerate(columns):
            self.sheet.set_column(index, index, column.width)
        _print_setup(self.sheet, self.plan, keep)
        self.sheet.center_horizontally()
        self.sheet.repeat_rows(0, self.header_rows - 1)  # the title and the header on every page
        self.sheet.freeze_panes(self.header_rows, 0)
        self.sheet.set_row(0, TITLE_HEIGHT)
        # A sheet printed across pages breaks between blocks of columns that each fit a page
        # beside the repeated first ``keep`` columns, and prints its title and period line over
        # each block (merged over all of them, both would be cut at the page's edge).
        self.blocks = [(0, last)] if self.plan.scale is None else self._blocks(keep)
        if len(self.blocks) > 1:
            self.sheet.set_v_pagebreaks([start for start, _end in self.blocks[1:]])
        period_style = "subtitle"
        if len(self.blocks) > 1:  # the period line may wrap over a block narrower than the page
            self.sheet.set_row(1, 2 * BODY_SIZE * 1.3 + 3)
            period_style = "subtitle_wrap"
        for row, text, style in ((0, title, "title"), (1, subtitle, period_style)):  # rows in order
            for start, end in self.blocks:
                if end > start:
                    self.sheet.merge_range(row, start, row, end, text, formats[style])
                else:
                    self.sheet.write_string(row, start, text, formats[style])
        if grouped:
            self._header_height(2, [(c.group or c.title, self._span(n)) for n, c in enumerate(columns)])
            self._two_header_rows()
            self._header_height(3, [(c.title, _excel_points(c.width)) for c in columns if c.group])
        else:
            self._header_height(2, [(c.title, _excel_points(c.width)) for c in columns])
            for index, column in enumerate(columns):
                self.sheet.write_string(2, index, column.title, formats["header"])
        self.row = self.header_rows  # the next row to write
        self.body_points = 0.0  # the data rows' heights, as set (rows at their default count 15.75)
        self.notes: dict[int, float] = {}  # rows under the table: their heights
        self._writers = [self._writer(c.style) for c in columns]
        # Wrapped columns and their width in Excel's points (narrower than LibreOffice's, so a
        # row is high enough in both): spreadsheet programs do not grow a row on opening.
        self._wrapped = [(n, _excel_points(c.width)) for n, c in enumerate(columns) if c.style in WRAP_STYLES]

    def _header_height(self, row: int, titles: Sequence[tuple[str, float]]) -> None:
        """A header row high enough for its wrapped titles (a row set to no height does not grow
        when the file is opened)."""
        lines = max((_lines(title, BODY_SIZE, width) for title, width in titles), default=1)
        height = lines * BODY_SIZE * 1.3 + 3
        if lines > 1:
            self.sheet.set_row(row, height)
        self.header_points += max(height, DEFAULT_ROW)

    def _span(self, index: int) -> float:
        """The width (Excel's points) of the category cell that column ``index`` stands under."""
        group = self.columns[index].group
        if not group:
            return _excel_points(self.columns[index].width)
        return sum(_excel_points(c.width) for c in self.columns if c.group == group)

    def _two_header_rows(self) -> None:
        """The category over its types in the first header row, the types in the second; the
        other columns' titles stand in the first row over an open cell below (rows are written
        in order in constant-memory mode, so a title cannot be merged down over both)."""
        formats, columns, sheet = self.formats, self.columns, self.sheet
        starts = {start for start, _end in self.blocks}  # a category is named again on each page
        index = 0
        while index < len(columns):
            column = columns[index]
            end = index
            while (
                column.group
                and end + 1 < len(columns)
                and columns[end + 1].group == column.group
                and end + 1 not in starts
            ):
                end += 1
            if end > index:
                sheet.merge_range(2, index, 2, end, column.group, formats["header"])
            else:
                sheet.write_string(2, index, column.group or column.title, formats["header_top"])
            index = end + 1
        for index, column in enumerate(columns):
            if column.group:
                sheet.write_string(3, index, column.title, formats["header"])
            else:
                sheet.write_blank(3, index, None, formats["header_bottom"])

    @property
    def width(self) -> float:
        """The printed width of the columns, in points at 100 %."""
        return _points(c.width for c in self.columns)

    def _blocks(self, keep: int) -> list[tuple[int, int]]:
        """The columns after the first ``keep`` in blocks (first, last) that each fit a page at
        ``plan.scale`` beside the ``keep`` columns repeated on it."""
        room = _printable(self.plan.landscape)[0] * 100 / (self.plan.scale or 100)
        room -= _points(c.width for c in self.columns[:keep])
        rest = self.columns[keep:]
        # As many pages as it takes, the columns shared out evenly: no last page of one column
        # under a title that cannot fit over it.
        pages = max(1, math.ceil(_points(c.width for c in rest) / room))
        while True:
            share = _points(c.width for c in rest) / pages
            blocks: list[tuple[int, int]] = []
            start, used = keep, 0.0
            for index in range(keep, len(self.columns)):
                width = _points([self.columns[index].width])
                if index > start and (used + width > room or (used >= share and len(blocks) < pages - 1)):
                    blocks.append((start, index - 1))
                    start, used = index, 0.0
                used += width
            blocks.append((start, len(self.columns) - 1))
            if len(blocks) <= pages or pages >= len(rest):
                return blocks
            pages += 1

    def note(self, row: int, text: str, style: str = "note") -> None:
        """A line under the table at ``row`` (what the verdicts rest on), wrapped across the
        table's width with a height that fits it, so it never runs past the page's edge."""
        size = self.formats[style].font_size
        start, end = self.blocks[0]  # across pages: under the first block, beside the repeated columns
        width = sum(_excel_points(c.width) for c in self.columns[start : end + 1])
        height = _lines(text, size, width) * size * 1.45 + 4
        self.sheet.set_row(row, height)
        self.notes[row] = height
        if end > start:
            self.sheet.merge_range(row, start, row, end, text, self.formats[style])
        else:
            self.sheet.write_string(row, start, text, self.formats[style])

    def finish(self) -> None:
        """A sheet whose table and notes would spill a little onto a second page is shrunk to
        one page, as far as ``FIT_SCALE`` allows: no page of a lone note under an empty header.
        The heights are those set for Excel's narrower columns, an upper bound for LibreOffice."""
        if self.plan.scale is not None:
            return
        last = max([self.row - 1, *self.notes])
        gaps = sum(DEFAULT_ROW for row in range(self.row, last + 1) if row not in self.notes)
        high = self.header_points + self.body_points + sum(self.notes.values()) + gaps
        wide, room = _printable(self.plan.landscape)
        if high > room and min(1.0, wide / self.width, room / high) >= FIT_SCALE:
            self.sheet.fit_to_pages(1, 1)

    def _writer(self, style: str) -> Callable[[int, int, Any], None]:
        """The write call for a column's kind, chosen once (a year is 14 million cells)."""
        fmt = self.formats[style]
        sheet = self.sheet
        if style in NUMBER_STYLES:
            return lambda row, col, value: sheet.write_number(row, col, value, fmt)
        if style == "count":  # 附表4: a number, or — where it does not apply
            dash = self.formats["center"]
            return lambda row, col, value: (
                sheet.write_string(row, col, value, dash)
                if isinstance(value, str)
                else sheet.write_number(row, col, value, fmt)
            )
        if style in TIME_STYLES:
            return lambda row, col, value: sheet.write_datetime(row, col, value, fmt)
        if style == "code":  # 窗口编号: 12 a number (no "number stored as text"), A03 and 007 text
            return lambda row, col, value: (
                sheet.write_number(row, col, int(value), fmt)
                if CODE_NUMBER.fullmatch(value)
                else sheet.write_string(row, col, shown(value), fmt)
            )
        if style == "maybe_number":
            return lambda row, col, value: (
                sheet.write_blank(row, col, None, fmt) if value is None else sheet.write_number(row, col, value, fmt)
            )

        def text(row: int, col: int, value: Any) -> None:
            if value:
                # "=SUM(…)" in a note stays text; a control or a bidi override in it is written
                # out (\u202e) as on the screen, never reversing what the printed appendix says
                sheet.write_string(row, col, shown(value, keep="\n"), fmt)
            else:
                sheet.write_blank(row, col, None, fmt)

        return text

    @property
    def rows(self) -> int:
        """Data rows written so far."""
        return self.row - self.header_rows

    def append(self, values: Sequence[Any]) -> None:
        row = self.row
        lines = max((_cell_lines(values[n], width) for n, width in self._wrapped), default=1)
        if lines > 1:
            height = lines * BODY_SIZE * 1.3 + 3
            self.sheet.set_row(row, height)
            self.body_points += height
        else:
            self.body_points += DEFAULT_ROW
        for col, write in enumerate(self._writers):
            write(row, col, values[col])
        self.row += 1


def appendix_sheets(report: PeriodReport) -> list[str]:
    """The appendix sheets the workbook of ``report`` holds, in order, by their names (the
    notice's 附件 list names them). A sheet added to the workbook is added here too, but for
    ``CHART_SHEET``: 附表2's chart, named with it."""
    from patrol.reports.services_sheet import SERVICES_SHEET, has_services_sheet

    sheets = [DETAIL, WINDOWS]
    if report.ranking.units:  # _unit_sheet writes nothing without units
        sheets.append(UNITS)
    sheets += [STAFF, ATTENDANCE_SHEET, CORRECTIONS]
    if has_services_sheet(report):  # services_sheet writes nothing without the period's figures
        sheets.append(SERVICES_SHEET)
    return sheets


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
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "tmpdir": str(path.parent),
        },
    )
    formats = {name: book.add_format(spec) for name, spec in _FORMATS.items()}
    hall, label = report.hall.name, report.period.label
    first, last = report.period.first, report.period.last
    subtitle = (
        f"统计周期：{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
        f"　　制表日期：{report.made_on.year}年{report.made_on.month}月{report.made_on.day}日"
    )

    mark = f"（{UNVERIFIED}）" if report.unverified else ""
    tables: list[_TableSheet] = []

    def sheet(name: str, columns: Sequence[Column], keep: int = 1) -> _TableSheet:
        table_name = name.split(" ", 1)[1].split("(")[0]
        tables.append(_TableSheet(book, formats, name, f"{hall}{label}{table_name}{mark}", subtitle, columns, keep))
        return tables[-1]

    try:
        _detail_sheets(report, sheet, progress, on_finding)
        _window_sheet(book, report, sheet)
        _unit_sheet(report, sheet)
        _staff_sheet(report, sheet)
        _attendance_sheet(report, sheet)
        _corrections_sheet(report, sheet)
        from patrol.reports.services_sheet import services_sheet  # it builds on this module's sheets

        services_sheet(report, sheet)
        paragraphs = list(notice())
        if report.unverified:
            paragraphs.insert(0, f"【{UNVERIFIED}】{report.unverified}")
        _notice_sheet(book, formats, paragraphs)
        for table in tables:
            table.finish()
        if report.unverified:
            for each in book.worksheets():  # printed on every page too
                each.set_header(f"&C{UNVERIFIED}")
    finally:
        book.close()


def _detail_sheets(
    report: PeriodReport,
    sheet: Callable[..., _TableSheet],
    progress: Progress | None,
    on_finding: Callable[[FindingView], None] | None,
) -> None:
    windows = report.windows
    columns = [
        Column("序号", max(4, len(str(report.finding_count)) + 2), "number"),
        Column("记录号", 10, "center"),
        Column("日期", 11, "date"),
        Column("时间", 6, "time"),
        Column("窗口编号", content_width((w.code for w in windows), "编号", 10), "code"),
        Column("窗口", content_width((w.name for w in windows), "窗口", 12), "wrap"),
        Column("单位", content_width((w.unit for w in windows), "单位", 12), "wrap"),
        Column("姓名", content_width((s.name for s in report.staff), "替岗人员", 10), "wrap"),
        Column("巡查项", content_width((i.name for i in report.rules.items), "巡查项", 10), "wrap"),
        Column("类别", 6, "wrap_center"),  # 作风纪律 over two lines
        Column("分值", 6, "points"),  # points × count: what the finding adds to a score
        Column("次数", 5, "number"),  # 压缩办理时限 ×28: one row, 28 times
        Column("分钟", 5, "maybe_number"),  # 无人在岗 15 分钟 (empty where the item has none)
        Column("备注", 10, "wrap"),
        Column("督查员", 6, "wrap"),
    ]
    unit_of = {w.code: w.unit for w in windows}
    current = sheet(DETAIL, columns, 2)
    part = 1
    for number, f in enumerate(report.findings(), start=1):
        if on_finding is not None:
            on_finding(f)
        if current.rows == MAX_SHEET_ROWS - HEADER_ROWS:
            part += 1
            current = sheet(f"{DETAIL}({part})", columns, 2)
        local = f.at.replace(tzinfo=None)  # the hall's local time, as the sheet shows it
        current.append(
            [
                number,
                f.ref,
                local.date(),
                local.time().replace(second=0, microsecond=0),
                f.window_code,
                f.window_name,
                unit_of.get(f.window_code, ""),
                f.person,
                f.type_name,
                f.category,
                f.total_points,
                f.count,
                f.minutes,
                f.note,
                f.inspector,
            ]
        )
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, report.finding_count)
    if progress is not None:
        progress(report.finding_count, report.finding_count)
    # So a printed appendix can later be checked against the database (patrol verify --against).
    if report.unverified:
        lines = [f"{UNVERIFIED}：{report.unverified}本附表不能作为日后核对数据库的依据。"]
    else:
        lines = footer_lines(report.heads or {}) if report.heads is not None else []
    for offset, line in enumerate(lines, start=1):
        current.note(current.row + offset, line)


def _window_sheet(book: Any, report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    from patrol.reports.services_sheet import weight_cells, weight_columns, weight_note  # service figures weighed in

    rows = report.ranking.windows
    columns = [
        Column("排名", 5, "number"),
        Column("并列", content_width((tied_text(r.tied, "window") for r in rows), "并列", 10), "wrap_center"),
        Column("窗口编号", content_width((r.window_code for r in rows), "编号", 10), "code"),
        Column("窗口", content_width((r.window_name for r in rows), "窗口", 18), "wrap"),
        Column("单位", content_width((r.unit for r in rows), "单位", 18), "wrap"),
        *_score_columns(content_width((r.mark for r in rows), "评定", 14)),
        *weight_columns(report),
    ]
    table = sheet(WINDOWS, columns, 4)
    for r in rows:
        cells = [r.rank, tied_text(r.tied, "window"), r.window_code, r.window_name, r.unit, *_score_cells(r)]
        table.append([*cells, *weight_cells(report, r)])
    verdicts = report.verdicts
    _verdict_note(table, report, (verdicts.excellent, verdicts.bottom_windows))
    weight_note(table, report)
    table.window_names = [r.window_name for r in rows]
    head, _name, tail = table.title.rpartition(WINDOWS.split(" ", 1)[1])
    _window_charts(book, table.formats, table, len(rows), f"{head}窗口得分图{tail}")


def _window_charts(book: Any, formats: dict[str, Any], table: _TableSheet, count: int, title: str) -> None:
    """附表2's scores as bars on a sheet of its own right after it (``CHART_SHEET``): no table
    header repeated over them, as a chart under the table would get. Every window labelled
    (a long name cut with …), first-ranked at the top, the value axis from 0 so that a point's
    difference looks like one; each chart on a page of its own, past ``BARS_PER_CHART`` windows
    the next on the next page."""
    if not count:
        return
    sheet = book.add_worksheet(CHART_SHEET)
    plan = PagePlan(landscape=False, scale=None)
    wide, high = _printable(plan.landscape)
    width = int((wide - 3) / 7.25) - 1  # one column as wide as the page where LibreOffice draws it widest
    sheet.set_column(0, 0, width)
    sheet.set_column(1, 1, 30)  # the labels the charts read (outside the print area)
    _print_setup(sheet, plan)
    sheet.repeat_rows(0, 1)  # the title and the period over each chart, no table header
    sheet.set_row(0, TITLE_HEIGHT)
    sheet.write_string(0, 0, title, formats["title"])
    sheet.write_string(1, 0, table.subtitle, formats["subtitle"])
    # The window names as the chart labels them, read from the sheet (in row order: constant memory).
    sheet.write_string(2, 1, "图中窗口名称", formats["subtitle_left"])
    for n, name in enumerate(table.window_names):
        sheet.write_string(HEADER_ROWS + n, 1, _label(name), formats["subtitle_left"])
    width_px = 7 * width + 5 - 4  # anchored to the cells, which LibreOffice draws wider than Excel
    room_px = int((high - TITLE_HEIGHT - DEFAULT_ROW - 30) / 0.75)
    per_chart = max(5, min(BARS_PER_CHART, (room_px - CHART_FRAME) // BAR_HEIGHT))
    row = 2
    breaks = []
    charts = math.ceil(count / per_chart)
    for first in range(0, count, per_chart):
        last = min(count, first + per_chart) - 1
        chart = book.add_chart({"type": "bar"})  # horizontal bars: window names read along the axis
        top, bottom = HEADER_ROWS + first, HEADER_ROWS + last
        chart.add_series(
            {
                "name": "得分",
                "values": [WINDOWS, top, WINDOW_SCORE_COLUMN, bottom, WINDOW_SCORE_COLUMN],
                "categories": [CHART_SHEET, top, 1, bottom, 1],
                "data_labels": {"value": True, "num_format": "0.0", "font": {"size": 10}},
                "gap": 60,
            }
        )
        part = f"（{first // per_chart + 1}/{charts}）" if charts > 1 else ""
        chart.set_title({"name": f"窗口得分{part}", "name_font": {"size": 12, "bold": True}})
        chart.set_legend({"none": True})
        # The value axis starts at 0: 98 against 100 is a small difference, and looks it.
        chart.set_x_axis({"min": 0, "num_format": "0", "num_font": {"size": 10}})
        # First-ranked at the top, as in the table; every window's name, none skipped.
        chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 10}})
        height_px = min(room_px, CHART_FRAME + BAR_HEIGHT * (last - first + 1))
        chart.set_size({"width": width_px, "height": height_px})
        if first:
            breaks.append(row)
        sheet.insert_chart(row, 0, chart, {"object_position": 3, "y_offset": 8})
        # Rows the chart covers, so the sheet's print area reaches its foot.
        row += math.ceil(height_px * 0.75 / 15) + 2  # default rows are 15 points high
    if breaks:
        sheet.set_h_pagebreaks(breaks)
    sheet.print_area(0, 0, row, 0)  # down to the last chart's foot, without the labels beside


def _label(name: str) -> str:
    """A window's name as the chart labels it: cut with … past ``LABEL_CELLS`` (an 80-character
    name would push the bars out of the frame)."""
    if cell_len(name) <= LABEL_CELLS:
        return name
    out = ""
    for char in name:
        if cell_len(out + char) > LABEL_CELLS - 2:
            break
        out += char
    return out + "…"


def _unit_sheet(report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    """The units ranked (``patrol.rules.scoring.rank_units``): each counts its own people wherever
    they sat and its windows' own findings; 优质服务窗口单位 in the 评定 column."""
    rows = report.ranking.units
    if not rows:
        return
    people: dict[str, int] = {}
    for person in report.ranking.staff:
        people[person.unit] = people.get(person.unit, 0) + 1
    codes: dict[str, list[str]] = {}
    for window in report.ranking.windows:
        codes.setdefault(window.unit, []).append(window.window_code)
    columns = [
        Column("排名", 5, "number"),
        Column("并列", content_width((tied_text(r.tied, "window") for r in rows), "并列", 10), "wrap_center"),
        Column("单位", content_width((r.name for r in rows), "单位", 20), "wrap"),
        Column("人数", 5, "number"),
        Column("窗口编号", content_width(("、".join(codes.get(r.id, [])) for r in rows), "窗口编号", 16), "wrap"),
        *_score_columns(content_width((r.mark for r in rows), "评定", 18)),  # 优质服务窗口单位
    ]
    table = sheet(UNITS, columns, 3)
    for r in rows:
        codes_text = "、".join(codes.get(r.id, []))
        table.append([r.rank, tied_text(r.tied, "window"), r.name, people.get(r.id, 0), codes_text, *_score_cells(r)])
    _verdict_note(table, report, (report.verdicts.top_units,))


def _score_columns(mark_width: int) -> list[Column]:
    """The columns a window's and a unit's ranking end with: deductions, bonuses, score, 评定."""
    return [
        Column("扣分项次", 6, "number"),
        Column("扣分", 6, "points"),
        Column("加分项次", 6, "number"),
        Column("加分", 6, "points"),
        Column("得分", 7, "points"),
        Column("评定", mark_width, "center"),
    ]


def _score_cells(row: Standing) -> list[Any]:
    """The cells of ``_score_columns`` for one ranked window or unit."""
    return [row.deduction_findings, row.deductions, row.bonus_findings, row.bonuses, row.score, row.mark]


def _verdict_note(table: _TableSheet, report: PeriodReport, awards: Sequence[Award]) -> None:
    """One line under a ranking: what the verdicts are and how they were drawn, so a printed
    appendix explains its own 评定 column."""
    if not report.verdicts.has_records:
        text = "评定：本期无巡查记录，不评定。"
    else:
        text = "评定：" + "；".join(summary(a, report.settings) for a in awards) + "。"
        decided = next((a.decided_words() for a in awards if a.decided_by), "")
        if not decided and report.settings.tie_break:
            decided = "得分相同者按" + "、再按".join(TIE_BREAKS[t] for t in report.settings.tie_break) + "排定名次"
        text += "名次按得分排定，得分相同者并列、并列者一并评定。" if not decided else f"名次按得分排定，{decided}。"
    table.note(table.row + 1, text)


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
    """Everyone ranked, with a column for each finding type that occurred in the period (none
    for the types nobody was found for), grouped under their category in a second header row."""
    by_staff = _counts_by_staff(report)
    occurred = {type_id for counts in by_staff.values() for type_id in counts}
    order = {category: n for n, category in enumerate(CATEGORIES)}
    items = sorted(
        (i for i in report.rules.items if i.id in occurred),
        key=lambda i: order.get(i.category, len(order)),  # stable: the rules' order within a category
    )
    rows = report.ranking.staff
    columns = [
        Column("排名", 4, "number"),
        # Narrow: 附表3 is the widest table; "10人并列" takes two lines.
        Column("并列", content_width((tied_text(r.tied) for r in rows), "并列", 6), "wrap_center"),
        Column("姓名", content_width((r.name for r in rows), "姓名", 10)),
        Column("窗口", content_width((r.window_name for r in rows), "窗口", 10), "wrap"),
        # A type's name stands a character a line in its header: the counts are short.
        *(Column(i.name, 3, "tally", group=i.category) for i in items),
        Column("扣分", 5, "points"),
        Column("加分", 5, "points"),
        Column("得分", 6, "points"),
        Column("评定", content_width((r.mark for r in rows), "评定", 8), "wrap_center"),
    ]
    table = sheet(STAFF, columns, 4)
    for r in rows:
        counts = by_staff.get(r.id, {})
        table.append(
            [
                r.rank,
                tied_text(r.tied),
                r.name,
                r.window_name,
                *(counts.get(i.id, 0) for i in items),
                r.deductions,
                r.bonuses,
                r.score,
                r.mark,
            ]
        )
    verdicts = report.verdicts
    _verdict_note(table, report, (verdicts.models, verdicts.bottom_staff))


def _attendance_sheet(report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    """Everyone who counts in the period (where they sat then) with their days due and present,
    lateness (times and minutes), 早退, 缺卡, leave days, 脱岗, 串岗 and 满勤 as the verdicts judged
    it (是, 否, or — when it was not judged); then a row per window for its substitutes."""
    summary = report.attendance
    people = report.in_window_order(report.ranking.staff)
    substitutes = list(summary.substitutes.values()) if summary else []
    window_names = {w.id: w.name for w in report.windows}
    columns = [
        Column("窗口", content_width([*(r.window_name for r in people), *window_names.values()], "窗口", 18), "wrap"),
        Column("姓名", content_width((r.name for r in people), "替岗人员", 10)),
        Column("应出勤天数", 8, "count"),
        Column("实际出勤天数", 8, "count"),
        Column("迟到（次）", 7, "number"),
        Column("迟到（分钟）", 8, "number"),
        Column("早退", 6, "number"),
        Column("缺卡", 6, "number"),
        Column("请假（天）", 7, "count"),
        Column("脱岗", 6, "number"),
        Column("串岗", 6, "number"),
        Column("满勤", 6, "center"),
    ]
    table = sheet(ATTENDANCE_SHEET, columns, 2)
    verdicts = report.verdicts
    judged = verdicts.full_attendance is not None
    for person in people:
        line = summary.line(person.id) if summary else None
        if line is None:
            line = AttendanceLine("", person.name, person.id)
        table.append(
            [
                person.window_name,
                person.name,
                _days(line.due),
                _days(line.present),
                line.late,
                line.minutes,
                line.early,
                line.noclock,
                _days(line.leave),
                line.absent,
                line.roam,
                ("是" if person.full_attendance else "否") if judged else NOT_JUDGED,
            ]
        )
    position = {w.id: w.position for w in report.windows}
    for line in sorted(substitutes, key=lambda s: (position.get(s.window_id, 0), s.window_id)):
        name = window_names.get(line.window_id, "?")
        table.append(
            [
                name,
                SUBSTITUTE,
                NOT_JUDGED,
                NOT_JUDGED,
                line.late,
                line.minutes,
                line.early,
                line.noclock,
                NOT_JUDGED,
                line.absent,
                line.roam,
                NOT_JUDGED,
            ]
        )
    for number, note in enumerate(_attendance_notes(report, judged)):
        table.note(table.row + 1 + number, note)


def _days(value: int | None) -> int | str:
    """A count of days, or — where it does not apply (a substitutes' row)."""
    return NOT_JUDGED if value is None else value


def _attendance_notes(report: PeriodReport, judged: bool) -> list[str]:
    """What 附表4 is based on, printed under it: 满勤's basis, and how 实际出勤天数 was counted."""
    verdicts, summary = report.verdicts, report.attendance
    if not judged:
        why = "本期无巡查记录" if report.settings.attendance_basis == "patrol" else "本期无打卡记录"
        notes = [f"满勤：{why}，未评定（“—”）。"]
    elif verdicts.attendance_basis == "patrol":
        notes = ["满勤：大厅未使用考勤机，仅依据巡查记录认定（巡查中未发现迟到、早退、脱岗、缺卡、请假）。"]
    else:
        notes = [
            "满勤：依据打卡记录和巡查记录认定（每个工作日按时上下班打卡，无迟到、早退、缺卡、请假，"
            "巡查中未发现迟到、早退、脱岗）。"
        ]
    if summary is not None and summary.from_punches:
        notes.append("实际出勤天数：应出勤的工作日中有打卡记录的天数。")
    else:
        notes.append("实际出勤天数：本期无打卡天数可依，按应出勤天数减去请假、脱岗天数计算。")
    notes.append("迟到、早退按天计（同一天巡查与打卡均记迟到的，计一次）；替岗人员一行计入所在窗口。")
    return notes


def _corrections_sheet(report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    """What was changed, from what to what, why, by whom and when."""
    rows = report.corrections
    columns = [
        Column("序号", 5, "number"),
        Column("更正时间", 17, "datetime"),
        Column("原记录时间", 17, "datetime"),
        Column("窗口", content_width((c.before.window_name for c in rows), "窗口", 16), "wrap"),
        Column("人员", content_width((c.before.person for c in rows), "替岗人员", 10)),
        Column("原巡查项", content_width((c.before.type_name for c in rows), "原巡查项", 14), "wrap"),
        Column("更正内容", content_width((correction_change(c) for c in rows), "更正内容", 30), "wrap"),
        Column("原因", content_width((c.reason for c in rows), "原因", 24), "wrap"),
        Column("更正人", 8, "wrap"),
    ]
    table = sheet(CORRECTIONS, columns)
    for number, c in enumerate(rows, start=1):
        table.append(
            [
                number,
                _minute(c.at),
                _minute(c.before.at),
                c.before.window_name,
                c.before.person,
                c.before.type_name,
                correction_change(c),
                c.reason,
                c.inspector,
            ]
        )


def _minute(at: datetime) -> datetime:
    """A time as the sheet shows it: the hall's local time to the minute, without a zone."""
    return at.replace(tzinfo=None, second=0, microsecond=0)


def _notice_sheet(book: Any, formats: dict[str, Any], notice: Sequence[str]) -> None:
    """The draft notice wrapped in one column as wide as a portrait page, a paragraph a row; a
    long paragraph continues in the rows below, cut after a sentence (``_chunks``), and a heading
    ("2、巡查情况") shares the row of what follows it, so a page never ends with it."""
    sheet = book.add_worksheet(NOTICE)
    plan = PagePlan(landscape=False, scale=100)
    wide, _high = _printable(plan.landscape)
    # As wide as the page where LibreOffice draws it widest (``_points``), which does not shrink
    # a sheet of one wrapped column to the page; Excel and WPS print it a little narrower.
    width = int((wide - 3) / 7.25) - 1
    sheet.set_column(0, 0, width)
    _print_setup(sheet, plan)
    fmt = formats["paragraph"]
    rows: list[str] = []
    heading = ""
    for paragraph in notice:
        if HEADING.fullmatch(paragraph):
            heading += paragraph + "\n"
            continue
        chunks = _chunks(paragraph)
        rows += [heading + chunks[0], *chunks[1:]]
        heading = ""
    if heading:
        rows.append(heading.rstrip("\n"))
    for row, text in enumerate(rows):
        # Lines as Excel wraps them, the narrowest: a row never cuts its last line off. Rows
        # are short (``NOTICE_CHUNK``): LibreOffice wraps fewer lines into a row set for Excel,
        # and a shorter row leaves less of a page blank when it moves on to the next one.
        lines = _lines(text, NOTICE_SIZE, _excel_points(width))
        sheet.set_row(row, lines * NOTICE_SIZE * 1.5 + 6)
        sheet.write_string(row, 0, text, fmt)


def _chunks(paragraph: str, limit: int = NOTICE_CHUNK) -> list[str]:
    """``paragraph`` in pieces of at most ``limit`` characters, each ending with a sentence (。；)
    where one ends in reach, else a clause (，), else an item of a list (、)."""
    out = []
    rest = paragraph
    while len(rest) > limit:
        cut = max(rest.rfind(mark, 0, limit) for mark in "。；")
        for marks in ("，", "、"):  # else a clause, before a name in a list ("叶青、吕方")
            if cut < limit // 3:
                cut = max(cut, *(rest.rfind(mark, 0, limit) for mark in marks))
        cut = cut + 1 if cut > 0 else limit
        out.append(rest[:cut])
        rest = rest[cut:]
    return [*out, rest] if rest else out
