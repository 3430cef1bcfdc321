"""The standings on screen move in place with each finding (screens/standings.py): what the board
and the ranking screen show equals a full recompute, and a finding repaints only what it moved."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text

from patrol.rules.scoring import Ranking
from screens.app import PatrolApp
from screens.ranking_table import RankingTable, _cells, _twins
from screens.tiles import HallMap
from tests.test_app import make_app, ready, status, until


def table_text(table: RankingTable) -> list[list[str]]:
    """Every row of a table as its cells read, in the order shown."""
    return [[str(getattr(v, "plain", v)) for v in row] for row in (table.get_row_at(i) for i in range(table.row_count))]


def expected_text(table: RankingTable, rows: list[Any]) -> list[list[str]]:
    """The same rows as a table would show them, drawn from scratch."""
    columns = [str(column.key.value) for column in table.ordered_columns]
    twins = _twins(rows)
    drawn = (_cells(r, i, table.kind, columns, twins).values() for i, r in enumerate(rows))
    return [[v.plain if isinstance(v, Text) else str(v) for v in cells] for cells in drawn]


async def full(app: PatrolApp) -> Ranking:
    """The ranking as the service recomputes it from the database (off the event loop, where
    the app's guard forbids queries; the app is idle when this is called)."""
    assert app.service is not None
    return await asyncio.to_thread(app.service.standings.ranking, app.period)


async def assert_shows_full(app: PatrolApp) -> None:
    ranking, scratch = app.standings.ranking, await full(app)
    assert ranking is not None and app.ranking is ranking  # what the screens and the notice read
    assert ranking.staff == scratch.staff and ranking.windows == scratch.windows
    board = app.board.query_one("#board-ranking", RankingTable)
    assert table_text(board) == expected_text(board, scratch.staff)
    tiles = app.board.query_one(HallMap)
    today = await asyncio.to_thread(app.service.standings.day_totals) if app.service else {}
    for tile in tiles.tiles:
        shown = tile.today
        truth = today.get(tile.window.id)
        assert (shown.findings, round(shown.deductions + shown.bonuses, 4)) == (
            (truth.findings, round(truth.deductions + truth.bonuses, 4)) if truth else (0, 0.0)
        )
        assert tile.mark == next(r.mark for r in scratch.windows if r.id == tile.window.id)


async def test_a_series_of_findings_moves_the_standings_as_a_full_recompute_would(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        keys = [
            ("1", "enter", "2", "c"),  # a person: 迟到
            ("3", "enter", "0", "c"),  # the substitute at window 3
            ("enter", "b"),  # window-level: 窗口摆放不规范 (the cursor is still on window 3)
            ("2", "enter", "1", "m"),  # a bonus: 上门服务
            ("2", "enter", "1", "r"),  # another: 表扬信
            ("1", "enter", "1", "w"),  # 玩手机
        ]
        for press in keys:
            await pilot.press(*press)
            seen = await ready(pilot, app, seen)
            assert status(app).startswith("已保存")
            await assert_shows_full(app)
        await pilot.press("u")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        seen = await ready(pilot, app, seen)
        assert "已撤销" in status(app)
        await assert_shows_full(app)
        app.confirm_standings()
        await app.workers.wait_for_complete()
        assert app.standings.confirmed >= 1
        assert app.standings.mismatches == 0
        # Only the month's first finding ranked from scratch (it gives the period its records).
        assert app.standings.live is not None and app.standings.live.rebuilds == 1


async def test_a_finding_repaints_only_the_rows_and_the_tile_it_moved(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")  # the month's first finding: the view is read anew
        seen = await ready(pilot, app, seen)
        table = app.board.query_one("#board-ranking", RankingTable)
        tiles = app.board.query_one(HallMap)
        updated: list[str] = []
        whole_map: list[object] = []
        set_cells, set_states = table.set_cells, tiles.set_states

        def spy_cells(changes: dict[str, dict[str, object]]) -> None:
            updated.extend(key for key, cells in changes.items() if cells)
            set_cells(changes)

        def spy_states(*a: Any) -> None:
            whole_map.append(a)
            set_states(*a)

        table.set_cells = spy_cells  # type: ignore[method-assign]
        tiles.set_states = spy_states  # type: ignore[method-assign]
        assert app.service is not None
        zhang = app.service.lookup.resolve_staff("张梅", None)
        await pilot.press("4", "enter", "1", "w")  # one person at window 4: 玩手机
        seen = await ready(pilot, app, seen)
        assert status(app).startswith("已保存")
        zeng = app.service.lookup.resolve_staff("曾伟", None)
        # 张梅 falls to 99 beside 曾伟, who goes from 7th to a shared 6th: those two rows are
        # painted; the five still at 100 are not touched.
        assert set(updated) == {zhang.id, zeng.id}
        assert whole_map == []  # the tiles were not all set again
        assert "今日1项 -1.0" in tiles.tile_text(app.service.lookup.window("4").id)
        await assert_shows_full(app)


async def test_a_standing_that_drifted_is_replaced_by_the_full_recompute_and_counted(hall_url: str) -> None:
    """The check off the hot path: if the live standings ever differ from the database, the
    screen shows the database's, and the keeper counts it (a bug the tests above would catch)."""
    from patrol.rules.live import Delta, finding_totals

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")
        await ready(pilot, app, seen)
        live = app.standings.live
        assert live is not None and app.service is not None
        drifted = app.service.lookup.resolve_staff("曾伟", None)
        live.apply(Delta(drifted.id, drifted.window_id, finding_totals(-2.0)))  # a finding nobody saved
        assert app.standings.ranking is not None and app.standings.ranking.staff != (await full(app)).staff
        app.confirm_standings()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.standings.mismatches == 1
        await assert_shows_full(app)


def test_taking_back_decimal_deductions_leaves_the_tile_without_a_deduction() -> None:
    """-0.2 and -0.1, then both undone beside a bonus: the float sum would end at -2.8e-17, a
    deduction on the tile (a yellow bar, "-0.0") that is not there."""
    from datetime import date, datetime

    from patrol.hall.views import FindingView
    from patrol.model import Member, StaffInfo, WindowInfo
    from patrol.rules.live import LiveRanking
    from patrol.rules.periods import Period
    from patrol.rules.settings import HallRules
    from screens.standings import Loaded, Standings
    from screens.tiles import Tile

    window = WindowInfo(id="w1", code="1", name="综合窗口")
    person = StaffInfo(id="s1", name="魏敏", window_id="w1")
    live = LiveRanking(HallRules(), [window], [Member(person, "w1", "", 30)], {}, [person])
    day = date(2026, 11, 18)
    keeper = Standings()
    keeper.reset(Loaded(live, {}, day, Period.of("month", day)))

    def found(points: float) -> FindingView:
        at = datetime(2026, 11, 18, 10, 0)
        return FindingView("f", at, "1", "1", "综合窗口", "魏敏", "项", "类", points, "", "督查", "w1", "s1")

    for points in (-0.2, -0.1, 0.3):
        keeper.moved(found(points))
    for points in (-0.2, -0.1):
        keeper.moved(found(points), sign=-1)
    tile = Tile(window, keeper.today["w1"])
    assert keeper.today["w1"].deductions == 0
    assert "+0.3" in tile.lines()[1]
