"""A finding the inspector logged that the disk has not taken yet (full, read-only, locked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from patrol.hall.service import HallService
from patrol.hall.views import SUBSTITUTE, FindingView
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.items import RuleItem


@dataclass(frozen=True)
class PendingFinding:
    """What was seen, where, and when: enough to save it later with its first time."""

    window: WindowInfo
    person: StaffInfo | None
    substitute: bool
    item: RuleItem
    at: datetime  # when the key was pressed, in the hall's time zone
    count: int = 1  # 压缩办理时限 ×28
    minutes: int | None = None  # 无人在岗 15 分钟

    @property
    def label(self) -> str:
        """How the screen names it, e.g. ``09:14 12 张伟 迟到`` or ``10:02 11 窗口 压缩办理时限 ×28``."""
        who = self.person.name if self.person else (SUBSTITUTE if self.substitute else "窗口")
        times = (f" ×{self.count}" if self.count != 1 else "") + (
            f" {self.minutes}分钟" if self.minutes is not None else ""
        )
        return f"{self.at:%H:%M} {self.window.code} {who} {self.item.name}{times}"

    def log(self, service: HallService) -> FindingView:
        """Commit it; raises StorageError while the disk still says no."""
        return service.findings.log(
            self.window,
            self.person,
            self.item,
            substitute=self.substitute,
            at=self.at,
            count=self.count,
            minutes=self.minutes,
        )
