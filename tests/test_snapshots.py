"""A few SVG snapshots of the key screens, on a hand-made hall with a fixed clock.

Regenerate after a deliberate change: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from patrol.hall.opening import open_hall
from screens.app import PatrolApp
from tests.conftest import fixed_clock, log_at


def seeded(url: str) -> PatrolApp:
    service = open_hall(url, clock=fixed_clock, device="seed", inspector="李督查")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-04 09:05")
    log_at(service, "2", "张伟", "玩手机", "2026-11-13 10:20")
    log_at(service, "1", "曾伟", "上门服务", "2026-11-18 09:30")
    log_at(service, "4", "张梅", "未亮牌上岗", "2026-11-18 09:40")
    service.close()
    return PatrolApp(url=url, hall_name=None, inspector="测试督查", device="snap", clock=fixed_clock)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the board has its standings and no work is running; a snapshot of a board
    still loading would pass or fail by chance, so not settling is a failure."""
    from tests.test_app import ready

    await ready(pilot, pilot.app)


async def _ranking_drawn(pilot) -> None:  # type: ignore[no-untyped-def]
    from screens.ranking import RankingScreen

    for _ in range(200):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if (
            isinstance(screen, RankingScreen)
            and screen.query("#staff-ranking")
            and screen.query_one("#staff-ranking").row_count
        ):
            await pilot.pause(0.1)
            return
    raise AssertionError("the ranking did not come")


def test_board_80x24(hall_url, snap_compare) -> None:
    assert snap_compare(seeded(hall_url), terminal_size=(80, 24), run_before=_settle)


def test_board_logging_200x50(hall_url, snap_compare) -> None:
    async def open_window(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("3", "enter", "2")

    assert snap_compare(seeded(hall_url), terminal_size=(200, 50), run_before=open_window)


def test_ranking_80x24(hall_url, snap_compare) -> None:
    async def open_ranking(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("r")
        await _ranking_drawn(pilot)

    assert snap_compare(seeded(hall_url), terminal_size=(80, 24), run_before=open_ranking)


def test_ranking_200x50(hall_url, snap_compare) -> None:
    """At 200 columns the window and name columns widen instead of leaving the right half empty."""

    async def open_ranking(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("r")
        await _ranking_drawn(pilot)

    assert snap_compare(seeded(hall_url), terminal_size=(200, 50), run_before=open_ranking)


def test_record_80x24(hall_url, snap_compare) -> None:
    """Every column of a window's record fits 80 columns, 督查员 included."""

    async def open_record(pilot) -> None:  # type: ignore[no-untyped-def]
        from screens.record import RecordScreen

        await _settle(pilot)
        await pilot.press("3", "f4")
        for _ in range(200):
            await pilot.pause(0.02)
            screen = pilot.app.screen
            if (
                isinstance(screen, RecordScreen)
                and screen.query("#record-findings")
                and screen.query_one("#record-findings").row_count
            ):
                await pilot.pause(0.1)
                return
        raise AssertionError("the record did not come")

    assert snap_compare(seeded(hall_url), terminal_size=(80, 24), run_before=open_record)


def test_first_start_80x24(snap_compare) -> None:
    import shutil
    from pathlib import Path

    # The screen shows the database's path, so it must be the same on every run.
    folder = Path("/tmp/patrol-snapshot-first-start")
    shutil.rmtree(folder, ignore_errors=True)
    app = PatrolApp(
        url=f"sqlite:///{folder / 'patrol.db'}", hall_name=None, inspector="测试督查", device="snap", clock=fixed_clock
    )

    async def wait_for_welcome(pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(200):
            await pilot.pause(0.02)
            if type(pilot.app.screen).__name__ == "WelcomeScreen":
                await pilot.pause(0.1)
                return
        raise AssertionError("the first-start screen did not come")

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=wait_for_welcome)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
