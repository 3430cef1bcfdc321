"""One hall, opened for work: its roster and rules in memory, findings logged and corrected,
rankings and records computed. The CLI and the screens both go through this class.

Reads run through a ``storage.reads.Reader``; writes go through ``storage.writes`` on an engine
that is created on first use, so opening a hall to draw the board does not import SQLAlchemy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from patrol.errors import UserError
from patrol.hall import roster
from patrol.model import HallInfo, Member, PostingInfo, StaffInfo, WindowInfo
from patrol.rules.items import COMPLAINT_CODES, FULL_ATTENDANCE_BREAKERS, RuleItem, Rules
from patrol.rules.periods import EARLIEST_YEAR, Period
from patrol.rules.postings import Stint, stints
from patrol.rules.scoring import Ranking, Standing, Totals, add_changes, rank_period
from patrol.rules.settings import DEFAULT_SETTINGS, HallRules
from patrol.rules.verdicts import judge
from patrol.text import check_note, clean_name, same_name
from storage import reads
from storage.errors import StorageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from patrol.hall.search import SearchIndex
    from storage.verify import Verdict

SUBSTITUTE = "替岗人员"
UNDO_REASON = "撤销（督查员当场撤回）"
FUTURE_TOLERANCE = timedelta(minutes=2)  # clocks of several laptops drift a little
INSPECTOR_LIMIT = 50  # characters of an inspector's name


class NoHallError(UserError):
    """The database holds no hall yet."""


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


@dataclass(frozen=True)
class CorrectionView:
    """A correction as a person reads it: when, why, by whom, the finding before and after."""

    at: datetime  # local time of the hall
    reason: str
    inspector: str
    before: FindingView
    after: FindingView | None  # None when the finding was voided

    def change(self) -> str:
        """What changed, from what to what: 作废, or 巡查项：迟到→早退；备注：（空）→已提醒."""
        if self.after is None:
            return "作废"
        before, after = self.before, self.after
        fields = (
            ("窗口", before.window_code, after.window_code),
            ("人员", before.person or "（窗口）", after.person or "（窗口）"),
            ("巡查项", before.type_name, after.type_name),
            ("时间", f"{before.at:%m-%d %H:%M}", f"{after.at:%m-%d %H:%M}"),
            ("备注", before.note or "（空）", after.note or "（空）"),
        )
        return "；".join(f"{name}：{old}→{new}" for name, old, new in fields if old != new) or "无变化"


@dataclass
class Record:
    """The record of a window or a staff member for a period."""

    kind: str  # window | staff
    id: str
    title: str
    subtitle: str
    period: Period
    standing: Standing | None
    counts: list[tuple[str, int, float]] = field(default_factory=list)  # type, count, points
    findings: list[FindingView] = field(default_factory=list)
    history: list[tuple[str, float | None]] = field(default_factory=list)  # month, score (None: no record)
    full_attendance_judged: bool = False  # whether 满勤 was judged this period (clock-in or patrols)


class HallService:
    """A hall opened for work."""

    def __init__(
        self,
        reader: reads.Reader,
        hall: HallInfo,
        *,
        engine_factory: Callable[[], Engine],
        device: str = "",
        inspector: str = "",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.reader = reader
        self.clock = clock or _utcnow  # tests and snapshots set the time
        self.postings: dict[str, list[PostingInfo]] = {}
        self.stints: dict[str, list[Stint]] = {}
        self.settings_versions: list[tuple[date | None, HallRules]] = []
        self.first_posting: date | None = None
        self.hall = hall
        self.device = device
        self.inspector = clean_name(inspector, "督查员姓名", INSPECTOR_LIMIT)
        self._engine_factory = engine_factory
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._inspector_id: str | None = None
        self._search: SearchIndex | None = None
        self.reload()

    # --- opening ----------------------------------------------------------------------

    @staticmethod
    def halls(reader: reads.Reader) -> list[HallInfo]:
        """Every hall in the database, oldest first."""
        out = []
        for hall_id, name, timezone, created_at in reader.rows(reads.HALLS):
            opened = reads.to_utc(created_at).astimezone(_zone(name, timezone)).date()
            out.append(HallInfo(id=hall_id, name=name, timezone=timezone, opened=opened))
        return out

    @classmethod
    def pick_hall(cls, reader: reads.Reader, name: str | None) -> HallInfo:
        """The hall called ``name``, or the only/first hall; UserError when there is none."""
        halls = cls.halls(reader)
        if not halls:
            raise NoHallError("数据库里还没有大厅。先运行 patrol init --hall 大厅名称，或用 patrol demo 试用。")
        if name is None:
            return halls[0]
        for hall in halls:
            if hall.name == name:
                return hall
        raise UserError(f"没有名为“{name}”的大厅。已有：{'、'.join(h.name for h in halls)}。")

    @property
    def engine(self) -> Engine:
        """The engine for writes, created (and SQLAlchemy imported) on first use."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._engine_factory()
            return self._engine

    def verify(self, vouched: dict[str, tuple[int, str]] | None = None) -> Verdict:
        """Walk the whole record (``storage.verify``): every chain, purged rows, and the roster and
        rules against their versions. Its heads are what a printed appendix vouches for."""
        from storage.verify import verify

        return verify(self.reader, vouched=vouched)

    def daily_backup(self) -> Path | None:
        """Back the SQLite file up once a day (on the first start of the day); returns the new
        backup, or None when today's exists or the database is not a local file."""
        from storage.backup import backed_up_on, take_backup

        path = getattr(self.reader, "path", None)
        now = self.clock().astimezone(self.hall.tz)
        if path is None or backed_up_on(path, f"{now:%Y%m%d}"):
            return None
        return take_backup(path, now.replace(tzinfo=None), why="daily")

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
        _ = self.search_index

    # --- roster and rules -------------------------------------------------------------

    def reload(self) -> None:
        """Read the roster, the postings and the rules again."""
        hall = self.hall.id
        self.windows = [
            WindowInfo(window_id, code, name, unit, zone, position, keys, sort_key, unit_keys, reads.to_date(starts))
            for window_id, code, name, unit, zone, position, keys, sort_key, unit_keys, starts in self.reader.rows(
                reads.WINDOWS, {"hall": hall}
            )
        ]
        self.postings = {}
        for posting_id, staff_id, window_id, role, starts, created_at in self.reader.rows(
            reads.POSTINGS, {"hall": hall}
        ):
            self.postings.setdefault(staff_id, []).append(
                PostingInfo(
                    posting_id, staff_id, window_id, role or "", reads.to_date(starts), reads.to_utc(created_at)
                )
            )
        starts = [p.starts for history in self.postings.values() for p in history]
        # The hall's first posting (None: someone was posted from the beginning, or nobody yet).
        self.first_posting = min(starts) if starts and None not in starts else None
        today = self.today()
        # Each person's history as stints, worked out once per roster read (a city centre asks
        # for 5,000 of them on every finding).
        self.stints = {staff_id: stints(history) for staff_id, history in self.postings.items()}
        self.staff = []
        for staff_id, window_id, name, role, _active, position, search_keys, sort_key in self.reader.rows(
            reads.STAFF, {"hall": hall}
        ):
            mine = self.stints.get(staff_id, [])
            seat = next((s for s in mine if s.covers(today)), None)
            last = seat or (mine[-1] if mine else None)
            self.staff.append(
                StaffInfo(
                    id=staff_id,
                    window_id=last.window_id if last else window_id,
                    name=name,
                    role=last.role if last else role,
                    active=seat is not None,
                    position=position,
                    search_keys=search_keys,
                    sort_key=sort_key,
                )
            )
        self.rules = Rules(
            [
                RuleItem(
                    id=r[0],
                    code=r[1],
                    name=r[2],
                    category=r[3],
                    points=float(r[4]),
                    hotkey=r[5],
                    level=r[6],
                    aliases=tuple(a for a in r[7].split("|") if a),
                    phrase=r[8],
                    active=bool(r[10]),
                )
                for r in self.reader.rows(reads.FINDING_TYPES, {"hall": hall})
            ]
        )
        self.settings_versions = [
            (reads.to_date(starts), HallRules.from_json(settings))
            for starts, settings, _created in self.reader.rows(reads.HALL_RULES, {"hall": hall})
        ]
        self.window_by_id = {w.id: w for w in self.windows}
        self.window_by_code = {w.code.upper(): w for w in self.windows}
        self.staff_by_id = {s.id: s for s in self.staff}
        self._search = None

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

    def change_settings(self, starts: date | None = None, **changes: Any) -> HallRules:
        """Record a new version of the hall's settings, in force from ``starts`` (None: from the
        beginning): the version in force then, with ``changes``. Returns the new settings."""
        from dataclasses import replace

        from storage.writes import add_rules_version

        settings = replace(self.settings_on(starts or date.max), **changes).checked()
        add_rules_version(self.engine, self.hall.id, starts, settings.to_json(), device=self.device)
        self.reload()
        return settings

    def record_settings(self, versions: list[tuple[date | None, HallRules]]) -> None:
        """Record several versions of the hall's settings (each in force from its date) in one
        transaction: all of them or none."""
        from storage.writes import add_rules_versions

        add_rules_versions(
            self.engine, self.hall.id, [(starts, s.checked().to_json()) for starts, s in versions], device=self.device
        )
        self.reload()

    def settings_for(self, period: Period) -> HallRules:
        """The settings a period is judged by: those in force on its last day."""
        return self.settings_on(period.last)

    def members(self, period: Period) -> list[Member]:
        """Everyone posted during ``period``, at each window where they sat in it."""
        out = []
        start, stop = period.first, period.end
        for person in self.staff:
            for stint in self.stints.get(person.id, ()):
                if stint.overlaps(start, stop):
                    first = max(stint.first or start, start)
                    end = min(stint.end or stop, stop)
                    out.append(Member(person, stint.window_id, stint.role, (end - first).days))
        return out

    def windows_of(self, period: Period, totals: dict[tuple[str | None, str], Totals]) -> list[WindowInfo]:
        """The windows that count in ``period``: open during it, or holding a finding of it."""
        named = {window_id for _staff, window_id in totals}
        return [w for w in self.windows if w.open_during(period.first, period.end) or w.id in named]

    def _rank(self, period: Period) -> Ranking:
        totals = self.totals(period)
        settings = self.settings_for(period)
        return rank_period(settings, self.windows_of(period, totals), self.members(period), totals, self.staff)

    @property
    def search_index(self) -> SearchIndex:
        """The search index of the current roster (built on first use)."""
        if self._search is None:
            from patrol.hall.search import SearchIndex

            self._search = SearchIndex(self.windows, self.staff)
        return self._search

    def window(self, code: str) -> WindowInfo:
        """The window with ``code``; UserError naming the code otherwise."""
        if not code.strip():
            raise UserError("请填写窗口编号。")
        found = self.window_by_code.get(same_name(code).upper())
        if found is None:
            codes = [w.code for w in self.windows]
            listed = "、".join(codes[:30]) + ("等" if len(codes) > 30 else "")
            raise UserError(f"没有编号为“{code}”的窗口。现有窗口：{listed or '（无）'}。")
        return found

    def staff_at(self, window_id: str) -> list[StaffInfo]:
        """The active staff of a window, in roster order (the numbers 1, 2, 3 on screen)."""
        return [s for s in self.staff if s.window_id == window_id and s.active]

    def resolve_staff(self, name: str, window: WindowInfo | None, on: date | datetime | None = None) -> StaffInfo:
        """The staff member called ``name`` posted (at ``window`` when given) on ``on``: a day,
        a finding's time, or today by default. Someone who has moved or left since is found at
        the window where they sat then (``patrol.hall.roster.person_at``)."""
        if isinstance(on, datetime):
            return roster.person_at_time(self, name, window, on)
        return roster.person_at(self, name, window, on)

    def rule(self, word: str) -> RuleItem:
        """The finding type called ``word``; UserError listing the accepted names otherwise."""
        item = self.rules.find(word)
        if item is None or not item.active:
            raise UserError(f"未知的巡查项“{word}”。可用：{self.rules.names()}。")
        return item

    # --- logging ----------------------------------------------------------------------

    def inspector_id(self) -> str | None:
        """The id of the inspector logging on this device, created on first write."""
        if self._inspector_id is None and self.inspector:
            from storage.writes import ensure_inspector

            self._inspector_id = ensure_inspector(self.engine, self.inspector, self.device)
        return self._inspector_id

    def log_access(self, action: str, subject: str, period: Period | None = None) -> None:
        """Record that the inspector on duty exported data or looked someone up (the access log);
        ``period``: what the data was about (a purge of that time removes the line too)."""
        from storage.writes import log_access

        about_until = period.bounds(self.hall.tz)[1] if period is not None else None
        log_access(self.engine, self.inspector or "（未署名）", action, subject, about_until, self.device)

    def access_log(self, since: datetime) -> list[tuple[datetime, str, str, str]]:
        """The access log from ``since`` on: (local time, who, action, what), oldest first."""
        rows = self.reader.rows(reads.ACCESS_LOG_SINCE, {"since": since})
        return [(reads.to_utc(at).astimezone(self.hall.tz), who, action, subject) for at, who, action, subject in rows]

    def become(self, name: str) -> None:
        """From now on, findings and corrections from this device are ``name``'s (an unlock)."""
        name = clean_name(name, "督查员姓名", INSPECTOR_LIMIT)
        if name != self.inspector:
            self.inspector, self._inspector_id = name, None

    def check_time(self, at: datetime) -> datetime:
        """Refuse a time in the future, before 2000 or before the hall's first posting; return it
        in UTC."""
        if at.tzinfo is None:
            raise ValueError("naive datetime")
        local = at.astimezone(self.hall.tz)
        shown = f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
        if local.year < EARLIEST_YEAR:
            raise UserError(f"时间 {shown} 早于 {EARLIEST_YEAR} 年，不能记录：请检查年份。")
        if self.first_posting is not None and local.date() < self.first_posting:
            raise UserError(
                f"时间 {shown} 早于本大厅最早的任职（{self.first_posting:%Y-%m-%d} 起），那时还没有人员在岗，不能记录。"
            )
        if at > self.clock() + FUTURE_TOLERANCE:
            raise UserError(f"时间 {shown} 在未来，不能记录尚未发生的巡查。")
        return at.astimezone(UTC)

    def finding_values(
        self,
        window: WindowInfo,
        staff: StaffInfo | None,
        item: RuleItem,
        *,
        substitute: bool = False,
        at: datetime | None = None,
        note: str = "",
        check_posting: bool = True,
    ) -> dict[str, Any]:
        """Check one finding and return the values to store (points copied from the rules). A
        person must have sat at the window at the finding's time (``check_posting``)."""
        if item.is_window_level:
            staff, substitute = None, False
        elif staff is None and not substitute:
            raise UserError(f"“{item.name}”是针对人员的巡查项：请指明人员（姓名）或替岗人员。")
        if staff is not None and substitute:
            raise UserError("人员与替岗人员只能选一个。")
        at = self.check_time(at or self.clock())
        if staff is not None and check_posting:
            problem = roster.posting_problem(self, staff, window, at)
            if problem:
                raise UserError(problem)
        return {
            "hall_id": self.hall.id,
            "window_id": window.id,
            "staff_id": staff.id if staff else None,
            "substitute": substitute,
            "type_id": item.id,
            "category": item.category,
            "points": item.points,
            "at": at,
            "note": check_note(note),  # as typed, within the one limit of notes and reasons
            "device": self.device,
        }

    def log(
        self,
        window: WindowInfo,
        staff: StaffInfo | None,
        item: RuleItem,
        *,
        substitute: bool = False,
        at: datetime | None = None,
        note: str = "",
    ) -> FindingView:
        """Commit one finding in its own transaction; when this returns, it is on disk."""
        from storage.writes import insert_finding

        values = self.finding_values(window, staff, item, substitute=substitute, at=at, note=note)
        values["inspector_id"] = self.inspector_id()
        finding_id, ref = insert_finding(self.engine, values)
        return self._view(finding_id, ref, values)

    def _view(self, finding_id: str, ref: str, values: dict[str, Any]) -> FindingView:
        window = self.window_by_id[values["window_id"]]
        item = self.rules.by_id[values["type_id"]]
        return FindingView(
            id=finding_id,
            ref=ref,
            at=values["at"].astimezone(self.hall.tz),
            window_code=window.code,
            window_name=window.name,
            person=self._person(values["staff_id"], values["substitute"]),
            type_name=item.name,
            category=values["category"],
            points=values["points"],
            note=values["note"],
            inspector=self.inspector,
            window_id=values["window_id"],
            staff_id=values["staff_id"],
            breaks_attendance=item.code in FULL_ATTENDANCE_BREAKERS,
            complaint=item.code in COMPLAINT_CODES,
        )

    def _person(self, staff_id: str | None, substitute: bool) -> str:
        if staff_id:
            person = self.staff_by_id.get(staff_id)
            return person.name if person else "（已删除）"
        return SUBSTITUTE if substitute else ""

    def last_finding(self) -> FindingView | None:
        """The newest effective finding logged on this device."""
        rows = self.reader.rows(reads.LAST_EFFECTIVE_BY_DEVICE, {"hall": self.hall.id, "device": self.device})
        return self._views(rows)[0] if rows else None

    def undo_last(self, reason: str = UNDO_REASON) -> FindingView | None:
        """Void the newest effective finding of this device, as a recorded correction."""
        last = self.last_finding()
        if last is None:
            return None
        return self.undo(last.id, reason)

    def undo(self, finding_id: str, reason: str = UNDO_REASON) -> FindingView:
        """Void the finding the inspector was shown and agreed to take back, if it is still this
        device's newest effective one (another finding saved since would make it the wrong one)."""
        from storage.writes import void_finding

        last = self.last_finding()
        if last is None or last.id != finding_id:
            raise UserError("要撤销的记录已不是本机最后一条（可能已被撤销或又记了一条），未撤销。请再按 u 查看。")
        void_finding(self.engine, last.id, reason, self.inspector_id(), self.device)
        return last

    def finding(self, reference: str) -> FindingView:
        """The finding whose reference is ``reference`` (2611-0042), or whose id is or starts with
        it (at least 8 characters)."""
        reference = reference.strip().lower()
        reference = _full_ref(reference, self.today())
        rows = self.reader.rows(reads.FINDING_BY_REF, {"hall": self.hall.id, "ref": reference})
        if rows:
            return self._views(rows)[0]
        if _looks_like_ref(reference):
            raise UserError(f"找不到记录号为“{reference}”的巡查记录（记录号写作 年月-序号，如 2611-0042）。")
        if len(reference) < 8:
            raise UserError(f"记录号“{reference}”太短：请至少写出前 8 位（patrol log 保存时会显示记录号）。")
        rows = self.reader.rows(reads.FINDINGS_BY_ID_PREFIX, {"hall": self.hall.id, "prefix": f"{reference}%"})
        if not rows:
            raise UserError(f"找不到记录号为“{reference}”的巡查记录。")
        if len(rows) > 1:
            raise UserError(f"记录号“{reference}”对应多条记录，请多写几位。")
        return self._views(rows)[0]

    def correct(
        self,
        finding_id: str,
        reason: str,
        *,
        void: bool = False,
        window: WindowInfo | None = None,
        staff: StaffInfo | None = None,
        substitute: bool | None = None,
        item: RuleItem | None = None,
        at: datetime | None = None,
        note: str | None = None,
    ) -> FindingView | None:
        """Void a finding, or amend it (type, person, window, time, note) by a void and a
        replacing finding in one transaction. The reason is required; returns the replacement."""
        from storage.writes import void_finding

        reason = check_note(reason, "更正原因")
        if not reason:
            raise UserError("更正必须写明原因（--reason）。")
        rows = self.reader.rows(reads.FINDING_BY_ID, {"id": finding_id})
        if not rows:
            raise UserError("找不到这条巡查记录。")
        self.refuse_purged(finding_id)
        if self.reader.rows(reads.IS_VOIDED, {"id": finding_id}):
            raise UserError(self._already_corrected(finding_id))
        if void:
            void_finding(self.engine, finding_id, reason, self.inspector_id(), self.device)
            return None
        _id, old_at, window_id, staff_id, old_substitute, type_id, points, old_note, _insp, category, _ref = rows[0]
        changes = (window, staff, substitute, item, at, note)
        if all(change is None for change in changes):
            raise UserError("没有要更正的内容：请指明 --void，或要改的巡查项、人员、窗口、时间或备注。")
        new_item = item or self.rules.by_id[type_id]
        new_window = window or self.window_by_id[window_id]
        if staff is not None or substitute:
            new_staff, new_substitute = staff, bool(substitute)
        else:
            new_staff = self.staff_by_id.get(staff_id) if staff_id else None
            new_substitute = bool(old_substitute)
        values = self.finding_values(
            new_window,
            new_staff,
            new_item,
            substitute=new_substitute,
            at=at or reads.to_utc(old_at),
            note=old_note if note is None else note,
            # Who, where and when as logged stay as they were; only a change to them is checked.
            check_posting=any(change is not None for change in (window, staff, at)),
        )
        if item is None:  # the points logged then stay; only a new finding type brings its own
            values["points"], values["category"] = float(points), category
        values["inspector_id"] = self.inspector_id()
        saved = void_finding(self.engine, finding_id, reason, self.inspector_id(), self.device, replacement=values)
        assert saved is not None
        return self._view(saved[0], saved[1], values)

    def refuse_purged(self, finding_id: str) -> None:
        """A finding whose personal content a purge removed is past its retention period: it can
        no longer be voided, amended or given another person (UserError)."""
        if self.reader.rows(reads.IS_PURGED, {"id": finding_id}):
            raise UserError("这条记录已过保存期，其人员和备注已清除：不能再作废、修改或更改人员。")

    def _already_corrected(self, finding_id: str) -> str:
        """Where a corrected finding went: its current version's reference, or that it was voided."""
        current, ref = finding_id, ""
        for _ in range(1000):  # a chain of amendments ends; the bound only guards a damaged file
            rows = self.reader.rows(reads.CORRECTION_OF, {"id": current})
            if not rows:
                break
            current, ref = rows[0]
            if current is None:
                return "这条记录已被作废（留有更正记录），无需再更正。"
        return f"这条记录已被更正过，现在的版本是 {ref}：请更正那一条。"

    def add_note(self, finding_id: str, note: str) -> FindingView:
        """Give a finding a note: the finding is replaced by an amended copy, never edited."""
        found = self.correct(finding_id, "补充备注", note=note)
        assert found is not None
        return found

    def corrections(self, period: Period) -> list[CorrectionView]:
        """Every correction of the period's findings, oldest first."""
        start, end = period.bounds(self.hall.tz)
        out = []
        for at, reason, inspector, before_id, after_id in self.reader.rows(
            reads.CORRECTIONS_OF_PERIOD, {"hall": self.hall.id, "start": start, "end": end}
        ):
            before = self._views(self.reader.rows(reads.FINDING_BY_ID, {"id": before_id}))[0]
            after = self._views(self.reader.rows(reads.FINDING_BY_ID, {"id": after_id}))[0] if after_id else None
            out.append(CorrectionView(reads.to_utc(at).astimezone(self.hall.tz), reason, inspector, before, after))
        return out

    # --- periods and rankings ---------------------------------------------------------

    def today(self) -> date:
        """Today in the hall's time zone."""
        return self.clock().astimezone(self.hall.tz).date()

    def current_period(self, kind: str = "month") -> Period:
        """The period of ``kind`` containing today."""
        return Period.of(kind, self.today())

    def totals(self, period: Period) -> dict[tuple[str | None, str], Totals]:
        """The period's effective findings summed per (staff or None, window)."""
        start, end = period.bounds(self.hall.tz)
        breaks = self.rules.ids_of(FULL_ATTENDANCE_BREAKERS)
        complaints = self.rules.ids_of(COMPLAINT_CODES)
        sql = reads.TotalsSql(len(breaks), len(complaints))
        params: dict[str, Any] = {"hall": self.hall.id, "start": start, "end": end}
        params.update({f"brk{i}": type_id for i, type_id in enumerate(breaks)})
        params.update({f"cpl{i}": type_id for i, type_id in enumerate(complaints)})
        totals: dict[tuple[str | None, str], Totals] = {}
        moved: list[str] = []
        for staff_id, first_window, last_window, *sums in self.reader.rows(sql.staff, params):
            if first_window == last_window:
                totals[(staff_id, first_window)] = _totals(sums)
            else:
                moved.append(staff_id)
        for window_id, *sums in self.reader.rows(sql.window_alone, params):
            totals[(None, window_id)] = _totals(sums)
        if moved:
            bound = {**params, **{f"s{i}": staff_id for i, staff_id in enumerate(moved)}}
            for staff_id, window_id, *sums in self.reader.rows(sql.staff_window(len(moved)), bound):
                totals[(staff_id, window_id)] = _totals(sums)
        for staff_id, window_id, *sums in self.reader.rows(sql.voided, params):
            key = (staff_id, window_id)
            voided = _totals(sums)
            left = totals[key]
            left.add(voided, sign=-1)
            if left.findings == 0:
                del totals[key]
        return totals

    def ranking(self, period: Period, with_change: bool = True) -> Ranking:
        """Staff and windows ranked and judged for ``period`` (``ranking.verdicts``), with the
        change since the previous period."""
        ranking = self._rank(period)
        judge(ranking, self.settings_for(period))
        if with_change:
            add_changes(ranking, self._rank(period.previous()))
        return ranking

    def day_totals(self, day: date | None = None) -> dict[str, Totals]:
        """Each window's findings of one day (today by default), staff and window-level together."""
        day = day or self.today()
        by_window: dict[str, Totals] = {}
        for (_staff, window_id), total in self.totals(Period("range", day, day + timedelta(days=1))).items():
            by_window.setdefault(window_id, Totals()).add(total)
        return by_window

    # --- records ----------------------------------------------------------------------

    def _views(self, rows: list[reads.Row]) -> list[FindingView]:
        out = []
        for fid, at, window_id, staff_id, substitute, type_id, points, note, inspector, category, ref in rows:
            window = self.window_by_id.get(window_id)
            item = self.rules.by_id.get(type_id)
            out.append(
                FindingView(
                    id=fid,
                    ref=ref,
                    at=reads.to_utc(at).astimezone(self.hall.tz),
                    window_code=window.code if window else "?",
                    window_name=window.name if window else "?",
                    person=self._person(staff_id, bool(substitute)),
                    type_name=item.name if item else "?",
                    category=category,
                    points=float(points),
                    note=note,
                    inspector=inspector,
                    window_id=window_id,
                    staff_id=staff_id,
                    breaks_attendance=item is not None and item.code in FULL_ATTENDANCE_BREAKERS,
                    complaint=item is not None and item.code in COMPLAINT_CODES,
                )
            )
        return out

    def findings(self, period: Period) -> list[FindingView]:
        """Every effective finding of the hall in ``period``, in time order."""
        return list(self.iter_findings(period))

    def iter_findings(self, period: Period) -> Iterator[FindingView]:
        """The same, streamed a batch at a time (a year of a city does not fit in memory)."""
        start, end = period.bounds(self.hall.tz)
        rows = self.reader.iter_rows(reads.FINDINGS_OF_HALL, {"hall": self.hall.id, "start": start, "end": end})
        for batch in _batches(rows, reads.BATCH):
            yield from self._views(batch)

    def finding_count(self, period: Period) -> int:
        """How many effective findings ``period`` holds."""
        start, end = period.bounds(self.hall.tz)
        return int(
            self.reader.rows(reads.PERIOD_FINDING_COUNT, {"hall": self.hall.id, "start": start, "end": end})[0][0]
        )

    def type_counts(self, period: Period) -> dict[tuple[str | None, str], dict[str, int]]:
        """Effective findings of ``period`` counted per (staff or None, window) and finding type id."""
        start, end = period.bounds(self.hall.tz)
        out: dict[tuple[str | None, str], dict[str, int]] = {}
        params = {"hall": self.hall.id, "start": start, "end": end}
        for staff_id, window_id, type_id, n in self.reader.rows(reads.PERIOD_TYPE_COUNTS, params):
            out.setdefault((staff_id, window_id), {})[type_id] = int(n)
        return out

    def look_up(self, kind: str, item_id: str, period: Period, who: str | None = None) -> Record:
        """A record about to be shown to someone: the lookup goes to the access log first (who
        looked, whose record, which period), then the record is read. ``who``: how to name the
        person or window (their name and window, or code and name, by default)."""
        if who is None:
            if kind == "staff":
                person = self.staff_by_id[item_id]
                window = self.window_by_id.get(person.window_id)
                who = f"{person.name}（{window.code} {window.name}）" if window else person.name
            else:
                window = self.window_by_id[item_id]
                who = f"{window.code} {window.name}"
        self.log_access("查看记录", f"{who}，{period.label}", period)
        return self.record(kind, item_id, period)

    def record(self, kind: str, item_id: str, period: Period, months: int = 6) -> Record:
        """A window's or a staff member's record for ``period``, with the scores of recent months."""
        start, end = period.bounds(self.hall.tz)
        ranking = self.ranking(period)
        if kind == "staff":
            person = self.staff_by_id[item_id]
            window = self.window_by_id.get(person.window_id)
            title = person.name
            subtitle = f"{window.code} {window.name}" if window else ""
            if not person.active:
                subtitle += f"（{roster.status(self, person)}）"
            rows = self.reader.rows(reads.FINDINGS_OF_STAFF, {"staff": item_id, "start": start, "end": end})
            standing = next((r for r in ranking.staff if r.id == item_id), None)
        else:
            window = self.window_by_id[item_id]
            title = f"{window.code} {window.name}"
            # The people of that period, not of today: who sat there then is who the record is about.
            seated: dict[str, str] = {}
            for member in self.members(period):
                if member.window_id == window.id:
                    seated.setdefault(member.staff.id, member.staff.name)
            names = "、".join(seated.values()) or "暂无人员"
            subtitle = f"{window.unit}  人员：{names}"
            rows = self.reader.rows(reads.FINDINGS_OF_WINDOW, {"window": item_id, "start": start, "end": end})
            standing = next((r for r in ranking.windows if r.id == item_id), None)
        findings = self._views(rows)
        counts: dict[str, list[float]] = {}
        for f in findings:
            entry = counts.setdefault(f.type_name, [0, 0.0])
            entry[0] += 1
            entry[1] += f.points
        return Record(
            kind=kind,
            id=item_id,
            title=title,
            subtitle=subtitle,
            period=period,
            standing=standing,
            counts=[(name, int(n), round(p, 2)) for name, (n, p) in counts.items()],
            findings=findings,
            history=self.history(kind, item_id, period, months),
            full_attendance_judged=ranking.verdicts is not None and ranking.verdicts.full_attendance is not None,
        )

    def history(self, kind: str, item_id: str, period: Period, months: int) -> list[tuple[str, float | None]]:
        """Scores of up to ``months`` months up to the one ``period`` ends in, oldest first: only
        months the hall has been keeping records in and not after today; None for a month in
        which the person was not posted."""
        today = self.today()
        month = Period.of("month", min(period.last, today))
        first_day = self.first_day_on_record()
        out: list[tuple[str, float | None]] = []
        while len(out) < months and month.end > first_day:
            ranking = self._rank(month)
            row = ranking.staff_row(item_id) if kind == "staff" else ranking.window_row(item_id)
            out.append((f"{month.first.month}月", row.score if row else None))
            month = month.previous()
        return out[::-1]

    def first_day_on_record(self) -> date:
        """The hall's first day: the day it was created, or its earliest finding if older
        (findings imported from the spreadsheets kept before)."""
        rows = self.reader.rows(reads.FIRST_FINDING, {"hall": self.hall.id})
        first = self.hall.opened or self.today()
        if rows and rows[0][0] is not None:
            first = min(first, reads.to_utc(rows[0][0]).astimezone(self.hall.tz).date())
        return first

    # --- roster changes (patrol.hall.roster; these stay for the callers of the service) ----

    def add_staff(self, name: str, window: WindowInfo, role: str = "", starts: date | None = None) -> StaffInfo:
        """Post a new person at ``window`` from ``starts`` (today by default)."""
        return self._change(roster.StaffAdd(name, window.code, role, starts))

    def move_staff(self, person: StaffInfo, window: WindowInfo, starts: date | None = None) -> StaffInfo:
        """From ``starts`` (today by default) ``person`` sits at ``window``; their past findings
        and their earlier periods keep the window they were at (a person who had left returns)."""
        day = starts or self.today()
        seat = roster.seat(self, person, day)
        if seat is None:
            return self._change(roster.StaffReturn(person.id, window.code, day))
        return self._change(roster.StaffMove(person.id, self.window_by_id[seat.window_id].code, window.code, day))

    def leave(self, person: StaffInfo, starts: date | None = None) -> StaffInfo:
        """From ``starts`` (today by default) ``person`` is no longer posted; earlier periods keep
        them and their findings."""
        day = starts or self.today()
        seat = roster.seat(self, person, day)
        if seat is None:
            raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 不在岗，无需登记离岗。")
        return self._change(roster.StaffLeave(person.id, self.window_by_id[seat.window_id].code, day))

    def set_role(self, person: StaffInfo, role: str, starts: date | None = None) -> StaffInfo:
        """From ``starts`` (today by default) ``person`` holds ``role`` at their window."""
        return self._change(roster.RoleChange(person.id, role, starts))

    def _change(self, request: roster.Request) -> StaffInfo:
        change = roster.apply_change(self, request)
        assert change.staff_id is not None
        return self.staff_by_id[change.staff_id]

    def first_day(self, person: StaffInfo) -> date | None:
        """The first day ``person`` was posted anywhere (None: from the beginning, or never)."""
        return roster.first_day(self, person)


