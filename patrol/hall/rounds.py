"""Patrol rounds (巡查轮次) and coverage.

A window seen on a patrol with nothing wrong is recorded (``seen``), so a patrol leaves a trace
even where it found nothing. A **round** is one walk of the floor: one inspector's records
(windows seen and findings logged, not those derived from punches or leave), in time order,
where each follows the one before by less than ``ROUND_GAP``; a longer pause starts a new round.
Records with no inspector count by the device that wrote them. The notice counts the team's
rounds of a period ("督查组共开展巡查22次"); the board shows which windows nobody has seen today
and this week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from patrol.model import WindowInfo
from patrol.rules.periods import Period
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

ROUND_GAP = timedelta(minutes=30)


@dataclass
class Round:
    """One walk of the floor by one inspector."""

    who: str  # the inspector's name, or 设备 … when none was set
    start: datetime  # local time of its first record
    end: datetime  # local time of its last record
    windows: set[str] = field(default_factory=set)  # ids of the windows it saw
    findings: int = 0


@dataclass(frozen=True)
class Coverage:
    """Which of the open windows nobody has seen (no finding, no seen) today and this week."""

    unseen_today: frozenset[str]
    unseen_week: frozenset[str]


def cut_rounds(moments: list[tuple[str, datetime, str, bool]], gap: timedelta = ROUND_GAP) -> list[Round]:
    """Rounds from (who, time, window id, a finding?) sorted by who then time."""
    out: list[Round] = []
    current: Round | None = None
    for who, at, window_id, found in moments:
        if current is None or current.who != who or at - current.end >= gap:
            current = Round(who, at, at)
            out.append(current)
        current.end = at
        current.windows.add(window_id)
        current.findings += int(found)
    return out


class Rounds:
    """Seeing windows, counting rounds, and the board's coverage."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def seen(self, window: WindowInfo, at: datetime | None = None) -> datetime:
        """Record ``window`` as seen with nothing wrong (now unless ``at``); returns the time (UTC)."""
        from storage.writes import insert_seen

        service = self.service
        at = service.findings.check_time(at or service.clock())
        service.closing.check_open(at)  # a round more would change a closed month's notice
        insert_seen(
            service.engine,
            {
                "hall_id": service.hall.id,
                "window_id": window.id,
                "at": at,
                "inspector_id": service.inspector_id(),
                "device": service.device,
            },
        )
        return at

    def of_period(self, period: Period) -> list[Round]:
        """The rounds of ``period``, ordered by start; times in the hall's time."""
        service = self.service
        start, end = period.bounds(service.hall.tz)
        names = {row.id: row.name for row in service.reader.rows(reads.INSPECTORS)}
        tz = service.hall.tz
        moments = [
            (row.who, reads.to_utc(row.at).astimezone(tz), row.window_id, bool(row.found))
            for row in service.reader.rows(reads.PATROL_MOMENTS, {"hall": service.hall.id, "start": start, "end": end})
        ]
        rounds = cut_rounds(moments)
        for one in rounds:
            device = one.who.removeprefix("device:")
            one.who = names.get(one.who) or (f"设备 {device}" if device else "未署名")
        return sorted(rounds, key=lambda r: (r.start, r.who))

    def any_seen(self, period: Period) -> bool:
        """Whether a window was seen with nothing wrong in ``period``."""
        start, end = period.bounds(self.service.hall.tz)
        params = {"hall": self.service.hall.id, "start": start, "end": end}
        return bool(self.service.reader.rows(reads.ANY_SEEN, params))

    def count(self, period: Period) -> int:
        """How many rounds the team made in ``period``."""
        return len(self.of_period(period))

    def coverage(self, windows: list[WindowInfo] | None = None) -> Coverage:
        """The open windows nobody has seen today, and this week (from Monday)."""
        service = self.service
        today = service.today()
        monday = today - timedelta(days=today.weekday())
        tz = service.hall.tz
        since = datetime.combine(monday, time(), tz)
        midnight = datetime.combine(today, time(), tz)
        far = datetime.combine(today + timedelta(days=2), time(), tz)
        rows = service.reader.rows(reads.WINDOWS_SEEN_SINCE, {"hall": service.hall.id, "start": since, "end": far})
        last = {row.window_id: reads.to_utc(row.last_at) for row in rows}
        shown = [
            w
            for w in (windows if windows is not None else service.windows)
            if w.open_during(today, today + timedelta(days=1))
        ]
        return Coverage(
            frozenset(w.id for w in shown if w.id not in last or last[w.id] < midnight),
            frozenset(w.id for w in shown if w.id not in last),
        )
