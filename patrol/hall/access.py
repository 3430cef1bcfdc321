"""The access log: who exported data or looked someone up, and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from patrol.rules.periods import Period
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService


class AccessLog:
    """The hall's access log: lines written as people look, read back for `patrol access`."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def log(self, action: str, subject: str, period: Period | None = None) -> None:
        """Record that the inspector on duty exported data or looked someone up; ``period``:
        what the data was about (a purge of that time removes the line too)."""
        from storage.writes import log_access

        service = self.service
        about_until = period.bounds(service.hall.tz)[1] if period is not None else None
        log_access(service.engine, service.inspector or "（未署名）", action, subject, about_until, service.device)

    def since(self, since: datetime) -> list[tuple[datetime, str, str, str]]:
        """The access log from ``since`` on: (local time, who, action, what), oldest first."""
        tz = self.service.hall.tz
        return [
            (reads.to_utc(row.at).astimezone(tz), row.who, row.action, row.subject)
            for row in self.service.reader.rows(reads.ACCESS_LOG_SINCE, {"since": since})
        ]
