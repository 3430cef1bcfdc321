"""`x`: the month-end export. The dialog only collects the choice and returns it typed; the app
runs the export (patrol.reports.export) in a worker, shows its progress, then the files and the
notice. Beside the appendix workbook it writes, unless unticked, the notice as a Word file in the
official document format, from the same reading of the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Static

from patrol.errors import UserError
from patrol.reports.export import default_file_name, default_notice_name, safe_file_name
from patrol.reports.notice_model import Notice
from patrol.rules.periods import Period
from screens.base import SCREENS_CSS
from screens.text import plain
from storage.errors import StorageError

if TYPE_CHECKING:
    from rich.text import Text
    from textual.app import App

    from screens.base import Patrol

PROGRESS_FROM = 20_000  # findings: smaller periods export before a progress bar could mean anything


@dataclass(frozen=True)
class ExportRequest:
    """What the inspector chose: the period, the workbook to write and the Word notice (or None)."""

    period: Period
    path: Path
    force: bool
    word: Path | None = None


async def run_export(app: App[Any], request: ExportRequest) -> None:
    """Export in the lane with progress, then show the file and the notice. A database that fails
    verify is not exported: a dialog says why."""
    from patrol.reports.export import Unverified, check_target, export_month_end

    patrol = cast("Patrol", app)
    service = patrol.service
    assert service is not None
    try:
        check_target(request.path, request.force)
        if request.word is not None:
            check_target(request.word, request.force, ".docx")
        total = await patrol.db.ask(service.standings.finding_count, request.period)
    except (UserError, StorageError) as exc:
        app.notify(str(exc), title="未导出", severity="error", timeout=8)
        return
    progress_screen = ExportProgressScreen(total) if total > PROGRESS_FROM else None
    if progress_screen is not None:
        await app.push_screen(progress_screen)

    def progress(done: int, _all: int) -> None:
        if progress_screen is not None:
            app.call_from_thread(progress_screen.advance, done)

    refused: str | None = None
    try:
        done = await patrol.db.ask(
            export_month_end,
            service,
            request.period,
            request.path,
            word=request.word,
            force=request.force,
            progress=progress,
        )
    except Unverified as exc:
        refused = exc.problem
    except (UserError, StorageError) as exc:
        app.notify(str(exc), title="未导出", severity="error", timeout=8)
        return
    finally:
        # A long export may end while the screen is locked: nothing appears over the lock.
        await patrol.unlocked()
        if progress_screen is not None:
            progress_screen.dismiss()
    if refused is not None:
        await app.push_screen(RefusedScreen(refused))
        return

    def offer(_closed: None) -> None:
        app.run_worker(offer_close(app, request.period), group="export")

    what = "巡查考核附表与通报（Word）" if done.word is not None else "巡查考核附表"
    title = f"{request.period.label} {what}已导出"
    await app.push_screen(NoticeScreen(title, done.notice, done.workbook, done.word), offer)


async def offer_close(app: App[Any], period: Period) -> None:
    """After an export of a period that has ended and is still open: offer to close it (月结), so
    no new finding enters what the notice has said. A confirm dialog; the close runs in the lane."""
    from screens.confirm import ConfirmScreen

    patrol = cast("Patrol", app)
    service = patrol.service
    if service is None or period.end > service.today():
        return
    try:
        if await patrol.db.ask(service.closing.is_closed, period):
            return
    except (UserError, StorageError):
        return  # only an offer: the export itself is done
    question = (
        f"{period.label}的附表与通报草稿已导出。现在月结吗？\n\n"
        f"月结后不能再向{period.label}记入新的巡查记录（巡查界面、命令行和导入都会拒绝）；"
        "已有记录仍可更正（须写明原因，列入附表5并在下期通报中说明）。"
        f"确需补记时可重新打开：patrol reopen --period {period.code} --reason 原因"
    )
    if not await app.push_screen_wait(ConfirmScreen(f"月结 {period.label}", question, yes="月结")):
        return
    try:
        await patrol.db.ask(service.closing.close, period, "导出附表后在巡查界面月结")
    except (UserError, StorageError) as exc:
        app.notify(str(exc), title="未月结", severity="error", timeout=8)
        return
    app.notify(f"已月结 {period.label}：此后不能再记入新的巡查记录，更正仍可进行。", title="已月结")
    if patrol.period == period:
        patrol.set_period(period)  # read again: the ranking's title says it is closed


class OverwriteBox(Checkbox, inherit_bindings=False):
    """The 覆盖 checkbox: Space ticks it; Enter is the form's (export), never an untick."""

    BINDINGS = [Binding("space", "toggle_button", "勾选", show=False, id="overwrite-toggle")]


class WordBox(Checkbox, inherit_bindings=False):
    """The Word notice checkbox: Space unticks it; Enter is the form's (export)."""

    BINDINGS = [Binding("space", "toggle_button", "勾选", show=False, id="word-toggle")]


# In a month's first days a team lead exports the month just ended, not the one just begun.
MONTH_END_DAYS = 10


