"""The ranking's speed-ups change no result: ``rank_period``, ``order_and_rank`` and ``rank_units``
as they stood before they were made fast for a 5,000-staff centre (issue 9; frozen here, word for
word but for their names) give, on random halls, the same rows in the same order, field for field.
The halls have ties, tie-breaks, people who moved mid-period (seated at two windows), findings
where nobody was posted, substitutes, closed windows, caps, floors and both window-score modes.
The database side is pinned in tests/test_ranking_totals.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from patrol.model import Member, StaffInfo, WindowInfo
from patrol.rules.figures import Counts
from patrol.rules.scoring import (
    BASE_SCORE,
    BASE_UNITS,
    Ranking,
    Standing,
    Totals,
    TotalsByKey,
    _capped,
    _score,
    _shown_units,
    exact,
    rank_period,
    rank_units,
    shown,
    units,
    weigh,
)
from patrol.rules.settings import HallRules
from tests.test_live_ranking import Key, add, findings, halls


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_the_fast_ranking_equals_the_ranking_it_replaced(data: st.DataObject) -> None:
    hall = data.draw(halls())
    totals: dict[Key, Totals] = {}
    for delta in data.draw(st.lists(findings(hall), max_size=12)):
        add(totals, delta)
    named = {window_id for _staff, window_id in totals}
    windows = hall.windows + [w for w in hall.closed if w.id in named]
    new = rank_period(hall.settings, windows, hall.members, totals, hall.staff)
    old = old_rank_period(hall.settings, windows, hall.members, totals, hall.staff)
    assert [r.id for r in new.staff] == [r.id for r in old.staff]
    assert new.staff == old.staff  # every field of every row
    assert [r.id for r in new.windows] == [r.id for r in old.windows]
    assert new.windows == old.windows
    assert new.has_records == old.has_records
    assert rank_units(hall.settings, new, totals, windows) == old_rank_units(hall.settings, old, totals, windows)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["a", "b"]), st.integers(-20, 20)), max_size=30))
def test_ranks_and_ties_are_those_of_the_old_sort(rows: list[tuple[int, str, int]]) -> None:
    """Equal scores, equal deductions, equal positions and names: the order and ranks of the two
    stable sorts are those of the one long key, with and without tie-breaks."""
    from patrol.rules.scoring import order_and_rank

    def made() -> list[Standing]:
        return [
            Standing(
                id=f"r{i}",
                name="张三",
                window_code="",
                window_name="",
                unit="",
                score=0.0,
                deductions=0.0,
                bonuses=0.0,
                findings=0,
                exact=Decimal(score).scaleb(-1),
                exact_deductions=Decimal(-abs(score) // 3),
                sort_key=key,
                deduction_findings=abs(score) % 2,
                window_position=position,
            )
            for i, (position, key, score) in enumerate(rows)
        ]

    for tie_break in ((), ("deductions",), ("deduction_items", "deductions")):
        new, old = order_and_rank(made(), tie_break), old_order_and_rank(made(), tie_break)
        assert [(r.id, r.rank, r.tied) for r in new] == [(r.id, r.rank, r.tied) for r in old]


# --- The code as it stood at 4026164 (before issue 9's ranking work), renamed old_*. ---


def old_score_units(total: Totals, settings: HallRules) -> int:
    """100 plus the points, in ten-thousandths, with the hall's bonus cap and floor."""
    cap = units(settings.bonus_cap) if settings.bonus_cap is not None else None
    floor = units(settings.score_floor) if settings.score_floor is not None else None
    return _capped(BASE_UNITS, units(total.deductions), units(total.bonuses), cap, floor)


def old_order_and_rank(rows: list[Standing], tie_break: Sequence[str] = ()) -> list[Standing]:
    """Sort rows for listing and give competition ranks by exact score (then by the hall's
    tie-breaks, if it names any). Rows that stay equal share a rank; their order in the list
    (window, then pinyin) is only an order, never a verdict."""

    def verdict_key(row: Standing) -> tuple[Decimal | int, ...]:
        key: list[Decimal | int] = [-row.exact]
        for rule in tie_break:
            key.append(-row.exact_deductions if rule == "deductions" else row.deduction_findings)
        return tuple(key)

    rows.sort(key=lambda r: (verdict_key(r), r.window_position, r.sort_key, r.name, r.id))
    keys = [verdict_key(r) for r in rows]
    for index, row in enumerate(rows):
        row.rank = rows[index - 1].rank if index and keys[index - 1] == keys[index] else index + 1
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.rank] = counts.get(row.rank, 0) + 1
    for row in rows:
        row.tied = counts[row.rank]
    return rows


