"""After a save the board renders only what changed: the ranking table the rows whose line changed
(screens/ranking_table.py; DataTable alone renders every visible row again after any cell update,
and again when the cursor moves), the hall map the lines whose tiles changed (screens/tiles.py;
opening and closing a window dims and brightens every tile). A key typed right after 已保存 waits
behind that frame, in a 5,000-staff centre with 100+ windows for tens of milliseconds."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from textual import events
from textual.widgets import DataTable

from screens.app import PatrolApp
from screens.board import BoardScreen
from screens.ranking_table import RankingTable
from tests.test_app import make_app, ready, status, until
from tests.test_live_standings import assert_shows_full


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str | None]]:
    """The row keys DataTable renders a line of (its row render: every cell of the row), in
    order, for the board's ranking; the header is None."""
    keys: list[str | None] = []
    render = DataTable._render_line_in_row

    def spy(self: DataTable[Any], row_key: Any, *args: Any, **kwargs: Any) -> Any:
        if self.id == "board-ranking":
            keys.append(row_key.value)
        return render(self, row_key, *args, **kwargs)

    monkeypatch.setattr(DataTable, "_render_line_in_row", spy)
    # The panel gives its held height back 0.6 s after a save, and the taller ranking then renders
    # the rows it now shows: a loaded machine could get there before a test counts the save's own.
    monkeypatch.setattr(BoardScreen, "RELEASE_AFTER", 600)
    yield keys


def board_table(app: PatrolApp) -> RankingTable:
    return app.board.query_one("#board-ranking", RankingTable)