def open_hall(
    url: str,
    hall_name: str | None = None,
    *,
    inspector: str = "",
    device: str = "",
    fast: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> HallService:
    """Open a hall of the database at ``url`` (migrating the schema when it is old).

    With ``fast`` and a current SQLite file, reads use the standard library and SQLAlchemy is
    only imported at the first write.
    """
    from storage.schema import HEAD_REVISION
    from storage.urls import sqlite_file

    path = sqlite_file(url)
    if fast and path is not None and path.exists():
        from storage.files import check_database_location

        check_database_location(path)  # read nothing another user could have swapped in
        fast_reader = reads.SqliteReader(path)
        if reads.schema_revision(fast_reader) == HEAD_REVISION:
            hall = HallService.pick_hall(fast_reader, hall_name)
            return HallService(
                fast_reader,
                hall,
                engine_factory=lambda: engine_for(url),
                device=device,
                inspector=inspector,
                clock=clock,
            )
        fast_reader.close()
    engine = engine_for(url)
    reader: reads.SqliteReader | reads.AlchemyReader = (
        reads.SqliteReader(path) if path is not None else reads.AlchemyReader(engine)
    )
    hall = HallService.pick_hall(reader, hall_name)
    service = HallService(reader, hall, engine_factory=lambda: engine, device=device, inspector=inspector, clock=clock)
    service._engine = engine
    return service


def _zone(hall: str, timezone: str) -> ZoneInfo:
    """The hall's time zone; UserError naming the hall when the stored name is no time zone."""
    from zoneinfo import ZoneInfoNotFoundError

    from patrol.text import shown

    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise UserError(
            f"大厅“{shown(hall)}”的时区“{shown(str(timezone))}”无法识别（数据库可能已被改动）："
            "应为 Asia/Shanghai 这样的时区名。请恢复一份备份。"
        ) from None


def _full_ref(text: str, today: date) -> str:
    """11-0019 (month and number, as people say it) as 2611-0019: the latest such month that is
    not after ``today``. Anything else is returned as it is."""
    month, dash, number = text.partition("-")
    if not (dash and month.isdigit() and len(month) in (1, 2) and number.isdigit() and 1 <= int(month) <= 12):
        return text
    year = today.year if int(month) <= today.month else today.year - 1
    return f"{year % 100:02d}{int(month):02d}-{number}"


def _looks_like_ref(text: str) -> bool:
    month, _, number = text.partition("-")
    return len(month) == 4 and month.isdigit() and number.isdigit()


def _batches(rows: Iterator[reads.Row], size: int) -> Iterator[list[reads.Row]]:
    batch: list[reads.Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _totals(sums: list[Any]) -> Totals:
    deductions, bonuses, count, attendance, deduction_count, bonus_count, complaints = sums
    return Totals(
        float(deductions or 0),
        float(bonuses or 0),
        int(count),
        int(attendance or 0),
        int(deduction_count or 0),
        int(bonus_count or 0),
        int(complaints or 0),
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


# What reading a value patrol never writes raises (a time "garbage", points "abc", rules that are
# no JSON, put into the file behind patrol's back).
UNREADABLE = (ValueError, TypeError, LookupError)


def unreadable(url: str) -> str | None:
    """Why the database at ``url`` could not be read, after one of ``UNREADABLE``: the first problem
    `patrol verify` finds in it, in one line. None when it verifies (or cannot be checked): the
    error is then patrol's own and stays a traceback, to be fixed."""
    try:
        from storage.reads import AlchemyReader, SqliteReader
        from storage.urls import sqlite_file
        from storage.verify import verify

        engine = engine_for(url)
        try:
            path = sqlite_file(url)
            problem = verify(SqliteReader(path) if path is not None else AlchemyReader(engine)).problem
        finally:
            engine.dispose()
    except Exception:  # only a second opinion on an error already being raised
        return None
    if problem is None:
        return None
    return f"数据库中有 patrol 不会写出的内容，无法读取；校验未通过：{problem}"


def engine_for(url: str) -> Engine:
    """An engine on ``url`` with the schema brought up to date."""
    from storage.engine import open_engine

    return open_engine(url)


def init_hall(url: str, name: str, device: str = "") -> HallInfo:
    """Create the database (if needed) and a hall with the default rules (written by ``device``)."""
    from patrol.rules.items import DEFAULT_RULES
    from storage.writes import create_hall

    name = clean_name(name, "大厅名称", 100)
    if not name:
        raise UserError("大厅名称不能为空：patrol init --hall 大厅名称")
    engine = engine_for(url)
    try:
        hall_id = create_hall(
            engine, name, [item.as_row() for item in DEFAULT_RULES], DEFAULT_SETTINGS.to_json(), device=device
        )
    except StorageError as exc:
        raise UserError(str(exc)) from exc
    finally:
        engine.dispose()
    return HallInfo(id=hall_id, name=name)


__all__ = [
    "SUBSTITUTE",
    "CorrectionView",
    "FindingView",
    "HallService",
    "NoHallError",
    "Record",
    "init_hall",
    "open_hall",
]
