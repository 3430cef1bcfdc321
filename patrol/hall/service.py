"""One hall, opened for work: who works on it (device, inspector), its reader and writer, its
clock, and its roster and rules as last read. The jobs done on it are services of their own,
reached from here:

- ``lookup`` (``patrol.hall.lookups``): windows, people and finding types by what people type;
- ``findings`` (``patrol.hall.log``): logging, undoing and correcting findings;
- ``standings`` (``patrol.hall.standings``): totals, rankings, counts of a period;
- ``records`` (``patrol.hall.records``): a person's or window's record, a period's findings;
- ``access`` (``patrol.hall.access``): the access log;
- ``evidence`` (``patrol.hall.evidence``): verifying the record, the daily backup;
- ``edits`` (``patrol.hall.edits``): roster changes and new versions of the settings.

Opening one is ``patrol.hall.opening.open_hall``. Reads run through a ``storage.reads.Reader``;
writes go through ``storage.writes`` on an engine that is created on first use, so opening a
hall to draw the board does not import SQLAlchemy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from patrol.hall.access import AccessLog
from patrol.hall.edits import Edits
from patrol.hall.evidence import Evidence
from patrol.hall.log import FindingLog
from patrol.hall.lookups import Lookups
from patrol.hall.records import Records
from patrol.hall.standings import Standings
from patrol.model import HallInfo, PostingInfo, StaffInfo, WindowInfo
from patrol.rules.items import RuleItem, Rules
from patrol.rules.periods import Period
from patrol.rules.postings import Stint, stints
from patrol.rules.settings import DEFAULT_SETTINGS, HallRules
from patrol.text import clean_name
from storage import reads

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
        self.findings = FindingLog(self)
        self.standings = Standings(self)
        self.records = Records(self)
        self.access = AccessLog(self)
        self.evidence = Evidence(self)
        self.edits = Edits(self)
        self.reload()

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
        """Load what writes and search need, so the first keystroke does not wait for it."""
        import storage.writes  # noqa: F401  (SQLModel: the slowest import of the write path)

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
        """Read the roster, the postings and the rules again. Everything is read first and then
        put in place together, so a reader on another thread sees the old roster or the new one."""
        hall = {"hall": self.hall.id}
        windows = [
            WindowInfo(
                id=r.id,
                code=r.code,
                name=r.name,
                unit=r.unit,
                zone=r.zone,
                position=r.position,
                search_keys=r.search_keys,
                sort_key=r.sort_key,
                unit_keys=r.unit_keys,
                starts=reads.to_date(r.starts),
            )
            for r in self.reader.rows(reads.WINDOWS, hall)
        ]
        postings: dict[str, list[PostingInfo]] = {}
        for r in self.reader.rows(reads.POSTINGS, hall):
            postings.setdefault(r.staff_id, []).append(
                PostingInfo(
                    id=r.id,
                    staff_id=r.staff_id,
                    window_id=r.window_id,
                    role=r.role or "",
                    starts=reads.to_date(r.starts),
                    created_at=reads.to_utc(r.created_at),
                )
            )
        starts = [p.starts for history in postings.values() for p in history]
        dated = [day for day in starts if day is not None]
        today = self.today()
        # Each person's history as stints, worked out once per roster read (a city centre asks
        # for 5,000 of them on every finding).
        by_staff = {staff_id: stints(history) for staff_id, history in postings.items()}
        staff = [_as_of(r, by_staff.get(r.id, []), today) for r in self.reader.rows(reads.STAFF, hall)]
        rules = Rules(
            [
                RuleItem(
                    id=r.id,
                    code=r.code,
                    name=r.name,
                    category=r.category,
                    points=float(r.points),
                    hotkey=r.hotkey,
                    level=r.level,
                    aliases=tuple(a for a in r.aliases.split("|") if a),
                    phrase=r.phrase,
                    active=bool(r.active),
                )
                for r in self.reader.rows(reads.FINDING_TYPES, hall)
            ]
        )
        versions = [
            (reads.to_date(r.starts), HallRules.from_json(r.settings)) for r in self.reader.rows(reads.HALL_RULES, hall)
        ]
        self.windows, self.staff, self.rules = windows, staff, rules
        self.settings_versions: list[tuple[date | None, HallRules]] = versions
        self.postings: dict[str, list[PostingInfo]] = postings
        self.stints: dict[str, list[Stint]] = by_staff
        # The hall's first posting (None: someone was posted from the beginning, or nobody yet).
        self.first_posting: date | None = min(dated) if dated and len(dated) == len(starts) else None
        self.window_by_id = {w.id: w for w in windows}
        self.window_by_code = {w.code.upper(): w for w in windows}
        self.staff_by_id = {s.id: s for s in staff}
        self.lookup.forget()

    def settings_on(self, day: date) -> HallRules:
        """The hall's settings in force on ``day`` (the latest version that starts by then)."""
        found = DEFAULT_SETTINGS
        best: tuple[bool, date] | None = None
        for starts, settings in self.settings_versions:  # in the order they were recorded
            if starts is not None and starts > day:
                continue
            key = (starts is not None, starts or date.min)
            if best is None or key >= best:
                best, found = key, settings
        return found

    def settings_for(self, period: Period) -> HallRules:
        """The settings a period is judged by: those in force on its last day."""
        return self.settings_on(period.last)


def _as_of(row: reads.Row, mine: list[Stint], today: date) -> StaffInfo:
    """A person as the roster stands ``today``: at the window of their stint then (or their last
    one, no longer active), from a ``reads.STAFF`` row and their stints."""
    seat = next((s for s in mine if s.covers(today)), None)
    last = seat or (mine[-1] if mine else None)
    return StaffInfo(
        id=row.id,
        window_id=last.window_id if last else row.window_id,
        name=row.name,
        role=last.role if last else row.role,
        active=seat is not None,
        position=row.position,
        search_keys=row.search_keys,
        sort_key=row.sort_key,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)
