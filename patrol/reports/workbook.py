"""The patrol appendix (附表) as an .xlsx workbook, ready to print on the first try.

Written with xlsxwriter in constant-memory mode: rows stream to disk, so a year of a city
(1.2 million findings) fits in bounded memory. openpyxl, which the project started with, was
measured first and could not meet the budgets (100,000 findings: 26 s; plain write-only rows
alone 9.9 s; see the README). A longer 附表1 continues on further sheets. Every string is
written as a string, never as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from patrol.hall.views import SUBSTITUTE, FindingView
from patrol.reports.anchor import footer_lines
from patrol.reports.attendance_summary import AttendanceLine
from patrol.reports.formatting import tied_text
from patrol.reports.period_report import PeriodReport
from patrol.reports.verdict_text import summary
from patrol.reports.wording import correction_change
from patrol.rules.scoring import Standing
from patrol.rules.settings import TIE_BREAKS
from patrol.rules.verdicts import Award
from patrol.text import shown

MAX_SHEET_ROWS = 1_048_576  # Excel's limit
HEADER_ROWS = 3  # title, period line, column header
PROGRESS_EVERY = 5000
DETAIL = "附表1 巡查明细"
WINDOWS = "附表2 窗口量化考评"
UNITS = "附表2-1 单位考评"  # after 附表2, only when the hall's windows name units
STAFF = "附表3 人员考核排名"
ATTENDANCE_SHEET = "附表4 考勤汇总"
CORRECTIONS = "附表5 更正记录"
NOTICE = "通报草稿"
NOT_JUDGED = "—"  # 附表4: 满勤 not judged, or days that do not apply to a window's substitutes
FOOTER = "&C第 &P 页，共 &N 页"
WINDOW_NAME_COLUMN = 3  # 附表2's 窗口 and 得分 columns, which the chart reads
WINDOW_SCORE_COLUMN = 9
NUMBER_STYLES = frozenset({"number", "points"})
UNVERIFIED = "未通过校验"  # on every sheet of an appendix written from a database that failed verify
TIME_STYLES = frozenset({"date", "time"})

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
    "subtitle": {"font_name": "宋体", "font_size": 10, "align": "center"},
    "subtitle_left": {"font_name": "宋体", "font_size": 9, **_TEXT},
    "header": {**_BODY, "bold": True, "align": "center", "text_wrap": True, **_TEXT},
    "body": {**_BODY, **_TEXT},
    "center": {**_BODY, "align": "center", **_TEXT},
    "number": {**_BODY, "align": "center", "num_format": "0"},
    "count": {**_BODY, "align": "center", "num_format": "0"},
    "maybe_number": {**_BODY, "align": "center", "num_format": "0"},  # a number, or blank
    "points": {**_BODY, "align": "right", "num_format": "0.0"},
    "rate": {**_BODY, "align": "center", "num_format": "0.00%"},  # 审批业务统计表's shares
    "date": {**_BODY, "align": "center", "num_format": "yyyy-mm-dd"},
    "time": {**_BODY, "align": "center", "num_format": "hh:mm"},
    "paragraph": {"font_name": "仿宋", "font_size": 14, "text_wrap": True, "valign": "top", **_TEXT},
}


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: its title, width in cells and the format of its body."""

    title: str
    width: int
    style: str = "body"


def _width(texts: Iterable[str], title: str, cap: int = 40) -> int:
    """A width that fits Chinese text (two cells a character) in a column."""
    return min(cap, max([cell_len(title), *(cell_len(t) for t in texts)]) + 2)


