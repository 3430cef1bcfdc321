"""The notice's 【办件情况】: the hall's service figures in words, as published notices lead with
them ("本月，政务服务大厅共受理各类业务3710件，相比上月增长21.96%。其中：受理业务量排名前三的是：
不动产登记窗口（812件）、…。本月按时办结率99.51%。共收到评价1302条，好评率99.85%，差评2条。").

Shares are exact to two decimals, rounded half up, without trailing zeros (21.96%, 99.6%,
100%). The change from the previous period is left out when that period has no figures for the
same months; a fall says 减少. The top three by volume keep a tie at the boundary whole.
"""

from __future__ import annotations

from patrol.reports.period_report import PeriodReport
from patrol.reports.verdict_text import numeral
from patrol.rules.figures import ServiceFigures, percent

HALL_WORDS = "政务服务大厅"  # how the hall's own notice calls it
TOP = 3  # 排名前三
THIS = {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年度", "range": "本期"}
BEFORE = {"month": "上月", "quarter": "上季度", "half": "上期", "year": "上年度", "range": "上期"}


def change_words(figures: ServiceFigures) -> str:
    """，相比上月增长21.96% / 减少3.5% / 与上月持平 ("" when there is nothing to compare with)."""
    change = figures.change
    if change is None:
        return ""
    before = BEFORE[figures.period.kind]
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
    this = THIS[figures.period.kind]
    total = figures.total
    text = f"{this}，{HALL_WORDS}共受理各类业务{total.received}件{change_words(figures)}。{top_words(figures)}"
    if total.on_time_rate is not None:
        text += f"{this}按时办结率{percent(total.on_time_rate)}%。"
    if total.reviews:
        assert total.good_rate is not None
        text += f"共收到评价{total.reviews}条，好评率{percent(total.good_rate)}%，差评{total.bad or 0}条。"
    return [text]