def export_period(period: Period, today: date) -> Period:
    """The period `x` offers: the month just ended during the first ``MONTH_END_DAYS`` days of a
    month, when ``period`` is the month running; otherwise ``period``."""
    if period.kind == "month" and period.first <= today <= period.last and today.day <= MONTH_END_DAYS:
        return period.previous()
    return period


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Period, folder and file name, prefilled. Enter exports from any field (on the 覆盖 box too,
    which only Space ticks); a target that cannot be written keeps the dialog open and says why."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="cancel"),
        Binding("enter", "submit", "导出", show=False, id="export-submit"),
    ]

    def __init__(self, hall: str, period: Period, folder: Path) -> None:
        super().__init__()
        self.hall = hall
        self.period = period
        self.folder = folder
        self._named_by_us = default_file_name(hall, period)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export"):
            yield Label("导出巡查考核附表与通报", classes="dialog-title")
            yield Label("统计周期（2026-11、2026Q4、2026H1、2026）")
            yield Input(self.period.code, id="export-period", compact=True)
            yield Label("保存到文件夹")
            yield Input(str(self.folder), id="export-folder", compact=True)
            yield Label("文件名")
            yield Input(self._named_by_us, id="export-name", compact=True)
            yield WordBox("同时写出 Word 通报（公文格式；空格取消）", value=True, id="export-word", compact=True)
            yield Static(self._word_name(self.period), id="export-word-name", markup=False, classes="dim")
            yield OverwriteBox("覆盖已存在的同名文件（空格勾选）", id="export-force", compact=True)
            yield Static("", id="export-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("导出 (Enter)", variant="primary", id="export-go", compact=True)
                yield Button("取消 (Esc)", id="export-cancel", compact=True)

    @on(Input.Changed, "#export-period")
    def _rename(self, event: Input.Changed) -> None:
        # Follow the period with the default name, unless the inspector typed a name of their own.
        name = self.query_one("#export-name", Input)
        try:
            period = Period.parse(event.value)
        except UserError:
            return
        if name.value == self._named_by_us:
            self._named_by_us = default_file_name(self.hall, period)
            name.value = self._named_by_us
        self.query_one("#export-word-name", Static).update(self._word_name(period))

    def _word_name(self, period: Period) -> Text:
        """The Word notice's file name, in the same folder as the workbook."""
        return plain(f"    通报文件：{default_notice_name(self.hall, period)}")

    @on(Input.Submitted)
    @on(Button.Pressed, "#export-go")
    def action_submit(self) -> None:
        """Check the choice; export only what can be written, else say why and stay open."""
        from patrol.reports.export import TargetExists, check_target

        error = self.query_one("#export-error", Static)
        try:
            period = Period.parse(self.query_one("#export-period", Input).value)
            folder = Path(self.query_one("#export-folder", Input).value.strip()).expanduser()
            name = self.query_one("#export-name", Input).value.strip() or default_file_name(self.hall, period)
            if not name.lower().endswith(".xlsx"):
                name += ".xlsx"
            name = safe_file_name(name)  # a name, never a path: "城区/开发区" stays in the folder
            force = self.query_one("#export-force", Checkbox).value
            check_target(folder / name, force)
            word = None
            if self.query_one("#export-word", Checkbox).value:
                word = folder / default_notice_name(self.hall, period)
                check_target(word, force, ".docx")
        except TargetExists as exc:
            error.update(plain(f"文件已存在：{exc.path}。勾选“覆盖已存在的同名文件”（空格）后再导出，或改一个文件名。"))
            self.query_one("#export-force", Checkbox).focus()
            return
        except UserError as exc:
            error.update(plain(str(exc)))
            return
        self.dismiss(ExportRequest(period, folder / name, force, word))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportProgressScreen(ModalScreen[None]):
    """Shown while a large period is written."""

    CSS_PATH = SCREENS_CSS

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"正在导出（巡查记录 {self.total} 条）…", classes="dialog-title")
            yield ProgressBar(total=max(self.total, 1), show_eta=False, id="export-progress")

    def advance(self, done: int) -> None:
        """Findings written so far."""
        self.query_one(ProgressBar).update(progress=done)


class RefusedScreen(ModalScreen[None]):
    """The export was refused: the record failed the integrity check, and where."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape,enter,q", "close", "关闭", id="close-refused")]

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("未导出：记录未通过完整性校验", classes="dialog-title")
            # The problem quotes names and labels as they now are in the file, whoever wrote them there.
            yield Static(plain(f"第一处问题：{self.problem}"), id="refused-problem", markup=False)
            yield Static(
                "数据库中的记录与写入时不符，从中导出的附表不能作为依据。请联系管理员核查数据库（可从备份恢复）。",
                markup=False,
            )
            yield Label("Esc 关闭", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)


class NoticeScreen(ModalScreen[None]):
    """The notice as the Word file has it (the same ``Notice``: its blocks, one paragraph each),
    the full paths of the files written (if any), and a key to copy the text."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("c", "copy", "复制通报", id="copy-notice"),
        Binding("escape,q", "close", "关闭", id="close"),
    ]

    def __init__(self, title: str, notice: Notice, path: Path | None = None, word: Path | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.notice = notice
        self.path = path
        self.word = word

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog notice"):
            yield Label(plain(self.title_text), classes="dialog-title")
            if self.path is not None:
                yield Static(plain(f"已保存：{self.path}"), id="export-path")
            if self.word is not None:
                yield Static(plain(f"Word 通报：{self.word}"), id="export-word-path")
            with VerticalScroll(id="notice-text"):
                yield Static(plain(self.text, keep="\n"), id="notice-body")  # names as typed
            yield Label("c 复制通报（粘贴到正式文件）  Esc 关闭", classes="dim")

    @property
    def text(self) -> str:
        """The notice as plain text, a blank line between paragraphs."""
        return "\n\n".join(self.notice.paragraphs())

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("通报草稿已复制到剪贴板。")

    def action_close(self) -> None:
        self.dismiss(None)
