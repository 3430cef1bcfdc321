"""What every screen of the app shares: typed access to the little of the app screens use (a
``Protocol``, so screens do not import the App class and the App imports them freely)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from patrol.hall.views import FindingView
    from patrol.rules.periods import Period
    from patrol.rules.scoring import Ranking
    from screens.database import DatabaseWork

R = TypeVar("R")
# The styles of every screen but the board, each of which names them: Textual loads a screen's
# CSS_PATH when it first opens, so the board's first frame parses only patrol.tcss.
SCREENS_CSS = "screens.tcss"


class Patrol(Protocol):
    """The app as its screens see it."""

    service: HallService | None
    period: Period
    ranking: Ranking | None
    db: DatabaseWork
    period_closed: bool  # the shown period is closed (月结)

    def own_write_seen(self) -> None: ...
    def standings_after(self, found: FindingView | None = None, sign: int = 1) -> None: ...
    def roster_changed(self) -> None: ...
    def set_period(self, period: Period) -> None: ...
    def open_record(self, kind: str, item_id: str) -> None: ...
    def action_search(self) -> None: ...
    def action_ranking(self) -> None: ...
    def action_roster(self) -> None: ...
    def action_rules(self) -> None: ...
    def action_export(self) -> None: ...
    def action_help(self) -> None: ...
    def action_notice(self) -> None: ...
    def action_lock(self, idle: bool = False, at_start: bool = False) -> None: ...
    def action_set_pin(self) -> None: ...
    async def action_quit(self) -> None: ...
    async def unlocked(self) -> None: ...


class PatrolScreen(Screen[R], Generic[R]):
    """A screen of the patrol app, with typed access to it."""

    @property
    def patrol(self) -> Patrol:
        return cast("Patrol", self.app)
