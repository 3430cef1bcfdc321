"""The monthly notice (通报), composed as the published notices are: title, lead, 【本月重点】
(for the office to write), 【办件情况】, 【人员管理】 (1、考勤情况 2、巡查情况 3、考核情况),
【创先争优】 (1、加分情况 2、评先结果), 【更正情况】, 【下月重点工作】, the 附件 list, 落款 and date.

A section with nothing to say is left out and the remaining subsections are numbered without
gaps. Dates are written as a Chinese notice writes them: 11月4日、12日、25日 (the month again only
when it changes); a person is named once in a sentence, a window once before its people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from patrol.hall.views import SUBSTITUTE, FindingView
from patrol.reports.notice_model import Block, Notice, Role
from patrol.reports.period_report import PeriodReport
from patrol.reports.services_text import services_paragraphs
from patrol.reports.verdict_text import award_note, conditions, numeral
from patrol.reports.wording import correction_change
from patrol.reports.workbook import appendix_sheets
from patrol.rules.items import BONUS, RuleItem
from patrol.rules.periods import Period
from patrol.rules.scoring import Standing
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import Award

MAX_PARAGRAPH = 30_000  # a spreadsheet cell holds 32,767 characters
# Past this many characters a list (who was late, what the patrols found, the bonuses, 满勤) is
# summarised by type with counts and points to the appendix: a quarter or a year of findings
# named one by one is thousands of characters nobody reads (a published month says ~300). A
# month (or a shorter range) keeps its names longer: that is what its notice is for.
DETAIL_LIMIT = 400
MONTH_DETAIL_LIMIT = 1500
MONTH_DAYS = 31
TOP_RANKS = 3  # 前三位: the first three ranks, as the published notices name them
MAX_NAMED = 6  # past this, the tie at the last of the first three ranks is counted, not named
PUNCHED = ("late", "early", "noclock")  # what the punches find, in the order a notice says it
PUNCHED_PHRASES = {"late": "上班迟到", "early": "早退", "noclock": "缺卡"}
SERVICE_LEAD = "主动为企业"  # how the notices open a window's service bonuses
# Bonuses for a service done for an applicant (the lead-in 主动为企业 covers them); others
# (表扬信, 锦旗, a hall's own items) follow them without it.
SERVICE_CODES = frozenset({"visit", "faster", "booking", "overtime", "simplify"})
BANNER = "锦旗"  # a 表扬信 finding whose note names a 锦旗 is said as one (收到锦旗1面)
PERIOD_WORDS = {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年度", "range": "本期"}
PERIOD_ENDS = {"month": "月末", "quarter": "季度末", "half": "半年末", "year": "年末", "range": "统计期末"}
NEXT_WORDS = {"month": "下月", "quarter": "下季度", "half": "下一阶段", "year": "下年度", "range": "下一阶段"}
# A phrase longer than this (工作期间使用手机处理与工作无关的事情) is said once a sentence; the
# clauses after it say SAME_AGAIN. Short ones (着装不规范, 串岗) read better repeated.
LONG_PHRASE = 8
SAME_AGAIN = "也存在同样问题"
KEY_WORK = "（此处由办公室填写{}重点工作）"  # the places the office writes in, marked as such


@dataclass(frozen=True)
class _Who:
    window_position: int
    window_label: str
    person: str  # staff name, 替岗人员, or "" for the window itself
    order: int = 0  # the person's place in the roster (the hall's order within a window)

    @property
    def text(self) -> str:
        return f"{self.window_label}{self.person}"


def _order(who: _Who) -> tuple[int, str, bool, int, str]:
    return (who.window_position, who.window_label, who.person == SUBSTITUTE, who.order, who.person)


def _names_of(whos: Sequence[_Who], named: str | None = None) -> str:
    """People and windows in the order given, each window named once before its people:
    社会事务综合受理窗口董霞、贾娟、张芳、住建窗口单雄 (``named``: the window whose person the
    clause before named, so 外综服窗口黎皓…；钱芳… does not name it again)."""
    parts = []
    for who in whos:
        if who.person and who.window_label == named:  # 住建窗口郭晶…；罗敏…；替岗人员…
            parts.append(who.person)
        else:
            parts.append(who.text)
        named = who.window_label if who.person else None
    return "、".join(parts)


def _last_named(whos: Sequence[_Who]) -> str | None:
    """The window a list of names ended in, when it ended with a person of it."""
    return whos[-1].window_label if whos and whos[-1].person else None


def _say(subject: str, phrase: str, windows: bool = False) -> str:
    """``subject`` then ``phrase``, without a doubled word: 公积金窗口 + 窗口物品摆放不规范 reads
    公积金窗口物品摆放不规范, and so does a subject of ``windows`` whose names or dates stand
    between (不动产登记窗口B11月9日物品摆放不规范, never …窗口B窗口…)."""
    word = "窗口"
    if phrase.startswith(word) and (windows or subject.endswith(word)):
        return subject + phrase.removeprefix(word)
    return subject + phrase


def chinese_dates(days: Sequence[date]) -> str:
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


def chinese_date(day: date) -> str:
    """2026年11月30日, as a notice's date and its periods are written."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_name(period: Period) -> str:
    """The period as a notice's title names it: 2026年11月, 2026年第四季度, 2026年度, and a date
    range with what it shares written once: 2026年10月1日至15日."""
    if period.kind == "year":
        return f"{period.first.year}年度"
    if period.kind != "range":
        return period.label
    first, last = period.first, period.last
    if (first.year, first.month) == (last.year, last.month):
        return f"{chinese_date(first)}至{last.day}日"
    if first.year == last.year:
        return f"{chinese_date(first)}至{last.month}月{last.day}日"
    return f"{chinese_date(first)}至{chinese_date(last)}"


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
        self._roster = report.roster_position
        # Deductions by finding type, then window and person, with their days (one per finding).
        self.by_type: dict[str, dict[_Who, list[date]]] = defaultdict(lambda: defaultdict(list))
        # What a patrol saw of 迟到, 早退, 缺卡: said with what the punches found, per person.
        self.attendance: dict[_Who, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
        # Bonuses summed per window and item (and whether a 锦旗), whoever earned them.
        self.bonus_counts: dict[str, dict[tuple[str, bool], int]] = defaultdict(lambda: defaultdict(int))
        # Deductions that stand for more than one (差评 ×3 credited to a window): the times beyond
        # one row each, by finding type and who, so the sentence can say 共N次.
        self.extra: dict[str, dict[_Who, int]] = defaultdict(lambda: defaultdict(int))
        # The 项次 of the patrols' 迟到, 早退 and 缺卡 records: the notice counts those by person and
        # day instead (a person late twice on one day is late once that day, as 考勤情况 says it).
        self.attendance_times = 0

    def patrol_deductions(self, report: PeriodReport) -> int:
        """The patrols' deductions in the unit the body counts them: 项次 for what they found, and
        one a person a day for 迟到, 早退 and 缺卡 (the lead then adds up with 考勤情况 and 巡查情况)."""
        days = sum(len(days) for codes in self.attendance.values() for days in codes.values())
        return report.patrol_times[1] - self.attendance_times + days

    def add(self, finding: FindingView) -> None:
        """Take one finding into account."""
        if finding.source == "clockin":
            return  # the punches found it: the attendance summary has it
        window = self._by_code.get(finding.window_code)
        position = window.position if window else 0
        label = window.label if window else finding.window_name
        item = self._rules.find(finding.type_name)
        if finding.points < 0:
            order = self._roster.get(finding.staff_id or "", 0)
            who = _Who(position, label, finding.person or "", order)
            if item is not None and item.code in PUNCHED:
                self.attendance[who][item.code].add(finding.at.date())
                self.attendance_times += finding.count
                return
            self.by_type[finding.type_name][who].append(finding.at.date())
            if finding.count > 1:
                self.extra[finding.type_name][who] += finding.count - 1
            return
        if finding.points > 0 or (item is not None and item.category == BONUS):
            banner = BANNER in finding.note or BANNER in finding.type_name
            self.bonus_counts[label][(finding.type_name, banner)] += finding.count


def draft_notice(report: PeriodReport, seen: NoticeFindings | None = None) -> list[str]:
    """The notice as plain paragraphs, title first (the 通报草稿 sheet, `patrol report`, the app)."""
    return compose_notice(report, seen).paragraphs()


def compose_notice(report: PeriodReport, seen: NoticeFindings | None = None) -> Notice:
    """The notice of ``report``'s period as a document (reading the findings unless ``seen`` has
    them).

    Every list of names comes from the period's verdicts (``report.verdicts``): whole ties, the
    tie-break that decided, and nothing named in a period without records."""
    kind = report.period.kind
    word = PERIOD_WORDS[kind]
    if seen is None:
        seen = NoticeFindings(report)
        for finding in report.findings():
            seen.add(finding)
    blocks = [
        Block(Role.TITLE, f"关于{report.hall.name}{period_name(report.period)}窗口工作人员巡查考核情况的通报"),
        Block(Role.BODY, _lead(report, seen)),
        Block(Role.HEADING, f"【{word}重点】"),
        Block(Role.PLACEHOLDER, KEY_WORK.format(word)),
    ]
    services = services_paragraphs(report)
    if services:
        blocks.append(Block(Role.HEADING, "【办件情况】"))
        blocks += [Block(Role.BODY, part) for text in services for part in _split(text)]
    blocks += _section(
        "【人员管理】",
        [
            ("考勤情况", _attendance(report, word, seen)),
            ("巡查情况", _patrols(report, word, seen)),
            ("考核情况", _assessment(report, word)),
        ],
    )
    blocks += _section(
        "【创先争优】", [("加分情况", _bonuses(report, word, seen)), ("评先结果", _awards(report, word))]
    )
    if report.late_corrections:
        blocks.append(Block(Role.HEADING, "【更正情况】"))
        blocks += [Block(Role.BODY, part) for part in _split(_late_corrections(report))]
    ahead = NEXT_WORDS[kind]
    blocks += [Block(Role.HEADING, f"【{ahead}重点工作】"), Block(Role.PLACEHOLDER, KEY_WORK.format(ahead))]
    sheets = appendix_sheets(report)
    blocks += [
        Block(Role.ATTACHMENTS, f"{'附件：' if n == 1 else ''}{n}.{name}") for n, name in enumerate(sheets, start=1)
    ]
    blocks.append(Block(Role.SIGNATURE, report.settings.office(report.hall.name)))
    blocks.append(Block(Role.DATE, chinese_date(_dated(report))))
    return Notice(tuple(blocks))


def _section(heading: str, parts: list[tuple[str, str]]) -> list[Block]:
    """A first-level section with its numbered subsections, those with nothing to say left out
    (and the rest numbered 1、2、3 without gaps); nothing at all when none has anything."""
    said = [(title, text) for title, text in parts if text]
    if not said:
        return []
    blocks = [Block(Role.HEADING, heading)]
    for number, (title, text) in enumerate(said, start=1):
        blocks.append(Block(Role.SUBHEADING, f"{number}、{title}"))
        blocks += [Block(Role.BODY, part) for part in _split(text)]
    return blocks


def _limit(report: PeriodReport) -> int:
    """How long a list may run before it is summarised (DETAIL_LIMIT)."""
    days = (report.period.end - report.period.first).days
    return MONTH_DETAIL_LIMIT if days <= MONTH_DAYS else DETAIL_LIMIT


def _not_over(report: PeriodReport) -> bool:
    """Whether the notice is written before its period is over (it then says 截至…)."""
    return report.period.first <= report.made_on < report.period.last


def _dated(report: PeriodReport) -> date:
    """The notice's date: the period's last day, or the day it is written while the period runs."""
    return report.made_on if _not_over(report) else report.period.last


def _lead(report: PeriodReport, seen: NoticeFindings) -> str:
    """The lead paragraph: the period, the patrol rounds, and what the patrols recorded, the
    deductions and the bonuses apart (the punches and leave are no patrol finding), counted as
    the body counts them."""
    found, _deductions, bonuses = report.patrol_times
    deductions = seen.patrol_deductions(report)
    span = period_name(report.period)
    if _not_over(report):
        span += f"（截至{report.made_on.month}月{report.made_on.day}日）"
    rounds = f"共开展巡查{report.rounds}次" if report.rounds else "对大厅各窗口开展日常巡查"
    counted = [f"{what}{n}项次" for what, n in (("扣分", deductions), ("加分", bonuses)) if n]
    if deductions == 0 and (found or report.rounds):  # nothing against the rules: a clean period
        clean = "未发现违反工作纪律和服务规范的情况"
        done = f"对大厅各窗口开展日常巡查{report.rounds}次" if report.rounds else "对大厅各窗口开展日常巡查"
        if bonuses:
            return f"{span}，督查组{done}，{clean}，记录加分{bonuses}项次。现将有关情况通报如下："
        return f"{span}，督查组{done}，{clean}。现将有关情况通报如下："
    if counted:
        return f"{span}，督查组{rounds}，记录{'、'.join(counted)}。现将有关情况通报如下："
    return f"{span}，督查组无巡查记录{_not_judged(report)}。现将有关情况通报如下："


def _not_judged(report: PeriodReport) -> str:
    """What a period without records does not judge, said once in the lead (the sections that
    would only say so are left out): ，本月不评定满勤、考核排名和评先; "" when it judges all."""
    verdicts, settings = report.verdicts, report.settings
    if verdicts.has_records:
        return ""  # the sections say what was judged and what was not
    said = ["满勤"] if verdicts.full_attendance is None else []
    said.append("考核排名")
    if max(settings.top_staff, settings.top_windows, settings.top_units) > 0:
        said.append("评先")
    listed = "、".join(said[:-1]) + f"和{said[-1]}" if len(said) > 1 else said[0]
    return f"，{PERIOD_WORDS[report.period.kind]}不评定{listed}"


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
    return f"更正{said}（{before.label}）巡查记录{len(lines)}项：" + "；".join(lines) + "。详见该期附表5。"


def _staff_who(report: PeriodReport, row: Standing) -> _Who:
    """A ranked person as the notice names them: at the window they were listed at."""
    return _Who(row.window_position, report.window_label(row), row.name, report.roster_position.get(row.id, 0))


def _names(report: PeriodReport, rows: Sequence[Standing], kind: str = "staff") -> str:
    """People (住建窗口张伟、单雄、…: the window once before its people) or windows (住建窗口、…),
    in the order given."""
    if kind == "window":
        return "、".join(report.window_label(r) for r in rows)
    return _names_of([_staff_who(report, r) for r in rows])


def _attendance(report: PeriodReport, word: str, seen: NoticeFindings) -> str:
    """考勤情况 as the published notices write it: 满勤 as the verdicts judged it and from what
    (or why it was not judged), then who was late, left early or missed a punch, each person once
    with all their days, whether the punches or a patrol found them."""
    verdicts = report.verdicts
    if verdicts.full_attendance is None:
        if not verdicts.has_records:
            return _attendance_issues(report, word, seen)  # the lead says 满勤 is not judged
        if report.settings.attendance_basis == "patrol":
            said = f"{word}无巡查记录，未评定满勤。"
        else:
            said = f"{word}无打卡记录，未评定满勤。"
        return said + _attendance_issues(report, word, seen)
    if verdicts.attendance_basis == "patrol":
        opening = "大厅未使用考勤机，满勤仅依据巡查记录认定。"
        what = "（巡查中未发现迟到早退、脱岗、请假、缺卡）"
    else:
        opening = "各窗口人员均能严格执行上下班刷脸考勤，"
        what = "（无迟到早退、无请假、无缺卡）"
    full = report.in_window_order(verdicts.full_attendance)
    if report.made_on < report.period.last:  # a few days without a break are no 满勤 yet
        said = f"{word}满勤情况于{PERIOD_ENDS[report.period.kind]}评定。"
    elif not full:
        said = f"{word}无满勤{what}的工作人员。"
    elif len(listed := _names(report, full)) > _limit(report):
        said = f"{word}满勤{what}的工作人员有{len(full)}名（名单详见附表4）。"
    else:
        said = f"{word}满勤{what}的工作人员有{len(full)}名：{listed}。"
    return opening + said + _attendance_issues(report, word, seen)


def _attendance_issues(report: PeriodReport, word: str, seen: NoticeFindings) -> str:
    """综合窗口曾伟11月6日、9日上班迟到，11月20日早退；…: 迟到, 早退 and 缺卡 per person in the
    hall's order, what the punches and the patrols found put together (a day both found is said
    once), and said by whom it was found, never as 巡查中发现 for a punch ("" when nothing)."""
    found: dict[_Who, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
    sources = set()
    for who, codes in seen.attendance.items():
        for code, days in codes.items():
            found[who][code] |= days
            sources.add("patrol")
    summary = report.attendance
    if summary is not None:
        for row in report.ranking.staff:
            line = summary.line(row.id)
            if line is None or not line.punched:
                continue
            who = _staff_who(report, row)
            for code, days in line.punched.items():
                if code in PUNCHED:
                    found[who][code] |= days
                    sources.add("clockin")
    if not found:
        return ""
    by = {"clockin": "打卡记录显示", "patrol": "日常巡查发现"}
    intro = "打卡记录和日常巡查显示" if len(sources) > 1 else by[sources.pop()]
    phrases = dict(PUNCHED_PHRASES)
    phrases.update({item.code: item.phrase or item.name for item in report.rules.items if item.code in PUNCHED})
    groups: list[tuple[str, list[_Who]]] = []  # what was found, and who: a window's people together
    for who in sorted(found, key=_order):
        codes = found[who]
        said = "，".join(f"{chinese_dates(list(codes[c]))}{phrases[c]}" for c in PUNCHED if codes.get(c))
        if groups and groups[-1][0] == said and groups[-1][1][-1].window_label == who.window_label:
            groups[-1][1].append(who)
        else:
            groups.append((said, [who]))
    text = "；".join(
        _names_of(whos, _last_named(groups[n - 1][1]) if n else None) + said for n, (said, whos) in enumerate(groups)
    )
    if len(text) > _limit(report):
        counts = []
        for code in PUNCHED:
            times = sum(len(codes.get(code, ())) for codes in found.values())
            people = sum(1 for codes in found.values() if codes.get(code))
            if times:
                counts.append(f"{phrases[code]}{times}人次（涉及{people}人）")
        return f"{intro}，{word}{'、'.join(counts)}，具体情况详见附表4。"
    return f"{intro}，{text}。"


def _patrols(report: PeriodReport, word: str, seen: NoticeFindings) -> str:
    """巡查情况: what the patrols found, finding type by finding type in the rules' order; a long
    period's list summarised by type with counts. "" when the period has no record at all (the
    lead says so)."""
    rules = report.rules
    by_type = seen.by_type
    if not by_type:
        if not (report.rounds or report.patrol_times[0]):
            return ""  # no patrol at all (the punches alone are no patrol): the lead says so
        if seen.attendance:
            return f"除上述考勤情况外，{word}巡查未发现其他违反工作纪律和服务规范的情况。"
        return f"{word}巡查未发现违反工作纪律和服务规范的情况。"
    items = [i for i in rules.items if i.name in by_type]
    text = "".join(_found_sentence(by_type[i.name], i.phrase or i.name, seen.extra.get(i.name)) for i in items)
    if len(text) <= _limit(report):
        return text
    counts = []
    total = 0
    for item in items:
        found = by_type[item.name]
        extra = seen.extra.get(item.name, {})
        times = sum(len(days) for days in found.values()) + sum(extra.values())
        total += times
        people = sum(1 for who in found if who.person)
        windows = sum(1 for who in found if not who.person)
        involved = "、".join(
            part for part in (f"{people}人" if people else "", f"{windows}个窗口" if windows else "") if part
        )
        counts.append(f"{item.phrase or item.name}{times}项次（涉及{involved}）")
    return f"{word}日常巡查共发现问题{total}项次，按问题类型：" + "；".join(counts) + "。具体情况详见附表1。"


def _found_sentence(found: dict[_Who, list[date]], phrase: str, extra: dict[_Who, int] | None = None) -> str:
    """One finding type, each window named once and each person once with all their days, the
    clauses in date order: a window's people with the same days together (社会事务综合受理窗口董霞、
    贾娟、张芳11月20日…), a window's people on different days in one clause (公积金窗口林峰11月5日、
    高翔11月10日未亮牌上岗; 替岗人员 too), and windows whose people were all found on one single day
    said together with other such windows of that day (11月13日的巡查中发现A窗口吴某、B窗口张某工作
    期间使用手机…, the phrase once for them). Whoever has a finding that stands for several
    (``extra`` times beyond its rows) says how many in all: 住建窗口11月4日收到差评（共3次）."""
    extra = extra or {}
    by_window: dict[tuple[int, str], dict[tuple[date, ...] | _Who, list[_Who]]] = {}
    for who in sorted(found, key=_order):
        key: tuple[date, ...] | _Who = who if who in extra else tuple(sorted(set(found[who])))
        by_window.setdefault((who.window_position, who.window_label), {}).setdefault(key, []).append(who)
    one_day: dict[date, list[_Who]] = defaultdict(list)  # windows all of whose people were found that day
    clauses: list[tuple[date, int, list[tuple[tuple[date, ...] | _Who, list[_Who]]]]] = []
    for (position, _label), groups in by_window.items():
        if len(groups) == 1:
            key, whos = next(iter(groups.items()))
            if not isinstance(key, _Who) and len(key) == 1:
                one_day[key[0]] += whos
                continue
        ordered = sorted(groups.items(), key=lambda group: min(found[group[1][0]]))
        clauses.append((min(min(found[w]) for w in found if w.window_position == position), position, ordered))
    for day, whos in one_day.items():
        clauses.append((day, whos[0].window_position, [((day,), whos)]))
    said_once = phrase  # a long phrase is said in full once a sentence, then referred back to
    texts = []
    for first, _position, clause in sorted(clauses, key=lambda c: (c[0], c[1])):
        everyone = [who for _key, people in clause for who in people]
        windows = not any(who.person for who in everyone)  # the windows themselves (窗口物品摆放不规范)
        counted = [people[0] for group_key, people in clause if isinstance(group_key, _Who)]
        if len(clause) == 1 and not counted and len(set(found[everyone[0]])) == 1 and len(everyone) > 1:
            texts.append(_say(f"{first.month}月{first.day}日的巡查中发现{_names_of(everyone)}", said_once, windows))
        elif len(clause) == 1 and counted:  # 住建窗口11月4日收到差评（共3次）
            who = counted[0]
            said = _say(f"{_names_of(clause[0][1])}{chinese_dates(found[who])}", said_once, windows)
            texts.append(f"{said}（共{len(found[who]) + extra[who]}次）")
        else:
            parts = []
            label = None
            for group_key, people in clause:
                who = people[0]
                times = f"（共{len(found[who]) + extra[who]}次）" if isinstance(group_key, _Who) else ""
                parts.append(f"{_names_of(people, label)}{chinese_dates(found[who])}{times}")
                label = _last_named(people)
            several = bool(counted) or any(len(set(found[people[0]])) > 1 for _key, people in clause)
            texts.append(_say(("，" if several else "、").join(parts), said_once, windows))
        if len(phrase) > LONG_PHRASE:
            said_once = SAME_AGAIN
    return ("；" if any("，" in text for text in texts) else "，").join(texts) + "。"


def _bonuses(report: PeriodReport, word: str, seen: NoticeFindings) -> str:
    """加分情况: each window's bonuses with their counts, the service ones under one 主动为企业
    (生态环境窗口主动为企业提供上门服务4次、压缩办理时限4次、预约服务1次，收到锦旗1面); a long
    period's list summarised by item. "" when there is none."""
    counts = seen.bonus_counts
    if not counts:
        return ""
    items = report.rules.items
    order = {w.label: w.position for w in report.windows}
    parts = []
    for label in sorted(counts, key=lambda k: order.get(k, 0)):
        parts.append(
            label
            + _bonus_list(
                [
                    (item, banner, counts[label][(item.name, banner)], "")
                    for item in items
                    for banner in (False, True)
                    if (item.name, banner) in counts[label]
                ]
            )
        )
    text = "；".join(parts) + "。"
    if len(text) <= _limit(report):
        return text
    totals: dict[tuple[str, bool], int] = defaultdict(int)
    windows: dict[tuple[str, bool], int] = defaultdict(int)
    for per_window in counts.values():
        for key, n in per_window.items():
            totals[key] += n
            windows[key] += 1
    said = [
        (item, banner, totals[(item.name, banner)], f"（涉及{windows[(item.name, banner)]}个窗口）")
        for item in items
        for banner in (False, True)
        if (item.name, banner) in totals
    ]
    return f"{word}各窗口{_bonus_list(said)}。具体情况详见附表1。"


def _measure(banner: bool) -> str:
    return "面" if banner else "次"


def _bonus_phrase(phrase: str, banner: bool) -> str:
    """An item's phrase, with 锦旗 said as 锦旗 (收到表扬信 → 收到锦旗)."""
    if not banner:
        return phrase
    return phrase.replace("表扬信", BANNER) if "表扬信" in phrase else f"收到{BANNER}"


def _bonus_list(counted: list[tuple[RuleItem, bool, int, str]]) -> str:
    """Bonuses as the notices list them: 主动为企业提供上门服务4次、压缩办理时限4次、预约服务1次
    (the lead-in said once, before the service items), then the others (，收到锦旗1面); each
    count followed by its note, if any (（涉及5个窗口）)."""
    service: list[str] = []
    other: list[str] = []
    for item, banner, n, note in counted:
        phrase = item.phrase or item.name
        if item.code in SERVICE_CODES or phrase.startswith(SERVICE_LEAD):
            phrase = phrase.removeprefix(SERVICE_LEAD)
            if not service and phrase.endswith("服务") and not phrase.startswith("提供"):
                phrase = "提供" + phrase  # 主动为企业提供预约服务, never 主动为企业预约服务
            service.append(f"{phrase}{n}次{note}")
        else:
            other.append(f"{_bonus_phrase(phrase, banner)}{n}{_measure(banner)}{note}")
    said = [SERVICE_LEAD + "、".join(service)] if service else []
    if other:
        said.append("、".join(other))
    return "，".join(said)


def _ties(rows: Sequence[Standing], unit: str) -> str:
    """The ties inside a ranked list: 第1名2人并列、第3名2人并列."""
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.rank] = counts.get(row.rank, 0) + 1
    return "、".join(f"第{rank}名{n}{unit}并列" for rank, n in counts.items() if n > 1)


def _top_three(report: PeriodReport) -> str:
    """排名前三位的是…: everyone ranked 1 to 3, whole ties in, except those listed as 末位 (a
    small hall's tie can reach from the top to the bottom: 末位 wins, as `patrol rank` and 附表3
    mark them, and the clause says which ranks went there); past MAX_NAMED names the tie at the
    last rank is counted, not named (names only order a list, they never cut it). "" when every
    one of the first three ranks is 末位 (the 末位 clause names them)."""
    bottom = {r.id for r in report.verdicts.bottom_staff.rows}
    ranked = [r for r in report.ranking.staff if r.rank <= TOP_RANKS]
    top = [r for r in ranked if r.id not in bottom]
    moved = _moved_to_bottom([r for r in ranked if r.id in bottom])
    if not top:
        return ""
    if len(top) <= MAX_NAMED:
        notes = "，".join(part for part in (_ties(top, "人"), moved) if part)
        return f"排名前三位的是{_names(report, top)}" + (f"（{notes}）" if notes else "")
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


def _moved_to_bottom(rows: Sequence[Standing]) -> str:
    """How the 前三 clause says the first-three ranks listed as 末位 instead: 第2名4人并列，均列为末位
    (a tie), 第3名列为末位, 第2名、第3名共2人列为末位; "" for none."""
    if not rows:
        return ""
    ranks = sorted({r.rank for r in rows})
    if len(ranks) == 1:
        tied = f"{len(rows)}人并列，均" if len(rows) > 1 else ""
        return f"第{ranks[0]}名{tied}列为末位"
    said = "、".join(f"第{rank}名" for rank in ranks)
    return f"{said}共{len(rows)}人列为末位"


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
    """考核情况: the first three ranks and 末位 of the staff, 末位 of the windows."""
    verdicts = report.verdicts
    if not verdicts.has_records:
        return ""  # the lead says the ranking is not judged
    source = "日常巡查和考勤记录" if verdicts.attendance_basis == "clockin" else "日常巡查记录"
    top = _top_three(report)
    text = f"根据{source}，{word}窗口工作人员考核{top}"
    if verdicts.bottom_staff.limit > 0:
        text += f"{'；' if top else ''}{_bottom(report, verdicts.bottom_staff, word, '附表3')}。"
    else:
        text += "（详见附表3）。"
    if verdicts.bottom_windows.limit > 0 and report.ranking.windows:
        text += f"窗口量化考评{_bottom(report, verdicts.bottom_windows, word, '附表2')}。"
    return text


def _awards(report: PeriodReport, word: str) -> str:
    """评先结果: the 优秀服务窗口 and the 服务标兵 with their counts, ties and tie-breaks and where
    the details are (本月评出优秀服务窗口4个，分别是：…（具体情况详见附表2）), or why there are none
    ("" when the hall awards neither)."""
    verdicts, settings = report.verdicts, report.settings
    excellent, models, units = verdicts.excellent, verdicts.models, verdicts.top_units
    if excellent.limit <= 0 and models.limit <= 0 and units.limit <= 0:
        return ""
    if not verdicts.has_records:
        return ""  # the lead says no award is judged
    parts = []
    if excellent.limit > 0:
        if excellent.rows:
            note = award_note(excellent, settings)
            parts.append(
                f"{word}评出优秀服务窗口{len(excellent.rows)}个"
                + (f"（{note}）" if note else "")
                + f"{_listed(excellent.rows)}{_names(report, excellent.rows, 'window')}（具体情况详见附表2）"
            )
        else:
            parts.append(f"{word}无符合条件（{conditions(excellent, settings)}）的窗口，不评定优秀服务窗口")
    if units.limit > 0:
        parts.append(_units_sentence(units, settings, word))
    if models.limit > 0:
        if models.rows:
            note = award_note(models, settings)
            parts.append(
                f"服务标兵（{len(models.rows)}名"
                + (f"，{note}" if note else "")
                + f"）{_listed(models.rows).removeprefix('，')}{_names(report, models.rows)}（具体情况详见附表3）"
            )
        else:
            parts.append(f"{word}无符合条件（{conditions(models, settings)}）的工作人员，不评定服务标兵")
    return "经综合考评，" + "；".join(parts) + "。"


def _listed(rows: Sequence[Standing]) -> str:
    """What introduces an award's names: ，分别是： for several, ： for one."""
    return "，分别是：" if len(rows) > 1 else "："


def _units_sentence(units: Award, settings: HallRules, word: str) -> str:
    """优质服务窗口单位 as the notices say it: 区税务局、区市场监督管理局等2个单位评定为优质服务
    窗口单位 (the units in rank order; a tie at the boundary is said, as for windows)."""
    if not units.rows:
        return f"{word}无符合条件（{conditions(units, settings)}）的单位，不评定优质服务窗口单位"
    names = "、".join(r.name for r in units.rows)
    many = f"等{len(units.rows)}个单位" if len(units.rows) > 1 else ""
    note = award_note(units, settings)
    return f"{names}{many}评定为优质服务窗口单位" + (f"（{note}）" if note else "")
