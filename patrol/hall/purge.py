"""`patrol purge`: past the hall's retention period, the personal content of the record goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from patrol.errors import UserError
from patrol.rules.periods import parse_local_date

if TYPE_CHECKING:
    from patrol.hall.service import HallService
    from storage.purge import PurgeCount

# How long a hall keeps who-was-found-doing-what before it may be purged. Findings feed yearly
# appraisals and disputes about them, so three years by default.
RETENTION_MONTHS = 36


@dataclass(frozen=True)
class PurgePlan:
    """A purge checked against the retention period and counted, before it is confirmed."""

    before: datetime  # UTC, local midnight of the day typed
    label: str  # that day as typed, YYYY-MM-DD
    count: PurgeCount
    leftovers: list[Path] = field(default_factory=list)  # temporaries killed runs left (names inside)

    @property
    def empty(self) -> bool:
        """Nothing to redact and nothing left behind."""
        count = self.count
        return not (count.findings or count.corrections or count.access_entries or self.leftovers)


def earliest_allowed(today: date) -> date:
    """The latest ``--before`` the retention period allows: ``today`` less RETENTION_MONTHS."""
    months = today.year * 12 + today.month - 1 - RETENTION_MONTHS
    year, month = divmod(months, 12)
    day = min(today.day, 28)  # every month has a 28th
    return date(year, month + 1, day)


def plan_purge(service: HallService, before_text: str) -> PurgePlan:
    """Check ``--before`` and count what it would redact; UserError if it cuts into retention."""
    from storage.purge import count_due

    before = parse_local_date(before_text, service.hall.tz)
    local_day = before.astimezone(service.hall.tz).date()
    limit = earliest_allowed(service.today())
    if local_day > limit:
        raise UserError(
            f"{local_day:%Y-%m-%d} 在保存期（{RETENTION_MONTHS} 个月）之内：最晚只能清除 "
            f"{limit:%Y-%m-%d} 之前的记录。未清除任何内容。"
        )
    from patrol.hall import leftovers

    return PurgePlan(
        before,
        f"{local_day:%Y-%m-%d}",
        count_due(service.engine, service.hall.id, before),
        leftovers.find(getattr(service.reader, "path", None)),
    )


def carry_out(service: HallService, plan: PurgePlan) -> PurgeCount:
    """Remove the leftovers ``plan`` found, then redact what it counted (and anything older
    logged since), in one transaction."""
    from patrol.hall import leftovers
    from storage.purge import redact

    if plan.leftovers:
        leftovers.clean(getattr(service.reader, "path", None))
    return redact(
        service.engine,
        service.hall.id,
        plan.before,
        service.inspector_id(),
        service.device,
        service.inspector or "（未署名）",
        plan.label,
    )
