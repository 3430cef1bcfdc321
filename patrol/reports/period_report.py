"""Everything the month-end appendix and notice say about a period, gathered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from patrol.hall.figures import period_figures
from patrol.hall.service import HallService
from patrol.hall.views import CorrectionView, FindingView
from patrol.model import HallInfo, StaffInfo, WindowInfo
from patrol.reports.attendance_summary import AttendanceSummary, summarize
from patrol.rules.figures import ServiceFigures
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
    staff: list[StaffInfo]  # who counts in the period, in roster order, at the window they are listed at
    rules: Rules
    type_counts: dict[tuple[str | None, str], dict[str, int]]
    finding_count: int
    findings: Callable[[], Iterator[FindingView]] = field(repr=False)
    corrections: list[CorrectionView] = field(default_factory=list)
    # Corrections made during the period to findings of earlier ones (the notice's 更正情况).
    late_corrections: list[CorrectionView] = field(default_factory=list)
    rounds: int = 0  # the team's patrol rounds (巡查轮次) in the period
    # The chain heads the verified walk found (patrol.reports.anchor), printed at the foot of
    # 附表1; None when the appendix was not verified.
    heads: dict[str, tuple[int, str]] | None = None
    unverified: str | None = None  # the first broken link, for an appendix written unverified on purpose
    settings: HallRules = DEFAULT_SETTINGS  # what the period is judged by
    roster_position: dict[str, int] = field(default_factory=dict)  # staff id -> place in the roster
    attendance: AttendanceSummary | None = None  # 附表4's figures and the notice's 考勤 (None: not read)
    # What the patrols found, in 项次: all, deductions, bonuses (the punches and leave are not in it).
    patrol_times: tuple[int, int, int] = (0, 0, 0)
    # The hall's service figures (办件量) for the period, beside the previous period's; None when
    # the hall has none for it (the notice then has no 【办件情况】 and the appendix no 审批业务统计表).
    services: ServiceFigures | None = None

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
    ranking = service.standings.ranking(period)
    return PeriodReport(
        hall=service.hall,
        period=period,
        made_on=service.today(),
        ranking=ranking,
        windows=list(service.windows),
        staff=counted(service, ranking),
        rules=service.rules,
        type_counts=service.standings.type_counts(period),
        finding_count=service.standings.finding_count(period),
        patrol_times=service.standings.patrol_times(period),
        findings=lambda: service.records.iter_findings(period),
        corrections=service.findings.corrections(period),
        late_corrections=service.findings.late_corrections(period),
        rounds=service.rounds.count(period),
        settings=service.settings_for(period),
        roster_position={s.id: s.position for s in service.staff},
        attendance=summarize(service, period, ranking),
        services=period_figures(service, period),
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
