"""The real app driven with Pilot on a real SQLite file: what an inspector does and sees."""

from __future__ import annotations

import sqlite3

import pytest

from screens.app import PatrolApp
from screens.board import BoardScreen
from tests.conftest import fixed_clock, log_at


def make_app(url: str, lock_minutes: float = 0, clock=fixed_clock) -> PatrolApp:  # type: ignore[no-untyped-def]
    return PatrolApp(
        url=url,
        hall_name=None,
        inspector="测试督查",
        device="pilot-device",
        clock=clock,
        lock_minutes=lock_minutes,
    )


async def ready(pilot, app: PatrolApp, after: int = 0) -> int:
    """Wait until the hall is open with its standings on screen and no work is left: every
    worker done and every result it sent drawn (``after`` is kept for the callers' sake)."""
    del after
    for _ in range(300):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.ranking is not None and all(w.is_finished for w in app.workers):
            return 0
    raise AssertionError("the app did not finish updating")


async def until(pilot, condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``condition()`` holds (the app works in its own time), failing after ``seconds``.

    Only "not there yet" is waited out (a widget not composed, a screen still on its way); any
    other exception is a failure of the test and raised at once."""
    from textual.css.query import NoMatches, WrongType

    last: Exception | None = None
    for _ in range(int(seconds / 0.02)):
        try:
            if condition():
                return
            last = None
        except (NoMatches, WrongType, IndexError) as exc:  # the screen may still be composing
            last = exc
        await pilot.pause(0.02)
    raise AssertionError(f"not true after {seconds} s" + (f" (last: {last!r})" if last else ""))


def findings_in(url: str) -> list[tuple]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(
            "SELECT w.code, s.name, t.name, f.substitute FROM finding f JOIN window w ON w.id = f.window_id "
            "LEFT JOIN staff s ON s.id = f.staff_id JOIN finding_type t ON t.id = f.type_id "
            "WHERE NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id) ORDER BY f.created_at"
        ).fetchall()


def status(app: PatrolApp) -> str:
    return str(app.board.query_one("#status").render())


async def test_five_keystrokes_log_a_finding_and_move_the_ranking(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        ranking = app.board.query_one("#board-ranking")
        first_before = ranking.row_ids()[0]
        await pilot.press("1", "enter", "2", "c")  # window 1, its second staff member (曾伟), 迟到
        seen = await ready(pilot, app, seen)
        assert findings_in(hall_url) == [("1", "曾伟", "迟到", 0)]
        assert status(app).startswith("已保存")
        zeng = app.service.lookup.resolve_staff("曾伟", None)
        assert ranking.row_ids()[-1] == zeng.id  # moved to the bottom, in place
        assert first_before != zeng.id and ranking.row_ids()[0] == first_before  # the top is untouched
        from screens.tiles import HallMap

        assert "今日1项 -1.0" in app.board.query_one(HallMap).tile_text(app.service.lookup.window("1").id)


async def test_substitute_window_level_and_undo(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("3", "enter", "0", "c")  # the substitute at window 3 was late
        seen = await ready(pilot, app, seen)
        await pilot.press("enter", "b")  # the cursor is still on window 3; 窗口摆放不规范 needs no person
        seen = await ready(pilot, app, seen)
        assert findings_in(hall_url) == [("3", None, "迟到", 1), ("3", None, "窗口摆放不规范", 0)]
        await pilot.press("u")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        seen = await ready(pilot, app, seen)
        assert findings_in(hall_url) == [("3", None, "迟到", 1)]
        assert "已撤销" in status(app)


async def test_a_staff_item_without_a_person_is_not_saved(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("2", "enter", "w")
        await until(pilot, lambda: "先按 1-2 选人员" in status(app))
        await pilot.press("9")
        assert "没有第 9 位人员" in status(app)
        await pilot.press("escape", "9", "9")
        assert "没有编号以“9”开头的窗口" in status(app)
        await pilot.press("enter")
        assert "没有编号为“9”的窗口，未打开任何窗口" in status(app) and app.board.window is None
        assert findings_in(hall_url) == []


async def test_note_after_saving(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("4", "enter", "1", "w")
        seen = await ready(pilot, app, seen)
        await pilot.press("n")
        await until(pilot, lambda: app.screen.query_one("Input").has_focus)
        await pilot.press(*"ok", "enter")
        await until(pilot, lambda: "备注已保存" in status(app))
        with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
            notes = conn.execute(
                "SELECT note FROM finding f WHERE NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id)"
            ).fetchall()
        assert notes == [("ok",)]


async def test_search_by_initials_opens_the_record(hall_url: str) -> None:
    from screens.record import RecordScreen

    service_url = hall_url
    from patrol.hall.opening import open_hall

    svc = open_hall(service_url, clock=fixed_clock, device="other")
    log_at(svc, "4", "张梅", "迟到", "2026-11-16 09:10", note="群众反映")
    svc.close()
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("slash", "z", "m")
        await until(pilot, lambda: bool(app.screen.hits))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query_one("#record-findings"))
        head = str(app.screen.query_one("#record-head").render())
        assert "张梅" in head and "得分 99.0" in head
        table = app.screen.query_one("#record-findings")
        assert table.row_count == 1
        assert "群众反映" in [str(c) for c in table.get_row_at(0)]


async def test_ranking_screen_switches_period(hall_url: str) -> None:
    from screens.ranking import RankingScreen

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))
        await pilot.press("p")
        seen = await ready(pilot, app, seen)
        assert app.period.code == "2026Q4"
        assert "2026年第四季度" in str(app.screen.query_one("#ranking-heading").render())
        assert app.screen.query_one("#window-ranking").row_count == 5


async def test_the_boards_key_bar_under_a_dialog_keeps_the_halls_keys(hall_url: str) -> None:
    """Under a dialog the board's key bar still says what the hall's keys do: the window's keys
    (Esc 返回大厅, Enter 无异常) were shown there, because the dialog, not the board, was asked
    whether they counted."""
    from screens.help import HelpScreen
    from screens.keybar import KeyBar

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")
        await ready(pilot, app)
        bar = app.board.query_one(KeyBar)
        await until(pilot, lambda: ("r", "排名") in bar.keys)
        hall = list(bar.keys)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query_one("#help-keys"))
        await pilot.pause()
        assert bar.keys == hall and ("Enter", "无异常") not in bar.keys
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.press("1", "enter")  # a window opened: its keys, as before
        await until(pilot, lambda: ("Enter", "无异常") in bar.keys)


async def test_help_lists_the_keys_that_count_now(hall_url: str) -> None:
    """On the hall `?` lists the hall's keys; with a window open, the window's keys (r is 表扬信
    there, not 排名)."""
    from screens.help import HelpScreen

    app = make_app(hall_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query_one("#help-keys"))
        hall = dict(app.screen.rows)
        text = " ".join(f"{key} {what}" for key, what in app.screen.rows)
        assert hall["r"].startswith("排名") and hall["x"].startswith("导出") and hall["/"].startswith("搜索")
        assert "命令面板" in text and hall["0-9 A-Z -"] == "输入窗口编号" and "Focus Next" not in text
        assert "迟到" not in text  # no hotkey means anything until a window is open
        await pilot.press("escape", "1", "enter", "question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query_one("#help-keys"))
        window = dict(app.screen.rows)
        assert window["r"].startswith("表扬信") and window["x"].startswith("闲聊") and window["c"].startswith("迟到")
        assert window["1-9"] == "选人员" and window["Esc"].startswith("返回大厅")
        assert "排名" not in " ".join(window.values()) and "导出" not in " ".join(window.values())


async def test_command_palette_reaches_the_actions(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for expected in ("搜索 (/)", "排名 (r)", "名册 (F3)", "帮助 (?)", "撤销 (u)", "备注 (n)", "退出"):
            assert expected in titles


@pytest.mark.parametrize("broken", [False, True])
async def test_first_start_says_what_to_do(tmp_path, broken: bool) -> None:
    from screens.welcome import WelcomeScreen

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    if broken:
        (tmp_path / "empty.db").write_bytes(b"this is not a database at all" * 100)
    app = make_app(url)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen) and app.screen.query_one("Static"))
        text = str(app.screen.query_one("Static").render())
        assert ("无法打开数据库" in text) if broken else ("patrol roster import" in text and "patrol demo" in text)


async def test_the_board_is_the_first_screen(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        assert isinstance(app.screen, BoardScreen) and app.screen_stack[1:] == [app.screen]


def burst(app: PatrolApp, keys: str) -> None:
    """Type ``keys`` as one burst, as a fast typist or a barcode-quick inspector does: every key
    event is queued before the app handles the first (Pilot would wait after each)."""
    from textual import events

    names = {"\r": ("enter", "\r"), "/": ("slash", "/")}
    for ch in keys:
        key, char = names.get(ch, (ch, ch))
        app.post_message(events.Key(key, char))


async def test_a_burst_of_keys_is_handled_in_order(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        burst(app, "4\r1c")
        await ready(pilot, app, seen)
        assert findings_in(hall_url) == [("4", "张梅", "迟到", 0)]


async def test_typing_right_after_slash_goes_into_the_search(hall_url: str) -> None:
    from screens.search import SearchScreen

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        burst(app, "/zm")
        # The value is set first; the results follow when the input's Changed message is handled.
        await until(pilot, lambda: isinstance(app.screen, SearchScreen) and bool(app.screen.hits))
        assert app.screen.query_one("#search-input").value == "zm"
        assert app.screen.hits[0].title == "张梅"


async def test_rankings_update_in_place(hall_url: str) -> None:
    """A saved finding changes cells and moves rows; it never re-adds the table's rows."""
    from screens.ranking_table import RankingTable

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        seen = await ready(pilot, app)
        table = app.board.query_one("#board-ranking", RankingTable)
        added: list[object] = []
        original = table.add_row
        table.add_row = lambda *a, **k: added.append(a) or original(*a, **k)  # type: ignore[method-assign]
        await pilot.press("2", "enter", "1", "m")  # 郑晓燕 上门服务: she moves to the top
        await ready(pilot, app, seen)
        assert added == []
        assert table.row_ids()[0] == app.service.lookup.resolve_staff("郑晓燕", None).id
        assert table.row_count == 7


async def test_x_offers_the_month_just_ended_in_a_months_first_days(hall_url: str) -> None:
    """On 4 December a team lead exports November; from the 11th on, `x` offers the month running."""
    from datetime import UTC, datetime

    from screens.export import ExportScreen

    for now, period, name in (
        (datetime(2026, 12, 4, 2, 0, tzinfo=UTC), "2026-11", "测试大厅2026年11月巡查考核附表.xlsx"),
        (datetime(2026, 12, 10, 2, 0, tzinfo=UTC), "2026-11", "测试大厅2026年11月巡查考核附表.xlsx"),
        (datetime(2026, 12, 11, 2, 0, tzinfo=UTC), "2026-12", "测试大厅2026年12月巡查考核附表.xlsx"),
    ):
        app = make_app(hall_url, clock=lambda now=now: now)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            await pilot.press("x")
            await until(
                pilot, lambda app=app: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-name")
            )
            assert app.screen.query_one("#export-period").value == period
            assert app.screen.query_one("#export-name").value == name
            assert name.replace("附表.xlsx", "通报.docx") in str(app.screen.query_one("#export-word-name").render())
            await pilot.press("escape")


async def test_x_exports_the_month_and_shows_the_notice(hall_url: str, tmp_path) -> None:
    from openpyxl import load_workbook

    from screens.export import ExportScreen, NoticeScreen

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("1", "enter", "2", "c")
        await ready(pilot, app, seen)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-folder"))
        assert app.screen.query_one("#export-period").value == "2026-11"
        assert app.screen.query_one("#export-name").value == "测试大厅2026年11月巡查考核附表.xlsx"
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-name").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        path = tmp_path / "测试大厅2026年11月巡查考核附表.xlsx"
        assert str(path) in str(app.screen.query_one("#export-path").render())
        detail = load_workbook(path)["附表1 巡查明细"].iter_rows(min_row=4, values_only=True)
        assert len([r for r in detail if isinstance(r[0], int)]) == 1
        await pilot.press("c")
        assert app.clipboard == app.screen.text and "综合窗口曾伟11月18日上班迟到" in app.clipboard
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        logged = conn.execute("SELECT who, action, subject FROM access_log").fetchall()
    word = tmp_path / "测试大厅2026年11月巡查考核通报.docx"  # written beside it unless unticked
    assert logged == [
        ("测试督查", "导出", f"2026年11月 巡查考核附表 → {path}"),
        ("测试督查", "导出", f"2026年11月 通报（Word） → {word}"),
    ]


async def test_export_refusals_keep_the_dialog_open_with_the_reason(hall_url: str, tmp_path) -> None:
    """Enter exports from any field and never unticks 覆盖; what cannot be written is said in the
    dialog, which stays open, and an existing file is offered the 覆盖 choice (no CLI flags)."""
    from screens.export import ExportScreen, NoticeScreen

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-period"))
        dialog = app.screen
        error = lambda: str(dialog.query_one("#export-error").render())  # noqa: E731
        dialog.query_one("#export-folder").value = str(tmp_path / "missing")
        dialog.query_one("#export-period").focus()
        await pilot.press("enter")  # Enter exports from any field: here it is refused, and says why
        await until(pilot, lambda: "输出文件夹不存在" in error())
        assert app.screen is dialog
        (tmp_path / "测试大厅2026年11月巡查考核附表.xlsx").write_bytes(b"old")
        dialog.query_one("#export-folder").value = str(tmp_path)
        dialog.query_one("#export-name").focus()
        await pilot.press("enter")
        await until(pilot, lambda: "文件已存在" in error() and "勾选" in error() and "--force" not in error())
        box = dialog.query_one("#export-force")
        assert box.has_focus and not box.value
        await pilot.press("enter")  # Enter on the box does not tick it: the file is still refused
        assert not box.value and app.screen is dialog
        await pilot.press("space", "enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert (tmp_path / "测试大厅2026年11月巡查考核附表.xlsx").read_bytes()[:2] == b"PK"


async def test_a_typed_file_name_stays_one_file_in_the_folder(hall_url: str, tmp_path) -> None:
    """The dialog's 文件名 is a name, never a path: "城区/开发区" does not write into a folder 城区
    (or fail for want of one), and marks Windows refuses become their full-width forms."""
    from screens.export import ExportScreen, NoticeScreen

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-name"))
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-name").value = "../城区/开发区:11月?附表"
        app.screen.query_one("#export-name").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx"] == ["．．／城区／开发区：11月？附表.xlsx"]
    assert not (tmp_path / "城区").exists() and not (tmp_path.parent / "城区").exists()


async def test_a_large_export_shows_its_progress(hall_url: str, tmp_path, monkeypatch) -> None:
    import screens.export as export_screens
    from screens.export import ExportScreen, NoticeScreen

    monkeypatch.setattr(export_screens, "PROGRESS_FROM", 0)  # every period counts as large here
    monkeypatch.setattr("patrol.reports.workbook.PROGRESS_EVERY", 1)
    advanced: list[int] = []
    original = export_screens.ExportProgressScreen.advance
    monkeypatch.setattr(
        export_screens.ExportProgressScreen, "advance", lambda self, done: advanced.append(done) or original(self, done)
    )
    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("1", "enter", "1", "c")
        seen = await ready(pilot, app, seen)
        await pilot.press("enter", "2", "c")
        await ready(pilot, app, seen)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-folder"))
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-name").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert advanced[-1] == 2 and 1 in advanced


async def test_a_finding_is_corrected_from_its_record(hall_url: str) -> None:
    from screens.correction import CorrectionScreen
    from screens.record import RecordScreen

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = await ready(pilot, app)
        await pilot.press("4", "enter", "1", "s")  # 张梅 睡岗 -2
        seen = await ready(pilot, app, seen)
        await pilot.press("f4")  # her record
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query_one("#record-findings"))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RecordScreen))
        app.open_record("staff", app.service.lookup.resolve_staff("张梅", None).id)
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query_one("#record-findings"))
        await until(pilot, lambda: app.screen.query_one("#record-findings").row_count == 1)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, CorrectionScreen) and app.screen.query_one("#correct-reason"))
        app.screen.query_one("#correct-type_name").value = "闲聊"
        await pilot.press("enter")  # no reason yet: refused in the dialog
        assert "请写明更正原因" in str(app.screen.query_one("#correct-error").render())
        await pilot.press(*"经核实为闲聊", "enter")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        await until(pilot, lambda: "闲聊" in [str(c) for c in app.screen.query_one("#record-findings").get_row_at(0)])
        with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("SELECT reason FROM correction").fetchone()[0] == "经核实为闲聊"
        zhang = next(r for r in app.ranking.staff if r.name == "张梅")
        assert zhang.score == 99.5
