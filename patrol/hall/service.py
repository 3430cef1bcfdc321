"""One hall, opened for work: who works on it (device, inspector), its reader and writer, its
clock, and its roster and rules as last read (a ``patrol.hall.snapshot.RosterSnapshot``). The
jobs done on it are services of their own, reached from here:

- ``lookup`` (``patrol.hall.lookups``): windows, people and finding types by what people type;
- ``findings`` (``patrol.hall.log``): logging, undoing and correcting findings;
- ``standings`` (``patrol.hall.standings``): totals, rankings, counts of a period;
- ``records`` (``patrol.hall.records``): a person's or window's record, a period's findings;
- ``access`` (``patrol.hall.access``): the access log;
- ``evidence`` (``patrol.hall.evidence``): verifying the record, the daily backup;
- ``edits`` (``patrol.hall.edits``): roster changes and new versions of the settings;
- ``rounds`` (``patrol.hall.rounds``): windows seen with nothing wrong, rounds, coverage;
- ``closing`` (``patrol.hall.closing``): month close (月结) and reopen.
- ``attendance`` (``patrol.hall.attendance``): working hours and days, punches, leave.

Opening one is ``patrol.hall.opening.open_hall``. Reads run through a ``storage.reads.Reader``;
writes go through ``storage.writes`` on an engine that is created on first use, so opening a
hall to draw the board does not import SQLAlchemy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from patrol.hall.lookups import Lookups
from patrol.hall.snapshot import RosterSnapshot, read_roster
from patrol.hall.standings import Standings
from patrol.model import HallInfo, PostingInfo, StaffInfo, WindowInfo
from patrol.rules.items import Rules
from patrol.rules.periods import Period
from patrol.rules.postings import Stint
from patrol.rules.settings import HallRules
from patrol.text import clean_name
from storage import reads

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from patrol.hall.access import AccessLog
    from patrol.hall.attendance import Attendance
    from patrol.hall.closing import MonthClose
    from patrol.hall.edits import Edits
    from patrol.hall.evidence import Evidence
    from patrol.hall.log import FindingLog
    from patrol.hall.records import Records
    from patrol.hall.rounds import Rounds

INSPECTOR_LIMIT = 50  # characters of an inspector's name


class HallService:
    """A hall opened for work, and the services that work on it."""

    def __init__(
        self,
        reader: reads.Reader,
        hall: HallInfo,
        *,
        engine_factory: Callable[[], Engine],
        device: str = "",
        inspector: str = "",
        clock: Callable[[], datetime] | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.reader = reader
        self.clock = clock or _utcnow  # tests and snapshots set the time
        self.hall = hall
        self.device = device
        self.inspector = clean_name(inspector, "督查员姓名", INSPECTOR_LIMIT)
        self._engine_factory = engine_factory
        self._engine = engine
        self._engine_lock = threading.Lock()
        self._inspector_id: str | None = None
        self.lookup = Lookups(self)
        self.standings = Standings(self)
        self.snapshot: RosterSnapshot
        self.reload()

    # The services a board that only shows standings does not use load when first used: their
    # modules (and the finding views they bring) are a sixth of our part of the first frame.
    @cached_property
    def findings(self) -> FindingLog:
        """Logging, undo, notes and corrections."""
        from patrol.hall.log import FindingLog

        return FindingLog(self)

    @cached_property
    def records(self) -> Records:
        """A window's or a person's record over periods."""
        from patrol.hall.records import Records

        return Records(self)

    @cached_property
    def access(self) -> AccessLog:
        """The access log: who looked at whose record."""
        from patrol.hall.access import AccessLog

        return AccessLog(self)

    @cached_property
    def evidence(self) -> Evidence:
        """Backups, verification and the digest."""
        from patrol.hall.evidence import Evidence

        return Evidence(self)

    @cached_property
    def edits(self) -> Edits:
        """Roster and settings changes, loaded when first used (a board that only shows standings
        never needs them: their import is a tenth of our own start-up)."""
        from patrol.hall.edits import Edits

        return Edits(self)

    @cached_property
    def rounds(self) -> Rounds:
        """Windows seen with nothing wrong, rounds and coverage (loaded when first used: the
        board's first frame does without them)."""
        from patrol.hall.rounds import Rounds

        return Rounds(self)

    @cached_property
    def closing(self) -> MonthClose:
        """Month close (月结), loaded when first used."""
        from patrol.hall.closing import MonthClose

        return MonthClose(self)

    @cached_property
    def attendance(self) -> Attendance:
        """Working hours and days, punches and leave, loaded when first used (the board draws
        without them)."""
        from patrol.hall.attendance import Attendance

        return Attendance(self)

    # --- the connection ---------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine for writes, created (and SQLAlchemy imported) on first use."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._engine_factory()
            return self._engine

    def close(self) -> None:
        """Close the reader and the engine (SQLite then folds its WAL back into the file)."""
        close = getattr(self.reader, "close", None)
        if close is not None:
            close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def warm_up(self) -> None:
        """Load what writes and search need, so the first save does not wait for it."""
        import storage.writes  # noqa: F401  (SQLAlchemy Core: 16 MB, the slowest import of the write path)

        _ = self.engine
        _ = self.lookup.search_index

    # --- who is working, and when ------------------------------------------------------

    def inspector_id(self) -> str | None:
        """The id of the inspector logging on this device, created on first write."""
        if self._inspector_id is None and self.inspector:
            from storage.writes import ensure_inspector

            self._inspector_id = ensure_inspector(self.engine, self.inspector, self.device)
        return self._inspector_id

    def become(self, name: str) -> None:
        """From now on, findings and corrections from this device are ``name``'s (an unlock)."""
        name = clean_name(name, "督查员姓名", INSPECTOR_LIMIT)
        if name != self.inspector:
            self.inspector, self._inspector_id = name, None

    def today(self) -> date:
        """Today in the hall's time zone."""
        return self.clock().astimezone(self.hall.tz).date()

    def current_period(self, kind: str = "month") -> Period:
        """The period of ``kind`` containing today."""
        return Period.of(kind, self.today())

    # --- roster and rules -------------------------------------------------------------

    def reload(self) -> None:
        """Read the roster, the postings and the rules again, and swap them in as one snapshot."""
        self.snapshot = read_roster(self.reader, self.hall.id, self.today())
        self.lookup.forget()
        if "attendance" in self.__dict__:  # loaded: what it read may have changed too
            self.attendance.forget()

    # The snapshot's parts, for the many callers that read one of them. A caller that reads
    # several while another thread may reload takes ``snapshot`` once and reads them from it.

    @property
    def windows(self) -> list[WindowInfo]:
        return self.snapshot.windows

    @property
    def staff(self) -> list[StaffInfo]:
        return self.snapshot.staff

    @property
    def rules(self) -> Rules:
        return self.snapshot.rules

    @property
    def postings(self) -> dict[str, list[PostingInfo]]:
        return self.snapshot.postings

    @property
    def stints(self) -> dict[str, list[Stint]]:
        return self.snapshot.stints

    @property
    def settings_versions(self) -> list[tuple[date | None, HallRules]]:
        return self.snapshot.settings_versions

    @property
    def first_posting(self) -> date | None:
        return self.snapshot.first_posting

    @property
    def window_by_id(self) -> dict[str, WindowInfo]:
        return self.snapshot.window_by_id

    @property
    def window_by_code(self) -> dict[str, WindowInfo]:
        return self.snapshot.window_by_code

    @property
    def staff_by_id(self) -> dict[str, StaffInfo]:
        return self.snapshot.staff_by_id

    def settings_on(self, day: date) -> HallRules:
        """The hall's settings in force on ``day`` (the latest version that starts by then)."""
        return self.snapshot.settings_on(day)

    def settings_for(self, period: Period) -> HallRules:
        """The settings a period is judged by: those in force on its last day."""
        return self.snapshot.settings_for(period)


def _utcnow() -> datetime:
    return datetime.now(UTC)
