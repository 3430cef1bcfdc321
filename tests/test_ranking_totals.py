"""The period totals the month ranking reads from the database (``Standings.totals``: the grouped
queries of ``storage.reads.TotalsSql``) are the sums of the period's effective findings, counted
here one by one in Python from the raw rows, on a real SQLite file with what a month holds: ties,
bonuses with a count, leave (请假 breaks 满勤), a complaint, substitutes and window-level items, a
person moved mid-month with findings at both windows, a void and an amendment. And who counted in
a period is worked out once per roster: a posting changed between two rankings is in the second."""

from __future__ import annotations

import gc
import sqlite3
from datetime import date

import pytest

from patrol.hall.service import HallService
from patrol.rules.items import COMPLAINT_CODES, FULL_ATTENDANCE_BREAKERS
from patrol.rules.periods import Period
from patrol.rules.scoring import units
from tests.conftest import log_at

NOVEMBER = Period.parse("2026-11")


def month(service: HallService) -> None:
    """A month with everything the totals count (the fixed clock is 18 November)."""
    log_at(service, "1", "曾伟", "迟到", "2026-11-03 08:40")  # at window 1, then moved on the 10th
    service.edits.move_staff(service.lookup.resolve_staff("曾伟", None), service.lookup.window("5"), date(2026, 11, 10))
    log_at(service, "5", "曾伟", "玩手机", "2026-11-12 10:00")  # at window 5 after it
    log_at(service, "1", "魏敏", "玩手机", "2026-11-04 09:00")
    log_at(service, "2", "郑晓燕", "玩手机", "2026-11-04 09:10")  # ties 魏敏
    log_at(service, "2", "郑晓燕", "请假", "2026-11-05 08:30")
    log_at(service, "4", "张梅", "有效投诉", "2026-11-06 10:00")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-06 08:45")
    log_at(service, "3", None, "窗口摆放不规范", "2026-11-07 10:00")
    window = service.lookup.window("4")
    service.findings.log(
        window, service.lookup.resolve_staff("张梅", window), service.lookup.rule("压缩办理时限"), count=28
    )
    voided = log_at(service, "1", "魏敏", "睡岗", "2026-11-09 11:00")
    service.findings.correct(voided, "经核实不属实", void=True)
    amended = log_at(service, "2", "郑晓燕", "闲聊", "2026-11-10 11:00")
    service.findings.correct(amended, "经核实为着装不规范", item=service.lookup.rule("着装不规范"))
    log_at(service, "1", "魏敏", "迟到", "2026-10-30 08:40")  # October: not in the period


def counted_one_by_one(service: HallService) -> dict[tuple[str | None, str], tuple[int, ...]]:
    """Each (person or None, window)'s sums, from the period's effective findings row by row."""
    start, end = NOVEMBER.bounds(service.hall.tz)
    rows = service.reader.rows(
        'SELECT f.staff_id, f.window_id, f.points, f."count" AS n, f.type_id FROM finding f'
        " WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end"
        " AND NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id)",
        {"hall": service.hall.id, "start": start, "end": end},
    )
    breaks = set(service.rules.ids_of(FULL_ATTENDANCE_BREAKERS))
    complaints = set(service.rules.ids_of(COMPLAINT_CODES))
    out: dict[tuple[str | None, str], list[int]] = {}
    for r in rows:
        sums = out.setdefault((r.staff_id, r.window_id), [0] * 7)
        weight = units(r.points) * r.n
        sums[0] += weight if r.points < 0 else 0
        sums[1] += weight if r.points > 0 else 0
        sums[2] += r.n
        sums[3] += r.n if r.type_id in breaks else 0
        sums[4] += r.n if r.points < 0 else 0
        sums[5] += r.n if r.points > 0 else 0
        sums[6] += r.n if r.type_id in complaints else 0
    return {key: tuple(sums) for key, sums in out.items()}


def test_period_totals_are_the_sums_of_the_effective_findings(service: HallService) -> None:
    month(service)
    totals = service.standings.totals(NOVEMBER)
    read = {
        key: (
            units(t.deductions),
            units(t.bonuses),
            t.findings,
            t.attendance,
            t.deduction_findings,
            t.bonus_findings,
            t.complaints,
        )
        for key, t in totals.items()
    }
    expected = counted_one_by_one(service)
    assert read == expected
    moved = service.lookup.resolve_staff("曾伟", None).id
    assert {window for staff, window in read if staff == moved} == {
        service.lookup.window("1").id,
        service.lookup.window("5").id,
    }
    assert (None, service.lookup.window("3").id) in read  # substitute and window-level items
    zhang = service.lookup.resolve_staff("张梅", None).id
    assert read[(zhang, service.lookup.window("4").id)][1] == units(0.2) * 28  # ×28 weighs 28 times
    ranking = service.standings.ranking(NOVEMBER)
    wei, zheng = (
        ranking.staff_row(service.lookup.resolve_staff("魏敏", None).id),
        ranking.staff_row(service.lookup.resolve_staff("郑晓燕", None).id),
    )
    assert wei is not None and zheng is not None
    assert (wei.findings, zheng.findings) == (1, 3)  # the void is out; the amendment counts once


def test_a_posting_changed_between_two_rankings_is_in_the_second(service: HallService) -> None:
    month(service)
    before = service.standings.ranking(NOVEMBER)
    person = service.lookup.resolve_staff("单雄", None)
    service.edits.move_staff(person, service.lookup.window("5"), date(2026, 11, 15))
    after = service.standings.ranking(NOVEMBER)
    window5 = service.lookup.window("5").id
    seated = {(m.staff.id, m.window_id) for m in service.standings.members(NOVEMBER)}
    assert (person.id, window5) in seated
    row_before, row_after = before.window_row(window5), after.window_row(window5)
    assert row_before is not None and row_after is not None
    # Window 5 averaged 曾伟 alone (99.0); 单雄's clean 100 now counts there too.
    assert (row_before.score, row_after.score) == (99.0, 99.5)


def test_a_ranking_leaves_garbage_collection_as_it_found_it(service: HallService) -> None:
    """The collector is paused while a ranking is built (patrol.hall.standings.collector_paused):
    on again after it, and still off after it where the app had turned it off (start-up)."""
    month(service)
    assert gc.isenabled()
    service.standings.ranking(NOVEMBER)
    assert gc.isenabled()
    gc.disable()
    try:
        service.standings.ranking(NOVEMBER)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_hall_read_in_two_halves_at_once_gives_the_same_totals(
    service: HallService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From SPLIT_FROM people on, the staff's totals are read in two halves by id on two
    connections at once (SQLite): the same totals in the same order as one query, the same ranking."""
    from patrol.hall import standings

    month(service)
    whole, ranked = service.standings.totals(NOVEMBER), service.standings.ranking(NOVEMBER)
    monkeypatch.setattr(standings, "SPLIT_FROM", 2)  # the hand-made hall's 7 people in two halves
    halves = service.standings.totals(NOVEMBER)
    assert len(service.reader._spares) == 1  # the second half ran on a connection of its own
    assert list(halves.items()) == list(whole.items())
    again = service.standings.ranking(NOVEMBER)
    assert (again.staff, again.windows) == (ranked.staff, ranked.windows)


def test_a_query_that_fails_beside_another_raises_on_the_caller(service: HallService) -> None:
    with pytest.raises(sqlite3.OperationalError):
        service.reader.rows_at_once([("SELECT 1 AS one", {}), ("SELECT * FROM no_such_table", {})])
    assert [[r.one for r in rows] for rows in service.reader.rows_at_once([("SELECT 1 AS one", {})] * 2)] == [[1], [1]]
