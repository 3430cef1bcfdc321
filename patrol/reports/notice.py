"""The draft of the monthly notice (通报), written the way published notices are.

Sections appear only when they have something to say. Dates are written as a Chinese notice
writes them: 11月4日、12日、25日 (the month again only when it changes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from patrol.hall.views import SUBSTITUTE, FindingView
from patrol.reports.period_report import PeriodReport
from patrol.reports.verdict_text import award_note, conditions, numeral
from patrol.reports.wording import correction_change
from patrol.rules.items import BONUS
from patrol.rules.scoring import Standing
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import Award

MAX_PARAGRAPH = 30_000  # a spreadsheet cell holds 32,767 characters
TOP_RANKS = 3  # 前三位: the first three ranks, as the published notices name them
MAX_NAMED = 6  # past this, the tie at the last of the first three ranks is counted, not named
PUNCHED = ("late", "early", "noclock")  # what the punches find, in the order a notice says it
SERVICE_LEAD = "主动为企业"  # how the notices open a window's service bonuses
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
        # Deductions that stand for more than one (差评 ×3 credited to a window): the times beyond
        # one row each, by finding type and who, so the sentence can say 共N次.
        self.extra: dict[str, dict[_Who, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, finding: FindingView) -> None:
        """Take one finding into account."""
        if finding.source == "clockin":
            return  # the punches found it, not a patrol: the 考勤 paragraph says it
        window = self._by_code.get(finding.window_code)
        position = window.position if window else 0
        label = window.label if window else finding.window_name
        if finding.points < 0:
            who = _Who(position, label, finding.person or "")
            self.by_type[finding.type_name][who].append(finding.at.date())
            if finding.count > 1:
                self.extra[finding.type_name][who] += finding.count - 1
            return
        item = self._rules.find(finding.type_name)
        if finding.points > 0 or (item is not None and item.category == BONUS):
            # Counts summed per window and item, whoever earned them: 压缩办理时限28次.
            self.bonus_counts[label][finding.type_name] += finding.count


def draft_notice(report: PeriodReport, seen: NoticeFindings | None = None) -> list[str]:
    """The notice as paragraphs, title first (reading the findings unless ``seen`` has them).

    Every list of names comes from the period's verdicts (``report.verdicts``): whole ties, the
    tie-break that decided, and nothing named in a period without records."""
    word = PERIOD_WORDS[report.period.kind]
    rules = report.rules
    verdicts = report.verdicts
    # The opening counts what the patrols found: the punches are said under 考勤情况, leave is no finding.
    found, deductions, bonuses = report.patrol_times
    first, last = report.period.first, report.period.last
    span = f"{report.period.label}（{first.month}月{first.day}日至{last.month}月{last.day}日）"
    paragraphs = [f"关于{report.hall.name}{report.period.label}窗口工作人员巡查考核情况的通报"]
    rounds = f"共开展巡查{report.rounds}次，" if report.rounds else "对大厅各窗口开展日常巡查，共"
    if found == 0 and report.rounds:  # rounds that found nothing: a clean period
        paragraphs.append(
            f"{span}，督查组对大厅各窗口开展日常巡查{report.rounds}次，未发现违反工作纪律和服务规范的情况。"
            "现将有关情况通报如下："
        )
    elif found:
        paragraphs.append(
            f"{span}，督查组{rounds}记录巡查发现{found}项次，"
            f"其中扣分{deductions}项次、加分{bonuses}项次。现将有关情况通报如下："
        )
    else:
        paragraphs.append(f"{span}，督查组无巡查记录。现将有关情况通报如下：")

    paragraphs += _split(_attendance(report, word))

    if seen is None:
        seen = NoticeFindings(report)
        for finding in report.findings():
            seen.add(finding)
    by_type, bonus_counts = seen.by_type, seen.bonus_counts
    sentences = []
    for item in rules.items:
        if item.name in by_type:
            sentences.append(_found_sentence(by_type[item.name], item.phrase or item.name, seen.extra.get(item.name)))
    if sentences:
        paragraphs += _split("【巡查情况】" + "".join(sentences))
    elif verdicts.has_records:
        paragraphs.append(f"【巡查情况】{word}巡查未发现违反工作纪律和服务规范的情况。")
    else:
        paragraphs.append(f"【巡查情况】{word}无巡查记录。")

    if report.ranking.staff or report.ranking.windows:
        paragraphs += _split(_assessment(report, word))

    if bonus_counts:
        order = {w.label: w.position for w in report.windows}
        parts = []
        for label in sorted(bonus_counts, key=lambda k: order.get(k, 0)):
            counts = bonus_counts[label]
            items = [i for i in rules.items if i.name in counts]
            parts.append(label + _bonus_list([(i.phrase or i.name, counts[i.name]) for i in items]))
        paragraphs += _split("【加分情况】" + "；".join(parts) + "。")

    awards = _awards(report, word)
    if awards:
        paragraphs += _split(awards)
    if report.late_corrections:
        paragraphs += _split(_late_corrections(report))
    return paragraphs


def _late_corrections(report: PeriodReport) -> str:
    """【更正情况】: corrections of the previous period's findings made after it ended (it was
    closed with its notice): 更正上月（2026年10月）巡查记录1项：2610-0001 2 郑晓燕巡查项：迟到→早退（原因：…）."""
    lines = [
        f"{one.before.ref} {one.before.window_code} {one.before.person or '窗口'}{correction_change(one)}"
        f"（原因：{one.reason}）"
        for one in report.late_corrections
    ]
    before = report.period.previous()
    said = {"month": "上月", "quarter": "上季度"}.get(before.kind, "上期")  # 上半年 would mean H1
    return f"【更正情况】更正{said}（{before.label}）巡查记录{len(lines)}项：" + "；".join(lines) + "。详见该期附表5。"


def _bonus_list(counted: list[tuple[str, int]]) -> str:
    """A window's bonuses as the notices list them: 主动为企业提供上门服务4次、压缩办理时限4次、
    预约服务1次 (the lead-in 主动为企业 said once, before the first item that has it)."""
    said = False
    parts = []
    for phrase, count in counted:
        if phrase.startswith(SERVICE_LEAD):
            if said:
                phrase = phrase.removeprefix(SERVICE_LEAD)
            said = True
        parts.append(f"{phrase}{count}次")
    return "、".join(parts)


def _who(report: PeriodReport, row: Standing) -> str:
    """A person as the notice names them: 住建窗口张伟 (the window they were listed at)."""
    return f"{report.window_label(row)}{row.name}"


def _names(report: PeriodReport, rows: Sequence[Standing], kind: str = "staff") -> str:
    """People (住建窗口张伟、…) or windows (住建窗口、…), in the order given."""
    if kind == "window":
        return "、".join(report.window_label(r) for r in rows)
    return "、".join(_who(report, r) for r in rows)


def _attendance(report: PeriodReport, word: str) -> str:
    """【考勤情况】as the published notices write it: 满勤 as the verdicts judged it and from what
    (or why it was not judged), then who the punches found late, leaving early or missing a punch
    (their own clause: the punches, not a patrol, found them)."""
    verdicts = report.verdicts
    if verdicts.full_attendance is None:
        if report.settings.attendance_basis == "patrol":
            return f"【考勤情况】{word}无巡查记录，未评定满勤。"
        return f"【考勤情况】{word}无打卡记录，未评定满勤。"
    if verdicts.attendance_basis == "patrol":
        opening = "【考勤情况】大厅未使用考勤机，满勤仅依据巡查记录认定。"
        what = "（巡查中未发现迟到早退、脱岗、请假、缺卡）"
    else:
        opening = f"【考勤情况】{word}，各窗口人员均能严格执行上下班刷脸考勤，"
        what = "（无迟到早退、无请假、无缺卡）"
    full = report.in_window_order(verdicts.full_attendance)
    if full:
        said = f"{word}满勤{what}的工作人员有{len(full)}名：{_names(report, full)}。"
    else:
        said = f"{word}无满勤{what}的工作人员。"
    return opening + said + _punched(report)


def _punched(report: PeriodReport) -> str:
    """打卡记录显示，综合窗口魏某11月6日、9日上班迟到，…: what the punches found, person by person
    in the hall's order ("" when they found nothing)."""
    summary = report.attendance
    if summary is None:
        return ""
    phrases = {"late": "上班迟到", "early": "早退", "noclock": "缺卡"}
    phrases.update({item.code: item.phrase or item.name for item in report.rules.items if item.code in PUNCHED})
    clauses = []
    people = [r for r in report.ranking.staff if (line := summary.line(r.id)) is not None and line.punched]
    for row in report.in_window_order(people):
        punched = summary.people[row.id].punched
        found = [f"{chinese_dates(list(punched[code]))}{phrases[code]}" for code in PUNCHED if code in punched]
        clauses.append(_who(report, row) + "，".join(found))
    if not clauses:
        return ""
    return "打卡记录显示，" + "；".join(clauses) + "。"


