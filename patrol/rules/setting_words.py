"""A hall's settings (``patrol.rules.settings.HallRules``) in the words a user reads and types:
a Chinese label for each, its value written out, and what `patrol rules set` accepts. Pure: no
storage, no UI.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from patrol.errors import UserError
from patrol.rules.settings import (
    ATTENDANCE_BASES,
    MAX_OFFICE_NAME,
    MAX_WEIGHT,
    OFFICE_SUFFIX,
    TIE_BREAKS,
    WINDOW_SCORE_MODES,
    HallRules,
)


@dataclass(frozen=True)
class SettingWords:
    """How one setting is named and explained."""

    key: str
    label: str
    kind: str  # count | switch | score | score_or_none | choice | tie_break | weight | text
    help: str
    aliases: tuple[str, ...] = ()


SETTINGS: tuple[SettingWords, ...] = (
    SettingWords("top_staff", "服务标兵人数", "count", "前 N 名为服务标兵（并列者一并评定）", ("服务标兵名额",)),
    SettingWords(
        "top_windows", "优秀窗口个数", "count", "前 N 个为优秀服务窗口（并列者一并评定）", ("优秀服务窗口个数",)
    ),
    SettingWords(
        "top_units",
        "优质服务窗口单位数",
        "count",
        "前 N 个单位为优质服务窗口单位（并列者一并评定，条件同优秀窗口）；0：不评定",
        ("优质服务窗口单位个数", "优质单位个数"),
    ),
    SettingWords(
        "bottom_count",
        "末位人数",
        "count",
        "有扣分且得分低于100分者中的末 N 名为末位（人员和窗口各评）",
        ("末位个数", "末位名额"),
    ),
    SettingWords(
        "tie_break",
        "同分排序",
        "tie_break",
        "得分相同时怎样排定名次：无（并列）、扣分（扣分较少者在前）、项次（扣分项次较少者在前），可写两项，用逗号隔开",
        ("并列处理", "同分处理"),
    ),
    SettingWords("model_staff_clean", "服务标兵须无扣分", "switch", "是：本期有扣分者不评服务标兵"),
    SettingWords(
        "award_needs_bonus", "评先须有加分", "switch", "是：本期没有加分的人员和窗口不评先（无人加分的月份不评先）"
    ),
    SettingWords("excellent_min_score", "优秀窗口最低分", "score_or_none", "优秀服务窗口得分不低于此分；无：不设"),
    SettingWords("excellent_no_complaint", "优秀窗口须无有效投诉", "switch", "是：本期有有效投诉的窗口不评优秀"),
    SettingWords(
        "window_score_mode",
        "窗口得分方式",
        "choice",
        "平均：人员平均分加窗口分；合计：100分加窗口全部分值",
    ),
    SettingWords("score_floor", "最低分", "score_or_none", "扣完为止的最低分，如 0；无：扣分不封顶", ("扣完为止",)),
    SettingWords("bonus_cap", "加分上限", "score_or_none", "每期计入的加分最多几分；无：不设上限"),
    SettingWords(
        "attendance_basis",
        "满勤依据",
        "choice",
        "打卡：按打卡记录评定；巡查：大厅无考勤机，按巡查记录评定",
    ),
    SettingWords(
        "on_time_weight",
        "按时办结率权重",
        "weight",
        "窗口量化考评得分中按时办结率所占的百分比，如 20（其余为巡查得分）；0：不计入（默认）",
        ("办结率权重",),
    ),
    SettingWords(
        "good_rate_weight",
        "好评率权重",
        "weight",
        "窗口量化考评得分中好评率所占的百分比，如 10（其余为巡查得分）；0：不计入（默认）",
        ("满意率权重",),
    ),
    SettingWords(
        "office_name",
        "落款单位",
        "text",
        f"通报落款的单位名称；默认：大厅名称加“{OFFICE_SUFFIX}”",
        ("通报落款", "落款"),
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}
NONE_WORDS = frozenset({"无", "不设", "不限", "none", "null", "-"})
YES_WORDS = frozenset({"是", "开", "开启", "要", "yes", "y", "true", "on", "1"})
NO_WORDS = frozenset({"否", "关", "关闭", "不要", "no", "n", "false", "off", "0"})
NO_TIE_BREAK_WORDS = NONE_WORDS | {"并列", "不区分"}
TIE_BREAK_WORDS = {
    "扣分": "deductions",
    "扣分少": "deductions",
    "扣分较少": "deductions",
    "项次": "deduction_items",
    "扣分项次": "deduction_items",
    "扣分项次少": "deduction_items",
    "扣分项次较少": "deduction_items",
}
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "window_score_mode": {"平均": "average", "平均分": "average", "合计": "sum", "求和": "sum", "总和": "sum"},
    "attendance_basis": {
        "打卡": "clockin",
        "考勤机": "clockin",
        "打卡记录": "clockin",
        "巡查": "patrol",
        "巡查记录": "patrol",
    },
}
CHOICE_LABELS = {"window_score_mode": WINDOW_SCORE_MODES, "attendance_basis": ATTENDANCE_BASES}
SHORT_CHOICES = {"window_score_mode": "平均、合计", "attendance_basis": "打卡、巡查"}
DEFAULT_WORDS = frozenset({"默认", "default"})  # a text setting back to its default ("")
MAX_COUNT = 1000
MAX_SCORE = Decimal(1000)


def find_setting(name: str) -> SettingWords:
    """The setting called ``name`` (its English key, its Chinese label or an alias)."""
    text = name.strip()
    key = text.lower().replace("-", "_")
    if key in BY_KEY:
        return BY_KEY[key]
    for setting in SETTINGS:
        if text == setting.label or text in setting.aliases:
            return setting
    known = "、".join(f"{s.label}（{s.key}）" for s in SETTINGS)
    raise UserError(f"没有名为“{name}”的规则。可设置：{known}。")


def parse_value(setting: SettingWords, text: str) -> Any:
    """The value ``text`` stands for, checked; UserError in one line otherwise."""
    raw = text.strip()
    word = raw.lower()
    if setting.kind == "count":
        if not raw.isdigit() or int(raw) > MAX_COUNT:
            raise UserError(f"“{setting.label}”应为 0 到 {MAX_COUNT} 的整数，现为“{_shown(text)}”。")
        return int(raw)
    if setting.kind == "switch":
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise UserError(f"“{setting.label}”应为 是 或 否，现为“{_shown(text)}”。")
    if setting.kind == "score_or_none":
        if word in NONE_WORDS:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or abs(value) > MAX_SCORE or value != value.quantize(Decimal("0.01")):
            raise UserError(f"“{setting.label}”应为分数（如 100 或 99.5，最多两位小数）或“无”，现为“{_shown(text)}”。")
        if setting.key == "bonus_cap" and value < 0:
            raise UserError(f"“{setting.label}”不能为负数，现为“{_shown(text)}”。")
        return float(value)
    if setting.kind == "weight":
        # "20%", "20", and "0（不计入）" as `rules show` and the rules workbook write it
        number = raw.split("（")[0].split("(")[0].strip().removesuffix("%").removesuffix("％").strip()
        if word in NONE_WORDS:
            return 0
        if not number.isdigit() or int(number) > MAX_WEIGHT:
            raise UserError(f"“{setting.label}”应为 0 到 {MAX_WEIGHT} 的整数（百分比，如 20），现为“{_shown(text)}”。")
        return int(number)
    if setting.kind == "text":
        if word in DEFAULT_WORDS | NONE_WORDS:
            return ""
        if not raw:
            raise UserError(f"“{setting.label}”不能为空；要恢复默认（大厅名称加“{OFFICE_SUFFIX}”），请写“默认”。")
        if len(raw) > MAX_OFFICE_NAME or any(not ch.isprintable() for ch in raw):
            raise UserError(f"“{setting.label}”应为不超过 {MAX_OFFICE_NAME} 个字的一行文字，现为“{_shown(text)}”。")
        return raw
    if setting.kind == "choice":
        labels = CHOICE_LABELS[setting.key]
        if word in labels:
            return word
        found = CHOICE_WORDS[setting.key].get(raw) or next((k for k, v in labels.items() if v == raw), None)
        if found is None:
            raise UserError(f"“{setting.label}”应为 {SHORT_CHOICES[setting.key]} 之一，现为“{_shown(text)}”。")
        return found
    return _tie_break(setting, raw, text)


def _shown(text: str) -> str:
    """``text`` on one line: a line break, tab or other control character written as its escape
    (``\\n``), so an error about a bad value is one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _tie_break(setting: SettingWords, raw: str, text: str) -> tuple[str, ...]:
    if raw.lower() in NO_TIE_BREAK_WORDS or not raw:
        return ()
    out: list[str] = []
    for part in (p for p in re.split(r"[,，、;；/+\s]+", raw) if p):
        key = part.lower() if part.lower() in TIE_BREAKS else TIE_BREAK_WORDS.get(part)
        if key is None:
            key = next((k for k, v in TIE_BREAKS.items() if v == part), None)
        if key is None:
            raise UserError(
                f"“{setting.label}”不认识“{part}”：可写 无、扣分（扣分较少者在前）、项次（扣分项次较少者在前），"
                "两项用逗号隔开，如“扣分,项次”。"
            )
        if key in out:
            raise UserError(f"“{setting.label}”中“{part}”写了两次。")
        out.append(key)
    return tuple(out)


