"""The record of a window or a staff member: standing, counts by item, findings, recent months."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from patrol.errors import UserError
from patrol.hall.corrections import CorrectionText
from patrol.hall.views import FindingView, Record
from patrol.reports.formatting import change_text, points_text
from patrol.reports.wording import history_labels, record_subtitle, record_title
from patrol.rules.periods import Period
from patrol.text import shown
from screens.base import SCREENS_CSS, PatrolScreen
from screens.keybar import KeyBar
from screens.ranking_table import Col, widths
from screens.text import pad, plain
from storage.errors import StorageError

CHART_WIDTH = 20
# The findings table: fixed columns as wide as their content, the note takes what is left.
FINDING_COLUMNS = {
    "ref": Col("记录号", 9),
    "day": Col("日期", 5),
    "time": Col("时间", 5),
    "who": Col("人员", 6, 12),
    "item": Col("巡查项", 8, 16),
    "points": Col("分值", 5),
    "inspector": Col("督查员", 6, 12),
    "note": Col("备注", 4, 80),
}
COLUMN_ORDER = ("ref", "day", "time", "who", "item", "points", "note", "inspector")


def chart(history: list[tuple[str, float | None]]) -> str:
    """Recent scores as ASCII bars (block characters misalign in many Chinese fonts); a month
    in which the person was not posted has no bar."""
    scores = [score for _, score in history if score is not None]
    if not scores:
        return "暂无记录"
    low = min(min(scores), 90.0)
    high = max(max(scores), 100.0)
    span = max(high - low, 1.0)
    lines = []
    for label, score in history:
        if score is None:
            lines.append(f"{pad(label, 5)}  不在岗")
            continue
        bar = "#" * max(1, round((score - low) / span * CHART_WIDTH))
        lines.append(f"{pad(label, 5)}{score:6.1f} {bar}")
    return "\n".join(lines)


class RecordRead(Message):
    """The record of a period, read in the lane (None: ``problem`` says why not)."""

    def __init__(self, period: Period, record: Record | None, problem: str = "") -> None:
        super().__init__()
        self.period, self.record, self.problem = period, record, problem


class RecordScreen(PatrolScreen[None]):
    """One window's or person's record for the app's period."""

    CSS_PATH = SCREENS_CSS

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
        self._record: Record | None = None
        self._widths: dict[str, int] = {}
        self._looked_up: set[Period] = set()  # periods whose lookup is in the access log

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("正在读取记录…", id="record-head")
            with Horizontal(id="record-top"):
                yield Static("", id="record-counts")
                yield Static("", id="record-chart")
            yield DataTable(id="record-findings", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self._columns(80)
        self.reload()
        self.query_one("#record-findings", DataTable).focus()

    def _columns(self, width: int) -> None:
        """Size the columns to ``width`` and to the findings shown: the note takes what is left."""
        columns = dict(FINDING_COLUMNS)
        if self.kind == "staff":
            columns["who"] = Col("窗口", 4, 8)  # a person's findings stay with the window where they happened
        content: dict[str, int] = {}
        for f in self._record.findings if self._record else ():
            for key, text in (
                ("who", self._who(f)),
                ("item", f.type_name),
                ("inspector", f.inspector),
                ("note", f.note),
            ):
                content[key] = max(content.get(key, 0), cell_len(shown(text)))
        sizes = widths(columns, width - 1, content)
        sizes = {key: sizes[key] for key in COLUMN_ORDER}
        if sizes == self._widths:
            return
        self._widths = sizes
        table = self.query_one("#record-findings", DataTable)
        table.clear(columns=True)
        for key in COLUMN_ORDER:
            table.add_column(columns[key].title, key=key, width=sizes[key])
        if self._record is not None:
            self._fill(self._record)

    def _who(self, f: FindingView) -> str:
        return f.window_code if self.kind == "staff" else (f.person or "窗口")

    def on_resize(self, event: events.Resize) -> None:
        self._columns(event.size.width)

    def show_standings(self, _ranking: object, _today: object) -> None:
        """A finding was saved, another device wrote, or the period changed: read it again."""
        self.reload()

    def reload(self) -> None:
        """Read the record again in the lane (the period or the log changed); only the newest
        read asked for runs, and ``RecordRead`` shows it."""
        service = self.patrol.service
        assert service is not None
        kind, item_id, period = self.kind, self.item_id, self.period
        first = period not in self._looked_up  # opened, or another period: the access log says so
        self._looked_up.add(period)
        patrol = self.patrol

        def read() -> RecordRead:
            try:
                if not first:  # read again after a save: the lookup is on record
                    return RecordRead(period, service.records.record(kind, item_id, period))
                found = service.records.look_up(kind, item_id, period)
                patrol.own_write_seen()
                return RecordRead(period, found)
            except (UserError, StorageError) as exc:
                return RecordRead(period, None, str(exc))

        self.patrol.db.run(read, to=self, latest=f"record-{id(self)}", name="record")

    def on_record_read(self, message: RecordRead) -> None:
        if message.period != self.period:
            return  # the inspector moved on: that period's read is on its way
        if message.record is None:
            self.query_one("#record-head", Static).update(plain(f"无法读取记录：{message.problem}"))
            return
        self.show(message.record)

    def show(self, record: Record) -> None:
        """Draw the standing, the counts, the recent months and the findings."""
        self._record = record
        if self.size.width:
            self._columns(self.size.width)
        s = record.standing
        if s is not None:
            change = "新" if s.new else ("" if s.change is None else change_text(s.change))
            standing = (
                f"名次 [b]{s.rank}[/b]{'（并列）' if s.tied > 1 else ''}  得分 [b]{s.score:.1f}[/b]  "
                f"扣分 {points_text(s.deductions)}  加分 {points_text(s.bonuses)}  项次 {s.findings}"
                + (f"  名次变化 {change}" if change else "")
            )
            if self.kind == "staff":
                judged = record.full_attendance_judged
                standing += f"  满勤 {('是' if s.full_attendance else '否') if judged else '未评定'}"
            if s.mark:
                standing += f"  [b]{s.mark}[/b]"
        else:
            standing = "本期不在岗，不参与排名"
        # Names are data: Text, never markup (only ``standing``, the program's own words, is).
        self.query_one("#record-head", Static).update(
            Text.assemble(
                plain(record_title(record), style="bold"),
                "  ",
                plain(record_subtitle(record)),
                f"\n{record.period.label}  ",
                Text.from_markup(standing),
            )
        )
        counts = "\n".join(f"{pad(name, 16)}{n:3d} 次 {points_text(p):>6}" for name, n, p in record.counts)
        self.query_one("#record-counts", Static).update(
            Text.assemble(("按巡查项", "bold"), "\n", plain(counts, keep="\n") if counts else "本期无记录")
        )
        history = plain(chart(history_labels(record)), keep="\n")
        self.query_one("#record-chart", Static).update(Text.assemble(("近几个月得分", "bold"), "\n", history))
        self._fill(record)

    def _fill(self, record: Record) -> None:
        table = self.query_one("#record-findings", DataTable)
        table.clear()
        self._findings = record.findings
        for f in record.findings:
            table.add_row(  # names and notes as typed: never markup, shown escaped
                plain(f.ref),
                Text(f"{f.at:%m-%d}"),
                Text(f"{f.at:%H:%M}"),
                plain(self._who(f)),
                plain(f.type_name + f.times),
                Text(points_text(f.total_points), justify="right"),
                plain(f.note),
                plain(f.inspector),
                key=f.id,
            )

    def action_correct(self) -> None:
        """Correct the finding under the cursor."""
        from screens.correction import CorrectionScreen

        table = self.query_one("#record-findings", DataTable)
        if table.row_count == 0:
            self.notify("本期没有可更正的记录。", severity="warning")
            return
        finding_id = table.ordered_rows[table.cursor_row].key.value or ""
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
            await self.patrol.db.ask(apply_correction, service, finding, text)
        except (UserError, StorageError) as exc:
            self.notify(str(exc), title="未更正", severity="error", timeout=8)
            return
        self.notify("已作废（已留更正记录）。" if text.void else "已更正（原记录作废，新记录另存）。")
        self.patrol.standings_after(None)

    def action_shift(self, step: int) -> None:
        """[ and ]: the period before or after; not past the one we are in."""
        service = self.patrol.service
        if step > 0 and service is not None and self.period.next().is_after(service.today()):
            self.notify("已是本期，没有更晚的记录。")
            return
        self.period = self.period.next() if step > 0 else self.period.previous()
        self.reload()
