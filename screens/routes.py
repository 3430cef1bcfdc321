"""Where the app's keys lead: one method per screen or dialog it opens (search, record, export,
notice, ranking, roster, help, the command palette) and quitting. Nothing here touches the
database on the loop: what needs it goes through the lane (``screens.database``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from screens.locking import LockingApp
from screens.results import NoticeDrafted

if TYPE_CHECKING:
    from patrol.rules.periods import Period


class RoutesApp(LockingApp):
    """The app's actions (``screens.app.PatrolApp`` is the rest)."""

    period: Period
    _quit_warned: bool

    async def action_quit(self) -> None:
        """Quit; with findings the disk has not taken, only on a second ctrl+q."""
        if self.locked:  # nobody leaves the lock for the shell, or for a fresh start without it
            self._say_no_way_out()
            return
        board = self.board_or_none
        unsaved = len(board.unsaved) if board is not None else 0
        if unsaved and not self._quit_warned:
            self._quit_warned = True
            self.notify(
                f"还有 {unsaved} 条记录未保存，退出后将丢失。按 F5 重试保存，或再按 ctrl+q 退出。",
                title="未保存",
                severity="error",
                timeout=10,
            )
            return
        await super().action_quit()

    def action_search(self) -> None:
        if not self.open_for_work or self.service is None:
            return
        from screens.search import SearchScreen

        def opened(hit: Any) -> None:
            if hit is not None:
                self.open_record("window" if hit.kind in ("window", "unit") else "staff", hit.id)

        service = self.service
        self.push_screen(SearchScreen(lambda: service.lookup.search_index), opened)  # built in the lane

    def open_record(self, kind: str, item_id: str) -> None:
        """Show the record of a window or a staff member for the current period."""
        from screens.record import RecordScreen

        self.push_screen(RecordScreen(kind, item_id, self.period))

    def action_export(self) -> None:
        """`x`: ask for the period and the file, then export in the lane."""
        if not self.open_for_work or self.service is None:
            return
        from screens.export import ExportScreen, export_period, run_export

        def chosen(request: Any) -> None:
            if request is not None:
                self.run_worker(run_export(self, request), group="export")

        period = export_period(self.period, self.service.today())
        self.push_screen(ExportScreen(self.service.hall.name, period, Path.cwd()), chosen)

    def action_notice(self) -> None:
        """The draft notice of the current period, to read and copy (gathered in the lane)."""
        service, period = self.service, self.period
        if service is None or not self.open_for_work:
            return

        def draft() -> NoticeDrafted:
            from patrol.reports.notice import compose_notice
            from patrol.reports.period_report import gather

            # The same Notice the Word file is written from (patrol.reports.notice.compose_notice).
            return NoticeDrafted(f"{period.label} 通报草稿", compose_notice(gather(service, period)))

        self.db.run(draft, name="notice")

    def on_notice_drafted(self, message: NoticeDrafted) -> None:
        from screens.export import NoticeScreen

        self.run_worker(self.show_unlocked(NoticeScreen(message.title, message.notice)))

    async def show_unlocked(self, screen: Screen[Any]) -> None:
        """Push ``screen`` once the lock is off (it names people: never over the lock)."""
        await self.unlocked()
        await self.push_screen(screen)

    def action_ranking(self) -> None:
        from screens.ranking import RankingScreen

        if self.open_for_work and not isinstance(self.screen, RankingScreen):
            self.push_screen(RankingScreen())

    def action_roster(self) -> None:
        from screens.roster import RosterScreen

        if self.open_for_work and not isinstance(self.screen, RosterScreen):
            self.push_screen(RosterScreen())

    def action_rules(self) -> None:
        """F6: the hall's items and settings, to read and change."""
        from screens.rules import RulesScreen

        if self.open_for_work and not isinstance(self.screen, RulesScreen):
            self.push_screen(RulesScreen())

    def action_help(self) -> None:
        from screens.help import HelpScreen, key_rows, screen_title

        if not isinstance(self.screen, HelpScreen) and not self.locked:
            self.push_screen(HelpScreen(f"按键：{screen_title(self.screen)}", list(key_rows(self, self.screen))))
