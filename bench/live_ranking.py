"""One finding applied to the live ranking of a 5,000-staff centre (patrol.rules.live) against
ranking the same totals anew (rank_period + judge), in memory: no database, no screen.

    .venv/bin/python -m bench.live_ranking
"""

from __future__ import annotations

import statistics
import time

from bench.common import report
from patrol.model import Member, StaffInfo, WindowInfo
from patrol.rules.live import Delta, LiveRanking, finding_totals
from patrol.rules.scoring import Totals, rank_period
from patrol.rules.settings import HallRules
from patrol.rules.verdicts import judge

PEOPLE = 5000
POINTS = (-1.0, 0.5, -0.5, 1.0, -2.0, 0.3)


def main(repeat: int = 200) -> bool:
    windows = [WindowInfo(id=f"w{i}", code=f"{i:03d}", name=f"窗口{i}", position=i) for i in range(PEOPLE // 10)]
    staff = [
        StaffInfo(id=f"s{i:05d}", name=f"人{i}", window_id=f"w{i // 10}", sort_key=f"{i:05d}") for i in range(PEOPLE)
    ]
    members = [Member(p, p.window_id, "", 30) for p in staff]
    totals: dict[tuple[str | None, str], Totals] = {}
    for i in range(0, PEOPLE, 3):  # mid-month: a third of the centre has a finding
        totals[(f"s{i:05d}", f"w{i // 10}")] = finding_totals(POINTS[i % len(POINTS)])
    rules = HallRules(attendance_basis="patrol")
    live = LiveRanking(rules, windows, members, totals, staff)
    applied = []
    for i in range(repeat):
        who = (i * 97) % PEOPLE
        staff_id = None if i % 10 == 9 else f"s{who:05d}"  # now and then a window-level item
        delta = Delta(staff_id, f"w{who // 10}", finding_totals(POINTS[i % len(POINTS)]))
        started = time.perf_counter()
        live.apply(delta)
        applied.append(time.perf_counter() - started)
    anew = []
    for _ in range(5):
        started = time.perf_counter()
        judge(rank_period(rules, windows, members, live.totals, staff), rules)
        anew.append(time.perf_counter() - started)
    print(f"p95 of the apply: {sorted(applied)[int(len(applied) * 0.95)] * 1000:.2f} ms; rebuilds {live.rebuilds}")
    return report(
        f"one finding applied to the live ranking, {PEOPLE} staff",
        applied,
        anew,
        "rank_period + judge anew",
        "< 0.1x",  # a ratio: this machine is shared, and its speed moves 2-3x within an hour
        statistics.median(applied) < 0.1 * statistics.median(anew),
    )


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
