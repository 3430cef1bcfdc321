"""Everything the month-end appendix and notice say about a period, gathered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from patrol.hall.service import CorrectionView, FindingView, HallService
from patrol.model import HallInfo, StaffInfo, WindowInfo
from patrol.rules.items import Rules
from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking, Standing
from patrol.rules.settings import DEFAULT_SETTINGS, HallRules
from patrol.rules.verdicts import Verdicts, judge


@dataclass
class PeriodReport:
    """A period of one hall: its ranking, counts per finding type and a way to stream findings."""

    hall: HallInfo
    period: Period
    made_on: date
    ranking: Ranking
    windows: list[WindowInfo]
    staff: list[StaffInfo]  # active staff, in roster order
    rules: Rules
    type_counts: dict[tuple[str | None, str], dict[str, int]]
    finding_count: int
    findings: Callable[[], Iterator[FindingView]] = field(repr=False)
    corrections: list[CorrectionView] = field(default_factory=list)
    chain_digest: str = ""
    settings: HallRules = DEFAULT_SETTINGS  # what the period is judged by
    roster_position: dict[str, int] = field(default_factory=dict)  # staff id -> place in the roster

    @property
    def window_by_id(self) -> dict[str, WindowInfo]:
        return {w.id: w for w in self.windows}

    @property
    def verdicts(self) -> Verdicts:
        """The period's verdicts, as ``patrol.rules.verdicts`` decided them."""
        if self.ranking.verdicts is None:
            judge(self.ranking, self.settings)
        assert self.ranking.verdicts is not None
        return self.ranking.verdicts

    @cached_property
    def _window_by_code(self) -> dict[str, WindowInfo]:
        return {w.code: w for w in self.windows}

    def window_label(self, row: Standing) -> str:
        """How a notice names the window of a row (a person is named with the window they were
        listed at in the period, not where they sit today): 住建窗口."""
        window = self._window_by_code.get(row.window_code)
        return window.label if window else row.window_name

    def in_window_order(self, rows: list[Standing] | tuple[Standing, ...]) -> list[Standing]:
        """People in the hall's order: by window, then by their place in the roster."""
        return sorted(rows, key=lambda r: (r.window_position, self.roster_position.get(r.id, 0), r.sort_key, r.id))


def gather(service: HallService, period: Period) -> PeriodReport:
    """Read what a period's appendix and notice need (findings themselves are streamed later)."""
    return PeriodReport(
        hall=service.hall,
        period=period,
        made_on=service.today(),
        ranking=service.ranking(period),
        windows=list(service.windows),
        staff=[s for s in service.staff if s.active],
        rules=service.rules,
        type_counts=service.type_counts(period),
        finding_count=service.finding_count(period),
        findings=lambda: service.iter_findings(period),
        corrections=service.corrections(period),
        chain_digest=service.chain_digest(),
        settings=service.settings_for(period),
        roster_position={s.id: s.position for s in service.staff},
    )
