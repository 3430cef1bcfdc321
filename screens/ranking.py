"""`r`: the staff and window rankings of a period, moving as findings are saved."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane

from patrol.rules.scoring import Ranking, Totals
from patrol.rules.settings import HallRules
from screens.base import SCREENS_CSS, PatrolScreen
from screens.keybar import KeyBar
from screens.ranking_table import STAFF_COLUMNS, WINDOW_COLUMNS, RankingTable
from screens.text import plain


def verdict_summary(ranking: Ranking, settings: HallRules) -> str:
    """One line on what the period concluded, in the words of the appendix."""
    from patrol.reports.verdict_text import summary

    verdicts = ranking.verdicts
    if verdicts is None or not verdicts.has_records:
        return "本期无巡查记录：不评定服务标兵、优秀窗口和末位。"
    awards = (verdicts.models, verdicts.excellent, verdicts.bottom_staff)
    parts = [summary(award, settings) for award in awards]
    if verdicts.full_attendance is None:
        parts.append("满勤：未评定（无打卡记录）")
    else:
        source = "（依据巡查记录）" if verdicts.attendance_basis == "patrol" else ""
        parts.append(f"满勤{len(verdicts.full_attendance)}名{source}")
    return "；".join(parts)


class RankingScreen(PatrolScreen[None]):
    """Two tables: staff and windows. [ ] move through periods, p changes their length."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "close", "返回", id="back", tooltip="回到大厅（大厅显示本月排名）"),
        Binding("left_square_bracket", "shift(-1)", "上一期", id="previous-period"),
        Binding("right_square_bracket", "shift(1)", "下一期", id="next-period"),
        Binding("p", "widen", "周期", id="period-kind", tooltip="月、季度、半年、年，再回到本月"),
        Binding("t", "this_period", "本期", id="this-period"),
        Binding("w", "switch_tab", "切换", id="switch-tab", tooltip="人员排名与窗口排名"),
        # Before the focused table's own Enter (which selects the row and nothing else).
        Binding("enter", "open_record", "查看记录", id="open-record", priority=True),
        Binding("question_mark", "app.help", "帮助", id="help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="ranking-heading")
            with TabbedContent(id="ranking-tabs"):
                with TabPane("人员排名", id="tab-staff"):
                    yield RankingTable("staff", STAFF_COLUMNS, id="staff-ranking")
                with TabPane("窗口排名", id="tab-windows"):
                    yield RankingTable("window", WINDOW_COLUMNS, id="window-ranking")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.patrol.ranking is not None:
            self.show_standings(self.patrol.ranking, {})
        self.query_one("#staff-ranking").focus()

    def show_standings(self, ranking: Ranking, _today: dict[str, Totals]) -> None:
        """Update both tables in place."""
        period = self.patrol.period
        service = self.patrol.service
        settings = service.settings_for(period) if service is not None else HallRules()
        self.query_one("#ranking-heading", Static).update(
            Text.assemble(
                (period.label, "bold"),
                ("（已月结）" if self.patrol.period_closed else "", "bold"),
                f"（{period.first:%m-%d} 至 {period.last:%m-%d}）"
                f"人员 {len(ranking.staff)} 名，窗口 {len(ranking.windows)} 个\n",
                plain(verdict_summary(ranking, settings)),  # Text, never markup
                ("\n变化：比上期名次升(+)降(-)，上期无记录时空白；名次按未经四舍五入的得分排定，同分并列", "dim"),
            )
        )
        self.query_one("#staff-ranking", RankingTable).show(ranking.staff)
        self.query_one("#window-ranking", RankingTable).show(ranking.windows)

    def action_close(self) -> None:
        """Back to the board, which ranks the current month again: the month being logged in is
        the one whose ranking moves with each finding."""
        service = self.patrol.service
        if service is not None and self.patrol.period != service.current_period():
            self.patrol.set_period(service.current_period())
        self.app.pop_screen()

    def action_shift(self, step: int) -> None:
        """[ and ]: the period before or after; not past the one we are in."""
        period = self.patrol.period
        service = self.patrol.service
        if step > 0 and service is not None and period.next().is_after(service.today()):
            self.notify("已是本期，没有更晚的记录。")
            return
        self.patrol.set_period(period.next() if step > 0 else period.previous())

    def action_widen(self) -> None:
        """p: month, quarter, half, year, and back to this month."""
        service = self.patrol.service
        if service is not None:
            self.patrol.set_period(self.patrol.period.widen(service.today()))

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
