"""Everything the month-end appendix and notice say about a period, gathered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from patrol.hall.service import CorrectionView, FindingView, HallService
from patrol.model import HallInfo, StaffInfo, WindowInfo
from patrol.rules.items import Rules
from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking


@dataclass
class PeriodReport:
    """A period of one hall: its ranking, counts per finding type and a way to stream findings."""

    hall: HallInfo
    period: Period
    made_on: date
    ranking: Ranking
    windows: list[WindowInfo]
    staff: list[StaffInfo]  # who counts in the period, in roster order, at the window they are listed at
    rules: Rules
    type_counts: dict[tuple[str | None, str], dict[str, int]]
    finding_count: int
    findings: Callable[[], Iterator[FindingView]] = field(repr=False)
    corrections: list[CorrectionView] = field(default_factory=list)
    chain_digest: str = ""

    @property
    def window_by_id(self) -> dict[str, WindowInfo]:
        return {w.id: w for w in self.windows}


def gather(service: HallService, period: Period) -> PeriodReport:
    """Read what a period's appendix and notice need (findings themselves are streamed later)."""
    ranking = service.ranking(period)
    return PeriodReport(
        hall=service.hall,
        period=period,
        made_on=service.today(),
        ranking=ranking,
        windows=list(service.windows),
        staff=counted(service, ranking),
        rules=service.rules,
        type_counts=service.type_counts(period),
        finding_count=service.finding_count(period),
        findings=lambda: service.iter_findings(period),
        corrections=service.corrections(period),
        chain_digest=service.chain_digest(),
    )


def counted(service: HallService, ranking: Ranking) -> list[StaffInfo]:
    """The people a period's ranking counts, in roster order, each at the window the ranking
    lists them at (the last one they sat at in the period): someone who has left or moved since
    is named with the window where they were then (DESIGN: who counts in a period)."""
    listed = {r.id: service.window_by_code.get(r.window_code.upper()) for r in ranking.staff}
    out = []
    for person in service.staff:
        if person.id in listed:
            window = listed[person.id]
            out.append(replace(person, window_id=window.id if window else person.window_id, active=True))
    return out
