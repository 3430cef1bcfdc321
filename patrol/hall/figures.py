"""Reading a hall's service figures (办件量): the figures of months, the imports that brought
them, and a period's figures beside the previous period's (``patrol.rules.figures``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from patrol.rules.figures import Counts, ServiceFigures, WindowFigures, period_months, previous_months
from patrol.rules.periods import Period

if TYPE_CHECKING:
    from patrol.hall.service import HallService

# Each month's import that no later import replaces: its figures are the month's.
_CURRENT = "NOT EXISTS (SELECT 1 FROM service_import n WHERE n.replaces_id = i.id)"
_FIGURES = (
    "SELECT f.month, f.window_id, f.received, f.completed, f.on_time, f.good, f.bad "
    "FROM service_figure f JOIN service_import i ON i.id = f.import_id "
    "WHERE f.hall_id = :hall AND f.month >= :first AND f.month <= :last AND " + _CURRENT
)
_IMPORTS = (
    "SELECT i.month, i.id FROM service_import i "
    "WHERE i.hall_id = :hall AND i.month >= :first AND i.month <= :last AND " + _CURRENT
)
_HISTORY = (
    "SELECT i.month, i.at, i.source, COALESCE(p.name, ''), i.replaces_id IS NOT NULL "
    "FROM service_import i LEFT JOIN inspector p ON p.id = i.inspector_id "
    "WHERE i.hall_id = :hall ORDER BY i.month, i.at"
)


def _span(months: Sequence[str]) -> dict[str, Any]:
    return {"first": min(months), "last": max(months)}


def month_figures(service: HallService, months: Sequence[str]) -> dict[str, dict[str, Counts]]:
    """month -> window id -> the month's figures, for the months that have any."""
    out: dict[str, dict[str, Counts]] = {}
    if not months:
        return out
    wanted = set(months)
    for month, window_id, received, completed, on_time, good, bad in service.reader.iter_rows(
        _FIGURES, {"hall": service.hall.id, **_span(months)}
    ):
        if month in wanted:
            out.setdefault(str(month), {})[str(window_id)] = Counts(
                int(received),
                int(completed),
                int(on_time),
                None if good is None else int(good),
                None if bad is None else int(bad),
            )
    return out


def current_imports(service: HallService, months: Sequence[str]) -> dict[str, str]:
    """month -> the id of the import whose figures are the month's, for months imported before."""
    if not months:
        return {}
    wanted = set(months)
    rows = service.reader.rows(_IMPORTS, {"hall": service.hall.id, **_span(months)})
    return {str(month): str(import_id) for month, import_id in rows if month in wanted}


def history(service: HallService) -> list[tuple[str, Any, str, str, bool]]:
    """Every import of the hall: (month, when, file, who, whether it replaced an earlier one)."""
    return [
        (str(m), at, str(src), str(who), bool(r))
        for m, at, src, who, r in service.reader.rows(_HISTORY, {"hall": service.hall.id})
    ]


def _summed(by_month: dict[str, dict[str, Counts]], months: Sequence[str]) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for month in months:
        for window_id, counts in by_month.get(month, {}).items():
            out[window_id] = out[window_id].plus(counts) if window_id in out else counts
    return out


def period_figures(service: HallService, period: Period) -> ServiceFigures | None:
    """The period's figures per window beside those of the previous period of the same length;
    None when the hall has no figures for the period (figures are monthly: a period counts the
    whole months inside it)."""
    months = period_months(period)
    if not months:
        return None
    before = previous_months(period)
    by_month = month_figures(service, [*before, *months])
    counted = [m for m in months if m in by_month]
    now = _summed(by_month, counted)
    if not now:
        return None
    # Like with like: the months of the previous period in the same places as those with figures
    # now (a quarter with two months imported is compared with the first two of the quarter before),
    # and only when each of them has figures.
    matching = [before[months.index(m)] for m in counted] if len(before) == len(months) else []
    previous = _summed(by_month, matching) if matching and all(m in by_month for m in matching) else None
    windows = []
    by_id = service.window_by_id
    for window_id in {*now, *(previous or {})}:
        window = by_id.get(window_id)
        windows.append(
            WindowFigures(
                window_id=window_id,
                code=window.code if window else "",
                label=window.label if window else "（已撤销的窗口）",
                position=window.position if window else 1 << 30,
                counts=now.get(window_id),
                previous=previous.get(window_id) if previous is not None else None,
            )
        )
    windows.sort(key=lambda w: (w.position, w.code, w.window_id))
    total = Counts()
    for counts in now.values():
        total = total.plus(counts)
    previous_total = None
    if previous is not None:
        previous_total = Counts()
        for counts in previous.values():
            previous_total = previous_total.plus(counts)
    return ServiceFigures(
        period=period,
        months=tuple(counted),
        windows=tuple(windows),
        total=total,
        previous_total=previous_total,
        compared=tuple(matching) if previous is not None else (),
    )
