"""What database work sends back to the loop (``screens.database``): one typed message per kind of
result, handled by the app or by the screen that asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from patrol.rules.scoring import Ranking, Totals

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from patrol.hall.service import HallService
    from patrol.reports.notice_model import Notice
    from screens.standings import Loaded


class HallOpened(Message):
    """The hall is open: the standings to draw the board with, and whether any PIN is set."""

    def __init__(self, service: HallService, ranking: Ranking, today: dict[str, Totals], pins: bool) -> None:
        super().__init__()
        self.service, self.ranking, self.today, self.pins = service, ranking, today, pins


class HallNotOpened(Message):
    """No hall to open (``problem`` None: an empty database), or why it could not be opened."""

    def __init__(self, problem: str | None) -> None:
        super().__init__()
        self.problem = problem


class StandingsLoaded(Message):
    """The period's live ranking and today's tiles, read in full: to show (after a change of
    period or roster, or another writer), or with ``confirm`` to check what is shown."""

    def __init__(self, loaded: Loaded, confirm: bool = False) -> None:
        super().__init__()
        self.loaded, self.confirm = loaded, confirm


class RosterRead(Message):
    """Another process wrote: the roster was read again and these are the standings on it."""

    def __init__(self, standings: StandingsLoaded) -> None:
        super().__init__()
        self.standings = standings


class PinsChecked(Message):
    """Whether any inspector has a PIN (a lock can be opened)."""

    def __init__(self, pins: bool) -> None:
        super().__init__()
        self.pins = pins


class Toast(Message):
    """Something a job has to say (a failed backup, a board that cannot watch)."""

    def __init__(self, text: str, title: str, severity: SeverityLevel = "warning", timeout: float = 10) -> None:
        super().__init__()
        self.text, self.title, self.severity, self.timeout = text, title, severity, timeout


class NoticeDrafted(Message):
    """The draft notice of a period, to show."""

    def __init__(self, title: str, notice: Notice) -> None:
        super().__init__()
        self.title, self.notice = title, notice
