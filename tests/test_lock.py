"""Locked when left alone: PINs as salted scrypt hashes, the idle lock that hides every name, and
the unlocking inspector named on what is logged next."""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrol.cli import main
from patrol.errors import UserError
from patrol.hall.lock import set_pin
from patrol.hall.pins import hash_pin, pin_matches
from screens.app import PatrolApp
from tests.test_app import make_app, ready, until

pins = st.text(alphabet="0123456789", min_size=6, max_size=12)
NAMES = ("曾伟", "魏敏", "张梅", "综合窗口", "测试督查")


@settings(max_examples=15, deadline=None)  # scrypt is slow on purpose
@given(pin=pins, other=pins)
def test_a_pin_opens_only_its_own_hash(pin: str, other: str) -> None:
    stored = hash_pin(pin)
    assert pin_matches(pin, stored)
    assert pin_matches(other, stored) == (other == pin)
    assert pin not in stored and stored != hash_pin(pin)  # salted: the same PIN hashes differently


@pytest.mark.parametrize("bad", ["", "1234", "12345", "12a456", "１２３４５６", "1234567890123"])
def test_a_pin_must_be_6_to_12_digits_and_says_why(bad: str) -> None:
    with pytest.raises(UserError, match="6–12 位数字（4 位 PIN 只有一万种，拿到数据库文件的人几分钟就能逐个试出）"):
        hash_pin(bad)


def test_a_malformed_stored_hash_opens_nothing() -> None:
    assert not pin_matches("1234", "") and not pin_matches("1234", "md5$abc") and not pin_matches("1234", "scrypt$x")


def stored_pin(url: str, name: str) -> str:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return str(conn.execute("SELECT pin_hash FROM inspector WHERE name = ?", (name,)).fetchone()[0])


def test_pin_from_the_command_line(hall_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("246813\n"))
    assert main(["--db", hall_url, "--inspector", "李督查", "pin"]) == 0
    assert "已为督查员 李督查 设置 PIN" in capsys.readouterr().out
    stored = stored_pin(hall_url, "李督查")
    assert stored.startswith("scrypt$") and "246813" not in stored and pin_matches("246813", stored)
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["--db", hall_url, "--inspector", "测试督查", "pin"]) == 1
    err = capsys.readouterr().err
    assert "6–12 位数字" in err and "一万种" in err and err.count("\n") == 1
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_pin_is_replaced_only_after_it_or_another_inspectors_is_entered(hall_url: str, monkeypatch, capsys) -> None:
    def pin(lines: str, *args: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(lines))
        return main(["--db", hall_url, *args, "pin"])

    assert pin("246813\n", "--inspector", "李督查") == 0
    assert pin("135791\n", "--inspector", "王督查") == 0
    capsys.readouterr()
    # Someone at the keyboard who does not know 李督查's PIN cannot make it theirs.
    assert pin("999999\n111111\n", "--inspector", "李督查") == 1
    assert "李督查 的 PIN 不正确" in capsys.readouterr().err
    assert pin_matches("246813", stored_pin(hall_url, "李督查"))
    # 李督查 knows it.
    assert pin("246813\n222222\n", "--inspector", "李督查") == 0
    assert pin_matches("222222", stored_pin(hall_url, "李督查"))
    # 李督查 forgot it: 王督查 vouches with their own PIN and a reason, which the access log keeps.
    assert main(["--db", hall_url, "--inspector", "李督查", "pin", "--by", "王督查"]) == 1
    assert "须说明原因" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("000000\n333333\n"))  # not 王督查's PIN
    assert main(["--db", hall_url, "--inspector", "李督查", "pin", "--by", "王督查", "--reason", "忘记"]) == 1
    assert "王督查 的 PIN 不正确" in capsys.readouterr().err
    assert pin_matches("222222", stored_pin(hall_url, "李督查"))
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("135791\n333333\n"))
    assert main(["--db", hall_url, "--inspector", "李督查", "pin", "--by", "王督查", "--reason", "李督查忘记 PIN"]) == 0
    assert "由 王督查 确认" in capsys.readouterr().out
    assert pin_matches("333333", stored_pin(hall_url, "李督查"))
    assert main(["--db", hall_url, "access-log"]) == 0
    log = capsys.readouterr().out
    assert "更换 PIN" in log and "王督查 确认更换督查员 李督查 的 PIN，原因：李督查忘记 PIN" in log
    assert main(["--db", hall_url, "verify"]) == 0


