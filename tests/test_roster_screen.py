"""F3, the roster screen, driven with Pilot on a real SQLite file: every change asks for its
date (today, prefilled) and a confirmation naming the person, the window and the date."""

from __future__ import annotations

import sqlite3

from patrol.cli import main
from patrol.rules.periods import Period
from screens.roster import RosterScreen
from screens.roster_forms import ConfirmScreen, RosterForm
from tests.conftest import fixed_clock, log_at
from tests.test_app import make_app, ready, until


def postings(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT COUNT(*) FROM posting").fetchone()[0]


def rows(app) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#roster-table")
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def open_roster(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await ready(pilot, app)
    await pilot.press("f3")
    await until(pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.query_one("#roster-table").row_count)


async def form(pilot, app) -> RosterForm:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, RosterForm))
    return app.screen


async def confirmation(pilot, app) -> str:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    return app.screen.question


async def test_d_on_the_first_row_asks_the_date_and_a_confirmation(hall_url: str) -> None:
    """The issue: one `d` removed the first row's person without a question, his −2 vanished
    from the month and 末位 passed to someone else."""
    from patrol.hall.opening import open_hall

    service = open_hall(hall_url, device="earlier", clock=fixed_clock)
    log_at(service, "1", "魏敏", "脱岗", "2026-11-05 10:00")
    service.close()
    before = postings(hall_url)
    app = make_app(hall_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_roster(pilot, app)
        assert rows(app)[0][2] == "魏敏"
        await pilot.press("d")
        asked = await form(pilot, app)
        assert asked.title_text == "离岗：魏敏（1 号窗口）"
        assert asked.values() == {"day": "2026-11-18"}  # today, prefilled
        await pilot.press("enter")
        assert await confirmation(pilot, app) == "确认：魏敏 自 2026-11-18 起离开 1 号窗口？"
        await pilot.press("escape")  # no
        await until(pilot, lambda: isinstance(app.screen, RosterScreen))
        await pilot.press("d", "enter")
        await confirmation(pilot, app)
        await pilot.press("enter")  # Enter is on 取消: a stray key changes nothing
        await until(pilot, lambda: isinstance(app.screen, RosterScreen))
        assert str(app.screen.query_one("#roster-said").render()) == "已取消，名册未改动。"
        assert postings(hall_url) == before and app.service.staff_by_id[app.service.staff[0].id].active
        # A date typed over the prefilled one, then Y.
        await pilot.press("d")
        await form(pilot, app)
        await pilot.press(*"2026-11-10", "enter")
        assert await confirmation(pilot, app) == "确认：魏敏 自 2026-11-10 起离开 1 号窗口？"
        await pilot.press("y")
        await until(pilot, lambda: postings(hall_url) == before + 1)
        await until(pilot, lambda: rows(app)[0][4] == "2026-11-10 起离岗")
        said = str(app.screen.query_one("#roster-said").render())
        assert said.startswith("已登记离岗：魏敏 自 2026-11-10 起离开 1 号窗口（综合窗口）")
        await ready(pilot, app)  # the rankings were recomputed
        row = app.ranking.staff_row(app.service.lookup.resolve_staff("魏敏", None, Period.parse("2026-11").first).id)
        assert row is not None and row.score == 98.0 and row.mark == "末位"  # November keeps him
    assert main(["--db", hall_url, "verify"]) == 0


async def test_add_move_role_return_and_a_window_from_f3(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_roster(pilot, app)
        service = app.service
        # A person, at the window under the cursor (prefilled), from a date.
        await pilot.press("a")
        asked = await form(pilot, app)
        assert asked.values() == {"name": "", "window": "1", "role": "", "day": "2026-11-18"}
        await pilot.press(*"王芳", "tab", "backspace", "5", "tab", *"A岗", "tab", *"2026-11-02", "enter")
        assert await confirmation(pilot, app) == "确认：添加 王芳，自 2026-11-02 起在 5 号窗口，A岗？"
        await pilot.press("y")
        await until(pilot, lambda: any(s.name == "王芳" for s in service.staff))
        wang = next(s for s in service.staff if s.name == "王芳")
        table = app.screen.query_one("#roster-table")
        await until(pilot, lambda: table.cursor_row == table.get_row_index(f"s:{wang.id}"))
        # A move to the window she is at is refused: the form comes back with the reason.
        await pilot.press("m")
        await form(pilot, app)
        await pilot.press("5", "enter")
        await until(pilot, lambda: "调出和调入都是 5 号窗口" in str(app.screen.query_one("#form-error").render()))
        assert app.screen.values()["to"] == "5"
        await pilot.press("backspace", "4", "tab", *"2026-11-10", "enter")
        assert await confirmation(pilot, app) == "确认：王芳 自 2026-11-10 起从 5 号窗口调到 4 号窗口？"
        await pilot.press("y")
        await until(pilot, lambda: service.window_by_id[service.staff_by_id[wang.id].window_id].code == "4")
        # Her 岗位; a bad one is refused inside the form.
        await pilot.press("g")
        await form(pilot, app)
        await pilot.press("end", "ctrl+u", *"组长", "enter")
        await until(pilot, lambda: "无法识别的岗位“组长”" in str(app.screen.query_one("#form-error").render()))
        await pilot.press("end", "ctrl+u", *"B岗", "tab", *"2026-11-12", "enter")
        assert await confirmation(pilot, app) == "确认：王芳（4 号窗口）自 2026-11-12 起岗位 A岗 → B岗？"
        await pilot.press("y")
        await until(pilot, lambda: service.staff_by_id[wang.id].role == "B岗")
        # She leaves, then comes back: `d` asks which window, prefilled with her last one.
        await pilot.press("d", "enter", "y")
        await until(pilot, lambda: not service.staff_by_id[wang.id].active)
        await pilot.press("d")
        asked = await form(pilot, app)
        assert asked.values() == {"window": "4", "day": "2026-11-18"}
        await pilot.press("enter")
        assert (await confirmation(pilot, app)).startswith("确认：王芳 自 2026-11-18 起回到 4 号窗口")
        await pilot.press("y")
        await until(pilot, lambda: service.staff_by_id[wang.id].active)
        # A window, with a new unit.
        await pilot.press("w")
        await form(pilot, app)
        await pilot.press("6", "tab", *"税务窗口", "tab", *"区税务局", "enter")
        assert await confirmation(pilot, app) == "确认：自 2026-11-18 起添加 6 号窗口“税务窗口”（区税务局，新单位）？"
        await pilot.press("y")
        await until(pilot, lambda: "6" in service.window_by_code)
        await until(pilot, lambda: ("6 税务窗口", "区税务局", "", "", "") in rows(app))
        # The board shows the new window too.
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
    assert main(["--db", hall_url, "verify"]) == 0


async def test_f3_searches_as_slash_does(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_roster(pilot, app)
        everyone = rows(app)
        await pilot.press("slash", "z", "w")  # 曾伟 (曾 reads zeng) and both 张伟; not the units of 区政务…
        await until(pilot, lambda: [r[2] for r in rows(app)] == ["曾伟", "张伟", "张伟"])
        await pilot.press("enter", "down")  # to the table, second row
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "RecordScreen")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, RosterScreen))
        await pilot.press("slash", "backspace", "backspace", *"住建")  # no person: the window and its people
        await until(pilot, lambda: [r[2] for r in rows(app)] == ["张伟", "单雄"])
        await pilot.press("escape")  # clears the search first
        await until(pilot, lambda: rows(app) == everyone)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)


async def test_f3_help_lists_its_keys(hall_url: str) -> None:
    from screens.help import HelpScreen

    app = make_app(hall_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_roster(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = dict(app.screen.rows)
        for key, text in (
            ("/", "搜索"),
            ("a", "添加人员"),
            ("m", "调岗"),
            ("d", "离岗/回岗"),
            ("g", "岗位"),
            ("w", "添加窗口"),
        ):
            assert keys[key].startswith(text)


async def test_keys_typed_right_after_slash_go_into_the_search(hall_url: str) -> None:
    """`/zw` typed fast: the `w` must not open 添加窗口 before the search field has the focus."""
    from textual import events

    app = make_app(hall_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_roster(pilot, app)
        for key, character in (("slash", "/"), ("z", "z"), ("w", "w")):
            app.post_message(events.Key(key, character))  # all queued before any is handled
        await until(pilot, lambda: app.screen.query_one("#roster-filter").value == "zw")
        assert isinstance(app.screen, RosterScreen)
        await until(pilot, lambda: [r[2] for r in rows(app)] == ["曾伟", "张伟", "张伟"])
