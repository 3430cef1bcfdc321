"""Month close (月结): a period frozen after its notice. No new finding enters a closed period
(the check lives in ``storage.writes.refuse_closed``, which every write of a finding passes);
a correction still works, with its reason, and the next notice says so. A close and a reopen
are rows of their own (who, when, why), chained like findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from patrol.errors import UserError
from patrol.rules.periods import Period
from patrol.text import check_note
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService

CLOSE, REOPEN = "close", "reopen"
ACTION_WORDS = {CLOSE: "月结", REOPEN: "重新打开"}


@dataclass(frozen=True)
class Closing:
    """One close or reopen of a period."""

    period: str  # as written: 2026-11
    action: str  # close | reopen
    reason: str
    at: datetime  # local time
    inspector: str

    @property
    def words(self) -> str:
        return ACTION_WORDS.get(self.action, self.action)


class MonthClose:
    """Closing and reopening the hall's periods, and telling whether a time is in one."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def history(self) -> list[Closing]:
        """Every close and reopen of the hall, oldest first."""
        tz = self.service.hall.tz
        return [
            Closing(row.period, row.action, row.reason, reads.to_utc(row.at).astimezone(tz), row.inspector)
            for row in self.service.reader.rows(reads.CLOSINGS, {"hall": self.service.hall.id})
        ]

    def closed(self) -> list[tuple[str, datetime, datetime]]:
        """The periods closed now: (period as written, start, end in UTC)."""
        latest: dict[str, tuple[str, datetime, datetime]] = {}
        for row in self.service.reader.rows(reads.CLOSINGS, {"hall": self.service.hall.id}):
            latest[row.period] = (row.action, reads.to_utc(row.starts), reads.to_utc(row.ends))
        return [(period, start, end) for period, (action, start, end) in latest.items() if action == CLOSE]

    def closed_period_of(self, at: datetime, closed: list[tuple[str, datetime, datetime]] | None = None) -> str | None:
        """The closed period that holds ``at`` (aware), or None. ``closed``: ``closed()`` read once
        for many checks (an importer's rows)."""
        for period, start, end in self.closed() if closed is None else closed:
            if start <= at < end:
                return period
        return None

    def check_from(self, day: date | None, what: str) -> None:
        """Refuse (UserError) a change of ``what`` in force from ``day`` (None: from the beginning)
        that would reach into a closed period: its verdicts and its notice would change under it."""
        start = self._start_of(day)
        for period, _start, end in self.closed():
            if start < end:
                raise UserError(_reaches_closed(period, what, day))

    def check_day(self, day: date, what: str) -> None:
        """Refuse (UserError) a change of ``what`` for ``day`` alone when a closed period holds it."""
        period = self.closed_period_of(self._start_of(day))
        if period is not None:
            raise UserError(_reaches_closed(period, what, day))

    def _start_of(self, day: date | None) -> datetime:
        if day is None:
            return datetime.min.replace(tzinfo=UTC)
        return datetime.combine(day, time(), self.service.hall.tz).astimezone(UTC)

    def is_closed(self, period: Period) -> bool:
        """Whether ``period`` itself, or a closed period covering all of it, is closed."""
        start, end = period.bounds(self.service.hall.tz)
        return any(s <= start and end <= e for _p, s, e in self.closed())

    def check_open(self, at: datetime, closed: list[tuple[str, datetime, datetime]] | None = None) -> None:
        """Refuse (UserError) a new finding at ``at`` when its period is closed. Importers call it
        per row (with ``closed`` read once) so the error names the row; storage refuses such a
        finding anyway (``storage.writes.refuse_closed``)."""
        from storage.writes import closed_message

        period = self.closed_period_of(at, closed)
        if period is not None:
            raise UserError(closed_message(period))

    def close(self, period: Period, reason: str = "") -> None:
        """Close ``period`` (after its notice)."""
        self._record(period, CLOSE, check_note(reason, "月结说明"), expect_closed=False)

    def reopen(self, period: Period, reason: str) -> None:
        """Open a closed ``period`` again; the reason is required."""
        reason = check_note(reason, "重新打开的原因")
        if not reason:
            raise UserError("重新打开已月结的周期必须写明原因（--reason）。")
        self._record(period, REOPEN, reason, expect_closed=True)

    def _record(self, period: Period, action: str, reason: str, *, expect_closed: bool) -> None:
        from storage.writes import record_closing

        service = self.service
        start, end = period.bounds(service.hall.tz)
        if action == CLOSE and period.end > service.today():
            raise UserError(f"{period.label}尚未结束（到 {period.last:%Y-%m-%d}），不能月结。")
        values = {
            "hall_id": service.hall.id,
            "period": period.code,
            "starts": start,
            "ends": end,
            "action": action,
            "reason": reason,
            "inspector_id": service.inspector_id(),
            "device": service.device,
        }
        record_closing(service.engine, values, expect_closed=expect_closed)


def _reaches_closed(period: str, what: str, day: date | None) -> str:
    when = f"从 {day:%Y-%m-%d} 起" if day is not None else "从最初起"
    return (
        f"{period} 已月结：{when}的{what}会改变已月结周期的考核结果，未写入。请改用月结之后的日期；"
        f"确需更改，请先重新打开：patrol reopen --period {period} --reason 原因。"
    )
