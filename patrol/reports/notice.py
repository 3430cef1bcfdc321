"""The draft of the monthly notice (通报), written the way published notices are.

Sections appear only when they have something to say. Dates are written as a Chinese notice
writes them: 11月4日、12日、25日 (the month again only when it changes).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from patrol.hall.service import SUBSTITUTE, FindingView
from patrol.model import StaffInfo
from patrol.reports.period_report import PeriodReport
from patrol.rules.items import BONUS
from patrol.rules.scoring import BOTTOM_MARK, TOP_STAFF_MARK, TOP_WINDOW_MARK, Standing

MAX_PARAGRAPH = 30_000  # a spreadsheet cell holds 32,767 characters
PERIOD_WORDS = {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年度", "range": "本期"}


@dataclass(frozen=True)
class _Who:
    window_position: int
    window_label: str
    person: str  # staff name, 替岗人员, or "" for the window itself

    @property
    def text(self) -> str:
        return f"{self.window_label}{self.person}"


def chinese_dates(days: list[date]) -> str:
    """11月4日、12日、25日 — the month is repeated only when it changes."""
    parts = []
    month = None
    for day in sorted(set(days)):
        if (day.year, day.month) != month:
            parts.append(f"{day.month}月{day.day}日")
            month = (day.year, day.month)
        else:
            parts.append(f"{day.day}日")
    return "、".join(parts)


def _split(text: str, limit: int = MAX_PARAGRAPH) -> list[str]:
    """Long paragraphs are cut at a clause mark so each fits one spreadsheet cell."""
    out = []
    while len(text) > limit:
        cut = max(text.rfind("，", 0, limit), text.rfind("；", 0, limit), text.rfind("、", 0, limit))
        cut = cut + 1 if cut > 0 else limit
        out.append(text[:cut])
        text = text[cut:]
    return [*out, text] if text else out


class NoticeFindings:
    """What the notice needs of each finding, collected as they stream past (the export reads
    a period's findings once, for 附表1 and the notice together)."""

    def __init__(self, report: PeriodReport) -> None:
        self._rules = report.rules
        self._by_code = {w.code: w for w in report.windows}
        # Deductions by finding type, then window and person, with their days.
        self.by_type: dict[str, dict[_Who, list[date]]] = defaultdict(lambda: defaultdict(list))
        self.bonus_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, finding: FindingView) -> None:
        """Take one finding into account."""
        window = self._by_code.get(finding.window_code)
        position = window.position if window else 0
        label = window.label if window else finding.window_name
        if finding.points < 0:
            who = _Who(position, label, finding.person or "")
            self.by_type[finding.type_name][who].append(finding.at.date())
            return
        item = self._rules.find(finding.type_name)
        if finding.points > 0 or (item is not None and item.category == BONUS):
            self.bonus_counts[label][finding.type_name] += 1


