"""The default rules of a hall (DESIGN: 'Default rules'); a hall can change every value.

Hotkeys come from the item's pinyin where a free letter allows it. ``n`` (note) and ``u``
(undo) stay free, because they work in the same place as the hotkeys.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from patrol.errors import UserError

ATTENDANCE = "考勤"
CONDUCT = "作风纪律"
SERVICE = "服务规范"
BONUS = "加分"
CATEGORIES = (ATTENDANCE, CONDUCT, SERVICE, BONUS)
RESERVED_KEYS = frozenset("nu")
# 满勤 (DESIGN): no 迟到, 早退, 脱岗 named by a patrol, no missed punch, no leave. 串岗 is
# misconduct at work, not absence, so it does not break 满勤.
FULL_ATTENDANCE_BREAKERS = frozenset({"late", "early", "absent", "noclock", "leave"})
# What the clock-in and the leave register write: always a person's, and always on.
CLOCKIN_CODES = frozenset({"late", "early", "noclock", "leave"})
COMPLAINT_CODES = frozenset({"complaint"})  # an 优秀窗口 has none of these
# Who an item is logged against (DESIGN, 'Default rules'): a person (or the substitute), the
# window alone, or either: named, it counts for the person; with no name, for the window.
LEVELS = ("staff", "window", "either")
# Items whose finding carries minutes (无人在岗 15 分钟): the app and `log` ask for them.
MINUTE_CODES = frozenset({"vacant"})
MINUTES_LIMIT = 24 * 60  # no window is empty longer than a day
COUNT_LIMIT = 10_000  # one row stands for at most this many (a typo of 28000 is refused)


MAX_POINTS = Decimal(100)


def parse_points(text: str, category: str) -> float:
    """The points ``text`` gives an item of ``category``: a number with at most two decimals,
    positive for a bonus, 0 or negative otherwise; UserError in one line when not."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > MAX_POINTS or value != value.quantize(Decimal("0.01")):
        raise UserError(f"“{text}”不是分值：请写数字，如 -1 或 0.5（最多两位小数，不超过 {MAX_POINTS} 分）。")
    if category == BONUS and value < 0:
        raise UserError(f"加分项的分值应为正数，现为“{text}”。")
    if category != BONUS and value > 0:
        raise UserError(f"{category}项的分值应为 0 或负数（扣分），现为“{text}”；加分项请把类别写作“加分”。")
    return float(value)


@dataclass(frozen=True)
class RuleItem:
    """One finding type as the hall's rules define it."""

    code: str
    name: str
    category: str
    points: float
    hotkey: str
    level: str = "staff"  # staff | window | either
    aliases: tuple[str, ...] = ()
    phrase: str = ""
    id: str = ""
    active: bool = True
    position: int = 0  # the order the hall lists its items in (as stored; not part of as_row)

    @property
    def is_window_level(self) -> bool:
        """Logged against the window alone, never a person."""
        return self.level == "window"

    @property
    def may_credit_window(self) -> bool:
        """Logged with no name, it counts for the window (window- and either-level items)."""
        return self.level in ("window", "either")

    @property
    def takes_minutes(self) -> bool:
        """The finding says how many minutes (无人在岗 15 分钟)."""
        return self.code in MINUTE_CODES

    def as_row(self) -> dict[str, object]:
        """The values to store for this item."""
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "points": self.points,
            "hotkey": self.hotkey,
            "level": self.level,
            "aliases": "|".join(self.aliases),
            "phrase": self.phrase,
            "active": self.active,
        }


