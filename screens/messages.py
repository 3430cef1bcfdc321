"""Messages the screens exchange with the app."""

from __future__ import annotations

from textual.message import Message

from patrol.hall.views import FindingView


class FindingSaved(Message):
    """A finding is committed to disk."""

    def __init__(self, finding: FindingView, action: str = "saved") -> None:
        super().__init__()
        self.finding = finding
        self.action = action  # saved | undone | noted
