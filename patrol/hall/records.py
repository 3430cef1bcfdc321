"""Records: a person's or a window's findings of a period with their scores of recent months,
and the hall's findings of a period for reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from patrol.hall import roster
from patrol.hall.views import FindingView, Record, finding_views
from patrol.rules.periods import Period
from storage import reads

if TYPE_CHECKING:
    from patrol.hall.service import HallService


class Records:
    """What the hall has on record about people, windows and periods."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def findings(self, period: Period) -> list[FindingView]:
        """Every effective finding of the hall in ``period``, in time order."""
        return list(self.iter_findings(period))

    def iter_findings(self, period: Period) -> Iterator[FindingView]:
        """The same, streamed a batch at a time (a year of a city does not fit in memory)."""
        service = self.service
        start, end = period.bounds(service.hall.tz)
        rows = service.reader.iter_rows(reads.FINDINGS_OF_HALL, {"hall": service.hall.id, "start": start, "end": end})
        batch: list[reads.Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) == reads.BATCH:
                yield from finding_views(service, batch)
                batch = []
        yield from finding_views(service, batch)

    def look_up(self, kind: str, item_id: str, period: Period, who: str | None = None) -> Record:
        """A record about to be shown to someone: the lookup goes to the access log first (who
        looked, whose record, which period), then the record is read. ``who``: how to name the
        person or window in the log (their name and window, or code and name, by default)."""
        service = self.service
        if who is None:
            if kind == "staff":
                person = service.staff_by_id[item_id]
                window = service.window_by_id.get(person.window_id)
                who = f"{person.name}（{window.code} {window.name}）" if window else person.name
            else:
                window = service.window_by_id[item_id]
                who = f"{window.code} {window.name}"
        service.access.log("查看记录", f"{who}，{period.label}", period)
        return self.record(kind, item_id, period)

    def record(self, kind: str, item_id: str, period: Period, months: int = 6) -> Record:
        """A window's or a staff member's record for ``period``, with the scores of recent months."""
        service = self.service
        start, end = period.bounds(service.hall.tz)
        ranking = service.standings.ranking(period)
        if kind == "staff":
            person = service.staff_by_id[item_id]
            record = Record(
                kind=kind,
                id=item_id,
                period=period,
                standing=next((r for r in ranking.staff if r.id == item_id), None),
                window=service.window_by_id.get(person.window_id),
                person=person,
                status="" if person.active else roster.status(service, person),
            )
            rows = service.reader.rows(reads.FINDINGS_OF_STAFF, {"staff": item_id, "start": start, "end": end})
        else:
            window = service.window_by_id[item_id]
            # The people of that period, not of today: who sat there then is who the record is about.
            seated: dict[str, str] = {}
            for member in service.standings.members(period):
                if member.window_id == window.id:
                    seated.setdefault(member.staff.id, member.staff.name)
            record = Record(
                kind=kind,
                id=item_id,
                period=period,
                standing=next((r for r in ranking.windows if r.id == item_id), None),
                window=window,
                seated=list(seated.values()),
            )
            rows = service.reader.rows(reads.FINDINGS_OF_WINDOW, {"window": item_id, "start": start, "end": end})
        record.findings = finding_views(service, rows)
        counts: dict[str, list[float]] = {}
        for f in record.findings:
            entry = counts.setdefault(f.type_name, [0, 0.0])
            entry[0] += f.count
            entry[1] += f.total_points
        record.counts = [(name, int(n), round(p, 2)) for name, (n, p) in counts.items()]
        record.history = self.history(kind, item_id, period, months)
        record.full_attendance_judged = ranking.verdicts is not None and ranking.verdicts.full_attendance is not None
        return record

    def history(self, kind: str, item_id: str, period: Period, months: int) -> list[tuple[date, float | None]]:
        """Scores of up to ``months`` months up to the one ``period`` ends in, oldest first, each
        by the month's first day: only months the hall has been keeping records in and not after
        today; None for a month in which the person was not posted."""
        service = self.service
        month = Period.of("month", min(period.last, service.today()))
        first_day = self.first_day_on_record()
        out: list[tuple[date, float | None]] = []
        while len(out) < months and month.end > first_day:
            ranking = service.standings.rank(month)
            row = ranking.staff_row(item_id) if kind == "staff" else ranking.window_row(item_id)
            out.append((month.first, row.score if row else None))
            month = month.previous()
        return out[::-1]

    def first_day_on_record(self) -> date:
        """The hall's first day: the day it was created, or its earliest finding if older
        (findings imported from the spreadsheets kept before)."""
        service = self.service
        rows = service.reader.rows(reads.FIRST_FINDING, {"hall": service.hall.id})
        first = service.hall.opened or service.today()
        if rows and rows[0].first_at is not None:
            first = min(first, reads.to_utc(rows[0].first_at).astimezone(service.hall.tz).date())
        return first
