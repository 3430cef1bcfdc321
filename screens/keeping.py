"""Keeping what the app shows current: the standings after our own saves (moved in place, then
checked by a full recompute once the keys are quiet), full reads after a change of period or
roster, and what other writers (the command line, another laptop) put into the database. Every
read runs in the lane and comes back as a message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking, Totals
from screens.results import RosterRead, StandingsLoaded, Toast
from screens.routes import RoutesApp
from screens.standings import Standings, load, paint

if TYPE_CHECKING:
    from textual.timer import Timer

    from patrol.hall.views import FindingView
    from patrol.hall.watch import Watch

CONFIRM_SECONDS = 2.0  # quiet after a finding before the standings are checked by a full recompute


class KeepingApp(RoutesApp):
    """The standings and the watch's half of the app (``screens.app.PatrolApp`` is the rest)."""

    url: str
    ranking: Ranking | None
    standings: Standings
    _confirm_timer: Timer | None
    _watch: Watch | None
    period_closed: bool = False  # the shown period is closed (月结), as the last full read found

    # --- the standings ----------------------------------------------------------------

    def own_write_seen(self) -> None:
        """Tell the watch that what the database holds now is known here (in the lane: right
        after our own commit, which is not news, or before a full read)."""
        if self._watch is not None:
            self._watch.mark_seen()

    def standings_after(self, found: FindingView | None = None, sign: int = 1) -> None:
        """The one seam after a commit: ``found`` was saved (``sign`` 1) or undone (-1); move the
        standings by it in place and paint only what changed, and check them with a full
        recompute once the keys are quiet. None (a note, a correction, a roster change): read
        them all again."""
        moved = self.standings.moved(found, sign) if found is not None else None
        ranking = self.standings.ranking
        if moved is None or ranking is None:  # nothing kept live yet: read it all
            self.refresh_standings()
            return
        self.ranking = ranking  # the same rows, moved in place (or ranked anew from the totals kept)
        if self.is_running and moved:
            paint(self.screen_stack, ranking, self.standings.today, moved)
        if self._confirm_timer is not None:
            self._confirm_timer.stop()
        self._confirm_timer = self.set_timer(CONFIRM_SECONDS, self.confirm_standings, name="confirm-standings")

    def confirm_standings(self) -> None:
        """Rank the period in full off the hot path; ``StandingsLoaded`` shows it only if it
        differs from what is shown (``standings.mismatches`` counts that: a bug)."""
        service, period = self.service, self.period
        if service is None:
            return
        previous = self.standings.previous(period)
        self.db.run(lambda: StandingsLoaded(load(service, period, previous), confirm=True), latest="standings")

    def refresh_standings(self) -> None:
        """Recompute the period's ranking and today's tiles in the lane; only the newest asked
        for is read (``StandingsLoaded`` shows it)."""
        service, period = self.service, self.period
        if service is None:
            return

        def read() -> StandingsLoaded:
            self.own_write_seen()  # before reading: a commit after this is news
            return StandingsLoaded(load(service, period))

        self.db.run(read, latest="standings", name="standings")

    def on_standings_loaded(self, message: StandingsLoaded) -> None:
        loaded = message.loaded
        if loaded.period != self.period:  # a read of the new period is on its way
            return
        self.period_closed = loaded.closed
        board = self.board_or_none
        if board is not None and loaded.coverage is not None:
            board.show_coverage(loaded.coverage, loaded.closed)
        if not message.confirm:
            self.standings.reset(loaded)
        elif not self.standings.confirm(loaded):
            return  # what is shown is right
        self._show(loaded.live.ranking, loaded.today)

    def _show(self, ranking: Ranking, today: dict[str, Totals]) -> None:
        if not self.is_running:  # quitting: a refresh that ends now has no screens left to draw on
            return
        self.ranking = ranking
        for screen in self.screen_stack:
            # Each screen that shows standings has this method; importing them here would
            # slow the first frame down.
            show = getattr(screen, "show_standings", None)
            if show is not None:
                show(ranking, today)

    def set_period(self, period: Period) -> None:
        """Rank another period (the ranking screen's [ ] and p)."""
        self.period = period
        self.refresh_standings()

    def roster_changed(self, standings: StandingsLoaded | None = None) -> None:
        """The roster was read again (in the lane, swapped in as one snapshot): redraw the hall,
        and show ``standings`` (or read them again)."""
        if not self.is_running:  # shutting down: the board's widgets may be gone, nobody would see them
            return
        board = self.board_or_none
        if board is not None:
            board.load()
        if standings is not None:
            self.on_standings_loaded(standings)
        else:
            self.refresh_standings()

    # --- other writers ----------------------------------------------------------------

    def _start_watching(self) -> Toast | None:
        from patrol.hall.watch import watch_for

        try:
            self._watch = watch_for(self.url)
        except Exception as exc:  # a board that cannot watch still works; it says so
            return Toast(f"无法监视其他设备的记录（{exc}），请重新打开以看到它们。", "监视")
        return None

    def _look_for_changes(self) -> None:
        watch, service, period = self._watch, self.service, self.period
        if watch is None or service is None or not self.is_running:
            return

        def look() -> RosterRead | None:
            """Another process wrote (the command line, another laptop): read the roster and the
            standings again."""
            if not watch.changed():
                return None
            self.own_write_seen()
            service.reload()  # one snapshot swapped in: a screen reads the old roster or the new, whole
            return RosterRead(StandingsLoaded(load(service, period)))

        self.db.run(look, latest="watch", name="watch")

    def on_roster_read(self, message: RosterRead) -> None:
        self.roster_changed(message.standings)
