"""A hall's settings for scoring and verdicts (DESIGN: 'Scoring for a period', ranks, ties and
eligibility). Stored as JSON versions in ``hall_rules``, each in force from a date."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from patrol.errors import UserError

TIE_BREAKS = {
    "deductions": "扣分较少者在前",
    "deduction_items": "扣分项次较少者在前",
}
WINDOW_SCORE_MODES = {"average": "人员平均分加窗口分", "sum": "窗口全部分值之和"}
OFFICE_SUFFIX = "管理办公室"  # 落款 by default: 高新区政务服务中心管理办公室
MAX_OFFICE_NAME = 50
ATTENDANCE_BASES = {"clockin": "按打卡记录", "patrol": "按巡查记录（大厅无考勤机）"}
MAX_WEIGHT = 90  # percent of a window's score the service figures may take: the patrols keep 10 %


@dataclass(frozen=True)
class HallRules:
    """Every value a hall can change about how a period is scored and judged."""

    top_staff: int = 8  # 服务标兵: the top N staff
    top_windows: int = 4  # 优秀窗口: the top N windows
    # 优质服务窗口单位: the top N units. 0 (not awarded) by default: only some halls name units
    # (a notice: "…等5个单位评定为优质服务窗口单位"), and a default of 5 would add the award to the
    # notices of every earlier period of a hall that never gave it. A hall that does sets it.
    top_units: int = 0
    bottom_count: int = 3  # 末位: the bottom N among those who lost points
    tie_break: tuple[str, ...] = ()  # keys of TIE_BREAKS, in order; () = a tie stays a tie
    model_staff_clean: bool = True  # a 服务标兵 has no deduction in the period
    award_needs_bonus: bool = True  # an award needs at least one bonus in the period
    excellent_min_score: float | None = 100.0  # an 优秀窗口 scores at least this
    excellent_no_complaint: bool = True  # an 优秀窗口 has no 有效投诉
    window_score_mode: str = "average"  # keys of WINDOW_SCORE_MODES
    score_floor: float | None = None  # 扣完为止: the lowest score; None: 扣分不封顶
    bonus_cap: float | None = None  # most bonus points counted per period; None: no cap
    attendance_basis: str = "clockin"  # keys of ATTENDANCE_BASES: what 满勤 is judged from
    # The service figures weighed into a window's 量化考评 score, in percent (0: not counted, the
    # default): the score is the patrol score × (100 − both)% + 按时办结率 × on_time% + 好评率 × good%
    # (patrol.rules.weighting). Older stored versions lack them and take 0: nothing changes.
    on_time_weight: int = 0
    good_rate_weight: int = 0

    @property
    def weighs_services(self) -> bool:
        """Whether a window's score weighs in its service figures."""
        return bool(self.on_time_weight or self.good_rate_weight)

    # 落款 of the notice: the office that sends it. "" (the default, and what older stored
    # versions lack): the hall's name + OFFICE_SUFFIX, as most halls sign.
    office_name: str = ""

    def office(self, hall_name: str) -> str:
        """The name the notice is signed with (落款)."""
        return self.office_name or f"{hall_name}{OFFICE_SUFFIX}"

    def to_json(self) -> str:
        """The settings as stored."""
        values = asdict(self)
        values["tie_break"] = list(self.tie_break)
        return json.dumps(values, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> HallRules:
        """Settings as stored; keys a later version added take their defaults, unknown keys are
        ignored (a database written by a newer patrol stays readable)."""
        values: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        kept = {k: v for k, v in values.items() if k in known}
        if "tie_break" in kept:
            kept["tie_break"] = tuple(kept["tie_break"] or ())
        return replace(cls(), **kept).checked()

    def checked(self) -> HallRules:
        """These settings, or UserError naming the first value that makes no sense."""
        for name in ("top_staff", "top_windows", "top_units", "bottom_count"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
                raise UserError(f"规则“{name}”应为 0 到 1000 的整数，现为“{value}”。")
        unknown = [t for t in self.tie_break if t not in TIE_BREAKS]
        if unknown:
            raise UserError(f"未知的并列处理方式“{'、'.join(unknown)}”。可选：{'、'.join(TIE_BREAKS)}。")
        if self.window_score_mode not in WINDOW_SCORE_MODES:
            raise UserError(f"窗口得分方式应为 {'、'.join(WINDOW_SCORE_MODES)} 之一，现为“{self.window_score_mode}”。")
        for name in ("on_time_weight", "good_rate_weight"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WEIGHT:
                raise UserError(f"规则“{name}”应为 0 到 {MAX_WEIGHT} 的整数（百分比），现为“{value}”。")
        if self.on_time_weight + self.good_rate_weight > MAX_WEIGHT:
            raise UserError(
                f"按时办结率权重与好评率权重之和为 {self.on_time_weight + self.good_rate_weight}%，"
                f"不能超过 {MAX_WEIGHT}%：巡查得分至少要占 {100 - MAX_WEIGHT}%。"
            )
        if not isinstance(self.office_name, str) or len(self.office_name) > MAX_OFFICE_NAME:
            raise UserError(f"落款单位名称应为不超过 {MAX_OFFICE_NAME} 个字的文字，现为“{self.office_name}”。")
        if self.attendance_basis not in ATTENDANCE_BASES:
            raise UserError(f"满勤依据应为 {'、'.join(ATTENDANCE_BASES)} 之一，现为“{self.attendance_basis}”。")
        return self


DEFAULT_SETTINGS = HallRules()
