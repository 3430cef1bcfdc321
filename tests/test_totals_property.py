"""Hypothesis over a real SQLite file: whatever sequence of logs, undos and notes an inspector
makes, the period totals equal a replay of the effective findings."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol.hall.log import ONE_A_DAY
from patrol.hall.service import HallService
from patrol.rules.periods import Period
from patrol.rules.scoring import Totals

ITEMS = ["迟到", "玩手机", "上门服务", "请假", "窗口摆放不规范", "表扬信"]
PEOPLE = [("1", "魏敏"), ("1", "曾伟"), ("3", "单雄"), ("3", "替岗人员"), ("4", "张梅")]
_months = itertools.count()

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("log"),
            st.sampled_from(PEOPLE),
            st.sampled_from(ITEMS),
            st.integers(0, 27),
            st.sampled_from([1, 1, 2, 28]),  # how many times (issue 10: points × count)
        ),
        st.tuples(st.just("undo")),
        # Any note a person can type; a NUL or a lone surrogate, which no database keeps, is refused
        # before it is saved (patrol.text.check_note; test_adversary_input checks the refusal).
        st.tuples(
            st.just("note"),
            st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), min_size=1, max_size=5),
        ),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_totals_equal_the_replay(service: HallService, steps: list[tuple]) -> None:
    n = next(_months) % 72  # 2020-2025: shrinking reruns the test hundreds of times, never into the future
    period = Period.of("month", datetime(2020 + n // 12, n % 12 + 1, 1).date())
    # finding id -> (staff id, window id, points, category); earlier examples' findings are on the
    # same device, so an undo may reach back into another month: that month is not checked here.
    effective: dict[str, tuple[str | None, str, float, str, int]] = {}
    for step in steps:
        if step[0] == "log":
            (code, name), item_name, day, times = step[1], step[2], step[3], step[4]
            window = service.lookup.window(code)
            item = service.lookup.rule(item_name)
            times = 1 if item.code in ONE_A_DAY else times  # 迟到 and 请假 are one a day: no count
            substitute = name == "替岗人员"
            staff = None if substitute or item.is_window_level else service.lookup.resolve_staff(name, window)
            at = datetime(period.first.year, period.first.month, day + 1, 2, 0, tzinfo=UTC)
            found = service.findings.log(
                window, staff, item, substitute=substitute and not item.is_window_level, at=at, count=times
            )
            effective[found.id] = (staff.id if staff else None, window.id, item.points, item.category, times)
        elif step[0] == "undo":
            undone = service.findings.undo_last()
            if undone is not None:
                effective.pop(undone.id, None)
        else:
            last = service.findings.last_finding()
            if last is not None:
                amended = service.findings.add_note(last.id, step[1])  # a replacement: the totals stay the same
                if last.id in effective:
                    effective[amended.id] = effective.pop(last.id)
    expected: dict[tuple[str | None, str], Totals] = {}
    for staff_id, window_id, points, category, times in effective.values():
        t = expected.setdefault((staff_id, window_id), Totals())
        t.add(Totals(min(points, 0) * times, max(points, 0) * times, times, times * int(category == "考勤")))
    got = service.standings.totals(period)
    assert set(got) == set(expected)
    for key, total in expected.items():
        assert got[key].findings == total.findings and got[key].attendance == total.attendance
        assert abs(got[key].deductions - total.deductions) < 1e-9
        assert abs(got[key].bonuses - total.bonuses) < 1e-9
