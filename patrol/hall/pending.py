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

    @property
    def label(self) -> str:
        """How the screen names it, e.g. ``09:14 12 张伟 迟到``."""
        who = self.person.name if self.person else (SUBSTITUTE if self.substitute else "窗口")
        return f"{self.at:%H:%M} {self.window.code} {who} {self.item.name}"

    def log(self, service: HallService) -> FindingView:
        """Commit it; raises StorageError while the disk still says no."""
        return service.findings.log(self.window, self.person, self.item, substitute=self.substitute, at=self.at)
