"""The words in which the notice, the workbook and `patrol rank` explain a verdict: how many,
the tie at the boundary, the tie-break that decided it, the conditions nobody else met.

Everything here reads ``patrol.rules.verdicts``; nothing decides anything again.
"""

from __future__ import annotations

from patrol.rules.scoring import BOTTOM_MARK
from patrol.rules.setting_words import score_text
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import Award

NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def numeral(n: int) -> str:
    """三 for 3 (as in 前三位, 末三位); digits past ten."""
    return NUMERALS.get(n, str(n))


def unit(award: Award) -> str:
    """人 for people, 个窗口 for windows (第4名2个窗口并列), 个单位 for units."""
    return {"window": "个窗口", "unit": "个单位"}.get(award.kind, "人")


def count_unit(award: Award) -> str:
    """名 for people, 个 for windows and units (服务标兵8名, 优秀服务窗口4个)."""
    return "个" if award.kind in ("window", "unit") else "名"


def conditions(award: Award, settings: HallRules) -> str:
    """What the rules asked of everyone on the list, in words: 无扣分且有加分;
    得分不低于100分、无有效投诉且有加分; 有扣分且得分低于100分 (末位)."""
    # With service figures weighed in, the bars of 100 are on the patrol score (patrol.rules.weighting).
    score = "巡查得分" if settings.weighs_services and award.kind == "window" else "得分"
    if award.mark == BOTTOM_MARK:
        return f"有扣分且{score}低于100分"
    parts = []
    if award.kind in ("window", "unit"):  # a unit is judged as a window is
        if settings.excellent_min_score is not None:
            parts.append(f"{score}不低于{score_text(settings.excellent_min_score)}分")
        if settings.excellent_no_complaint:
            parts.append("无有效投诉")
    elif settings.model_staff_clean:
        parts.append("无扣分")
    if settings.award_needs_bonus:
        parts.append("有加分")
    if len(parts) < 2:
        return "".join(parts)
    return "、".join(parts[:-1]) + "且" + parts[-1]


def award_note(award: Award, settings: HallRules) -> str:
    """Why the list has the length it has, or "": the tie-break that decided the boundary, the tie
    that put more on it than the rules allow, or too few who met the conditions."""
    parts = []
    decided = award.decided_words()
    if decided:
        parts.append(decided)
    if award.tie_words():
        still = "仍有" if decided else ""
        parts.append(f"第{award.boundary_rank}名{still}{award.boundary_tied}{unit(award)}并列，均列入")
    elif 0 < len(award.rows) < award.limit:
        met = conditions(award, settings)
        who = f"{met}的" if met else "参评的"
        parts.append(f"{who}仅{len(award.rows)}{count_unit(award)}")
    return "，".join(parts)


def summary(award: Award, settings: HallRules) -> str:
    """One line for a table's foot: 服务标兵10名（第8名3人并列，均列入）; 末位人员：无（…）."""
    if award.mark == BOTTOM_MARK:
        name = "末位窗口" if award.kind == "window" else "末位人员"
    else:
        name = "优秀服务窗口" if award.kind == "window" else award.mark
    if award.limit <= 0:
        return f"{name}：不评定"
    if not award.rows:
        who = {"window": "窗口", "unit": "单位"}.get(award.kind, "人")
        met = conditions(award, settings)
        return f"{name}：无（本期无{who}符合：{met}）" if met else f"{name}：无"
    note = award_note(award, settings)
    return f"{name}{len(award.rows)}{count_unit(award)}" + (f"（{note}）" if note else "")
