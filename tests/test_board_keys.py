"""The key goes where the screen says (issue 7, points 1-5, 13, 21): the real app through Pilot
on a real SQLite file, in a hall with windows 1, 2, 3, 12 and A03 (no 13), a GBK-era roster
with 曾/单/解/仇 and two 王芳."""

from __future__ import annotations

from pathlib import Path

import pytest

from patrol.cli import main
from patrol.reports.wording import history_labels
from screens.app import PatrolApp
from tests.conftest import verified
from tests.test_app import findings_in, make_app, ready, status, until

ROSTER = """窗口编号,窗口名称,单位,姓名,岗位
1,综合窗口,区政务服务中心,曾志明,A岗
1,综合窗口,区政务服务中心,单丽华,B岗
2,市场监管窗口,区市场监督管理局,王芳,A岗
2,市场监管窗口,区市场监督管理局,解放,B岗
3,住建窗口,区住房和城乡建设局,王芳,A岗
3,住建窗口,区住房和城乡建设局,仇敏,B岗
12,出入境窗口,区公安分局出入境管理大队,张梅,A岗
12,出入境窗口,区公安分局出入境管理大队,黎皓,B岗
A03,公积金窗口,市住房公积金管理中心,吴柳英,A岗
5,社保窗口,区人社局,甲一,A岗
5,社保窗口,区人社局,乙二,A岗
5,社保窗口,区人社局,丙三,A岗
5,社保窗口,区人社局,丁四,A岗
5,社保窗口,区人社局,戊五,A岗
5,社保窗口,区人社局,己六,A岗
5,社保窗口,区人社局,庚七,A岗
"""


@pytest.fixture
def hall12(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hall12.db'}"
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="gbk")  # a roster as office PCs save it
    assert main(["--db", url, "--hall", "出入境测试大厅", "roster", "import", str(roster)]) == 0
    return url


async def start(pilot, app: PatrolApp) -> int:  # type: ignore[no-untyped-def]
    return await ready(pilot, app)


# --- 1. after a save, a window code opens that window ---------------------------------


@pytest.mark.parametrize(
    "first",
    [
        ("1", "enter", "1", "w"),  # a person at window 1
        ("1", "enter", "0", "c"),  # the substitute
        ("1", "enter", "b"),  # a window-level item
        ("1", "enter", "1", "w", "space", "z"),  # a second finding for the same person (Space)
    ],
    ids=["person", "substitute", "window-level", "again"],
)
async def test_after_any_save_the_readme_sequence_logs_at_window_12(hall12: str, first: tuple[str, ...]) -> None:
    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await pilot.press(*first)
        seen = await ready(pilot, app, seen)
        before = len(findings_in(hall12))
        await pilot.press("1", "2", "enter", "1", "c")  # the README's own sequence
        await ready(pilot, app, seen)
        assert findings_in(hall12)[before:] == [("12", "张梅", "迟到", 0)]
        assert "12 出入境窗口 张梅 迟到" in status(app)
    assert verified(hall12)


async def test_a_burst_across_a_save_lands_where_it_was_meant(hall12: str) -> None:
    """Keys typed faster than a save: the ones after the hotkey are a window code again, in order."""
    from tests.test_app import burst

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        burst(app, "1\r1h12\r1h3\r2h")
        await until(pilot, lambda: len(findings_in(hall12)) == 3, seconds=10)
        await app.workers.wait_for_complete()
        assert findings_in(hall12) == [
            ("1", "曾志明", "着装不规范", 0),
            ("12", "张梅", "着装不规范", 0),
            ("3", "仇敏", "着装不规范", 0),
        ]


async def test_space_logs_a_second_finding_for_the_same_person_in_two_keys(hall12: str) -> None:
    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await pilot.press("3", "enter", "2", "w")  # 仇敏 on the phone
        seen = await ready(pilot, app, seen)
        await pilot.press("space", "h")  # and not dressed properly
        await ready(pilot, app, seen)
        assert findings_in(hall12) == [("3", "仇敏", "玩手机", 0), ("3", "仇敏", "着装不规范", 0)]
        assert app.board.window is None  # back on the hall: digits are window codes again


