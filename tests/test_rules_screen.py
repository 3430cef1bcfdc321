"""The hall's rules in the app: an item a hall added by `patrol rules import` is logged with its
own hotkey; F6 shows every item and setting, and changes one only after a confirmation, in the
lane. The real app through Pilot on a real SQLite file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from openpyxl import load_workbook
from textual.widgets import DataTable, Input, Label

from patrol.cli import main
from patrol.rules.setting_words import SETTINGS
from screens.roster_forms import ConfirmScreen, RosterForm
from screens.rules import RulesScreen
from tests.conftest import verified
from tests.test_app import make_app, ready, until


def points(url: str, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return conn.execute(sql).fetchall()


def logged(url: str) -> list[tuple]:
    return points(
        url,
        "SELECT s.name, t.name, f.points FROM finding f JOIN finding_type t ON t.id = f.type_id "
        "LEFT JOIN staff s ON s.id = f.staff_id ORDER BY f.created_at",
    )


async def test_an_item_the_hall_added_is_logged_with_its_own_hotkey(hall_url: str, tmp_path: Path) -> None:
    path = tmp_path / "规则.xlsx"
    assert main(["--db", hall_url, "rules", "export", str(path)]) == 0
    book = load_workbook(path)
    for row in book["巡查项"].iter_rows(min_row=2):
        if row[0].value == "吃零食":  # no letter is free: 吃零食 gives up its key
            row[6].value = None
    book["巡查项"].append(["帮办代办", None, None, "加分", 0.5, "人员", "i", "是", "主动帮办代办"])
    book.save(path)
    assert main(["--db", hall_url, "rules", "import", str(path)]) == 0
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "1", "i")
        await until(pilot, lambda: logged(hall_url) == [("魏敏", "帮办代办", 0.5)])
        await ready(pilot, app)
        assert "帮办代办" in str(app.board.query_one("#status").render())
    assert verified(hall_url)


async def test_f6_shows_the_rules_and_changes_an_item_only_after_a_yes(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "1", "c")  # 魏敏 late at -1, before the change
        await until(pilot, lambda: len(logged(hall_url)) == 1)
        await ready(pilot, app)
        from screens.help import key_rows

        assert ("F6", "规则：巡查项和评定规则：查看与修改") in list(key_rows(app, app.board))
        await pilot.press("escape", "f6")
        await until(pilot, lambda: isinstance(app.screen, RulesScreen))
        screen = app.screen
        items = screen.query_one("#rules-items", DataTable)
        settings = screen.query_one("#rules-settings", DataTable)
        assert [str(c) for c in items.get_row_at(0)] == ["迟到", "考勤", "-1", "人员", "c", "是"]
        assert settings.row_count == len(SETTINGS)
        assert [str(c) for c in settings.get_row_at(0)] == ["服务标兵人数", "8"]

        # Enter on 迟到: the form, a new value, the question; n leaves everything as it was.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RosterForm))
        app.screen.query_one("#form-points", Input).value = "-2"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "修改巡查项“迟到”：分值 -1 → -2？" in str(app.screen.query_one("#confirm-question", Label).render())
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RulesScreen))
        assert points(hall_url, "SELECT points FROM finding_type WHERE code = 'late'") == [(-1.0,)]

        # Again, and y: written through the lane, shown in the table and the line below it.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RosterForm))
        app.screen.query_one("#form-points", Input).value = "-2"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: points(hall_url, "SELECT points FROM finding_type WHERE code = 'late'") == [(-2.0,)])
        await ready(pilot, app)
        assert str(items.get_row_at(0)[2]) == "-2"
        assert "已修改" in str(screen.query_one("#rules-said", Label).render())

        # A setting: Tab to the settings, Enter on 服务标兵人数, 10 from today.
        await pilot.press("tab")
        await until(pilot, lambda: settings.has_focus)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RosterForm))
        app.screen.query_one("#form-value", Input).value = "10"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#confirm-question", Label).render())
        assert question.startswith("修改评定规则“服务标兵人数”：8 → 10，自 2026-11-18 起适用")
        await pilot.press("y")
        await until(pilot, lambda: str(settings.get_row_at(0)[1]) == "10")
        await ready(pilot, app)

        # Back on the board, 迟到 now costs 2 points; the finding before keeps its 1.
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.press("1", "enter", "2", "c")
        await until(pilot, lambda: len(logged(hall_url)) == 2)
        await ready(pilot, app)
    assert logged(hall_url) == [("魏敏", "迟到", -1.0), ("曾伟", "迟到", -2.0)]
    assert '"top_staff": 10' in points(hall_url, "SELECT settings FROM hall_rules ORDER BY created_at DESC")[0][0]
    assert verified(hall_url)