DEFAULT_RULES: tuple[RuleItem, ...] = (
    RuleItem("late", "迟到", ATTENDANCE, -1, "c", phrase="上班迟到"),
    RuleItem("early", "早退", ATTENDANCE, -1, "z", phrase="早退"),
    RuleItem("absent", "脱岗", ATTENDANCE, -2, "t", aliases=("空岗",), phrase="脱岗"),
    RuleItem("roam", "串岗", ATTENDANCE, -1, "g", phrase="串岗"),
    RuleItem("noclock", "缺卡", ATTENDANCE, -0.5, "k", phrase="缺卡"),
    RuleItem("leave", "请假", ATTENDANCE, 0, "q", phrase="请假"),
    RuleItem("phone", "玩手机", CONDUCT, -1, "w", phrase="工作期间使用手机处理与工作无关的事情"),
    RuleItem("dress", "着装不规范", CONDUCT, -0.5, "h", phrase="着装不规范"),
    RuleItem("badge", "未亮牌上岗", CONDUCT, -0.5, "l", phrase="未亮牌上岗"),
    RuleItem("chat", "闲聊", CONDUCT, -0.5, "x", phrase="工作期间闲聊"),
    RuleItem("snack", "吃零食", CONDUCT, -0.5, "i", phrase="工作期间吃零食"),
    RuleItem("sleep", "睡岗", CONDUCT, -2, "s", phrase="睡岗"),
    RuleItem("speech", "服务用语不规范", SERVICE, -1, "y", phrase="服务用语不规范"),
    RuleItem("rater", "未打开评价器", SERVICE, -0.5, "p", phrase="未打开评价器"),
    RuleItem("desk", "窗口摆放不规范", SERVICE, -0.5, "b", level="window", phrase="窗口物品摆放不规范"),
    RuleItem("complaint", "有效投诉", SERVICE, -3, "o", level="either", phrase="被有效投诉"),
    RuleItem("badreview", "差评", SERVICE, -2, "a", level="either", phrase="收到差评"),
    RuleItem("visit", "上门服务", BONUS, 0.5, "m", level="either", phrase="主动为企业提供上门服务"),
    RuleItem("faster", "压缩办理时限", BONUS, 0.2, "d", level="either", phrase="主动为企业压缩办理时限"),
    RuleItem("booking", "预约服务", BONUS, 0.3, "e", level="either", phrase="预约服务"),
    RuleItem("overtime", "延时服务", BONUS, 0.3, "f", level="either", phrase="延时服务"),
    RuleItem("simplify", "简化办事流程", BONUS, 0.3, "j", level="either", phrase="简化办事流程"),
    RuleItem("praise", "表扬信", BONUS, 1, "r", aliases=("锦旗",), level="either", phrase="收到表扬信"),
    # The window empty in working hours: a window item, as heavy as a person's 脱岗 (空岗), the
    # nearest item DESIGN prices; the minutes say how long, the points do not scale with them.
    RuleItem("vacant", "无人在岗", ATTENDANCE, -2, "v", level="window", phrase="无人在岗"),
)
# The items 0006 turned into either-level ones in halls made before it, and the item it added.
EITHER_CODES = frozenset({"complaint", "badreview", "visit", "faster", "booking", "overtime", "simplify", "praise"})


class Rules:
    """A hall's finding types, found by name, alias, code or hotkey."""

    def __init__(self, items: tuple[RuleItem, ...] | list[RuleItem]) -> None:
        self.items = tuple(items)
        self._by_word: dict[str, RuleItem] = {}
        for item in self.items:
            for word in (item.name, item.code, *item.aliases):
                self._by_word[word.strip().lower()] = item
        self.by_id = {item.id: item for item in self.items}
        self.by_hotkey = {item.hotkey: item for item in self.items if item.active}

    def ids_of(self, codes: frozenset[str]) -> list[str]:
        """The ids of the items whose code is in ``codes``."""
        return [item.id for item in self.items if item.code in codes]

    def find(self, word: str) -> RuleItem | None:
        """The item called ``word`` (its name, an alias or its code), or None."""
        return self._by_word.get(word.strip().lower())

    def names(self) -> str:
        """All names, for a message that lists what is accepted."""
        return "、".join(item.name for item in self.items if item.active)