def _ties(rows: Sequence[Standing], unit: str) -> str:
    """The ties inside a ranked list: 第1名2人并列、第3名2人并列."""
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.rank] = counts.get(row.rank, 0) + 1
    return "、".join(f"第{rank}名{n}{unit}并列" for rank, n in counts.items() if n > 1)


def _top_three(report: PeriodReport) -> str:
    """排名前三位的是…: everyone ranked 1 to 3, whole ties in; past MAX_NAMED names the tie at
    the last rank is counted, not named (names only order a list, they never cut it)."""
    top = [r for r in report.ranking.staff if r.rank <= TOP_RANKS]
    if len(top) <= MAX_NAMED:
        ties = _ties(top, "人")
        return f"排名前三位的是{_names(report, top)}" + (f"（{ties}）" if ties else "")
    boundary = top[-1].rank
    named = [r for r in top if r.rank < boundary]
    rest = len(top) - len(named)
    score = f"得分均为{top[-1].score:.1f}分"
    if not named:
        return f"排名第{boundary}名的有{rest}人并列（{score}）"
    ties = _ties(named, "人")
    return (
        f"排名前三位的是{_names(report, named)}"
        + (f"（{ties}）" if ties else "")
        + f"，另有{rest}人并列第{boundary}名（{score}）"
    )


