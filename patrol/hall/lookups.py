"""Finding a window, a person or a finding type by what people type, with a hint that says
what would have been found when nothing is."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from patrol.errors import UserError
from patrol.hall import roster
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.items import RuleItem
from patrol.text import same_name

if TYPE_CHECKING:
    from patrol.hall.search import SearchIndex
    from patrol.hall.service import HallService


class Lookups:
    """Lookups in the roster and rules the hall has in memory."""

    def __init__(self, service: HallService) -> None:
        self.service = service
        self._search: SearchIndex | None = None

    def forget(self) -> None:
        """Drop what was built from the roster (it was read again)."""
        self._search = None

    @property
    def search_index(self) -> SearchIndex:
        """The search index of the current roster (built on first use)."""
        if self._search is None:
            from patrol.hall.search import SearchIndex

            self._search = SearchIndex(self.service.windows, self.service.staff)
        return self._search

    def window(self, code: str) -> WindowInfo:
        """The window with ``code``; UserError naming the code otherwise."""
        if not code.strip():
            raise UserError("请填写窗口编号。")
        found = self.service.window_by_code.get(same_name(code).upper())
        if found is None:
            codes = [w.code for w in self.service.windows]
            listed = "、".join(codes[:30]) + ("等" if len(codes) > 30 else "")
            raise UserError(f"没有编号为“{code}”的窗口。现有窗口：{listed or '（无）'}。")
        return found

    def staff_at(self, window_id: str) -> list[StaffInfo]:
        """The active staff of a window, in roster order (the numbers 1, 2, 3 on screen)."""
        return [s for s in self.service.staff if s.window_id == window_id and s.active]

    def resolve_staff(self, name: str, window: WindowInfo | None, on: date | datetime | None = None) -> StaffInfo:
        """The staff member called ``name`` posted (at ``window`` when given) on ``on``: a day,
        a finding's time, or today by default. Someone who has moved or left since is found at
        the window where they sat then (``patrol.hall.roster.person_at``)."""
        if isinstance(on, datetime):
            return roster.person_at_time(self.service, name, window, on)
        return roster.person_at(self.service, name, window, on)

    def rule(self, word: str) -> RuleItem:
        """The finding type called ``word``; UserError listing the accepted names otherwise."""
        item = self.service.rules.find(word)
        if item is None or not item.active:
            raise UserError(f"未知的巡查项“{word}”。可用：{self.service.rules.names()}。")
        return item
