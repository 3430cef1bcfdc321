"""The hall's roster and rules as read at one moment: windows, staff as they stand today, every
posting, the finding types and every version of the settings.

A snapshot is never changed: reading the roster again makes a new one, which the hall swaps in
as one reference, so a reader on another thread holds the old roster or the new one, never half
of each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from patrol.model import Member, PostingInfo, StaffInfo, WindowInfo
from patrol.rules.items import RuleItem, Rules
from patrol.rules.periods import Period
from patrol.rules.postings import Stint, stints
from patrol.rules.settings import DEFAULT_SETTINGS, HallRules
from storage import reads


@dataclass(frozen=True)
class RosterSnapshot:
    """The roster and rules of a hall as read at one moment."""

    windows: list[WindowInfo]
    staff: list[StaffInfo]
    rules: Rules
    postings: dict[str, list[PostingInfo]]  # each person's history, by staff id
    stints: dict[str, list[Stint]]  # the same as stints, worked out once per read
    settings_versions: list[tuple[date | None, HallRules]]  # in the order they were recorded
    first_posting: date | None  # None: someone was posted from the beginning, or nobody yet
    unit_names: dict[str, str] = field(default_factory=dict)  # unit id -> name
    window_by_id: dict[str, WindowInfo] = field(init=False)
    window_by_code: dict[str, WindowInfo] = field(init=False)
    staff_by_id: dict[str, StaffInfo] = field(init=False)
    # Who counted in a period, by (first, end): worked out once per roster (a centre's 5,000 take
    # 10 ms, and the board checks its ranking again and again on the same roster).
    members_of: dict[tuple[date, date], tuple[Member, ...]] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "window_by_id", {w.id: w for w in self.windows})
        object.__setattr__(self, "window_by_code", {w.code.upper(): w for w in self.windows})
        object.__setattr__(self, "staff_by_id", {s.id: s for s in self.staff})

    @cached_property
    def middle_staff_id(self) -> str:
        """The id that splits the hall's people in two halves by id (``Standings.totals``)."""
        ids = sorted(s.id for s in self.staff)
        return ids[len(ids) // 2] if ids else ""

    def settings_on(self, day: date) -> HallRules:
        """The hall's settings in force on ``day`` (the latest version that starts by then)."""
        found = DEFAULT_SETTINGS
        best: tuple[bool, date] | None = None
        for starts, settings in self.settings_versions:
            if starts is not None and starts > day:
                continue
            key = (starts is not None, starts or date.min)
            if best is None or key >= best:
                best, found = key, settings
        return found

    def settings_for(self, period: Period) -> HallRules:
        """The settings a period is judged by: those in force on its last day."""
        return self.settings_on(period.last)


def read_roster(reader: reads.Reader, hall_id: str, today: date) -> RosterSnapshot:
    """Read the roster, the postings and the rules of hall ``hall_id``; staff stand as on ``today``."""
    hall = {"hall": hall_id}
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
        for r in reader.rows(reads.WINDOWS, hall)
    ]
    postings: dict[str, list[PostingInfo]] = {}
    for r in reader.rows(reads.POSTINGS, hall):
        postings.setdefault(r.staff_id, []).append(
            PostingInfo(
                id=r.id,
                staff_id=r.staff_id,
                window_id=r.window_id,
                role=r.role or "",
                starts=reads.to_date(r.starts),
                created_at=reads.to_utc(r.created_at),
                unit_id=r.unit_id,
            )
        )
    starts = [p.starts for history in postings.values() for p in history]
    dated = [day for day in starts if day is not None]
    # Each person's history as stints, worked out once per roster read (a city centre asks for
    # 5,000 of them on every finding).
    by_staff = {staff_id: stints(history) for staff_id, history in postings.items()}
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
                position=int(r.position),
            )
            for r in reader.rows(reads.FINDING_TYPES, hall)
        ]
    )
    return RosterSnapshot(
        windows=windows,
        staff=[_as_of(r, by_staff.get(r.id, []), today) for r in reader.rows(reads.STAFF, hall)],
        rules=rules,
        postings=postings,
        stints=by_staff,
        settings_versions=[
            (reads.to_date(r.starts), HallRules.from_json(r.settings)) for r in reader.rows(reads.HALL_RULES, hall)
        ],
        first_posting=min(dated) if dated and len(dated) == len(starts) else None,
        unit_names={r.id: r.name for r in reader.rows(reads.UNITS, hall)},
    )


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