def old_rank_period(
    settings: HallRules,
    windows: Iterable[WindowInfo],
    members: Iterable[Member],
    totals: TotalsByKey,
    staff: Iterable[StaffInfo] = (),
    figures: Mapping[str, Counts] | None = None,
) -> Ranking:
    """Rank the people and the windows of one period.

    ``members`` are the people posted during the period, at each window where they sat;
    anyone a finding of the period names at a window counts there too (``staff`` supplies who
    they are), so a deduction never vanishes because a posting was recorded late. ``figures``
    (window id -> the period's service figures) are weighed into the windows' scores when the
    hall's rules say so (``patrol.rules.weighting``)."""
    windows = list(windows)
    window_by_id = {w.id: w for w in windows}
    known = {s.id: s for s in staff}
    seats: dict[tuple[str, str], Member] = {}
    for member in members:
        seats.setdefault((member.staff.id, member.window_id), member)
        known.setdefault(member.staff.id, member.staff)
    for staff_id, window_id in totals:
        if staff_id is not None and (staff_id, window_id) not in seats and staff_id in known:
            seats[(staff_id, window_id)] = Member(known[staff_id], window_id)

    by_staff: dict[str, Totals] = {}
    window_alone: dict[str, Totals] = {}
    window_all: dict[str, Totals] = {}
    # Where each person's findings of the period are: one window, or "" for several.
    found_at: dict[str, str] = {}
    for (staff_id, window_id), total in totals.items():
        if staff_id is None:
            window_alone.setdefault(window_id, Totals()).add(total)
        elif (staff_id, window_id) in seats:
            if staff_id in by_staff:  # findings at a second window (a move): add them up apart
                merged = Totals()
                merged.add(by_staff[staff_id])
                merged.add(total)
                by_staff[staff_id] = merged
                found_at[staff_id] = ""
            else:
                by_staff[staff_id] = total  # read only: no copy for the common case of one window
                found_at[staff_id] = window_id
        else:
            continue
        if window_id not in window_all:
            window_all[window_id] = Totals()
        window_all[window_id].add(total)

    # The window a person is listed with: where their findings of the period happened if that is
    # one window, else the one they sat at longest in the period (a move mid-month).
    listed_at: dict[str, str] = {}
    longest: dict[str, Member] = {}
    for (staff_id, _window_id), member in seats.items():
        if staff_id not in longest or member.days >= longest[staff_id].days:
            longest[staff_id] = member
    for staff_id, member in longest.items():
        listed_at[staff_id] = found_at.get(staff_id) or member.window_id
    staff_rows: list[Standing] = []
    empty = Totals()
    scored: dict[str, int] = {}  # each person's score, in ten-thousandths
    for staff_id, window_id in listed_at.items():
        person = known[staff_id]
        total = by_staff.get(staff_id, empty)
        window = window_by_id.get(window_id)
        seat = seats.get((staff_id, window_id))
        # Ten-thousandths here: a centre ranks 5,000 people on every finding, and ints are cheap.
        score = scored[staff_id] = old_score_units(total, settings)
        lost = units(total.deductions)
        staff_rows.append(
            Standing(
                id=staff_id,
                name=person.name,
                window_code=window.code if window else "",
                window_name=window.name if window else "",
                unit=(seat.unit if seat else "") or (window.unit if window else ""),
                score=_shown_units(score),
                deductions=_shown_units(lost),
                bonuses=_shown_units(units(total.bonuses)),
                findings=total.findings,
                exact=Decimal(score).scaleb(-4),
                exact_deductions=Decimal(lost).scaleb(-4),
                sort_key=person.sort_key,
                deduction_findings=total.deduction_findings,
                bonus_findings=total.bonus_findings,
                complaints=total.complaints,
                attendance_breaks=total.attendance,
                window_position=window.position if window else 0,
            )
        )

    # A window averages the scores its people earned there (100 plus their findings at it).
    earned_at: dict[str, list[int]] = {}
    for staff_id, window_id in seats:
        total = totals.get((staff_id, window_id), empty)
        earned_at.setdefault(window_id, []).append(
            scored[staff_id] if found_at.get(staff_id) == window_id else old_score_units(total, settings)
        )
    window_rows: list[Standing] = []
    for window in windows:
        everything = window_all.get(window.id, Totals())
        if settings.window_score_mode == "sum":
            window_score = _score(everything, settings)
        else:
            scores = earned_at.get(window.id)
            base = Decimal(sum(scores)).scaleb(-4) / len(scores) if scores else BASE_SCORE
            window_score = _score(window_alone.get(window.id, Totals()), settings, base)
        row = Standing(
            id=window.id,
            name=window.name,
            window_code=window.code,
            window_name=window.name,
            unit=window.unit,
            score=shown(window_score),
            deductions=shown(everything.deductions),
            bonuses=shown(everything.bonuses),
            findings=everything.findings,
            exact=window_score,
            exact_deductions=exact(everything.deductions),
            sort_key=window.sort_key,
            deduction_findings=everything.deduction_findings,
            bonus_findings=everything.bonus_findings,
            complaints=everything.complaints,
            attendance_breaks=everything.attendance,
            window_position=window.position,
        )
        if settings.weighs_services:
            weigh(row, (figures or {}).get(window.id), settings)
        window_rows.append(row)
    has_records = any(t.findings > 0 for t in totals.values())
    return Ranking(
        old_order_and_rank(staff_rows, settings.tie_break),
        old_order_and_rank(window_rows, settings.tie_break),
        has_records=has_records,
    )


