"""The app's side of the evidence: a record looked at in the app is in the access log (chained,
so verify checks it), and the export dialog refuses a database that fails verify."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.opening import open_hall
from tests.conftest import fixed_clock, log_at
from tests.test_app import make_app, ready, until


def access_lines(url: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(
            "SELECT who, action, subject FROM access_log WHERE device = 'pilot-device' ORDER BY chain_seq"
        ).fetchall()


@pytest.mark.tampers
async def test_records_opened_in_the_app_are_in_the_chained_access_log(hall_url: str, capsys) -> None:
    from screens.record import RecordScreen

    svc = open_hall(hall_url, clock=fixed_clock, device="other")
    log_at(svc, "4", "张梅", "迟到", "2026-11-16 09:10")
    svc.close()
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("2", "f4")  # window 2's record
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen._record is not None)
        await pilot.press("left_square_bracket")  # the month before: looked at too
        await until(pilot, lambda: len(access_lines(hall_url)) == 2)
        await until(pilot, lambda: not any(w.is_running for w in app.workers))  # October drawn
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RecordScreen))
        await pilot.press("slash", "z", "m")  # 张梅, from the search
        await until(pilot, lambda: bool(app.screen.hits))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen._record is not None)
        await until(pilot, lambda: len(access_lines(hall_url)) == 3)
    assert access_lines(hall_url) == [
        ("测试督查", "查看记录", "2 市场监管窗口，2026年11月"),
        ("测试督查", "查看记录", "2 市场监管窗口，2026年10月"),
        ("测试督查", "查看记录", "张梅（4 不动产登记窗口），2026年11月"),
    ]
    assert main(["--db", hall_url, "verify"]) == 0
    capsys.readouterr()
    # A line taken out of the access log is found.
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        conn.execute("DELETE FROM access_log WHERE subject LIKE '张梅%'")
    assert main(["--db", hall_url, "verify"]) == 1
    err = capsys.readouterr().err
    assert "pilot-device" in err and "第 3 条" in err


async def refused_export(hall_url: str, folder: Path) -> str:
    """Export from the app's dialog (x, a folder, Enter); returns the problem the refusal shows."""
    from screens.export import ExportScreen, RefusedScreen

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-folder"))
        app.screen.query_one("#export-folder").value = str(folder)
        app.screen.query_one("#export-name").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RefusedScreen))
        return str(app.screen.query_one("#refused-problem").render())


@pytest.mark.tampers
async def test_the_export_dialog_refuses_a_database_that_fails_verify(hall_url: str, tmp_path: Path) -> None:
    svc = open_hall(hall_url, clock=fixed_clock, device="other")
    log_at(svc, "1", "魏敏", "迟到", "2026-11-02 09:00")
    svc.close()
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE finding SET points = 0")
    shown = await refused_export(hall_url, tmp_path)
    assert "设备 other 的巡查记录" in shown and "内容与写入时不符" in shown
    assert list(tmp_path.glob("*.xlsx")) == []


@pytest.mark.tampers
async def test_the_refusal_shows_a_name_written_behind_patrols_back_without_steering_the_terminal(
    hall_url: str, tmp_path: Path
) -> None:
    """The first problem quotes the name as it now is in the file: an ESC[2J or an OSC put there
    with sqlite3 is written out in the dialog, never sent to the terminal (it wiped the screen and
    set the terminal's title)."""
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        conn.execute(
            "UPDATE staff SET name = '张梅' || char(27) || '[2J' || char(27) || ']0;x' || char(7) WHERE name = '张梅'"
        )
    shown = await refused_export(hall_url, tmp_path)
    assert "姓名与 patrol 登记的不符" in shown and "张梅\\x1b[2J\\x1b]0;x\\x07" in shown, shown
    assert "\x1b" not in shown and "\x07" not in shown
    assert list(tmp_path.glob("*.xlsx")) == []


@pytest.mark.tampers
async def test_rules_that_are_no_json_open_no_board_but_say_what_verify_finds(hall_url: str) -> None:
    """A value patrol never writes (the hall's rules replaced by text) stops the app at start: the
    first screen says what verify finds, instead of the app ending in a traceback."""
    from screens.welcome import WelcomeScreen

    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE hall_rules SET settings = 'not json'")
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen) and app.screen.query_one("Static"))
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "无法打开数据库" in text and "校验未通过" in text and "评定规则版本" in text, text
