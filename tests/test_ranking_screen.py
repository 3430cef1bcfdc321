"""The ranking screen (`r`) on a hall with more people than a terminal has lines: the table
scrolls to where its cursor is, and Enter opens the record of the person under it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.pilot import Pilot

from patrol.demo import build_demo
from screens.app import PatrolApp
from screens.ranking import RankingScreen
from screens.ranking_table import RankingTable
from screens.record import RecordScreen
from tests.test_app import make_app, ready, until


def demo_hall(folder: Path) -> str:
    """The demo hall, 60 people: four screens of them at 80x24."""
    path = folder / "demo.db"
    build_demo(path, date(2026, 11, 18))
    return f"sqlite:///{path}"


async def open_rankings(pilot: Pilot[None], app: PatrolApp) -> RankingTable:
    """The hall open, then `r`: the ranking screen's people table, all 60 rows in."""
    await ready(pilot, app)
    await pilot.press("r")
    await until(pilot, lambda: isinstance(app.screen, RankingScreen) and app.screen.query("#staff-ranking"))
    table = app.screen.query_one("#staff-ranking", RankingTable)
    await until(pilot, lambda: table.row_count == 60)
    return table


def shown_names(app: object, table: RankingTable) -> list[str]:
    """The names the screen shows of the table's rows (the visible lines, as painted)."""
    lines = [table.render_line(y).text for y in range(table.header_height, table.size.height)]
    return [line.split()[1] for line in lines if len(line.split()) > 1]


async def test_the_cursor_stays_in_view_and_enter_opens_the_persons_record(tmp_path: Path) -> None:
    app = make_app(demo_hall(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_rankings(pilot, app)
        names = [app.ranking.staff_row(i).name for i in table.row_ids()] if app.ranking else []
        await pilot.press("pagedown")
        await pilot.pause()
        assert 0 < table.cursor_row < 59  # a page down, not the end
        assert names[table.cursor_row] in shown_names(app, table)
        await pilot.press("down", "down")
        await pilot.pause()
        assert names[table.cursor_row] in shown_names(app, table)  # the table still answers
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 59 and names[59] in shown_names(app, table)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        assert names[59] in str(app.screen.query_one("#record-head").render())


def assert_marks_whole(table: RankingTable) -> None:
    """Each verdict the table shows is whole: 服务标兵 满勤 cut to 服务标兵 满 reads as another."""
    if "mark" not in table.columns:
        return
    top, ids = round(table.scroll_y), table.row_ids()
    for y in range(table.header_height, min(table.size.height, len(ids) - top + table.header_height)):
        mark = str(getattr(table.get_cell(ids[top + y - table.header_height], "mark"), "plain", ""))
        assert mark.strip() in table.render_line(y).text, (table.size, mark)


async def test_a_resize_keeps_the_cursor_on_its_person_and_cuts_no_column(tmp_path: Path) -> None:
    """The columns change with the width (加分, 扣分, 项次 give way): the rows are put in again,
    and the cursor stays on the person it was on, in view. No column runs past the table's edge,
    where a cut 变化 of +29 read +2 and 满勤 read 满."""
    app = make_app(demo_hall(tmp_path))
    async with app.run_test(size=(160, 45)) as pilot:
        table = await open_rankings(pilot, app)
        for _ in range(40):
            await pilot.press("down")
        await pilot.pause()
        person = table.row_ids()[table.cursor_row]
        assert table.cursor_row == 40
        for size in ((100, 30), (80, 24), (60, 20), (160, 45)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            assert table.row_ids()[table.cursor_row] == person, size
            name = app.ranking.staff_row(person).name if app.ranking else ""
            assert name in shown_names(app, table), size
            assert table.max_scroll_x == 0, size  # every column whole, none past the edge
            assert_marks_whole(table)
        await pilot.resize_terminal(60, 20)
        await pilot.press("home")  # the top of the ranking: 服务标兵 满勤, the longest verdicts
        await pilot.pause()
        assert_marks_whole(table)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        board_table = app.board.query_one("#board-ranking", RankingTable)
        await until(pilot, lambda: board_table.size.width > 0)
        assert board_table.max_scroll_x == 0
