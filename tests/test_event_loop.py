"""No database call on the app's event loop: the guard in storage says so the moment one is made,
and the real app, driven through every screen and action with the guard on, never trips it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from patrol.hall.opening import open_hall
from screens.lane import Lane
from storage import guard
from storage.reads import SqliteReader
from tests.conftest import fixed_clock
from tests.test_app import make_app, ready, status, until


def test_a_query_on_the_forbidden_thread_raises_and_other_threads_go_on(hall_url: str) -> None:
    service = open_hall(hall_url, clock=fixed_clock, device="guard")
    reader = SqliteReader(Path(hall_url.removeprefix("sqlite:///")))
    found: list[object] = []
    guard.forbid_thread(threading.get_ident())
    try:
        with pytest.raises(RuntimeError, match="event loop"):
            reader.rows("SELECT 1")
        with pytest.raises(RuntimeError, match="event loop"):
            service.standings.ranking(service.current_period())  # through the engine's reader too
        worker = threading.Thread(target=lambda: found.append(reader.rows("SELECT 1")))
        worker.start()
        worker.join()
    finally:
        guard.allow_all()
    assert found == [[(1,)]]
    assert reader.rows("SELECT 1") == [(1,)]
    reader.close()
    service.close()


def test_the_engine_refuses_the_forbidden_thread(hall_url: str) -> None:
    from sqlalchemy import text

    from storage.engine import create_db_engine

    engine = create_db_engine(hall_url)
    guard.forbid_thread(threading.get_ident())
    try:
        with pytest.raises(RuntimeError, match="event loop"), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        guard.allow_all()
        engine.dispose()


def test_the_lane_runs_jobs_in_ticket_order_one_at_a_time_and_skips_what_a_newer_read_replaces() -> None:
    lane = Lane()
    tickets = [lane.take(), lane.take("read"), lane.take("read"), lane.take()]
    ran: list[int] = []
    inside = [0]

    def job(i: int) -> None:
        from screens.lane import Superseded

        try:
            with lane.turn(tickets[i]):
                inside[0] += 1
                assert inside[0] == 1  # nobody else holds the lane
                ran.append(i)
                inside[0] -= 1
        except Superseded:
            pass

    threads = [threading.Thread(target=job, args=(i,)) for i in (3, 2, 1, 0)]  # started backwards
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert ran == [0, 2, 3]  # in ticket order; the older "read" was replaced by the newer one
    assert lane.idle


async def test_every_screen_and_action_keeps_the_database_off_the_event_loop(hall_url: str, tmp_path: Path) -> None:
    """Log, note, undo, F5, record and its periods, search, notice, ranking and its periods,
    roster edit, PIN, lock and unlock, export: all with the guard on. A database call on the loop
    would raise inside a handler (the test fails with it) or a worker (an error toast)."""
    from screens.export import ExportScreen, NoticeScreen
    from screens.lock import LockScreen
    from screens.prompt import PromptScreen
    from screens.ranking import RankingScreen
    from screens.record import RecordScreen
    from screens.roster import RosterScreen
    from screens.roster_forms import ConfirmScreen, RosterForm

    app = make_app(hall_url)

    async def answer(title: str, text: str) -> None:
        await until(pilot, lambda: isinstance(app.screen, PromptScreen) and title in app.screen.title_text)
        await until(pilot, lambda: app.screen.query_one("Input").has_focus)
        await pilot.press(*text, "enter")

    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        assert app.service is not None
        with pytest.raises(RuntimeError, match="event loop"):  # the guard is on while the app runs
            app.service.reader.rows("SELECT 1")

        await pilot.press("1", "enter", "2", "c")  # log
        await ready(pilot, app)
        assert status(app).startswith("已保存")
        await pilot.press("n")  # note
        await until(pilot, lambda: app.screen.query_one("Input").has_focus)
        await pilot.press(*"ok", "enter")
        await until(pilot, lambda: "备注已保存" in status(app))
        await pilot.press("f5")  # F5 with nothing to retry
        await pilot.press("u")  # undo
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        await until(pilot, lambda: "已撤销" in status(app))
        await pilot.press("4", "enter", "1", "s")
        await ready(pilot, app)

        await pilot.press("f4")  # the record, a period back and forth
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query_one("#record-findings"))
        await pilot.press("left_square_bracket", "right_square_bracket")
        await until(pilot, lambda: app.screen.query_one("#record-findings").row_count == 1)
        await pilot.press("escape")

        await pilot.press("slash", "z", "m")  # search
        await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        await pilot.press("escape")

        app.action_notice()  # the notice
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        await pilot.press("escape")

        await pilot.press("r")  # ranking and its periods
        await until(pilot, lambda: isinstance(app.screen, RankingScreen))
        await pilot.press("left_square_bracket", "p", "t")
        await ready(pilot, app)
        await pilot.press("escape")

        await pilot.press("f3")  # roster edit
        await until(
            pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.query_one("#roster-table").row_count
        )
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, RosterForm))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: "已登记离岗" in str(app.screen.query_one("#roster-said").render()))
        await pilot.press("escape")

        app.action_set_pin()  # PIN, lock, unlock
        await answer("设置新 PIN", "864200")
        await answer("再次输入新 PIN", "864200")
        await until(pilot, lambda: app.pins_set)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen) and app.screen.query_one("#lock-pin").has_focus)
        await pilot.press(*"864200", "enter")
        await until(pilot, lambda: app.screen is app.board)

        await pilot.press("x")  # export
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-folder"))
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-go").press()
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen), seconds=15)
        await ready(pilot, app)

        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert errors == []
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM correction").fetchone()[0] == 2  # the note and the undo


async def test_a_save_that_breaks_unforeseen_is_said_and_kept_for_f5(hall_url: str, monkeypatch) -> None:
    """An error nobody foresaw in a save is not lost: a toast says it, the board's status line
    keeps the finding as unsaved, and F5 saves it once the cause is gone."""
    from patrol.hall.pending import PendingFinding
    from tests.test_app import findings_in

    real_log = PendingFinding.log

    def broken(self, service):  # type: ignore[no-untyped-def]
        raise KeyError("window")

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        monkeypatch.setattr(PendingFinding, "log", broken)
        await pilot.press("1", "enter", "2", "c")
        await until(pilot, lambda: "未保存" in status(app) and "F5" in status(app))
        assert any(n.title == "出错了" and "KeyError" in str(n.message) for n in app._notifications)
        assert "未保存" in str(app.board.query_one("#unsaved").render())
        monkeypatch.setattr(PendingFinding, "log", real_log)
        await pilot.press("f5")
        await until(pilot, lambda: status(app).startswith("已保存"))
        await ready(pilot, app)
    assert findings_in(hall_url) == [("1", "曾伟", "迟到", 0)]