# --- 2. a code that matches no window opens nothing --------------------------------------


@pytest.mark.parametrize(("typed", "code"), [(("1", "3"), "13"), (("9", "9"), "9"), (("4",), "4")])
async def test_a_code_that_matches_no_window_opens_nothing(hall12: str, typed: tuple[str, ...], code: str) -> None:
    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        await pilot.press(*typed, "enter")
        await until(pilot, lambda: f"没有编号为“{code}”的窗口，未打开任何窗口" in status(app))
        assert app.board.window is None
        await pilot.press("1", "c")  # what would have charged a real person
        await until(pilot, lambda: "没有编号以“1C”开头的窗口" in status(app))
        assert app.board.window is None
        await pilot.press("1", "2", "enter")  # a refused code is not continued: 12 is window 12
        await until(pilot, lambda: app.board.window is not None and app.board.window.code == "12")
        await app.workers.wait_for_complete()
    assert findings_in(hall12) == []


async def test_a_letter_code_opens_its_window(hall12: str) -> None:
    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await pilot.press("a", "0", "3", "enter", "1", "z")
        await ready(pilot, app, seen)
        assert findings_in(hall12) == [("A03", "吴柳英", "早退", 0)]


# --- 3. a key means one thing on a screen, and the footer and ? say which ---------------


def footer_keys(app: PatrolApp) -> dict[str, str]:
    from screens.keybar import KeyBar

    return dict(app.screen.query_one(KeyBar).keys)


async def test_in_the_window_panel_r_and_x_log_and_the_footer_says_so(hall12: str) -> None:
    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await until(pilot, lambda: footer_keys(app).get("r") == "排名")
        assert footer_keys(app)["x"] == "导出"
        await pilot.press("1", "2", "enter")
        await until(pilot, lambda: "r" not in footer_keys(app))
        footer = footer_keys(app)
        assert "x" not in footer and footer["Esc"] == "返回大厅"
        await pilot.press("2", "r")  # 黎皓: 表扬信
        seen = await ready(pilot, app, seen)
        await pilot.press("enter", "1", "x")  # 张梅: 闲聊
        await ready(pilot, app, seen)
        assert findings_in(hall12) == [("12", "黎皓", "表扬信", 0), ("12", "张梅", "闲聊", 0)]
        assert app.screen is app.board  # neither the ranking nor the export opened


async def test_a_keymap_moves_a_key_everywhere_it_is_shown(hall12: str) -> None:
    from screens.ranking import RankingScreen

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        app.set_keymap({"ranking": "f6", "log-late": "f7"})
        await until(pilot, lambda: footer_keys(app).get("F6") == "排名")
        await pilot.press("1", "2", "enter", "1", "f7")
        await ready(pilot, app, seen)
        assert findings_in(hall12) == [("12", "张梅", "迟到", 0)]
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))


# --- 4. a typed code does not eat the next command ---------------------------------------