def value_text(key: str, value: Any) -> str:
    """A setting's value as `patrol rules show` writes it."""
    setting = BY_KEY[key]
    if setting.kind == "switch":
        return "是" if value else "否"
    if setting.kind == "score_or_none":
        return "无" if value is None else score_text(value)
    if setting.kind == "choice":
        return CHOICE_LABELS[key][value]
    if setting.kind == "text":
        return value or "默认"
    if setting.kind == "tie_break":
        return "、".join(TIE_BREAKS[k] for k in value) if value else "无（同分并列）"
    if setting.kind == "weight":
        return f"{value}%" if value else "0（不计入）"
    return str(value)


def score_text(value: float) -> str:
    """100 and 99.5 as a person writes them (no trailing .0)."""
    return f"{Decimal(repr(value)).normalize():f}"


def since(settings_on: Callable[[date], HallRules], starts: Iterable[date | None], on: date, key: str) -> date | None:
    """The day from which the value of ``key`` in force on ``on`` has applied without a break
    (None: from the beginning). ``starts`` are the days the hall's versions start from."""
    current = getattr(settings_on(on), key)
    for start in sorted({s for s in starts if s is not None and s <= on}, reverse=True):
        if start == date.min or getattr(settings_on(start - timedelta(days=1)), key) != current:
            return start
    return None


def changes(before: HallRules, after: HallRules) -> list[tuple[SettingWords, Any, Any]]:
    """The settings that differ, in display order: (setting, before, after)."""
    return [
        (s, getattr(before, s.key), getattr(after, s.key))
        for s in SETTINGS
        if getattr(before, s.key) != getattr(after, s.key)
    ]


def change_from(
    settings_on: Callable[[date], HallRules], starts: Iterable[date | None], day: date, key: str, value: Any
) -> list[tuple[date, HallRules]]:
    """The versions that make ``key`` take ``value`` from ``day`` on.

    A version is a whole set of settings, so a version already recorded to start later carries
    the old value along. Such a version gets a copy with the new value too, unless the hall
    changed ``key`` there on purpose (its value differs from the day before): from that version
    on, the later decision stands."""
    out = [(day, replace(settings_on(day), **{key: value}))]
    for later in sorted({s for s in starts if s is not None and s > day}):
        if getattr(settings_on(later), key) != getattr(settings_on(later - timedelta(days=1)), key):
            break
        out.append((later, replace(settings_on(later), **{key: value})))
    return out