def test_wrong_pins_at_the_command_line_pause_it_too(hall_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("246813\n"))
    assert main(["--db", hall_url, "pin"]) == 0
    for _ in range(5):
        monkeypatch.setattr("sys.stdin", io.StringIO("000000\n111111\n"))
        assert main(["--db", hall_url, "pin"]) == 1
    assert "暂停 30 秒" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("246813\n111111\n"))  # even the right PIN waits now
    assert main(["--db", hall_url, "pin"]) == 1
    assert "秒后再试" in capsys.readouterr().err
    assert pin_matches("246813", stored_pin(hall_url, "测试督查"))


def test_a_bad_lock_time_is_refused(hall_url: str, capsys) -> None:
    assert main(["--db", hall_url, "--lock-after", "soon"]) == 1
    assert "锁屏时间“soon”无效" in capsys.readouterr().err


def screen_text(app: PatrolApp) -> str:
    return app.export_screenshot()


async def give_pins(app: PatrolApp, pins: dict[str, str]) -> None:
    """Set inspectors' PINs in the running app's database, as `patrol pin` would."""

    for name, pin in pins.items():
        await app.db.ask(set_pin, app.service, name, pin)
    app.pins_set = True


def lock_message(app: PatrolApp) -> str:
    return str(app.screen.query_one("#lock-message").render())


async def type_pin(pilot, app: PatrolApp, pin: str) -> str:  # type: ignore[no-untyped-def]
    """Type ``pin`` and Enter at the lock; wait for its answer; returns what the lock says."""
    from screens.lock import LockScreen

    lock = app.screen
    assert isinstance(lock, LockScreen)
    answered = lock.answered
    await pilot.press(*pin, "enter")
    await until(pilot, lambda: lock.answered > answered or not lock.is_attached)
    return lock_message(app) if app.screen is lock else ""