async def test_a_typed_code_does_not_eat_the_next_command(hall12: str) -> None:
    from screens.ranking import RankingScreen
    from screens.record import RecordScreen

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        await pilot.press("3", "r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))
        assert "3R" not in status(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        assert app.board.buffer == ""
        await pilot.press("2", "f4")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        assert "市场监管窗口" in str(app.screen.query_one("#record-head").render())
        await pilot.press("escape", "r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))
        assert "2R" not in status(app)


# --- 5. the finding just saved is visible ------------------------------------------------


async def test_the_saved_finding_and_the_persons_row_are_on_screen(hall12: str) -> None:
    from screens.ranking_table import RankingTable

    app = make_app(hall12)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await start(pilot, app)
        await pilot.press("5", "enter", "7", "c")  # 庚七, the last of seven at window 5
        seen = await ready(pilot, app, seen)
        said = status(app)
        for part in ("已保存", "5 社保窗口", "庚七", "迟到", "-1.0", "记录号 "):
            assert part in said
        table = app.board.query_one("#board-ranking", RankingTable)
        geng = next(s for s in app.service.staff if s.name == "庚七")
        await until(pilot, lambda: table.row_ids()[table.cursor_row] == geng.id)  # the row is chosen…
        assert table.cursor_row == table.row_count - 1  # (last: the only one with a deduction)
        rows_in_view = table.scrollable_content_region.height - 1  # less the header
        await until(pilot, lambda: table.scroll_y <= table.cursor_row < table.scroll_y + rows_in_view)  # …in view


async def test_two_people_of_one_name_carry_their_window_in_the_board_ranking(hall12: str) -> None:
    from screens.ranking_table import RankingTable

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        table = app.board.query_one("#board-ranking", RankingTable)
        await until(pilot, lambda: table.row_count > 0)
        names = [table.row_text(row_id) for row_id in table.row_ids()]
        assert any("王芳(2)" in row for row in names) and any("王芳(3)" in row for row in names)


# --- 13. quitting the first-start screen -------------------------------------------------


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quitting_the_first_start_screen_ends_cleanly(tmp_path: Path, key: str) -> None:
    from screens.welcome import WelcomeScreen

    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press(key)
        await until(pilot, lambda: not app.is_running)
    assert app.return_code in (0, None)


# --- 21. u says which finding it takes back and asks --------------------------------------


async def test_undo_shows_the_finding_and_asks_first(hall12: str) -> None:
    from screens.confirm import ConfirmScreen

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await pilot.press("2", "enter", "2", "t")  # 解放 absent
        seen = await ready(pilot, app, seen)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#confirm-question").render())
        for part in ("2 市场监管窗口", "解放", "脱岗", "-2.0", "10:00", "记录号"):
            assert part in question
        await pilot.press("escape")  # not this one
        await until(pilot, lambda: app.screen is app.board)
        await app.workers.wait_for_complete()
        assert findings_in(hall12) == [("2", "解放", "脱岗", 0)]
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await ready(pilot, app, seen)
        assert findings_in(hall12) == []
        assert "已撤销 2 解放 脱岗" in status(app)
    assert verified(hall12)


# --- 16 and 18: periods, the record's months, 变化 ----------------------------------------


async def test_ranking_periods_stop_at_this_one_and_p_comes_back_to_this_month(hall12: str) -> None:
    from screens.ranking import RankingScreen

    app = make_app(hall12)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        seen = await start(pilot, app)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: any("已是本期" in str(n.message) for n in app._notifications))
        assert app.period.code == "2026-11"
        codes = []
        for _ in range(4):
            await pilot.press("p")
            seen = await ready(pilot, app, seen)
            codes.append(app.period.code)
        assert codes == ["2026Q4", "2026H2", "2026", "2026-11"]


async def test_change_is_blank_against_a_month_without_records_and_explained(hall12: str) -> None:
    from patrol.hall.opening import open_hall
    from screens.ranking import RankingScreen
    from tests.conftest import fixed_clock, log_at

    service = open_hall(hall12, clock=fixed_clock, device="seed")
    log_at(service, "1", "曾志明", "迟到", "2026-11-05 09:00")  # October has nothing
    service.close()
    app = make_app(hall12)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        zeng = app.service.lookup.resolve_staff("曾志明", None)
        assert app.ranking.staff_row(zeng.id).change is None
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen) and app.screen.query("#staff-ranking"))
        table = app.screen.query_one("#staff-ranking")
        await until(pilot, lambda: table.row_count > 0)
        assert table.get_row(zeng.id)[list(table.columns).index("change")].plain == ""  # not "新", not "-15"
        assert "上期无记录时空白" in str(app.screen.query_one("#ranking-heading").render())
        assert "变化：比上期名次" in str(app.board.query_one("#ranking-title").render())


async def test_the_record_shows_only_months_the_hall_has_kept(hall12: str) -> None:
    from patrol.hall.opening import open_hall
    from patrol.rules.periods import Period
    from tests.conftest import fixed_clock, log_at

    service = open_hall(hall12, clock=fixed_clock, device="seed")
    log_at(service, "12", "张梅", "迟到", "2026-10-20 09:00")  # the hall's first record
    record = service.records.record("staff", service.lookup.resolve_staff("张梅", None).id, Period.parse("2026Q4"))
    service.close()
    # October and November only: nothing before the first record, nothing after today (18 Nov).
    assert history_labels(record) == [("10月", 99.0), ("11月", 100.0)]


