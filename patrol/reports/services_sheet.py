"""The appendix sheet 审批业务统计表: each window's service figures for the period (受理, 办结,
按时办结 and its rate, 好评, 差评 and the 好评率), the previous period's 受理 and the change, a total
row, and a note saying which months were counted. Written only when the period has figures."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from patrol.reports.columns import Column, content_width
from patrol.reports.period_report import PeriodReport
from patrol.rules.figures import Counts, ServiceFigures, period_months

SERVICES_SHEET = "附表6 审批业务统计表"
RATE_COLUMNS = (5, 8, 10)  # 按时办结率, 好评率, 受理增减: shares, written as numbers in percent


def has_services_sheet(report: PeriodReport) -> bool:
    """Whether the workbook of ``report`` holds the sheet (the notice's 附件 list names it then)."""
    return report.services is not None


def _months_text(months: list[str] | tuple[str, ...]) -> str:
    """2026年10月、11月、12月 — the year again only when it changes."""
    parts, year = [], ""
    for month in months:
        y, m = month.split("-")
        parts.append(f"{y}年{int(m)}月" if y != year else f"{int(m)}月")
        year = y
    return "、".join(parts)


def _cells(counts: Counts | None, previous: Counts | None, change: Fraction | None) -> list[Any]:
    c = counts or Counts()
    return [
        c.received,
        c.completed,
        c.on_time,
        c.on_time_rate,
        c.good,
        c.bad,
        c.good_rate,
        previous.received if previous else None,
        change,
    ]


def _note(figures: ServiceFigures) -> str:
    counted = list(figures.months)
    compared = (
        f"上期受理为{_months_text(figures.compared)}的数据"
        if figures.previous_total is not None
        else "上期无相同月份的办件量数据，不计增减"
    )
    scope = _months_text(counted)
    if not figures.whole:
        # Part of the period: say which part, so the 合计 is not read as the period's.
        missing = [m for m in period_months(figures.period) if m not in counted]
        parts = [f"{_months_text(missing)}无办件量数据"] if missing else []
        if figures.period.first.day != 1 or figures.period.end.day != 1:
            parts.append("办件量按月统计，不足整月的日期不计")
        scope = f"只统计{scope}（{'，'.join(parts)}）"
    else:
        scope = f"统计{scope}"
    return (
        f"说明：办件量据业务系统导出数据导入，{scope}；{compared}。"
        "按时办结率＝按时办结÷办结；好评率＝好评÷（好评＋差评），未统计评价的窗口留空。"
    )


def services_sheet(report: PeriodReport, sheet: Callable[..., Any]) -> None:
    """Write 审批业务统计表 with ``sheet`` (the workbook's table sheet maker); nothing without figures."""
    figures = report.services
    if figures is None:
        return
    rows = figures.windows
    columns = [
        Column("窗口编号", content_width((w.code for w in rows), "编号", 10), "code"),
        Column("窗口名称", content_width((w.label for w in rows), "窗口名称", 20), "wrap"),
        Column("受理", 8, "number"),
        Column("办结", 8, "number"),
        Column("按时办结", 10, "number"),
        Column("按时办结率", 12, "center"),
        Column("好评", 8, "maybe_number"),
        Column("差评", 8, "maybe_number"),
        Column("好评率", 10, "center"),
        Column("上期受理", 10, "maybe_number"),
        Column("受理增减", 10, "center"),
    ]
    table = sheet(SERVICES_SHEET, columns, 2)  # across pages: 窗口编号 and 窗口名称 on each
    # A share is a number in percent (Excel sums and sorts it), blank where there is none.
    rate = table.formats["rate"]

    def append(first: list[Any], values: list[Any]) -> None:
        row = table.row
        shares = {column: values[column - len(first)] for column in RATE_COLUMNS}
        texts = [*first, *values]
        for column in RATE_COLUMNS:
            texts[column] = ""
        table.append(texts)
        for column, share in shares.items():
            if share is not None:
                table.sheet.write_number(row, column, float(share), rate)

    for w in rows:
        append([w.code, w.label], _cells(w.counts, w.previous, w.change))
    append(["合计", ""], _cells(figures.total, figures.previous_total, figures.change))
    table.note(table.row + 1, _note(figures))


# --- 附表2 with service figures weighed in (patrol.rules.weighting) ---------------------------


def weight_columns(report: PeriodReport) -> list[Column]:
    """附表2's columns for the components of a weighted score (none while the hall weighs nothing)."""
    if not report.settings.weighs_services:
        return []
    columns = [Column("其中：巡查得分", 16, "points")]
    if report.settings.on_time_weight:
        columns.append(Column("按时办结率", 12, "center"))
    if report.settings.good_rate_weight:
        columns.append(Column("好评率", 10, "center"))
    return columns


def _share(value: Fraction | None) -> str:
    from patrol.rules.figures import percent

    return "—" if value is None else f"{percent(value)}%"


def weight_cells(report: PeriodReport, row: Any) -> list[Any]:
    """The cells of ``weight_columns`` for one window's row (a share it lacks: —)."""
    if not report.settings.weighs_services:
        return []
    from patrol.rules.scoring import shown

    cells: list[Any] = [shown(row.patrol_score)]
    if report.settings.on_time_weight:
        cells.append(_share(row.on_time_rate))
    if report.settings.good_rate_weight:
        cells.append(_share(row.good_rate))
    return cells


def weight_note(table: Any, report: PeriodReport) -> None:
    """The line under 附表2 that says how a weighted score is made (nothing while none is)."""
    if not report.settings.weighs_services:
        return
    from patrol.rules.weighting import formula

    text = (
        f"计分：{formula(report.settings)}。按时办结率、好评率取本期办件量数据（见{SERVICES_SHEET.split(' ')[0]}），"
        "窗口缺少的一项不计，其余各项按权重比例折算；优秀窗口最低分按巡查得分判断。"
    )
    if report.services is None:
        text += "本期无办件量数据，按巡查得分排名。"
    table.note(table.row + 2, text)
