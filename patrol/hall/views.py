"""What the hall's services hand out: findings, corrections and records as plain data.

They hold data, not wording: how a person reads them (the change a correction made, a record's
title) is ``patrol.reports.wording``, which the command line and the screens share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from patrol.model import (
    SUBSTITUTE,
    HallInfo,
    StaffInfo,
    WindowInfo,
)
from patrol.rules.items import COMPLAINT_CODES, FULL_ATTENDANCE_BREAKERS, Rules
from patrol.rules.periods import Period
from patrol.rules.scoring import Standing
from storage import reads


@dataclass(frozen=True)
class FindingView:
    """A finding as a person reads it."""

    id: str
    at: datetime  # local time of the hall
    ref: str  # 2611-0042, read aloud and typed into patrol correct
    window_code: str
    window_name: str
    person: str  # the staff name, 替岗人员, or "" for a window-level item
    type_name: str
    category: str
    points: float
    note: str
    inspector: str
    # What the standings need to move by this finding without reading the period again.
    window_id: str = ""
    staff_id: str | None = None  # None: a substitute or a window-level item (the window alone)
    breaks_attendance: bool = False  # 迟到, 早退, 脱岗, 缺卡 or 请假: no 满勤
    complaint: bool = False  # 有效投诉: no 优秀窗口
    source: str = "patrol"  # patrol | clockin | leave | import: the notice tells punches from patrols
    count: int = 1  # how many times it happened (压缩办理时限 ×28): it weighs points × count
    minutes: int | None = None  # how long (无人在岗 15 分钟), where the item has minutes

    @property
    def total_points(self) -> float:
        """What it adds to a score: its points times its count (to the four decimals points have,
        so 0.2 × 28 reads 5.6, not 5.600000000000001)."""
        return round(self.points * self.count, 4)

    @property
    def times(self) -> str:
        """How the count and the minutes are shown after the item: " ×28", " 15分钟", or ""."""
        return (f" ×{self.count}" if self.count != 1 else "") + (
            f" {self.minutes}分钟" if self.minutes is not None else ""
        )


@dataclass(frozen=True)
class CorrectionView:
    """A correction: when, why, by whom, the finding before and after (worded by
    ``patrol.reports.wording.correction_change``)."""

    at: datetime  # local time of the hall
    reason: str
    inspector: str
    before: FindingView
    after: FindingView | None  # None when the finding was voided


@dataclass
class Record:
    """The record of a window or a staff member for a period (titled by
    ``patrol.reports.wording.record_title`` and ``record_subtitle``)."""

    kind: str  # window | staff
    id: str
    period: Period
    standing: Standing | None
    window: WindowInfo | None  # the window (kind window), or the person's window today (None: none)
    person: StaffInfo | None = None  # kind staff: the person
    status: str = ""  # kind staff: how the roster describes a person not posted today (else "")
    seated: list[str] = field(default_factory=list)  # kind window: who sat there in the period
    counts: list[tuple[str, int, float]] = field(default_factory=list)  # type, count, points
    findings: list[FindingView] = field(default_factory=list)
    history: list[tuple[date, float | None]] = field(default_factory=list)  # month's first day, score (None: no record)
    full_attendance_judged: bool = False  # whether 满勤 was judged this period (clock-in or patrols)


class Names(Protocol):
    """What turning ids into names takes: the hall's roster and rules as last read (a
    ``HallService`` is one), and who is logging."""

    hall: HallInfo
    inspector: str

    @property
    def rules(self) -> Rules: ...
    @property
    def window_by_id(self) -> dict[str, WindowInfo]: ...
    @property
    def staff_by_id(self) -> dict[str, StaffInfo]: ...


def person_name(service: Names, staff_id: str | None, substitute: bool) -> str:
    """A finding's person: the staff member's name, 替岗人员, or "" for the window itself."""
    if staff_id:
        person = service.staff_by_id.get(staff_id)
        return person.name if person else "（已删除）"
    return SUBSTITUTE if substitute else ""


def finding_views(service: Names, rows: Iterable[reads.Row]) -> list[FindingView]:
    """Findings read with ``storage.reads``' finding columns, as people read them."""
    out = []
    for row in rows:
        window = service.window_by_id.get(row.window_id)
        item = service.rules.by_id.get(row.type_id)
        out.append(
            FindingView(
                id=row.id,
                ref=row.ref,
                at=reads.to_utc(row.at).astimezone(service.hall.tz),
                window_code=window.code if window else "?",
                window_name=window.name if window else "?",
                person=person_name(service, row.staff_id, bool(row.substitute)),
                type_name=item.name if item else "?",
                category=row.category,
                points=float(row.points),
                note=row.note,
                inspector=row.inspector,
                window_id=row.window_id,
                staff_id=row.staff_id,
                breaks_attendance=item is not None and item.code in FULL_ATTENDANCE_BREAKERS,
                complaint=item is not None and item.code in COMPLAINT_CODES,
                source=row.source or "patrol",
                count=int(row.n or 1),
                minutes=None if row.minutes is None else int(row.minutes),
            )
        )
    return out


def saved_view(service: Names, finding_id: str, ref: str, values: dict[str, Any]) -> FindingView:
    """A finding just written from ``values`` (``FindingLog.values``), as people read it."""
    window = service.window_by_id[values["window_id"]]
    item = service.rules.by_id[values["type_id"]]
    return FindingView(
        id=finding_id,
        ref=ref,
        at=values["at"].astimezone(service.hall.tz),
        window_code=window.code,
        window_name=window.name,
        person=person_name(service, values["staff_id"], values["substitute"]),
        type_name=item.name,
        category=values["category"],
        points=values["points"],
        note=values["note"],
        inspector=service.inspector,
        window_id=values["window_id"],
        staff_id=values["staff_id"],
        breaks_attendance=item.code in FULL_ATTENDANCE_BREAKERS,
        complaint=item.code in COMPLAINT_CODES,
        source=values.get("source") or "patrol",
        count=int(values.get("count", 1)),
        minutes=values.get("minutes"),
    )
