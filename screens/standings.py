"""The standings the App shows, kept live: a saved finding moves the ranking and today's tiles in
place (``moved``) and the screens paint only the rows and tiles it changed; a full recompute off
the hot path (``confirm``) checks what is shown, and replaces it only if it differs, counting each
difference as a mismatch (a bug: tests assert there are none)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from patrol.rules.periods import Period
from patrol.rules.scoring import Ranking, Totals

if TYPE_CHECKING:
    from patrol.hall.rounds import Coverage
    from patrol.hall.service import HallService
    from patrol.hall.views import FindingView
    from patrol.rules.live import LiveRanking, Moved

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """What a full read gives the keeper: the live ranking of a period and today's tiles."""

    live: LiveRanking
    today: dict[str, Totals]
    day: date
    period: Period
    coverage: Coverage | None = None  # the windows nobody has seen today and this week
    closed: bool = False  # the period is closed (月结)


def load(service: HallService, period: Period, previous: Ranking | None = None) -> Loaded:
    """Rank ``period`` from the database and read today's tiles (on the database thread). The
    ranking is the one ``service.standings.ranking(period)`` gives, kept live; ``previous``, the previous
    period's ranking if already at hand (the check after findings: it halves the work)."""
    from patrol.rules.live import LiveRanking  # after the first frame: the board starts without it

    totals = service.standings.totals(period)
    opened = [w for w in service.windows if w.open_during(period.first, period.end)]
    closed = [w for w in service.windows if not w.open_during(period.first, period.end)]
    live = LiveRanking(
        service.settings_for(period),
        opened,
        service.standings.members(period),
        totals,
        service.staff,
        closed=closed,
        previous=previous or service.standings.ranking(period.previous(), with_change=False),
        has_clockin=service.standings.has_clockin(period),
        patrolled=service.rounds.any_seen(period),
        figures=service.standings.window_figures(period),
    )
    return Loaded(
        live,
        service.standings.day_totals(),
        service.today(),
        period,
        service.rounds.coverage(),
        service.closing.is_closed(period),
    )


class Standings:
    """The App's live ranking of its period and today's per-window totals."""

    def __init__(self) -> None:
        self.live: LiveRanking | None = None
        self.today: dict[str, Totals] = {}
        self.day: date | None = None
        self.period: Period | None = None
        self.mismatches = 0  # full recomputes that differed from what was shown (each a bug)
        self.confirmed = 0  # full recomputes compared with what was shown

    def previous(self, period: Period) -> Ranking | None:
        """The previous period's ranking kept for ``period``, or None."""
        return self.live.previous if self.live is not None and period == self.period else None

    @property
    def ranking(self) -> Ranking | None:
        """The ranking shown (its rows are updated in place)."""
        return self.live.ranking if self.live is not None else None

    def reset(self, loaded: Loaded) -> None:
        """Show a full read from now on."""
        self.live, self.today, self.day, self.period = loaded.live, loaded.today, loaded.day, loaded.period

    def moved(self, found: FindingView, sign: int = 1) -> Moved | None:
        """Count one saved finding in (``sign`` 1) or an undone one out (-1); return what to paint,
        or None when nothing is kept live yet (then the caller reads everything)."""
        from patrol.rules.live import Delta, Moved, finding_totals

        if self.live is None or self.period is None or not found.window_id:
            return None
        points = finding_totals(
            found.points, breaks_attendance=found.breaks_attendance, complaint=found.complaint, count=found.count
        )
        day = found.at.date()
        tile = day == self.day
        if tile:
            total = self.today.setdefault(found.window_id, Totals())
            total.add(points, sign)
            # Points have at most four decimals; float sums and undos leave noise such as -2.8e-17,
            # which a tile would paint as a deduction ("-0.0", the yellow bar).
            total.deductions, total.bonuses = round(total.deductions, 4), round(total.bonuses, 4)
            if total.findings <= 0:
                del self.today[found.window_id]
        if not self.period.first <= day < self.period.end:
            return Moved(windows=frozenset({found.window_id}) if tile else frozenset())
        moved = self.live.apply(Delta(found.staff_id, found.window_id, points, sign))
        if tile and found.window_id not in moved.windows:
            moved = Moved(
                moved.staff, moved.windows | {found.window_id}, moved.staff_order, moved.window_order, moved.everything
            )
        return moved

    def confirm(self, loaded: Loaded) -> bool:
        """Compare a full recompute with what is shown; if they differ, count a mismatch, log it
        and keep the full one. Return whether the view must be replaced."""
        self.confirmed += 1
        shown = self.ranking
        if shown is None or self.period != loaded.period:
            self.reset(loaded)
            return True
        if self.day != loaded.day:  # midnight passed: the tiles start a new day, not a bug
            self.reset(loaded)
            return True
        differences = list(_differences(shown, loaded.live.ranking, self.today, loaded.today))
        if not differences:
            return False
        self.mismatches += 1
        log.error("live standings differ from a full recompute: %s", "; ".join(differences[:10]))
        self.reset(loaded)
        return True


def _differences(
    shown: Ranking, full: Ranking, shown_today: dict[str, Totals], full_today: dict[str, Totals]
) -> Iterable[str]:
    """What differs between the ranking shown and a full recompute (every field of every row,
    the order, the verdicts) and between the tiles."""
    for kind, mine, theirs in (("staff", shown.staff, full.staff), ("window", shown.windows, full.windows)):
        if [r.id for r in mine] != [r.id for r in theirs]:
            yield f"{kind} order"
        for row, other in zip(mine, theirs, strict=False):
            if row != other:
                yield f"{kind} {row.id}"
    if shown.has_records != full.has_records:
        yield "has_records"
    if shown.verdicts is not None and full.verdicts is not None:
        for name in ("models", "excellent", "bottom_staff", "bottom_windows"):
            mine_award, their_award = getattr(shown.verdicts, name), getattr(full.verdicts, name)
            if [r.id for r in mine_award.rows] != [r.id for r in their_award.rows]:
                yield f"verdict {name}"
    for window_id in shown_today.keys() | full_today.keys():
        if _tile(shown_today.get(window_id)) != _tile(full_today.get(window_id)):
            yield f"today {window_id}"


def _tile(total: Totals | None) -> tuple[int, float, float]:
    """What a tile shows of a day's totals (float sums compared as the tile rounds them)."""
    if total is None:
        return (0, 0.0, 0.0)
    return (total.findings, round(total.deductions, 4), round(total.bonuses, 4))


def paint(screens: Iterable[object], ranking: Ranking, today: dict[str, Totals], moved: Moved) -> None:
    """Show what one finding changed on every screen that shows standings: only the rows and
    tiles it moved where a screen can (``show_moved``), all of it elsewhere (``show_standings``)."""
    for screen in screens:
        show_moved = getattr(screen, "show_moved", None)
        if show_moved is not None and not moved.everything:
            show_moved(ranking, today, moved)
            continue
        show = getattr(screen, "show_standings", None)
        if show is not None:
            show(ranking, today)