def _print_setup(sheet: Any, landscape: bool) -> None:
    """A4, one page wide, as many pages long as it takes, page numbers in the footer."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer(FOOTER)


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
        landscape: bool,
    ) -> None:
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.columns = columns
        last = len(columns) - 1
        for index, column in enumerate(columns):
            self.sheet.set_column(index, index, column.width)
        _print_setup(self.sheet, landscape)
        self.sheet.center_horizontally()
        self.sheet.repeat_rows(0, HEADER_ROWS - 1)
        self.sheet.freeze_panes(HEADER_ROWS, 0)
        self.sheet.set_row(0, 30)
        self.sheet.merge_range(0, 0, 0, last, title, formats["title"])
        self.sheet.merge_range(1, 0, 1, last, subtitle, formats["subtitle"])
        for index, column in enumerate(columns):
            self.sheet.write_string(2, index, column.title, formats["header"])
        self.row = HEADER_ROWS  # the next row to write
        self._writers = [self._writer(c.style) for c in columns]

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
        return self.row - HEADER_ROWS

    def append(self, values: Sequence[Any]) -> None:
        row = self.row
        for col, write in enumerate(self._writers):
            write(row, col, values[col])
        self.row += 1


def appendix_sheets(report: PeriodReport) -> list[str]:
    """The appendix sheets the workbook of ``report`` holds, in order, by their names (the
    notice's 附件 list names them). A sheet added to the workbook is added here too."""
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

    def sheet(name: str, columns: Sequence[Column], landscape: bool) -> _TableSheet:
        table_name = name.split(" ", 1)[1].split("(")[0]
        return _TableSheet(book, formats, name, f"{hall}{label}{table_name}{mark}", subtitle, columns, landscape)

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
        Column("序号", 8, "number"),
        Column("记录号", 11, "center"),
        Column("日期", 12, "date"),
        Column("时间", 7, "time"),
        Column("窗口编号", 10, "center"),
        Column("窗口", _width((w.name for w in windows), "窗口", 24)),
        Column("单位", _width((w.unit for w in windows), "单位", 28)),
        Column("姓名", _width((s.name for s in report.staff), "替岗人员", 12)),
        Column("巡查项", _width((i.name for i in report.rules.items), "巡查项", 18)),
        Column("类别", 10, "center"),
        Column("分值", 7, "points"),  # points × count: what the finding adds to a score
        Column("次数", 6, "number"),  # 压缩办理时限 ×28: one row, 28 times
        Column("分钟", 6, "maybe_number"),  # 无人在岗 15 分钟 (empty where the item has none)
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
        current.sheet.write_string(current.row + offset, 0, line, current.formats["subtitle_left"])


def _window_sheet(book: Any, report: PeriodReport, sheet: Callable[..., _TableSheet]) -> None:
    from patrol.reports.services_sheet import weight_cells, weight_columns, weight_note  # service figures weighed in

    rows = report.ranking.windows
    columns = [
        Column("排名", 6, "number"),
        Column("并列", 9, "center"),
        Column("窗口编号", 10, "center"),
        Column("窗口", _width((r.window_name for r in rows), "窗口", 24)),
        Column("单位", _width((r.unit for r in rows), "单位", 28)),
        *_score_columns(mark_width=10),
        *weight_columns(report),
    ]
    table = sheet(WINDOWS, columns, True)
    for r in rows:
        cells = [r.rank, tied_text(r.tied, "window"), r.window_code, r.window_name, r.unit, *_score_cells(r)]
        table.append([*cells, *weight_cells(report, r)])
    verdicts = report.verdicts
    _verdict_note(table, report, (verdicts.excellent, verdicts.bottom_windows))
    weight_note(table, report)
    if rows:
        chart = book.add_chart({"type": "bar"})  # horizontal bars: window names read along the axis
        first, last = HEADER_ROWS, HEADER_ROWS + len(rows) - 1
        score, name = WINDOW_SCORE_COLUMN, WINDOW_NAME_COLUMN
        chart.add_series(
            {
                "name": "得分",
                "values": [WINDOWS, first, score, last, score],
                "categories": [WINDOWS, first, name, last, name],
            }
        )
        chart.set_title({"name": "窗口得分"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})  # first-ranked at the top, as in the table
        chart.set_size({"width": 480, "height": max(300, 20 * len(rows))})
        table.sheet.insert_chart(HEADER_ROWS, len(columns) + 1, chart)


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
        Column("排名", 6, "number"),
        Column("并列", 9, "center"),
        Column("单位", _width((r.name for r in rows), "单位", 28)),
        Column("人数", 6, "number"),
        Column("窗口编号", _width(("、".join(codes.get(r.id, [])) for r in rows), "窗口编号", 24)),
        *_score_columns(mark_width=18),  # 优质服务窗口单位
    ]
    table = sheet(UNITS, columns, True)
    for r in rows:
        codes_text = "、".join(codes.get(r.id, []))
        table.append([r.rank, tied_text(r.tied, "window"), r.name, people.get(r.id, 0), codes_text, *_score_cells(r)])
    _verdict_note(table, report, (report.verdicts.top_units,))


def _score_columns(mark_width: int) -> list[Column]:
    """The columns a window's and a unit's ranking end with: deductions, bonuses, score, 评定."""
    return [
        Column("扣分项次", 10, "number"),
        Column("扣分", 8, "points"),
        Column("加分项次", 10, "number"),
        Column("加分", 8, "points"),
        Column("得分", 8, "points"),
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
    table.sheet.write_string(table.row + 1, 0, text, table.formats["subtitle_left"])


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
        Column("并列", 9, "center"),
        Column("姓名", _width((r.name for r in rows), "姓名", 12)),
        Column("窗口", _width((r.window_name for r in rows), "窗口", 24)),
        *(Column(i.name, max(6, cell_len(i.name) + 2), "number") for i in items),
        Column("扣分", 8, "points"),
        Column("加分", 8, "points"),
        Column("得分", 8, "points"),
        Column("评定", 10, "center"),
    ]
    table = sheet(STAFF, columns, len(columns) > 10)
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
        Column("窗口", _width([*(r.window_name for r in people), *window_names.values()], "窗口", 24)),
        Column("姓名", _width((r.name for r in people), "替岗人员", 12)),
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
    table = sheet(ATTENDANCE_SHEET, columns, True)
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
        table.sheet.write_string(table.row + 1 + number, 0, note, table.formats["subtitle_left"])


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
        Column("序号", 6, "number"),
        Column("更正时间", 17, "center"),
        Column("原记录时间", 17, "center"),
        Column("窗口", _width((c.before.window_name for c in rows), "窗口", 24)),
        Column("人员", _width((c.before.person for c in rows), "替岗人员", 12)),
        Column("原巡查项", _width((c.before.type_name for c in rows), "原巡查项", 18)),
        Column("更正内容", _width((correction_change(c) for c in rows), "更正内容", 50)),
        Column("原因", _width((c.reason for c in rows), "原因", 30)),
        Column("更正人", 10),
    ]
    table = sheet(CORRECTIONS, columns, True)
    for number, c in enumerate(rows, start=1):
        table.append(
            [
                number,
                f"{c.at:%Y-%m-%d %H:%M}",
                f"{c.before.at:%Y-%m-%d %H:%M}",
                c.before.window_name,
                c.before.person,
                c.before.type_name,
                correction_change(c),
                c.reason,
                c.inspector,
            ]
        )


def _notice_sheet(book: Any, formats: dict[str, Any], notice: Sequence[str]) -> None:
    sheet = book.add_worksheet(NOTICE)
    sheet.set_column(0, 0, 100)
    _print_setup(sheet, landscape=False)
    for row, paragraph in enumerate(notice):
        sheet.write_string(row, 0, paragraph, formats["paragraph"])
