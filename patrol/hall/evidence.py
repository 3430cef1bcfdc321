"""What vouches for the record: the walk of every chain, and the daily backup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from storage.verify import Verdict


class Evidence:
    """Checks and copies of the hall's database."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def verify(self, vouched: dict[str, tuple[int, str]] | None = None) -> Verdict:
        """Walk the whole record (``storage.verify``): every chain, purged rows, and the roster and
        rules against their versions. Its heads are what a printed appendix vouches for."""
        from storage.verify import verify

        return verify(self.service.reader, vouched=vouched)

    def daily_backup(self) -> Path | None:
        """Back the SQLite file up once a day (on the first start of the day); returns the new
        backup, or None when today's exists or the database is not a local file."""
        from storage.backup import backed_up_on, take_backup

        service = self.service
        path = getattr(service.reader, "path", None)
        now = service.clock().astimezone(service.hall.tz)
        if path is None or backed_up_on(path, f"{now:%Y%m%d}"):
            return None
        return take_backup(path, now.replace(tzinfo=None), why="daily")
