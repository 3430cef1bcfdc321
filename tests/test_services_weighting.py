"""Service figures weighed into the windows' 量化考评 score (off by default): the ranking, the
verdicts, the board's live ranking and 附表2 use it only when the hall's rules set weights."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrol.rules.figures import Counts
from patrol.rules.live import LiveRanking
from patrol.rules.scoring import Ranking, Totals, rank_period
from patrol.rules.verdicts import judge
from tests.conftest import run
from tests.test_live_ranking import Hall, Key, add, assert_same, findings, halls
from tests.test_services import HEADER

# 1 and 3 get the same bonus; 1 is slower and less liked. By patrols alone they tie: each averages
# its two people, 100.5 and 100, at 100.25 (shown 100.3).
FIGURES = [
    "2026-11,1,综合窗口,100,100,90,80,20",
    "2026-11,2,市场监管窗口,100,100,100,,",
    "2026-11,3,住建窗口,100,100,100,100,0",
    "2026-11,4,不动产登记窗口,100,100,100,50,0",
]


def _windows(capsys: pytest.CaptureFixture[str], url: str) -> list[dict]:
    code, out, err = run(capsys, "--db", url, "rank", "--period", "2026-11", "--by", "window", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    return list(data)


def _setup(capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
    db = ["--db", url]
    for window, person in (("1", "魏敏"), ("3", "张伟")):
        log = ["log", "--window", window, "--staff", person, "--type", "上门服务", "--at", "2026-11-05 10:00"]
        assert run(capsys, *db, *log)[0] == 0
    path = tmp_path / "f.csv"
    path.write_text("\n".join([HEADER, *FIGURES]) + "\n", encoding="utf-8")
    assert run(capsys, *db, "services", "import", str(path))[0] == 0


def test_weights_change_the_ranking_only_when_set(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(capsys, hall_url, tmp_path)
    plain = _windows(capsys, hall_url)
    # The default weighs nothing: 1 and 3 tie on their patrol scores, figures or not.
    assert [(r["window"], r["rank"], r["score"]) for r in plain[:2]] == [("1", 1, 100.3), ("3", 1, 100.3)]
    db = ["--db", hall_url]
    assert run(capsys, *db, "rules", "set", "按时办结率权重", "20", "--from", "2026-11-01")[0] == 0
    assert run(capsys, *db, "rules", "set", "好评率权重", "10", "--from", "2026-11-01")[0] == 0
    rows = {r["window"]: r for r in _windows(capsys, hall_url)}
    # By hand, 巡查×70% + 按时办结率×20% + 好评率×10%:
    # 3: 100.25×0.7 + 100×0.2 + 100×0.1 = 100.175 → 100.2; 1: 70.175 + 90×0.2 + 80×0.1 = 96.175 → 96.2;
    # 2 (no reviews: 70 and 20 of 90): (100×70 + 100×20)/90 = 100; 4: 70 + 20 + 10 = 100; 5 (no figures): 100.
    assert rows["3"]["score"] == 100.2 and rows["3"]["rank"] == 1
    assert rows["1"]["score"] == 96.2 and rows["1"]["rank"] == 5
    assert rows["2"]["score"] == rows["4"]["score"] == rows["5"]["score"] == 100.0 and rows["2"]["rank"] == 2
    # 1 is still 优秀窗口 by its patrol score (100.25 ≥ 100); 优秀 needs a bonus, so 2, 4, 5 are not.
    assert rows["1"]["mark"] == rows["3"]["mark"] == "优秀窗口"

    out = tmp_path / "附表.xlsx"
    assert run(capsys, *db, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out)["附表2 窗口量化考评"]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    header = cells[0]
    assert header[-4:] == ["评定", "其中：巡查得分", "按时办结率", "好评率"]
    by_code = {str(row[2]): row for row in cells[1:6]}  # 窗口编号 1 is a number
    assert by_code["1"][header.index("得分")] == 96.2
    assert by_code["1"][-3:] == [100.3, "90%", "80%"]
    assert by_code["2"][-3:] == [100.0, "100%", "—"]
    # Under the table, beside the columns repeated on each page when the sheet prints across pages.
    notes = [v for row in cells[6:] for v in row if isinstance(v, str)]
    assert any(n.startswith("计分：量化考评得分＝巡查得分×70%＋按时办结率×20%＋好评率×10%。") for n in notes), notes


def test_without_weights_appendix_2_has_no_component_columns(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(capsys, hall_url, tmp_path)
    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hall_url, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out)["附表2 窗口量化考评"]
    header = [c.value for c in next(sheet.iter_rows(min_row=3, max_row=3))]
    assert header[-1] == "评定" and "其中：巡查得分" not in header


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["按时办结率权重", "120"], "应为 0 到 90 的整数"),
        (["好评率权重", "很多"], "应为 0 到 90 的整数"),
    ],
)
def test_a_weight_that_makes_no_sense_is_refused(
    hall_url: str, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, _out, err = run(capsys, "--db", hall_url, "rules", "set", *args)
    assert code == 1 and words in err and len(err.strip().splitlines()) == 1


def test_weights_that_leave_the_patrols_less_than_ten_percent_are_refused(
    hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", hall_url, "rules", "set", "按时办结率权重", "60")[0] == 0
    code, _out, err = run(capsys, "--db", hall_url, "rules", "set", "好评率权重", "40")
    assert code == 1 and "不能超过 90%" in err


# --- the board: the live ranking with figures equals a full recompute ------------------------


def _from_scratch(hall: Hall, totals: dict[Key, Totals], figures: dict[str, Counts]) -> Ranking:
    named = {window_id for _staff, window_id in totals}
    windows = hall.windows + [w for w in hall.closed if w.id in named]
    ranking = rank_period(hall.settings, windows, hall.members, totals, hall.staff, figures)
    judge(ranking, hall.settings, has_clockin=hall.has_clockin)
    return ranking


counts = st.builds(
    lambda received, done, late, good, bad: Counts(received, done, max(0, done - late), good, bad),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 5),
    st.one_of(st.none(), st.integers(0, 20)),
    st.one_of(st.none(), st.integers(0, 3)),
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_boards_live_ranking_weighs_figures_as_a_full_recompute_does(data: st.DataObject) -> None:
    hall = data.draw(halls())
    on_time = data.draw(st.sampled_from([0, 10, 30]))
    good = data.draw(st.sampled_from([0, 15, 40]))
    hall = replace(hall, settings=replace(hall.settings, on_time_weight=on_time, good_rate_weight=good))
    figures = {w.id: data.draw(counts) for w in hall.windows + hall.closed if data.draw(st.booleans())}
    totals: dict[Key, Totals] = {}
    live = LiveRanking(
        hall.settings,
        hall.windows,
        hall.members,
        totals,
        hall.staff,
        closed=hall.closed,
        has_clockin=hall.has_clockin,
        figures=figures,
    )
    assert_same(live.ranking, _from_scratch(hall, totals, figures))
    for _step in range(data.draw(st.integers(1, 8))):
        delta = data.draw(findings(hall))
        live.apply(delta)
        add(totals, delta)
        assert_same(live.ranking, _from_scratch(hall, totals, figures))


def test_the_board_loads_the_weighted_ranking(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the app's board reads (screens.standings.load) weighs the figures as `rank` does."""
    from patrol.hall.opening import open_hall
    from patrol.rules.periods import Period
    from screens.standings import load
    from tests.conftest import fixed_clock

    _setup(capsys, hall_url, tmp_path)
    for name in ("按时办结率权重", "好评率权重"):
        assert run(capsys, "--db", hall_url, "rules", "set", name, "20", "--from", "2026-11-01")[0] == 0
    service = open_hall(hall_url, inspector="测试督查", device="test-device", clock=fixed_clock)
    try:
        loaded = load(service, Period.parse("2026-11"))
        board = [(r.window_code, r.rank, r.score) for r in loaded.live.ranking.windows]
        assert board == [
            (r.window_code, r.rank, r.score) for r in service.standings.ranking(Period.parse("2026-11")).windows
        ]
        assert board[0][0] == "3" and dict((code, score) for code, _rank, score in board)["1"] == 94.2
    finally:
        service.close()


