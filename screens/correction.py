"""`e` on a finding in a record: void it or amend it, with a reason. The dialog only collects
the correction and returns it; the record screen applies it through patrol.hall.corrections."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from patrol.hall.corrections import CorrectionText
from patrol.hall.views import FindingView
from patrol.text import shown
from screens.base import SCREENS_CSS
from screens.text import plain

# (field, label, hint shown when the field is empty)
FIELDS = (
    ("type_name", "巡查项", "如：迟到"),
    ("window_code", "窗口编号", "如：12"),
    ("person", "人员", "姓名；替岗人员；窗口级项目留空"),
    ("at", "时间", "YYYY-MM-DD HH:MM"),
    ("note", "备注", ""),
)


class CorrectionScreen(ModalScreen[CorrectionText | None]):
    """The finding's fields, prefilled; change what is wrong, or tick 作废; the reason is required."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "cancel", "取消", id="cancel")]

    def __init__(self, finding: FindingView) -> None:
        super().__init__()
        self.finding = finding
        # Prefilled as a screen may show them: a note holding ESC or a bidi override is written
        # out (\x1b); a field left as prefilled is not changed.
        self.original = {
            "type_name": shown(finding.type_name),
            "window_code": shown(finding.window_code),
            "person": shown(finding.person),
            "at": f"{finding.at:%Y-%m-%d %H:%M}",
            "note": shown(finding.note),
        }

    def compose(self) -> ComposeResult:
        f = self.finding
        with Vertical(classes="dialog correction"):
            yield Label(
                plain(f"更正：{f.at:%Y-%m-%d %H:%M} {f.window_code} {f.person or '窗口'} {f.type_name}"),
                classes="dialog-title",
            )
            for key, title, hint in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(title, classes="field-label")
                    yield Input(self.original[key], id=f"correct-{key}", compact=True, placeholder=hint)
            yield Checkbox("作废这条记录（整条不算）", id="correct-void", compact=True)
            with Horizontal(classes="field"):
                yield Label("原因（必填）", classes="field-label")
                yield Input("", id="correct-reason", compact=True, placeholder="如：经核实为早退")
            yield Static("", id="correct-error")
            with Horizontal(classes="buttons"):
                yield Button("保存更正 (Enter)", variant="primary", id="correct-go", compact=True)
                yield Button("取消 (Esc)", id="correct-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#correct-reason", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#correct-go")
    def _submit(self) -> None:
        reason = self.query_one("#correct-reason", Input).value.strip()
        if not reason:
            self.query_one("#correct-error", Static).update("请写明更正原因。")
            return
        void = self.query_one("#correct-void", Checkbox).value
        changed: dict[str, Any] = {}  # text fields only: the dialog does not change a count
        if not void:
            for key, _title, _hint in FIELDS:
                value = self.query_one(f"#correct-{key}", Input).value.strip()
                if value != self.original[key]:
                    changed[key] = value
            if not changed:
                self.query_one("#correct-error", Static).update("没有改动：改正有误的内容，或勾选作废。")
                return
        self.dismiss(CorrectionText(reason=reason, void=void, **changed))

    @on(Button.Pressed, "#correct-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