# --- 17: nothing cut at 80x24, room used at 200 columns ----------------------------------


def cut_cells(table) -> list[str]:  # type: ignore[no-untyped-def]
    """Cells wider than their column (what the terminal would cut)."""
    from rich.cells import cell_len

    out = []
    for row_key in table.rows:
        for column, value in zip(table.columns.values(), table.get_row(row_key), strict=True):
            text = getattr(value, "plain", str(value))
            if cell_len(text) > column.width:
                out.append(f"{column.label.plain}: {text}")
    return out


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_ranking_and_record_tables_cut_nothing(hall12: str, size: tuple[int, int]) -> None:
    from patrol.hall.opening import open_hall
    from screens.ranking import RankingScreen
    from screens.record import RecordScreen
    from tests.conftest import fixed_clock, log_at

    service = open_hall(hall12, clock=fixed_clock, device="seed", inspector="欧阳督查员")
    log_at(
        service, "12", "张梅", "表扬信", "2026-11-05 09:00", note="群众送来锦旗一面，表扬其耐心细致地帮助办理出入境证件"
    )
    log_at(service, "12", "黎皓", "服务用语不规范", "2026-11-06 10:00")
    service.close()
    app = make_app(hall12)
    async with app.run_test(size=size) as pilot:
        await start(pilot, app)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen) and app.screen.query("#staff-ranking"))
        for table_id in ("#staff-ranking", "#window-ranking"):
            table = app.screen.query_one(table_id)
            await until(pilot, lambda table=table: table.row_count > 0 and table.size.width > 0)
            await pilot.pause(0.1)
            assert cut_cells(table) == [], table_id
            await pilot.press("w")  # the other tab
        if size[0] >= 200:  # wide: every column is there
            assert {"deductions", "bonuses", "findings"} <= {
                c.value for c in app.screen.query_one("#staff-ranking").columns
            }
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.press("1", "2", "f4")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query("#record-findings"))
        table = app.screen.query_one("#record-findings")
        await until(pilot, lambda: table.row_count == 2)
        columns = {c.label.plain: c for c in table.columns.values()}
        assert columns["督查员"].width >= 6 and columns["记录号"].width >= 9
        assert [cut for cut in cut_cells(table) if not cut.startswith("备注")] == []  # only a long note is cut


async def test_the_board_ranks_this_month_again_after_browsing_other_periods(hall12: str) -> None:
    from screens.ranking import RankingScreen

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))
        await pilot.press("left_square_bracket")
        seen = await ready(pilot, app, seen)
        assert app.period.code == "2026-10"
        await pilot.press("escape")
        seen = await ready(pilot, app, seen)
        assert app.period.code == "2026-11" and "2026年11月" in str(app.board.query_one("#ranking-title").render())
        await pilot.press("1", "2", "enter", "1", "c")  # November's finding moves November's ranking
        await ready(pilot, app, seen)
        zhang = app.service.lookup.resolve_staff("张梅", None)
        assert app.ranking.staff_row(zhang.id).score == 99.0


async def test_enter_by_habit_does_not_take_a_finding_back(hall12: str) -> None:
    from screens.confirm import ConfirmScreen

    app = make_app(hall12)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await start(pilot, app)
        await pilot.press("2", "enter", "2", "t")
        await ready(pilot, app, seen)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.board)
        await app.workers.wait_for_complete()
        assert findings_in(hall12) == [("2", "解放", "脱岗", 0)]


async def test_the_key_bar_shows_whole_keys_and_keeps_help(hall12: str) -> None:
    from screens.keybar import KeyBar

    app = make_app(hall12)
    async with app.run_test(size=(60, 24)) as pilot:
        await start(pilot, app)
        bar = app.screen.query_one(KeyBar)
        await until(pilot, lambda: bool(bar.keys))
        line = " " + "  ".join(f"{key} {text}" for key, text in bar.keys)
        from rich.cells import cell_len

        assert cell_len(line) <= 60 and ("?", "帮助") in bar.keys
        assert ("r", "排名") in bar.keys  # what fits stays, in order
