"""Patrol rounds and month close in the app (Pilot on a real SQLite file): Enter on the open
window records it as seen and clears its unseen mark; a closed month shows in the ranking's title,
refuses a new finding, and the export offers to close the month."""

from __future__ import annotations

from pathlib import Path

import pytest

from screens.tiles import HallMap
from tests.conftest import count, run
from tests.test_app import findings_in, make_app, ready, status, until


def _panel(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.board.query_one("#window-panel").render())


async def test_enter_on_the_open_window_records_it_seen_and_clears_its_mark(
    hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Window 2 was seen on Monday (the app's clock: Wednesday 18 November 2026, 10:00).
    assert run(capsys, "--db", hall_url, "seen", "--window", "2", "--at", "2026-11-16 09:00")[0] == 0
    app = make_app(hall_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: app.board.coverage_known)
        hall_map = app.board.query_one(HallMap)
        ids = {w.code: w.id for w in app.service.windows}  # type: ignore[union-attr]
        assert "本周未巡" in hall_map.tile_text(ids["1"])
        assert "今日未巡" in hall_map.tile_text(ids["2"])
        assert "今日未巡查 5 个窗口，本周未巡查 4 个" in _panel(app)
        # Monday's round makes November a month with patrol records, with no finding in it.
        assert app.ranking is not None and app.ranking.has_records
        assert app.ranking.staff[0].rank == 1 and app.ranking.verdicts is not None
        await pilot.press("1", "enter")
        assert "Enter 无异常" in _panel(app)
        await pilot.press("enter")
        await until(pilot, lambda: count(hall_url, "seen") == 2)
        await until(pilot, lambda: "巡查无异常" in status(app))
        assert app.board.window is None  # back on the hall
        assert "未巡" not in hall_map.tile_text(ids["1"])
        assert "今日未巡查 4 个窗口，本周未巡查 3 个" in _panel(app)
        # A finding also means the window was seen.
        await pilot.press("3", "enter", "1", "c")
        await until(pilot, lambda: len(findings_in(hall_url)) == 1)
        await ready(pilot, app)
        await until(pilot, lambda: "未巡" not in hall_map.tile_text(ids["3"]))
        # The panel counts it at once, with the tile (not at the check two quiet seconds later).
        assert "今日未巡查 3 个窗口，本周未巡查 2 个" in _panel(app)
    assert count(hall_url, "finding") == 1 and count(hall_url, "seen") == 2


async def test_the_first_round_of_an_empty_month_is_judged_at_once(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot, app)
        assert app.ranking is not None and not app.ranking.has_records
        await pilot.press("4", "enter", "enter")
        await until(pilot, lambda: app.ranking is not None and app.ranking.has_records)
        await ready(pilot, app)
        assert app.standings.mismatches == 0


async def test_a_closed_month_is_said_and_refuses_a_new_finding(
    hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", hall_url, "close", "--period", "2026-11")[0] == 0
    app = make_app(hall_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: "已月结" in str(app.board.query_one("#ranking-title").render()))
        await pilot.press("1", "enter", "2", "c")
        await until(pilot, lambda: "已月结" in status(app))
        await ready(pilot, app)
        assert "未保存" in status(app)
        assert not app.board.unsaved  # not kept for a retry: it is the month, not the disk
        await pilot.press("r")  # the rankings say it too
        await until(pilot, lambda: "已月结" in str(app.screen.query_one("#ranking-heading").render()))
    assert count(hall_url, "finding") == 0


async def test_the_export_offers_to_close_the_month(hall_url: str, tmp_path: Path) -> None:
    from patrol.rules.periods import Period
    from screens.confirm import ConfirmScreen
    from screens.export import ExportRequest, NoticeScreen, run_export

    out = tmp_path / "附表.xlsx"
    october = Period.parse("2026-10")
    app = make_app(hall_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot, app)
        app.set_period(october)
        await ready(pilot, app)
        app.run_worker(run_export(app, ExportRequest(october, out, False)), group="export")  # what x leads to
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen), seconds=20)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "现在月结吗" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        await until(pilot, lambda: count(hall_url, "period_close") == 1)
        await until(pilot, lambda: "已月结" in str(app.board.query_one("#ranking-title").render()))
    assert out.exists()