def _bottom(report: PeriodReport, award: Award, word: str, appendix: str) -> str:
    """排名末三位的是…（…；详见附表3） (the 末位 verdict: its whole tie, its tie-break), or why
    nobody is."""
    subject = "窗口" if award.kind == "window" else "工作人员"
    see = f"详见{appendix}"
    if not award.rows:
        return f"{word}无有扣分且得分低于100分的{subject}，不评定末位（{see}）"
    names = _names(report, award.rows, award.kind)
    note = award_note(award, report.settings)
    if 0 < len(award.rows) < award.limit:
        return f"列为末位的是{names}（{word}{note}；{see}）"
    return f"排名末{numeral(award.limit)}位的是{names}（" + (f"{note}；" if note else "") + f"{see}）"


def _assessment(report: PeriodReport, word: str) -> str:
    """【考核情况】: the first three ranks and 末位 of the staff, 末位 of the windows."""
    verdicts = report.verdicts
    if not verdicts.has_records:
        return f"【考核情况】{word}无巡查记录，不评定考核排名和末位。"
    source = "日常巡查和考勤记录" if verdicts.attendance_basis == "clockin" else "日常巡查记录"
    text = f"【考核情况】根据{source}，{word}窗口工作人员考核{_top_three(report)}"
    if verdicts.bottom_staff.limit > 0:
        text += f"；{_bottom(report, verdicts.bottom_staff, word, '附表3')}。"
    else:
        text += "（详见附表3）。"
    if verdicts.bottom_windows.limit > 0 and report.ranking.windows:
        text += f"窗口量化考评{_bottom(report, verdicts.bottom_windows, word, '附表2')}。"
    return text