def draft_notice(report: PeriodReport, seen: NoticeFindings | None = None) -> list[str]:
    """The notice as paragraphs, title first (reading the findings unless ``seen`` has them)."""
    word = PERIOD_WORDS[report.period.kind]
    windows = report.window_by_id
    rules = report.rules
    hall = report.hall.name
    deductions = sum(r.deduction_findings for r in report.ranking.windows)
    bonuses = sum(r.bonus_findings for r in report.ranking.windows)
    first, last = report.period.first, report.period.last
    paragraphs = [
        f"关于{hall}{report.period.label}窗口工作人员巡查考核情况的通报",
        f"{report.period.label}（{first.month}月{first.day}日至{last.month}月{last.day}日），督查组对大厅各窗口开展日常巡查，"
        f"共记录巡查发现{report.finding_count}项次，其中扣分{deductions}项次、加分{bonuses}项次。现将有关情况通报如下：",
    ]

    full = [(s, row) for s, row in _in_window_order(report) if row.full_attendance]
    if full:
        names = "、".join(f"{windows[s.window_id].label}{s.name}" for s, _row in full)
        paragraphs += _split(f"【考勤情况】{word}满勤的工作人员有：{names}。")

    if seen is None:
        seen = NoticeFindings(report)
        for finding in report.findings():
            seen.add(finding)
    by_type, bonus_counts = seen.by_type, seen.bonus_counts
    sentences = []
    for item in rules.items:
        if item.name in by_type:
            sentences.append(_found_sentence(by_type[item.name], item.phrase or item.name))
    if sentences:
        paragraphs += _split("【巡查情况】" + "".join(sentences))
    else:
        paragraphs.append(f"【巡查情况】{word}巡查未发现违反工作纪律和服务规范的情况。")

    staff_rows = report.ranking.staff
    if staff_rows:
        top = "、".join(f"{windows[_window_of(report, r.id)].label}{r.name}" for r in staff_rows[:3])
        text = f"【考核情况】根据日常巡查和考勤记录，{word}窗口工作人员考核排名前三位的是{top}"
        bottom = [r for r in staff_rows if r.mark == BOTTOM_MARK]
        if bottom:
            names = "、".join(f"{windows[_window_of(report, r.id)].label}{r.name}" for r in bottom)
            text += f"；排名末三位的是{names}"
        paragraphs.append(text + "（详见附表3）。")

    if bonus_counts:
        order = {w.label: w.position for w in report.windows}
        parts = []
        for label in sorted(bonus_counts, key=lambda k: order.get(k, 0)):
            counts = bonus_counts[label]
            items = [i for i in rules.items if i.name in counts]
            parts.append(label + "、".join(f"{i.phrase or i.name}{counts[i.name]}次" for i in items))
        paragraphs += _split("【加分情况】" + "；".join(parts) + "。")

    excellent = [r for r in report.ranking.windows if r.mark == TOP_WINDOW_MARK]
    models = [r for r in staff_rows if r.mark == TOP_STAFF_MARK]
    if excellent or models:
        parts = []
        if excellent:
            parts.append(f"{word}优秀服务窗口为：" + "、".join(windows[r.id].label for r in excellent))
        if models:
            parts.append(
                "服务标兵为：" + "、".join(f"{windows[_window_of(report, r.id)].label}{r.name}" for r in models)
            )
        paragraphs.append("【评先结果】经综合考评，" + "；".join(parts) + "。")
    return paragraphs


def _found_sentence(found: dict[_Who, list[date]], phrase: str) -> str:
    """One finding type: people caught on the same patrol day share a clause; the rest are listed
    by window and person with their dates."""
    by_day: dict[date, list[_Who]] = defaultdict(list)
    for who, days in found.items():
        for day in set(days):
            by_day[day].append(who)
    shared = {day: sorted(whos, key=_order) for day, whos in by_day.items() if len(whos) > 1}
    clauses = []
    for who in sorted(found, key=_order):
        own = [d for d in found[who] if d not in shared]
        if own:
            clauses.append(f"{who.text}{chinese_dates(own)}{phrase}")
    for day in sorted(shared):
        names = "、".join(who.text for who in shared[day])
        clauses.append(f"{day.month}月{day.day}日的巡查中发现{names}{phrase}")
    return "，".join(clauses) + "。"


def _order(who: _Who) -> tuple[int, str, bool]:
    return (who.window_position, who.window_label, who.person == SUBSTITUTE)


def _in_window_order(report: PeriodReport) -> list[tuple[StaffInfo, Standing]]:
    """Active staff with their standing, in the hall's window order."""
    rows = {r.id: r for r in report.ranking.staff}
    position = {w.id: w.position for w in report.windows}
    staff = sorted(report.staff, key=lambda s: (position.get(s.window_id, 0), s.position))
    return [(s, rows[s.id]) for s in staff if s.id in rows]


def _window_of(report: PeriodReport, staff_id: str) -> str:
    return next(s.window_id for s in report.staff if s.id == staff_id)
