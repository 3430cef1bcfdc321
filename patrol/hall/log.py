"""The findings log: logging a finding, taking the last one back, finding one by its reference,
correcting it (a void, or a void and a replacement), and the corrections of a period.

A finding is never edited: a correction voids it, in the same transaction as the finding that
replaces it, and says why.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.hall import roster
from patrol.hall.views import CorrectionView, FindingView, finding_views, saved_view
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.items import COUNT_LIMIT, MINUTES_LIMIT, RuleItem
from patrol.rules.periods import EARLIEST_YEAR, Period
from patrol.text import check_note
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

UNDO_REASON = "撤销（督查员当场撤回）"
PUNCHED_KINDS = frozenset({"late", "early"})  # what both a patrol and the punches find, once a day
ONE_A_DAY = frozenset({"late", "early", "leave"})  # 附表4 counts them in days: a count would not add up
FUTURE_TOLERANCE = timedelta(minutes=2)  # clocks of several laptops drift a little


class FindingLog:
    """Findings written, taken back and corrected by the inspector of this device."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def check_time(self, at: datetime) -> datetime:
        """Refuse a time in the future, before 2000 or before the hall's first posting; return it
        in UTC."""
        if at.tzinfo is None:
            raise ValueError("naive datetime")
        service = self.service
        local = at.astimezone(service.hall.tz)
        shown = f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
        if local.year < EARLIEST_YEAR:
            raise UserError(f"时间 {shown} 早于 {EARLIEST_YEAR} 年，不能记录：请检查年份。")
        first = service.first_posting
        if first is not None and local.date() < first:
            raise UserError(f"时间 {shown} 早于本大厅最早的任职（{first:%Y-%m-%d} 起），那时还没有人员在岗，不能记录。")
        if at > service.clock() + FUTURE_TOLERANCE:
            raise UserError(f"时间 {shown} 在未来，不能记录尚未发生的巡查。")
        return at.astimezone(UTC)

    def values(
        self,
        window: WindowInfo,
        staff: StaffInfo | None,
        item: RuleItem,
        *,
        substitute: bool = False,
        at: datetime | None = None,
        note: str = "",
        check_posting: bool = True,
        count: int = 1,
        minutes: int | None = None,
    ) -> dict[str, Any]:
        """Check one finding and return the values to store (points copied from the rules). A
        person must have sat at the window at the finding's time (``check_posting``). ``count``:
        how many times it happened (one row stands for them all); ``minutes``: how long, for an
        item that has minutes (无人在岗). An either-level item with nobody named counts for the
        window."""
        service = self.service
        if item.is_window_level:
            staff, substitute = None, False
        elif staff is None and not substitute and not item.may_credit_window:
            raise UserError(f"“{item.name}”是针对人员的巡查项：请指明人员（姓名）或替岗人员。")
        count, minutes = check_count(count, item), check_minutes(minutes, item)
        if staff is not None and substitute:
            raise UserError("人员与替岗人员只能选一个。")
        at = self.check_time(at or service.clock())
        if staff is not None and check_posting:
            problem = roster.posting_problem(service, staff, window, at)
            if problem:
                raise UserError(problem)
        return {
            "hall_id": service.hall.id,
            "window_id": window.id,
            "staff_id": staff.id if staff else None,
            "substitute": substitute,
            "type_id": item.id,
            "category": item.category,
            "points": item.points,
            "at": at,
            "note": check_note(note),  # as typed, within the one limit of notes and reasons
            "device": service.device,
            # Left out while default, so a finding's chained payload is as before 0005.
            **({"count": count} if count != 1 else {}),
            **({"minutes": minutes} if minutes is not None else {}),
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
        count: int = 1,
        minutes: int | None = None,
    ) -> FindingView:
        """Commit one finding in its own transaction; when this returns, it is on disk."""
        from storage.writes import insert_finding

        values = self.values(window, staff, item, substitute=substitute, at=at, note=note, count=count, minutes=minutes)
        # A closed month refuses it as a mistake of the finding (UserError), not of the disk: the
        # app then says so instead of keeping it for a retry. Storage refuses it anyway.
        self.service.closing.check_open(values["at"])
        if staff is not None and item.code in PUNCHED_KINDS:
            self._refuse_if_punched(staff, item, values["at"])
        values["inspector_id"] = self.service.inspector_id()
        finding_id, ref = insert_finding(self.service.engine, values)
        return saved_view(self.service, finding_id, ref, values)

    def _refuse_if_punched(self, staff: StaffInfo, item: RuleItem, at: datetime) -> None:
        """A person's 迟到 or 早退 counts once a day (DESIGN): when the punches already gave it,
        a patrol's would count it twice (the clock-in import, the other way round, writes none
        where a patrol's is there)."""
        service = self.service
        day = at.astimezone(service.hall.tz).date()
        start = datetime.combine(day, time(), service.hall.tz)
        params = {
            "hall": service.hall.id,
            "staff": staff.id,
            "type": item.id,
            "start": start.astimezone(UTC),
            "end": (start + timedelta(days=1)).astimezone(UTC),
        }
        rows = service.reader.rows(reads.PUNCH_FINDING_OF_DAY, params)
        if rows:
            raise UserError(
                f"打卡记录已记{staff.name}{day.month}月{day.day}日{item.name}（记录号 {rows[0].ref}），"
                "同一天只计一次，未重复记录。如打卡记录有误，请更正那条记录。"
            )

    def last_finding(self) -> FindingView | None:
        """The newest effective finding logged on this device."""
        service = self.service
        rows = service.reader.rows(reads.LAST_EFFECTIVE_BY_DEVICE, {"hall": service.hall.id, "device": service.device})
        return finding_views(service, rows)[0] if rows else None

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
        service = self.service
        void_finding(service.engine, last.id, reason, service.inspector_id(), service.device)
        return last

    def finding(self, reference: str) -> FindingView:
        """The finding whose reference is ``reference`` (2611-0042), or whose id is or starts with
        it (at least 8 characters)."""
        service = self.service
        reference = _full_ref(reference.strip().lower(), service.today())
        rows = service.reader.rows(reads.FINDING_BY_REF, {"hall": service.hall.id, "ref": reference})
        if rows:
            return finding_views(service, rows)[0]
        if _looks_like_ref(reference):
            raise UserError(f"找不到记录号为“{reference}”的巡查记录（记录号写作 年月-序号，如 2611-0042）。")
        if len(reference) < 8:
            raise UserError(f"记录号“{reference}”太短：请至少写出前 8 位（patrol log 保存时会显示记录号）。")
        rows = service.reader.rows(reads.FINDINGS_BY_ID_PREFIX, {"hall": service.hall.id, "prefix": f"{reference}%"})
        if not rows:
            raise UserError(f"找不到记录号为“{reference}”的巡查记录。")
        if len(rows) > 1:
            raise UserError(f"记录号“{reference}”对应多条记录，请多写几位。")
        return finding_views(service, rows)[0]

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
        count: int | None = None,
        minutes: int | None = None,
    ) -> FindingView | None:
        """Void a finding, or amend it (type, person, window, time, note, count, minutes) by a void
        and a replacing finding in one transaction. The reason is required; returns the replacement."""
        from storage.writes import void_finding

        service = self.service
        reason = check_note(reason, "更正原因")
        if not reason:
            raise UserError("更正必须写明原因（--reason）。")
        rows = service.reader.rows(reads.FINDING_BY_ID, {"id": finding_id})
        if not rows:
            raise UserError("找不到这条巡查记录。")
        self.refuse_purged(finding_id)
        if service.reader.rows(reads.IS_VOIDED, {"id": finding_id}):
            raise UserError(self._already_corrected(finding_id))
        if void:
            void_finding(service.engine, finding_id, reason, service.inspector_id(), service.device)
            return None
        old = rows[0]
        changes = (window, staff, substitute, item, at, note, count, minutes)
        if all(change is None for change in changes):
            raise UserError("没有要更正的内容：请指明 --void，或要改的巡查项、人员、窗口、时间、次数、分钟或备注。")
        new_item = item or service.rules.by_id[old.type_id]
        new_window = window or service.window_by_id[old.window_id]
        if staff is not None or substitute:
            new_staff, new_substitute = staff, bool(substitute)
        else:
            new_staff = service.staff_by_id.get(old.staff_id) if old.staff_id else None
            new_substitute = bool(old.substitute)
        values = self.values(
            new_window,
            new_staff,
            new_item,
            substitute=new_substitute,
            at=at or reads.to_utc(old.at),
            note=old.note if note is None else note,
            # Who, where and when as logged stay as they were; only a change to them is checked.
            check_posting=any(change is not None for change in (window, staff, at)),
            # A correction keeps how many and how long unless it changes them.
            count=int(old.n or 1) if count is None else count,
            minutes=(
                minutes
                if minutes is not None
                else (None if old.minutes is None else int(old.minutes))
                if new_item.takes_minutes
                else None
            ),
        )
        if item is None:  # the points logged then stay; only a new finding type brings its own
            values["points"], values["category"] = float(old.points), old.category
        values["source"] = old.source  # a corrected punch is still from the clock-in machine
        values["inspector_id"] = service.inspector_id()
        saved = void_finding(
            service.engine, finding_id, reason, service.inspector_id(), service.device, replacement=values
        )
        assert saved is not None
        return saved_view(service, saved[0], saved[1], values)

    def refuse_purged(self, finding_id: str) -> None:
        """A finding whose personal content a purge removed is past its retention period: it can
        no longer be voided, amended or given another person (UserError)."""
        if self.service.reader.rows(reads.IS_PURGED, {"id": finding_id}):
            raise UserError("这条记录已过保存期，其人员和备注已清除：不能再作废、修改或更改人员。")

    def _already_corrected(self, finding_id: str) -> str:
        """Where a corrected finding went: its current version's reference, or that it was voided."""
        current, ref = finding_id, ""
        for _ in range(1000):  # a chain of amendments ends; the bound only guards a damaged file
            rows = self.service.reader.rows(reads.CORRECTION_OF, {"id": current})
            if not rows:
                break
            current, ref = rows[0].replacement_id, rows[0].ref
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
        return self._corrections(reads.CORRECTIONS_OF_PERIOD, period)

    def late_corrections(self, period: Period) -> list[CorrectionView]:
        """Corrections of the previous period's findings made after it was closed with its notice
        (``period``'s notice says so; those made before the close were in that notice), oldest
        first. A period never closed has none."""
        return self._corrections(reads.LATE_CORRECTIONS, period.previous())

    def _corrections(self, sql: str, period: Period) -> list[CorrectionView]:
        service = self.service
        start, end = period.bounds(service.hall.tz)
        out = []
        for row in service.reader.rows(sql, {"hall": service.hall.id, "start": start, "end": end}):
            before = finding_views(service, service.reader.rows(reads.FINDING_BY_ID, {"id": row.finding_id}))[0]
            after = None
            if row.replacement_id:
                after = finding_views(service, service.reader.rows(reads.FINDING_BY_ID, {"id": row.replacement_id}))[0]
            at = reads.to_utc(row.at).astimezone(service.hall.tz)
            out.append(CorrectionView(at, row.reason, row.inspector, before, after))
        return out


def check_count(count: int, item: RuleItem) -> int:
    """How many times a finding happened: 1 to ``COUNT_LIMIT`` (UserError otherwise)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= COUNT_LIMIT:
        raise UserError(f"“{item.name}”的次数应为 1 到 {COUNT_LIMIT} 之间的整数（如 28），而不是“{count}”。")
    if count != 1 and item.code in ONE_A_DAY:
        raise UserError(f"“{item.name}”按天记录，一条记录就是一天，不能写次数（{count}）：请逐日记录。")
    return count


def check_minutes(minutes: int | None, item: RuleItem) -> int | None:
    """The minutes of a finding: required (1 to ``MINUTES_LIMIT``) for an item that has them,
    refused for any other (UserError)."""
    if not item.takes_minutes:
        if minutes is not None:
            raise UserError(f"“{item.name}”不记分钟数：请去掉分钟数（只有无人在岗等巡查项记分钟）。")
        return None
    if minutes is None:
        raise UserError(f"“{item.name}”需要写明持续的分钟数（如 15）。")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MINUTES_LIMIT:
        raise UserError(f"“{item.name}”的分钟数应为 1 到 {MINUTES_LIMIT} 之间的整数（如 15），而不是“{minutes}”。")
    return minutes


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
