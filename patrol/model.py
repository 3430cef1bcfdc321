"""Plain records of a hall's roster, as the domain and the screens see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

SUBSTITUTE = "替岗人员"  # the person of a finding about someone standing in (a name, as typed too)


@dataclass(frozen=True)
class HallInfo:
    """A hall: its name, its time zone and the day it was created (its first day on record)."""

    id: str
    name: str
    timezone: str = "Asia/Shanghai"
    opened: date | None = None

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
    starts: date | None = None  # the day it opened; None: from the beginning

    def open_during(self, first: date, end: date) -> bool:
        """Whether the window was open on some day from ``first`` up to ``end`` (excluded)."""
        return self.starts is None or self.starts < end

    @property
    def short_name(self) -> str:
        """The name without the trailing 窗口, for tiles and sentences."""
        return self.name[:-2] if self.name.endswith("窗口") and len(self.name) > 2 else self.name

    @property
    def label(self) -> str:
        """How a notice names the window: 住建窗口 (住建 gains 窗口; 不动产登记窗口B, which has the
        word already, keeps its name rather than read 不动产登记窗口B窗口)."""
        return self.name if "窗口" in self.name else f"{self.name}窗口"


@dataclass(frozen=True)
class StaffInfo:
    """A person, as the roster stands today: the window they sit at (or sat at last, if they
    have left) and whether they are posted today. Their history is in ``PostingInfo``."""

    id: str
    name: str
    window_id: str
    role: str = ""
    active: bool = True
    position: int = 0
    search_keys: str = ""
    sort_key: str = ""


@dataclass(frozen=True)
class PostingInfo:
    """One step of a person's history: from ``starts`` (None: from the beginning) at
    ``window_id`` in ``role``; ``window_id`` None means they left. ``unit_id`` is the unit they
    belong to (a 综合窗口 holds staff of several units); None: the window's unit."""

    id: str
    staff_id: str
    window_id: str | None
    role: str
    starts: date | None
    created_at: datetime
    unit_id: str | None = None


@dataclass(frozen=True)
class Member:
    """A person who counts at a window in a period: posted there during it, or named by a
    finding there."""

    staff: StaffInfo
    window_id: str
    role: str = ""
    days: int = 0  # how many days of the period they sat there
    unit: str = ""  # the name of the unit they belonged to there; "": the window's unit
