"""The roster screen's dialogs: a small form that returns a typed request, and a confirmation
that names the person, the window and the date. Neither touches the database: the roster screen
checks the request (patrol.hall.roster_changes.plan_change) and writes it only once confirmed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from patrol.errors import UserError
from screens.base import SCREENS_CSS
from screens.text import plain

T = TypeVar("T")


@dataclass(frozen=True)
class FormField:
    """One line of a form: its key, its label, the value it starts with and a hint."""

    key: str
    label: str
    value: str = ""
    hint: str = ""
    max_length: int = 50


@dataclass(frozen=True)
class Filled(Generic[T]):
    """What a form returns: the values as typed and the request built from them."""

    values: dict[str, str]
    request: T


class RosterForm(ModalScreen[Filled[T] | None], Generic[T]):
    """A few fields, prefilled; Enter (in any field) builds the request, Esc cancels. A value that
    cannot be read (a date, a 岗位) keeps the form open with the reason."""

    CSS_PATH = SCREENS_CSS

    DEFAULT_CSS = """
    RosterForm { align: center middle; }
    RosterForm Input { background: $boost; width: 1fr; }
    RosterForm #form-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "取消", id="form-cancel")]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        build: Callable[[dict[str, str]], T],
        error: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.build = build
        self.error = error

    def again(self, values: dict[str, str], error: str) -> RosterForm[T]:
        """The same form with what was typed and why it was refused."""
        fields = [replace(f, value=values.get(f.key, f.value)) for f in self.fields]
        return RosterForm(self.title_text, fields, self.build, error)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")  # it names the person
            for f in self.fields:
                with Horizontal(classes="field"):
                    yield Label(f.label, classes="field-label")
                    yield Input(f.value, id=f"form-{f.key}", placeholder=f.hint, max_length=f.max_length, compact=True)
            yield Static(plain(self.error), id="form-error")
            yield Label("Enter 确定　Tab 下一项　Esc 取消", classes="dim")

    def on_mount(self) -> None:
        # The first field, its value selected: typing replaces it, Enter takes what is prefilled.
        self.query_one(f"#form-{self.fields[0].key}", Input).focus()

    def values(self) -> dict[str, str]:
        """What is in the fields now."""
        return {f.key: self.query_one(f"#form-{f.key}", Input).value.strip() for f in self.fields}

    @on(Input.Submitted)
    def submit(self) -> None:
        values = self.values()
        try:
            request = self.build(values)
        except UserError as exc:
            self.query_one("#form-error", Static).update(plain(str(exc)))
            return
        self.dismiss(Filled(values, request))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A question that names what will change; Y confirms, N or Esc cancels (and so does Enter
    on 取消, where the focus starts: nothing changes by a stray key)."""

    CSS_PATH = SCREENS_CSS

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen .buttons { margin-top: 1; }
    """
    BINDINGS = [
        Binding("y", "confirm", "确认", id="confirm-yes"),
        Binding("n,escape", "cancel", "取消", id="confirm-no"),
    ]

    def __init__(self, question: str, note: str = "") -> None:
        super().__init__()
        self.question = question
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.question, keep="\n"), id="confirm-question", classes="dialog-title")
            if self.note:
                yield Label(plain(self.note, keep="\n"), classes="dim")
            with Horizontal(classes="buttons"):
                yield Button("确认 (Y)", variant="primary", id="confirm-go", compact=True)
                yield Button("取消 (N/Esc)", id="confirm-stop", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-stop", Button).focus()

    @on(Button.Pressed, "#confirm-go")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-stop")
    def action_cancel(self) -> None:
        self.dismiss(False)