def test_the_bars_of_100_stay_on_the_patrol_score(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """末位 needs a patrol score under 100, as 优秀窗口 needs one of at least 100: 1号 (a bonus and a
    deduction: patrols 100) ranks last once weighed (96), yet is no 末位; 2号 (迟到: 99.5) is."""
    _setup(capsys, hall_url, tmp_path)
    db = ["--db", hall_url]
    for window, person, item in (("1", "曾伟", "着装不规范"), ("2", "郑晓燕", "迟到")):
        log = ["log", "--window", window, "--staff", person, "--type", item, "--at", "2026-11-06 10:00"]
        assert run(capsys, *db, *log)[0] == 0
    for name, weight in (("按时办结率权重", "20"), ("好评率权重", "10")):
        assert run(capsys, *db, "rules", "set", name, weight, "--from", "2026-11-01")[0] == 0
    rows = {r["window"]: r for r in _windows(capsys, hall_url)}
    # 1: (100.5 + 99.5)/2 = 100 → 70 + 18 + 8 = 96; 2: (99 + 100)/2 = 99.5 → (99.5×70 + 100×20)/90 = 99.61…
    assert rows["1"]["score"] == 96.0 and rows["1"]["rank"] == 5 and rows["1"]["mark"] != "末位"
    assert rows["2"]["score"] == 99.6 and rows["2"]["mark"] == "末位"
    code, out, _err = run(capsys, *db, "rank", "--period", "2026-11", "--by", "window")
    assert code == 0 and "有扣分且巡查得分低于100分" in out
