"""The notice's 【办件情况】: the hall's service figures in words, as published notices lead with
them ("本月，政务服务大厅共受理各类业务3710件，相比上月增长21.96%。其中：受理业务量排名前三的是：
不动产登记窗口（812件）、…。本月按时办结率99.51%。共收到评价1302条，好评率99.85%，差评2条。").

Shares are exact to two decimals, rounded half up, without trailing zeros (21.96%, 99.6%,
100%). The change from the previous period is left out when that period has no figures for the
same months; a fall says 减少. When the months counted are not the whole period (months without
figures, a range's days outside its whole months), the sentence names them and the months they
are compared with: "本年度（9月至11月），…相比2025年9月至11月增长5%". The top three by volume
keep a tie at the boundary whole.
"""

from __future__ import annotations

from patrol.reports.period_report import PeriodReport
from patrol.reports.verdict_text import numeral
from patrol.rules.figures import ServiceFigures, months_words, percent

HALL_WORDS = "政务服务大厅"  # how the hall's own notice calls it
TOP = 3  # 排名前三
THIS = {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年度", "range": "本期"}
BEFORE = {"month": "上月", "quarter": "上季度", "half": "上期", "year": "上年度", "range": "上期"}


def scope_words(figures: ServiceFigures) -> str:
    """本月 / 本季度 …, with the months counted when they are not the whole period:
    本年度（9月至11月）, 本季度（10月、11月）, 本期（11月） for 2026-10-16..2026-11-30."""
    this = THIS[figures.period.kind]
    if figures.whole:
        return this
    return f"{this}（{months_words(figures.months, figures.period.first.year)}）"


def change_words(figures: ServiceFigures) -> str:
    """，相比上月增长21.96% / 减少3.5% / 与上月持平 ("" when there is nothing to compare with);
    against the months compared, named, when those counted are not the whole period
    (，相比2025年9月至11月增长5%)."""
    change = figures.change
    if change is None:
        return ""
    kind = figures.period.kind
    before = BEFORE[kind] if figures.whole else months_words(figures.compared, figures.period.first.year)
    if change == 0:
        return f"，与{before}持平"
    return f"，相比{before}{'增长' if change > 0 else '减少'}{percent(change)}%"


def top_words(figures: ServiceFigures) -> str:
    """其中：受理业务量排名前三的是：不动产登记窗口（812件）、…。 ("" with fewer than two windows)."""
    top = figures.top(TOP)
    if len(top) < 2:
        return ""
    named = "、".join(f"{w.label}（{w.received}件）" for w in top)
    n = min(TOP, len(top))
    tie = "（含并列）" if len(top) > n else ""
    return f"其中：受理业务量排名前{numeral(n)}的是{tie}：{named}。"


def services_paragraphs(report: PeriodReport) -> list[str]:
    """The paragraphs of 【办件情况】 for ``report``'s period ([]: no figures, no section)."""
    figures = report.services
    if figures is None:
        return []
    # Part of the period (months without figures, or days outside its whole months) is named
    # as the months it is, never as the period: 本年度（9月至11月）.
    this = THIS[figures.period.kind] if figures.whole else ""
    total = figures.total
    text = (
        f"{scope_words(figures)}，{HALL_WORDS}共受理各类业务{total.received}件{change_words(figures)}。"
        f"{top_words(figures)}"
    )
    if total.on_time_rate is not None:
        text += f"{this}按时办结率{percent(total.on_time_rate)}%。"
    if total.reviews:
        assert total.good_rate is not None
        text += f"共收到评价{total.reviews}条，好评率{percent(total.good_rate)}%，差评{total.bad or 0}条。"
    return [text]