def _awards(report: PeriodReport, word: str) -> str:
    """【评先结果】: the 优秀服务窗口 and the 服务标兵 with their counts, ties and tie-breaks, or
    why there are none ("" when the hall awards neither)."""
    verdicts, settings = report.verdicts, report.settings
    excellent, models, units = verdicts.excellent, verdicts.models, verdicts.top_units
    if excellent.limit <= 0 and models.limit <= 0 and units.limit <= 0:
        return ""
    if not verdicts.has_records:
        if units.limit > 0:
            return f"【评先结果】{word}无巡查记录，不评定优秀服务窗口、优质服务窗口单位和服务标兵。"
        return f"【评先结果】{word}无巡查记录，不评定优秀服务窗口和服务标兵。"
    parts = []
    if excellent.limit > 0:
        if excellent.rows:
            note = award_note(excellent, settings)
            parts.append(
                f"{word}评出优秀服务窗口{len(excellent.rows)}个"
                + (f"（{note}）" if note else "")
                + f"：{_names(report, excellent.rows, 'window')}"
            )
        else:
            parts.append(f"{word}无符合条件（{conditions(excellent, settings)}）的窗口，不评定优秀服务窗口")
    if units.limit > 0:
        parts.append(_units_sentence(units, settings, word))
    if models.limit > 0:
        if models.rows:
            note = award_note(models, settings)
            parts.append(
                f"服务标兵（{len(models.rows)}名" + (f"，{note}" if note else "") + f"）：{_names(report, models.rows)}"
            )
        else:
            parts.append(f"{word}无符合条件（{conditions(models, settings)}）的工作人员，不评定服务标兵")
    return "【评先结果】经综合考评，" + "；".join(parts) + "。"


def _units_sentence(units: Award, settings: HallRules, word: str) -> str:
    """优质服务窗口单位 as the notices say it: 区税务局、区市场监督管理局等2个单位评定为优质服务
    窗口单位 (the units in rank order; a tie at the boundary is said, as for windows)."""
    if not units.rows:
        return f"{word}无符合条件（{conditions(units, settings)}）的单位，不评定优质服务窗口单位"
    names = "、".join(r.name for r in units.rows)
    many = f"等{len(units.rows)}个单位" if len(units.rows) > 1 else ""
    note = award_note(units, settings)
    return f"{names}{many}评定为优质服务窗口单位" + (f"（{note}）" if note else "")


def _found_sentence(found: dict[_Who, list[date]], phrase: str, extra: dict[_Who, int] | None = None) -> str:
    """One finding type: people caught on the same patrol day share a clause; the rest are listed
    by window and person with their dates. Whoever has a finding that stands for several (``extra``
    times beyond its rows) is listed alone, with how many in all: 住建窗口11月4日收到差评（共3次）."""
    extra = extra or {}
    by_day: dict[date, list[_Who]] = defaultdict(list)
    for who, days in found.items():
        if who in extra:
            continue
        for day in set(days):
            by_day[day].append(who)
    shared = {day: sorted(whos, key=_order) for day, whos in by_day.items() if len(whos) > 1}
    clauses = []
    for who in sorted(found, key=_order):
        own = found[who] if who in extra else [d for d in found[who] if d not in shared]
        if own:
            times = f"（共{len(found[who]) + extra[who]}次）" if who in extra else ""
            clauses.append(f"{who.text}{chinese_dates(own)}{phrase}{times}")
    for day in sorted(shared):
        names = "、".join(who.text for who in shared[day])
        clauses.append(f"{day.month}月{day.day}日的巡查中发现{names}{phrase}")
    return "，".join(clauses) + "。"


def _order(who: _Who) -> tuple[int, str, bool]:
    return (who.window_position, who.window_label, who.person == SUBSTITUTE)
