"""Plain records of a hall's roster, as the domain and the screens see them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class HallInfo:
    """A hall and the settings of its rules."""

    id: str
    name: str
    timezone: str = "Asia/Shanghai"
    top_staff: int = 8
    top_windows: int = 4
    window_score_mode: str = "average"  # average | sum
    score_floor: float | None = None
    bonus_cap: float | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class WindowInfo:
    """A service window."""

    id: str
    code: str
    name: str
    unit: str = ""
    zone: str = ""
    position: int = 0
    search_keys: str = ""
    sort_key: str = ""
    unit_keys: str = ""

    @property
    def short_name(self) -> str:
        """The name without the trailing 窗口, for tiles and sentences."""
        return self.name[:-2] if self.name.endswith("窗口") and len(self.name) > 2 else self.name

    @property
    def label(self) -> str:
        """How a notice names the window: 住建窗口."""
        return self.name if self.name.endswith("窗口") else f"{self.name}窗口"


@dataclass(frozen=True)
class StaffInfo:
    """A person posted at a window."""

    id: str
    name: str
    window_id: str
    role: str = ""
    active: bool = True
    position: int = 0
    search_keys: str = ""
    sort_key: str = ""


def new_staff_row(name: str, window_id: str, role: str, position: int) -> dict[str, object]:
    """The values that post a new person at a window, with their pinyin keys."""
    from patrol.hall.pinyin_keys import search_keys, sort_key

    return {
        "window_id": window_id,
        "name": name,
        "role": role,
        "active": True,
        "position": position,
        "search_keys": search_keys(name, person=True),
        "sort_key": sort_key(name, person=True),
    }
