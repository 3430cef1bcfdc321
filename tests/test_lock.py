"""Locked when left alone: PINs as salted scrypt hashes, the idle lock that hides every name, and
the unlocking inspector named on what is logged next."""

from __future__ import annotations

import io
import sqlite3
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrol.cli import main
from patrol.errors import UserError
from patrol.hall.lock import set_pin
from patrol.hall.pins import hash_pin, pin_matches
from screens.app import PatrolApp
from tests.test_app import make_app, ready, until

pins = st.text(alphabet="0123456789", min_size=4, max_size=12)


@settings(max_examples=15, deadline=None)  # scrypt is slow on purpose
@given(pin=pins, other=pins)
def test_a_pin_opens_only_its_own_hash(pin: str, other: str) -> None:
    stored = hash_pin(pin)
    assert pin_matches(pin, stored)
    assert pin_matches(other, stored) == (other == pin)
    assert pin not in stored and stored != hash_pin(pin)  # salted: the same PIN hashes differently


@pytest.mark.parametrize("bad", ["", "123", "12a4", "１２３４", "1234567890123"])
def test_a_pin_must_be_4_to_12_digits(bad: str) -> None:
    with pytest.raises(UserError, match="4–12 位数字"):
        hash_pin(bad)


def test_a_malformed_stored_hash_opens_nothing() -> None:
    assert not pin_matches("1234", "") and not pin_matches("1234", "md5$abc") and not pin_matches("1234", "scrypt$x")


def test_pin_from_the_command_line(hall_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["--db", hall_url, "--inspector", "李督查", "pin"]) == 0
    assert "已为督查员 李督查 设置 PIN" in capsys.readouterr().out
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        stored = conn.execute("SELECT pin_hash FROM inspector WHERE name = '李督查'").fetchone()[0]
    assert stored.startswith("scrypt$") and "2468" not in stored and pin_matches("2468", stored)
    monkeypatch.setattr("sys.stdin", io.StringIO("24x8\n"))
    assert main(["--db", hall_url, "--inspector", "李督查", "pin"]) == 1
    assert "4–12 位数字" in capsys.readouterr().err


def test_a_bad_lock_time_is_refused(hall_url: str, capsys) -> None:
    assert main(["--db", hall_url, "--lock-after", "soon"]) == 1
    assert "锁屏时间“soon”无效" in capsys.readouterr().err


def screen_text(app: PatrolApp) -> str:
    return app.export_screenshot()


async def give_pins(app: PatrolApp, pins: dict[str, str]) -> None:
    """Set inspectors' PINs in the running app's database, as `patrol pin` would."""

    for name, pin in pins.items():
        await app.write(set_pin, app.service, name, pin)
    app.pins_set = True


async def test_the_idle_lock_hides_names_and_records_who_unlocked(hall_url: str) -> None:
    from screens.lock import LockScreen

    app = make_app(hall_url, lock_minutes=0.01)  # 0.6 s
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await give_pins(app, {"测试督查": "1357", "王督查": "2468"})
        app._last_input = time.monotonic()  # as if a key was just pressed: the board is still up
        assert "曾伟" in screen_text(app)
        await until(pilot, lambda: isinstance(app.screen, LockScreen) and "已锁定" in screen_text(app), seconds=5)
        covered = screen_text(app)
        assert "离开超过" in covered and "0.01" in covered
        assert not any(name in covered for name in ("曾伟", "魏敏", "张梅", "综合窗口", "测试督查"))

        await pilot.press("ctrl+p")  # the palette would open screens over the lock
        await pilot.press("/", "r", "x", "f1")  # nor do the board's keys reach through
        assert isinstance(app.screen, LockScreen)

        await pilot.press(*"9999", "enter")
        await until(pilot, lambda: "PIN 不正确" in str(app.screen.query_one("#lock-message").render()))
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"2468", "enter")  # another inspector takes over the laptop
        await until(pilot, lambda: not isinstance(app.screen, LockScreen))
        assert "督查员：王督查" in screen_text(app)

        seen = app.standings_version
        await pilot.press("1", "enter", "2", "c")
        await ready(pilot, app, seen)
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        who = conn.execute("SELECT i.name FROM finding f JOIN inspector i ON i.id = f.inspector_id").fetchall()
    assert who == [("王督查",)]


async def test_five_wrong_pins_pause_the_lock(hall_url: str) -> None:
    from screens.lock import LockScreen

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await give_pins(app, {"测试督查": "1357"})
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen) and "已锁定" in screen_text(app))
        assert "离开超过" not in screen_text(app)  # locked by hand, not for being idle
        for _ in range(5):
            await pilot.press(*"0000", "enter")
            await pilot.pause(0.1)
        await pilot.press(*"1357", "enter")  # even the right PIN waits now
        await until(pilot, lambda: "秒后再试" in str(app.screen.query_one("#lock-message").render()))
        assert isinstance(app.screen, LockScreen)


async def test_without_a_pin_the_app_says_so_instead_of_locking(hall_url: str) -> None:
    app = make_app(hall_url, lock_minutes=5)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: any("尚未设置督查员 PIN" in str(n.message) for n in app._notifications))
        await pilot.press("ctrl+l")
        await pilot.pause(0.1)
        assert app.screen is app.board


async def test_a_pin_is_set_in_the_app_by_typing_it_twice(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        app.action_set_pin()
        await until(pilot, lambda: app.screen.query_one("Input").has_focus)
        await pilot.press(*"8642", "enter")
        await until(pilot, lambda: "再次输入" in screen_text(app))
        await pilot.press(*"8642", "enter")
        await until(pilot, lambda: app.pins_set)
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        (stored,) = conn.execute("SELECT pin_hash FROM inspector WHERE name = '测试督查'").fetchone()
    assert pin_matches("8642", stored)


async def test_an_export_that_ends_while_locked_waits_for_the_unlock(hall_url: str, tmp_path, monkeypatch) -> None:
    import threading

    import patrol.reports.export
    from screens.export import ExportScreen, NoticeScreen
    from screens.lock import LockScreen

    started, release = threading.Event(), threading.Event()
    real_export = patrol.reports.export.export

    def slow_export(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(10)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(patrol.reports.export, "export", slow_export)
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await give_pins(app, {"测试督查": "1357"})
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-folder"))
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-go").press()
        await until(pilot, started.is_set)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        release.set()
        await until(pilot, lambda: any(tmp_path.glob("*.xlsx")))
        await pilot.pause(0.5)
        assert isinstance(app.screen, LockScreen)  # the notice, full of names, waits
        await pilot.press(*"1357", "enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
