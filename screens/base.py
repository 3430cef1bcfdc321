"""What every screen of the app shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual.screen import Screen

if TYPE_CHECKING:
    from screens.app import PatrolApp

R = TypeVar("R")


class PatrolScreen(Screen[R], Generic[R]):
    """A screen of the patrol app, with typed access to it."""

    @property
    def patrol(self) -> PatrolApp:
        return self.app  # type: ignore[return-value]