async def settled(pilot, app: PatrolApp) -> None:  # type: ignore[no-untyped-def]
    """Every key handled, every worker done, the screen drawn: what is not there now will not come."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_idle_lock_hides_names_and_records_who_unlocked(hall_url: str) -> None:
    from screens.lock import LockScreen

    app = make_app(hall_url, lock_minutes=0.01)  # 0.6 s
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await give_pins(app, {"测试督查": "135791", "王督查": "246813"})
        app._last_input = time.monotonic()  # as if a key was just pressed: the board is still up
        assert "曾伟" in screen_text(app)
        await until(pilot, lambda: isinstance(app.screen, LockScreen) and "已锁定" in screen_text(app), seconds=5)
        covered = screen_text(app)
        assert "离开超过" in covered and "0.01" in covered
        assert not any(name in covered for name in NAMES)

        await pilot.press("ctrl+p")  # the palette would open screens over the lock
        await pilot.press("/", "r", "x", "f1", "f3", "f4")  # nor do the board's keys reach through
        await settled(pilot, app)
        assert isinstance(app.screen, LockScreen) and app.screen_stack[-2] is app.board  # nothing opened
        assert not any(name in screen_text(app) for name in NAMES)

        assert await type_pin(pilot, app, "999999") == "PIN 不正确，请重试。"
        assert await type_pin(pilot, app, "246813") == ""  # another inspector takes over the laptop
        assert app.screen is app.board and "督查员：王督查" in screen_text(app) and "曾伟" in screen_text(app)

        await pilot.press("1", "enter", "2", "c")
        await ready(pilot, app)
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        who = conn.execute("SELECT i.name FROM finding f JOIN inspector i ON i.id = f.inspector_id").fetchall()
    assert who == [("王督查",)]
    assert main(["--db", hall_url, "verify"]) == 0


async def test_the_lock_cannot_be_quit_and_a_new_start_is_locked_and_still_paused(hall_url: str) -> None:
    """ctrl+q on the lock stays on the lock; a patrol started again (after a kill, a closed
    terminal) opens locked, names hidden, counting on from the wrong PINs typed before it, and
    the pause of five wrong PINs holds through another start."""
    from screens.lock import LockScreen

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await give_pins(app, {"测试督查": "135791"})
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen) and "已锁定" in screen_text(app))
        assert "离开超过" not in screen_text(app)  # locked by hand, not for being idle
        await pilot.press("ctrl+q")
        await until(pilot, lambda: "不能退出" in lock_message(app))
        assert app.is_running and isinstance(app.screen, LockScreen)
        for _ in range(3):
            assert await type_pin(pilot, app, "000000") == "PIN 不正确，请重试。"
        app.exit()  # as a kill or a closed terminal would end it
    from patrol.config import data_dir

    (count,) = (data_dir() / "lock").iterdir()  # kept owner-only, like every file of ours
    assert count.stat().st_mode & 0o777 == 0o600 and count.parent.stat().st_mode & 0o777 == 0o700

    again = make_app(hall_url)
    async with again.run_test(size=(100, 30)) as pilot:
        await until(
            pilot,
            lambda: (
                again.ranking is not None
                and isinstance(again.screen, LockScreen)
                and "打开时即锁定" in screen_text(again)
            ),  # the lock painted, not only pushed
        )
        assert not any(name in screen_text(again) for name in NAMES)
        assert await type_pin(pilot, again, "000000") == "PIN 不正确，请重试。"  # the 4th
        assert "秒后再试" in await type_pin(pilot, again, "000000")  # the 5th: the count went on
        assert "秒后再试" in await type_pin(pilot, again, "135791")  # even the right PIN waits now
        assert isinstance(again.screen, LockScreen)
        again.exit()

    third = make_app(hall_url)
    async with third.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: third.ranking is not None and isinstance(third.screen, LockScreen))
        await until(pilot, lambda: "秒后再试" in lock_message(third))  # the pause is said at once
        assert "秒后再试" in await type_pin(pilot, third, "135791")
        assert isinstance(third.screen, LockScreen) and not any(name in screen_text(third) for name in NAMES)
    assert main(["--db", hall_url, "verify"]) == 0


async def test_ctrl_c_says_in_chinese_which_key_quits_and_on_the_lock_that_it_stays(hall_url: str) -> None:
    """ctrl+c, pressed by habit: on the board a Chinese toast names ctrl+q (Textual's own said
    "Do you want to quit? Press [b]ctrl+q[/b]", its markup shown literally); on the lock it
    says the lock cannot be left and shows no toast inviting a key the lock refuses."""
    from screens.lock import LockScreen

    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: any(n.title == "退出" for n in app._notifications))
        (toast,) = list(app._notifications)
        assert toast.message.lower() == "要退出巡查，请按 ctrl+q。", toast.message
        app.clear_notifications()
        await give_pins(app, {"测试督查": "135791"})
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        await pilot.press("ctrl+c")
        await until(pilot, lambda: "不能退出" in lock_message(app))
        await settled(pilot, app)
        assert not list(app._notifications) and "quit" not in screen_text(app)
        assert app.is_running and isinstance(app.screen, LockScreen)
    assert main(["--db", hall_url, "verify"]) == 0


async def test_with_a_pin_the_app_opens_locked_and_the_pin_opens_it(hall_url: str, monkeypatch) -> None:
    from screens.lock import LockScreen

    monkeypatch.setattr("sys.stdin", io.StringIO("135791\n"))
    assert main(["--db", hall_url, "pin"]) == 0
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.ranking is not None and isinstance(app.screen, LockScreen))
        await settled(pilot, app)
        covered = screen_text(app)
        assert "打开时即锁定" in covered and not any(name in covered for name in NAMES)  # painted, names hidden
        assert await type_pin(pilot, app, "135791") == ""
        await until(pilot, lambda: "曾伟" in screen_text(app))
    assert main(["--db", hall_url, "verify"]) == 0


async def test_without_a_pin_the_app_says_so_instead_of_locking(hall_url: str) -> None:
    app = make_app(hall_url, lock_minutes=5)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: any("尚未设置督查员 PIN" in str(n.message) for n in app._notifications))
        await pilot.press("ctrl+l")
        await until(pilot, lambda: any("无法锁屏" in str(n.message) for n in app._notifications))
        assert app.screen is app.board and "曾伟" in screen_text(app)


async def test_a_pin_is_set_in_the_app_and_replaced_only_after_the_current_one(hall_url: str, capsys) -> None:
    from screens.prompt import PromptScreen

    app = make_app(hall_url)

    async def answer(title: str, text: str) -> None:
        await until(pilot, lambda: isinstance(app.screen, PromptScreen) and title in app.screen.title_text)
        await until(pilot, lambda: app.screen.query_one("Input").has_focus)
        await pilot.press(*text, "enter")

    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        app.action_set_pin()
        await answer("设置新 PIN（6–12 位数字）", "864200")
        await answer("再次输入新 PIN", "864200")
        await until(pilot, lambda: app.pins_set)
        assert pin_matches("864200", stored_pin(hall_url, "测试督查"))

        app.action_set_pin()  # someone else at the laptop, not knowing it
        await answer("已有 PIN：请输入当前 PIN", "111111")
        await until(pilot, lambda: any("当前 PIN 不正确" in str(n.message) for n in app._notifications))
        await settled(pilot, app)
        assert app.screen is app.board  # no new PIN was asked for
        assert pin_matches("864200", stored_pin(hall_url, "测试督查"))

        app.action_set_pin()
        await answer("已有 PIN：请输入当前 PIN", "864200")
        await answer("设置新 PIN", "333333")
        await answer("再次输入新 PIN", "333333")
        await until(pilot, lambda: any("已为 测试督查 设置 PIN" in str(n.message) for n in app._notifications))
        assert pin_matches("333333", stored_pin(hall_url, "测试督查"))

        await give_pins(app, {"王督查": "246813"})  # 测试督查 forgot theirs: 王督查 vouches, with a reason
        app.action_set_pin()
        await answer("已有 PIN：请输入当前 PIN", "246813")
        await answer("由 王督查 代为更换 测试督查 的 PIN：原因", "忘记 PIN")
        await answer("设置新 PIN", "444444")
        await answer("再次输入新 PIN", "444444")
        await until(pilot, lambda: any("由 王督查 确认" in str(n.message) for n in app._notifications))
        assert pin_matches("444444", stored_pin(hall_url, "测试督查"))
        assert pin_matches("246813", stored_pin(hall_url, "王督查"))
    capsys.readouterr()
    assert main(["--db", hall_url, "access-log"]) == 0
    (logged,) = [line for line in capsys.readouterr().out.splitlines() if "更换 PIN" in line]
    assert "测试督查" in logged and "王督查 确认更换督查员 测试督查 的 PIN，原因：忘记 PIN" in logged
    assert main(["--db", hall_url, "verify"]) == 0


async def test_an_export_that_ends_while_locked_waits_for_the_unlock(
    hall_url: str, tmp_path: Path, monkeypatch
) -> None:
    import threading

    import patrol.reports.export
    from screens.export import ExportScreen, NoticeScreen
    from screens.lock import LockScreen

    started, release = threading.Event(), threading.Event()
    real_export = patrol.reports.export.export_month_end  # what `x` runs in the lane

    def slow_export(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(10)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(patrol.reports.export, "export_month_end", slow_export)
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await give_pins(app, {"测试督查": "135791"})
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-folder"))
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-go").press()
        await until(pilot, started.is_set)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        release.set()
        # The export ended (its file is written, the lane is idle) and waits for the unlock.
        await until(pilot, lambda: any(tmp_path.glob("*.xlsx")) and app.db.lane.idle)
        await pilot.pause()
        assert any(tmp_path.glob("*.xlsx")) and isinstance(app.screen, LockScreen)  # the notice, full of names, waits
        assert not any(isinstance(s, NoticeScreen) for s in app.screen_stack)
        assert await type_pin(pilot, app, "135791") == ""
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
    assert main(["--db", hall_url, "verify"]) == 0


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_a_person_at_a_locked_terminal(tmp_path: Path, monkeypatch) -> None:
    """In a real terminal (tmux): with a PIN set, `patrol` opens locked with no name on screen;
    ctrl+q does not leave the lock for the shell; the PIN opens the hall."""
    from tests.test_terminal import ROSTER, Tmux, flat

    url = f"sqlite:///{tmp_path / 'hall.db'}"
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--db", url, "roster", "import", str(roster)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("135791\n"))
    assert main(["--db", url, "pin"]) == 0
    tmux = Tmux(tmp_path, [sys.executable, "-m", "screens", "--db", url])
    try:
        screen = tmux.wait_for("巡查终端已锁定")
        tmux.keys("C-q")
        screen = tmux.wait_for("已锁定，不能退出")
        assert "EXIT=" not in screen
        assert not any(name in flat(screen) for name in ("魏敏", "曾志明", "张梅", "综合", "出入境"))
        tmux.keys(*"135791", "Enter")
        tmux.wait_for("督查员：测试督查")
        assert "魏敏" in tmux.wait_for("12 出入境")
        tmux.keys("C-q")
        assert "EXIT=0" in tmux.wait_for("EXIT=")
    finally:
        tmux.close()
    assert main(["--db", url, "verify"]) == 0
