"""`r`: the staff and window rankings of a period, moving as findings are saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, TabbedContent, TabPane

from patrol.rules.scoring import Ranking, Totals
from screens.base import PatrolScreen
from screens.ranking_table import STAFF_COLUMNS, WINDOW_COLUMNS, RankingTable


class RankingScreen(PatrolScreen[None]):
    """Two tables: staff and windows. [ ] move through periods, p changes their length."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回", id="back"),
        Binding("left_square_bracket", "shift(-1)", "上一期", id="previous-period"),
        Binding("right_square_bracket", "shift(1)", "下一期", id="next-period"),
        Binding("p", "widen", "月/季/半年/年", id="period-kind"),
        Binding("t", "this_period", "本期", id="this-period"),
        Binding("w", "switch_tab", "人员/窗口", id="switch-tab"),
        Binding("enter", "open_record", "查看记录", id="open-record"),
        Binding("question_mark", "app.help", "帮助", id="help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="ranking-heading")
            with TabbedContent(id="ranking-tabs"):
                with TabPane("人员排名", id="tab-staff"):
                    yield RankingTable("staff", STAFF_COLUMNS, id="staff-ranking")
                with TabPane("窗口排名", id="tab-windows"):
                    yield RankingTable("window", WINDOW_COLUMNS, id="window-ranking")
        yield Footer()

    def on_mount(self) -> None:
        if self.patrol.ranking is not None:
            self.show_standings(self.patrol.ranking, {})
        self.query_one("#staff-ranking").focus()

    def show_standings(self, ranking: Ranking, _today: dict[str, Totals]) -> None:
        """Update both tables in place."""
        period = self.patrol.period
        service = self.patrol.service
        full = sum(1 for r in ranking.staff if r.full_attendance)
        top = service.settings_for(period).top_staff if service else 8
        self.query_one("#ranking-heading", Label).update(
            f"[b]{period.label}[/b]（{period.first:%m-%d} 至 {period.last:%m-%d}）  "
            f"人员 {len(ranking.staff)} 名，满勤 {full} 名；前 {top} 名为服务标兵，末 3 名（有扣分者）为末位"
        )
        self.query_one("#staff-ranking", RankingTable).show(ranking.staff)
        self.query_one("#window-ranking", RankingTable).show(ranking.windows)

    def action_shift(self, step: int) -> None:
        period = self.patrol.period
        self.patrol.set_period(period.next() if step > 0 else period.previous())

    def action_widen(self) -> None:
        self.patrol.set_period(self.patrol.period.widen())

    def action_this_period(self) -> None:
        service = self.patrol.service
        if service is not None:
            self.patrol.set_period(service.current_period(self.patrol.period.kind))

    def action_switch_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-windows" if tabs.active == "tab-staff" else "tab-staff"
        table_id = "#window-ranking" if tabs.active == "tab-windows" else "#staff-ranking"
        self.query_one(table_id).focus()

    def action_open_record(self) -> None:
        tabs = self.query_one(TabbedContent)
        table = self.query_one("#window-ranking" if tabs.active == "tab-windows" else "#staff-ranking", RankingTable)
        ids = table.row_ids()
        if ids and table.cursor_row < len(ids):
            self.patrol.open_record("window" if table.kind == "window" else "staff", ids[table.cursor_row])
