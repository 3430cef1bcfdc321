"""The record of a window or a staff member: standing, counts by item, findings, recent months."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Static

from patrol.errors import UserError
from patrol.hall.corrections import CorrectionText
from patrol.hall.service import FindingView, Record
from patrol.reports.formatting import change_text, points_text
from patrol.rules.periods import Period
from screens.base import PatrolScreen
from screens.text import pad
from storage.errors import StorageError

CHART_WIDTH = 20


def chart(history: list[tuple[str, float]]) -> str:
    """Recent scores as ASCII bars (block characters misalign in many Chinese fonts)."""
    if not history:
        return ""
    low = min(min(score for _, score in history), 90.0)
    high = max(max(score for _, score in history), 100.0)
    span = max(high - low, 1.0)
    lines = []
    for label, score in history:
        bar = "#" * max(1, round((score - low) / span * CHART_WIDTH))
        lines.append(f"{pad(label, 5)}{score:6.1f} {bar}")
    return "\n".join(lines)


class RecordScreen(PatrolScreen[None]):
    """One window's or person's record for the app's period."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回", id="back"),
        Binding("left_square_bracket", "shift(-1)", "上一期", id="previous-period"),
        Binding("right_square_bracket", "shift(1)", "下一期", id="next-period"),
        Binding("e", "correct", "更正", id="correct", tooltip="作废或修改所选记录（须写原因，留有更正记录）"),
        Binding("question_mark", "app.help", "帮助", id="help"),
    ]

    def __init__(self, kind: str, item_id: str, period: Period) -> None:
        super().__init__()
        self.kind = kind
        self.item_id = item_id
        self.period = period
        self._findings: list[FindingView] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="record-head")
            with Horizontal(id="record-top"):
                yield Static("", id="record-counts")
                yield Static("", id="record-chart")
            yield DataTable(id="record-findings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#record-findings", DataTable)
        for title, width in (
            ("日期", 10),
            ("时间", 5),
            ("人员", 8),
            ("巡查项", 14),
            ("分值", 5),
            ("备注", 24),
            ("督查员", 8),
        ):
            table.add_column(title, width=width)
        self.reload()
        table.focus()

    def show_standings(self, _ranking: object, _today: object) -> None:
        """A finding was saved or the period changed: read the record again."""
        self.reload()

    def reload(self) -> None:
        """Read the record again (the period or the log changed)."""
        service = self.patrol.service
        assert service is not None
        self.show(service.record(self.kind, self.item_id, self.period))

    def show(self, record: Record) -> None:
        s = record.standing
        if s is not None:
            standing = (
                f"名次 [b]{s.rank}[/b]  得分 [b]{s.score:.1f}[/b]  扣分 {points_text(s.deductions)}  "
                f"加分 {points_text(s.bonuses)}  项次 {s.findings}  较上期 {change_text(s.change)}"
            )
            if self.kind == "staff":
                standing += f"  满勤 {'是' if s.full_attendance else '否'}"
            if s.mark:
                standing += f"  [b]{s.mark}[/b]"
        else:
            standing = "不参与排名（已停用）"
        self.query_one("#record-head", Static).update(
            f"[b]{escape(record.title)}[/b]  {escape(record.subtitle)}\n{record.period.label}  {standing}"
        )
        counts = "\n".join(f"{pad(name, 16)}{n:3d} 次 {points_text(p):>6}" for name, n, p in record.counts)
        self.query_one("#record-counts", Static).update(f"[b]按巡查项[/b]\n{counts or '本期无记录'}")
        self.query_one("#record-chart", Static).update(f"[b]近几个月得分[/b]\n{chart(record.history)}")
        table = self.query_one("#record-findings", DataTable)
        table.clear()
        self._findings = record.findings
        for f in record.findings:
            table.add_row(
                f"{f.at:%Y-%m-%d}",
                f"{f.at:%H:%M}",
                f.person or "窗口",
                f.type_name,
                Text(points_text(f.points), justify="right"),
                f.note,
                f.inspector,
                key=f.id,
            )

    def action_correct(self) -> None:
        """Correct the finding under the cursor."""
        from screens.correction import CorrectionScreen

        table = self.query_one("#record-findings", DataTable)
        if table.row_count == 0:
            self.notify("本期没有可更正的记录。", severity="warning")
            return
        finding_id = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or ""
        finding = next(f for f in self._findings if f.id == finding_id)
        self.app.push_screen(CorrectionScreen(finding), lambda text: self._apply(finding, text))

    def _apply(self, finding: FindingView, text: CorrectionText | None) -> None:
        if text is not None:
            self.run_worker(self._save(finding, text), group="write")

    async def _save(self, finding: FindingView, text: CorrectionText) -> None:
        from patrol.hall.corrections import apply_correction

        service = self.patrol.service
        assert service is not None
        try:
            await self.patrol.write(apply_correction, service, finding, text)
        except (UserError, StorageError) as exc:
            self.notify(str(exc), title="未更正", severity="error", timeout=8)
            return
        self.notify("已作废（已留更正记录）。" if text.void else "已更正（原记录作废，新记录另存）。")
        await self.patrol.refresh_standings()

    def action_shift(self, step: int) -> None:
        self.period = self.period.next() if step > 0 else self.period.previous()
        self.reload()