def old_rank_units(
    settings: HallRules, ranking: Ranking, totals: TotalsByKey, windows: Iterable[WindowInfo]
) -> list[Standing]:
    """Rank the units of one period (``rank --by unit``, 优质服务窗口单位) and keep them on
    ``ranking.units``.

    A unit counts its own people, each with the unit of the seat the ranking lists them at (at a
    综合窗口 each person carries their own unit), with all their findings of the period wherever
    they sat, plus what belongs to its windows alone (substitutes, window-level items: a window's
    findings are credited to the window's unit). Its score mirrors a window's: the average of its
    people's scores plus its windows' own points, or with ``window_score_mode='sum'`` 100 plus
    every point; a unit with windows but nobody posted starts from 100. The hall's bonus cap and
    floor apply as they do to a window. Ranks, ties and tie-breaks are those of
    ``order_and_rank``."""
    windows = list(windows)
    window_unit = {w.id: w.unit for w in windows}
    person_totals: dict[str, Totals] = {}
    alone: dict[str, Totals] = {}  # unit -> what its windows hold alone
    for (staff_id, window_id), total in totals.items():
        if staff_id is None:
            unit = window_unit.get(window_id, "")
            if unit:
                alone.setdefault(unit, Totals()).add(total)
        else:
            person_totals.setdefault(staff_id, Totals()).add(total)
    people: dict[str, list[Standing]] = {}
    for row in ranking.staff:
        if row.unit:
            people.setdefault(row.unit, []).append(row)
    position: dict[str, int] = {}
    for window in windows:
        if window.unit:
            position[window.unit] = min(position.get(window.unit, window.position), window.position)
    for unit in people:
        position.setdefault(unit, min(r.window_position for r in people[unit]))
    rows: list[Standing] = []
    empty = Totals()
    for unit, place in position.items():
        mine = people.get(unit, [])
        everything = Totals()
        for row in mine:
            everything.add(person_totals.get(row.id, empty))
        own = alone.get(unit, empty)
        everything.add(own)
        if settings.window_score_mode == "sum":
            score = _score(everything, settings)
        else:
            base = sum((r.exact for r in mine), Decimal(0)) / len(mine) if mine else BASE_SCORE
            score = _score(own, settings, base)
        rows.append(
            Standing(
                id=unit,
                name=unit,
                window_code="",
                window_name="",
                unit=unit,
                score=shown(score),
                deductions=shown(everything.deductions),
                bonuses=shown(everything.bonuses),
                findings=everything.findings,
                exact=score,
                exact_deductions=exact(everything.deductions),
                sort_key=unit,
                deduction_findings=everything.deduction_findings,
                bonus_findings=everything.bonus_findings,
                complaints=everything.complaints,
                attendance_breaks=everything.attendance,
                window_position=place,
            )
        )
    ranking.units = old_order_and_rank(rows, settings.tie_break)
    return ranking.units