async def test_a_save_renders_only_the_row_it_changed(
    hall_url: str, rendered: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.ranking_table

    measured: list[int] = []  # how many rows each measurement of the columns' content read
    content = screens.ranking_table._content

    def spy(rows: Any, columns: Any) -> dict[str, int]:
        measured.append(len(rows))
        return content(rows, columns)

    monkeypatch.setattr(screens.ranking_table, "_content", spy)
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")  # 曾伟 迟到: 99, last; the cursor goes to his row
        await ready(pilot, app)
        assert app.service is not None
        zeng = app.service.lookup.resolve_staff("曾伟", None).id
        table = board_table(app)
        assert table.row_ids()[-1] == zeng and table.cursor_row == table.row_count - 1
        rendered.clear()
        measured.clear()
        # Opening the window changes the panel's height and so the table's (a resize), then the
        # save changes 曾伟's score (98, still last, the cursor already on him).
        await pilot.press("1", "enter", "2", "c")
        await ready(pilot, app)
        await pilot.pause()
        assert status(app).startswith("已保存")
        assert table.row_ids()[-1] == zeng
        assert "98.0" in table.row_text(zeng)
        assert set(rendered) == {zeng}  # not the six other rows, nor the header
        # The resizes of the same width measured no names (5,000 of them in a centre): only the
        # saved row was measured, against the columns' widths.
        assert measured and max(measured) < table.row_count
        await assert_shows_full(app)  # and what is shown is right


async def test_a_save_that_reorders_renders_only_the_rows_that_moved(hall_url: str, rendered: list[str | None]) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")  # the month's first finding: the view is read anew
        await ready(pilot, app)
        table = board_table(app)
        before = table.row_ids()
        cursor_before = before[table.cursor_row]
        lines_before = {key: table.row_text(key) for key in before}
        rendered.clear()
        await pilot.press("4", "enter", "1", "w")  # 张梅 玩手机: from a shared 1st to 99, beside 曾伟
        await ready(pilot, app)
        await pilot.pause()
        after = table.row_ids()
        assert after != before
        # The order kept here (only the band that moved is placed anew) is DataTable's own.
        assert after == [row.key.value for row in DataTable.ordered_rows.fget(table)]  # type: ignore[attr-defined]
        assert app.service is not None
        assert after[table.cursor_row] == app.service.lookup.resolve_staff("张梅", None).id
        # A row's line changed if it has another place, other cells, or the cursor came or went.
        changed = {key for i, key in enumerate(after) if before[i] != key or lines_before[key] != table.row_text(key)}
        changed |= {cursor_before, after[table.cursor_row]}
        assert rendered and set(rendered) <= changed
        assert None not in rendered  # the header stays as drawn
        untouched = set(after) - changed
        assert untouched and not untouched & set(rendered)
        await assert_shows_full(app)


async def test_opening_a_window_and_saving_draw_only_the_map_lines_that_changed(
    hall_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens.tiles import HallMap, Tile

    drawn: list[str] = []  # the window code of each tile drawn
    lines = Tile.lines

    def spy(tile: Tile) -> tuple[str, str]:
        drawn.append(tile.window.code)
        return lines(tile)

    monkeypatch.setattr(Tile, "lines", spy)
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("4", "enter", "1", "w")  # 张梅 玩手机: the map has seen this window's states
        await ready(pilot, app)
        hall_map = app.board.query_one(HallMap)
        rows = {tile.window.code: tile.row for tile in hall_map.tiles}
        assert rows["1"] != rows["4"]  # zone A's tiles are on other lines than window 4's
        drawn.clear()
        await pilot.press("4", "enter", "1", "w")  # again: dimmed, brightened, window 4's tile changed
        await ready(pilot, app)
        await pilot.pause()
        assert status(app).startswith("已保存")
        assert "今日2项 -2.0" in hall_map.tile_text(app.service.lookup.window("4").id)  # type: ignore[union-attr]
        # Only the line of tiles holding window 4 (3, 4, 5) was drawn again, not zone A's.
        assert drawn and set(drawn) <= {"3", "4", "5"}


def test_what_the_ranking_table_relies_on_in_textual_datatable() -> None:
    """RankingTable keeps lines by what they show on top of DataTable's private machinery: its
    update count, row locations, cell data, cache clearing, resize bump, line offsets and row
    regions. A Textual upgrade that changes these must fail here, not paint stale rows."""
    table = DataTable[object]()
    for name in ("_update_count", "_row_locations", "_data", "_pseudo_class_state", "_show_hover_cursor"):
        assert hasattr(table, name), name
    for name in ("_clear_caches", "_get_row_region", "_render_line_in_row", "_on_resize"):
        assert callable(getattr(table, name)), name
    assert isinstance(inspect.getattr_static(DataTable, "_y_offsets"), property)
    # The caches that the update count keys, and that render_line reads through, are still there.
    render_line = inspect.getsource(DataTable.render_line)
    assert "self._render_line(" in render_line and "scroll_y" in render_line


async def test_datatable_counts_each_resize_as_one_update() -> None:
    """RankingTable.on_resize takes that update back (its lines know their width); were a resize
    not counted, the table would take back an update that was never made."""
    from textual.app import App, ComposeResult

    class Counted(DataTable[object]):
        resizes = 0

        def on_resize(self, event: events.Resize) -> None:
            self.resizes += 1

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Counted()

    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(Counted)
        await pilot.pause()
        count, resizes = table._update_count, table.resizes
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert table.resizes > resizes
        assert table._update_count - count == table.resizes - resizes


async def test_kept_lines_take_a_new_theme(hall_url: str) -> None:
    """Lines kept by what they show are drawn again when the colours change (a theme)."""
    from screens.tiles import HallMap

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        hall_map, table = app.board.query_one(HallMap), board_table(app)
        tile_line = hall_map.tiles[0].row
        before = (hall_map.render_line(tile_line), table.render_line(1))
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        await pilot.pause()
        after = (hall_map.render_line(tile_line), table.render_line(1))
        assert after[0].text == before[0].text and after[1].text == before[1].text
        assert list(after[0]) != list(before[0])  # same text, other colours
        assert list(after[1]) != list(before[1])


async def test_keys_typed_fast_leave_the_cursor_on_the_last_saved_person(hall_url: str) -> None:
    """Findings typed in one burst: each save's standings move follows its own 已保存 frame, so a
    later save can be committed before an earlier one has moved the rows. The cursor must end on
    the person of the last save, not on the place that person had before their finding moved
    them (it went there with the earlier save's move, and stayed as the rows moved under it)."""
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")  # the month's first finding: the view is read anew
        await ready(pilot, app)
        assert app.service is not None
        # Each round: 曾伟 迟到, then someone from the shared first place, who drops below it.
        for code, person, name in (("1", "1", "魏敏"), ("2", "1", "郑晓燕"), ("3", "2", "单雄")):
            last = app.service.lookup.resolve_staff(name, app.service.lookup.window(code)).id
            # A burst of keys, posted as a terminal's driver posts them; no frame is painted until
            # both findings are committed (a busy loop), so both 已保存 frames, and the standings
            # moves that follow them, come after the last save is in.
            with app.batch_update():
                for key in ["1", "enter", "2", "c", code, "enter", person, "c"]:
                    app.post_message(events.Key(key, "\r" if key == "enter" else key))
                for _ in range(50):
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                    if not app.board.saving:
                        break
                assert not app.board.saving
            await ready(pilot, app)
            await pilot.pause()
            table = board_table(app)
            assert table.row_ids()[table.cursor_row] == last, (name, status(app))
        await assert_shows_full(app)


async def test_the_ranking_shows_again_once_the_inspector_stops_after_a_save(hall_url: str) -> None:
    """After a save the panel keeps the open window's height, so that 已保存 and the standings'
    move redraw no layout. At 80x24 that height leaves the ranking its header alone: when the
    inspector stops (no window opened again), the panel gives the height back and the ranking
    shows as many rows as before the window was opened."""
    app = make_app(hall_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")  # the month's first finding: the view is read anew
        await ready(pilot, app)
        table = board_table(app)
        await until(pilot, lambda: table.size.height > 1)
        shown = table.size.height
        for key in ("1", "enter", "1", "c"):  # typed slowly: the open window is painted, then saved
            await pilot.press(key)
            await pilot.pause()
        await ready(pilot, app)
        assert status(app).startswith("已保存") and "魏敏" in status(app)
        await until(pilot, lambda: table.size.height == shown, seconds=3)
        assert app.service is not None
        wei = app.service.lookup.resolve_staff("魏敏", None).id
        assert table.row_ids()[table.cursor_row] == wei  # her row, in the rows now shown
        await assert_shows_full(app)


def test_rank_and_change_columns_hold_the_largest_number() -> None:
    """A centre of 5,000 people: a change of +3717 places and rank 4,855 show whole (the change
    column was four cells wide, and DataTable cut +3717 to +371 without a mark)."""
    from types import SimpleNamespace

    from patrol.reports.formatting import change_text
    from screens.ranking_table import COMPACT_STAFF_COLUMNS, STAFF_COLUMNS, numbers_fit, widths

    rows: Any = [SimpleNamespace(change=None)] * 4854 + [SimpleNamespace(change=3717), SimpleNamespace(change=-4235)]
    for columns in (COMPACT_STAFF_COLUMNS, STAFF_COLUMNS):
        sizes = widths(numbers_fit(columns, rows), 200)
        assert sizes["change"] >= len(change_text(-4235)) == 5
        assert sizes["rank"] >= len(str(len(rows)))
    small: Any = [SimpleNamespace(change=2)] * 7  # a small hall keeps its narrow columns
    assert widths(numbers_fit(COMPACT_STAFF_COLUMNS, small), 200) == widths(COMPACT_STAFF_COLUMNS, 200)


async def test_a_narrow_terminal_shows_the_side_panel_whole(hall_url: str) -> None:
    """At 60x20 the hall map's least width and the side panel's width were more than the screen:
    the panel ran past its right edge, cutting the inspector's name and the end of each status
    line (a window name, the 记录号)."""
    app = make_app(hall_url)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot, app)
        await pilot.press("4", "enter", "1", "c")  # 张梅, 4 不动产登记窗口: a long status
        await ready(pilot, app)
        assert status(app).startswith("已保存") and "不动产登记窗口" in status(app)
        for part in ("#side", "#status", "#window-panel", "#board-ranking"):
            region = app.board.query_one(part).region
            assert region.right <= app.size.width, (part, region)
        assert app.board.query_one("#hall-scroll").region.width >= 24  # the map keeps room for a tile


async def test_after_an_undo_the_cursor_is_on_the_person_it_gave_the_points_back(hall_url: str) -> None:
    """An undo moves its person back up the ranking: the cursor goes with them, as after a save,
    rather than staying on whoever now sits in the row they left."""
    from screens.confirm import ConfirmScreen

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")  # 曾伟 迟到: 99, last
        await ready(pilot, app)
        await pilot.press("2", "enter", "1", "c")  # 郑晓燕 迟到: 99, last but one
        await ready(pilot, app)
        assert app.service is not None
        zheng = app.service.lookup.resolve_staff("郑晓燕", None).id
        table = board_table(app)
        assert table.row_ids()[table.cursor_row] == zheng
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: status(app).startswith("已撤销"))
        await ready(pilot, app)
        await pilot.pause()
        assert "100.0" in table.row_text(zheng)  # back among the 100s, above 曾伟
        assert table.row_ids()[table.cursor_row] == zheng
        await assert_shows_full(app)


async def test_a_shorter_status_gives_back_the_lines_a_longer_one_took(hall_url: str) -> None:
    """A status that fits the lines the status line has is painted without a layout (on the way
    to 已保存); once the board is quiet, a shorter one than the last gives the extra lines back
    to the ranking below instead of keeping them blank."""
    from screens.status_line import StatusLine

    app = make_app(hall_url)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot, app)
        line = app.board.query_one(StatusLine)
        await pilot.press("4", "enter", "1", "c")  # 张梅, 4 不动产登记窗口: four lines at this width
        await ready(pilot, app)
        await until(pilot, lambda: line.size.height == 4)
        await pilot.press("f5")  # 没有未保存的记录。: one line
        await until(pilot, lambda: status(app).startswith("没有未保存"))
        await until(pilot, lambda: line.size.height == 3, seconds=3)  # the least the status keeps
