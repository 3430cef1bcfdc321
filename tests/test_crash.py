"""Nothing lost on a crash: the real app in a pseudo-terminal, findings logged by keystrokes,
then SIGKILL at a random moment. Every finding the screen showed as saved must be on disk."""

from __future__ import annotations

import fcntl
import os
import random
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from patrol.cli import main

# Staff 1 and 2, 迟到 and 早退 in turn.
KEYS = [("1", "c"), ("2", "z"), ("1", "z"), ("2", "c")]


def saved(number: int) -> bytes:
    """The confirmation of the ``number``-th finding of a fresh hall: 已保存 … 记录号 2612-0003.
    Its reference is its own, so a later repaint of an earlier confirmation is not taken for it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return f"记录号 {datetime.now(ZoneInfo('Asia/Shanghai')):%y%m}-{number:04d}".encode()


class Terminal:
    """The app in a pseudo-terminal of 100x30, read as a person's terminal would be."""

    def __init__(self, url: str, home: Path) -> None:
        self.controller, terminal = os.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "PATROL_INSPECTOR": "测试督查",
            "XDG_CONFIG_HOME": str(home / "cfg"),
            "XDG_DATA_HOME": str(home / "data"),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "screens", "--db", url],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            env=env,
            start_new_session=True,
        )
        os.close(terminal)
        os.set_blocking(self.controller, False)
        self.screen = b""

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.screen += os.read(self.controller, 65536)
            except BlockingIOError:
                time.sleep(0.005)
            except OSError:
                return

    def wait_for(self, text: bytes, after: int, seconds: float = 15) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.screen.find(text, after) >= 0:
                return True
            self.read(0.02)
        return False

    def type(self, keys: str) -> None:
        os.write(self.controller, keys.encode())

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.controller)


def run_and_kill(url: str, home: Path, rng: random.Random, earlier: int = 0) -> int:
    """Log findings until a random moment, kill the app; returns how many the screen confirmed.
    ``earlier``: how many findings the hall holds this month already (they took the first numbers)."""
    term = Terminal(url, home)
    try:
        assert term.wait_for("督查员".encode(), 0, 30), term.screen[-2000:]
        term.read(0.5)  # the write path warms up while a person looks
        term.type("1")  # the cursor on window 1; each finding opens it with Enter
        term.read(0.2)
        confirmed = 0
        kill_after = rng.randint(1, 6)
        for step in range(12):
            person, hotkey = KEYS[step % len(KEYS)]
            mark = len(term.screen)
            term.type("\r" + person + hotkey)
            if confirmed == kill_after:
                time.sleep(rng.random() * 0.05)  # somewhere inside this write, or just after it
                break
            if not term.wait_for(saved(earlier + confirmed + 1), mark):
                break
            confirmed += 1
    finally:
        term.kill()
    return confirmed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_killed_app_loses_nothing_it_showed_as_saved(hall_url: str, tmp_path: Path, seed: int, capsys) -> None:
    path = hall_url.removeprefix("sqlite:///")
    confirmed = run_and_kill(hall_url, tmp_path, random.Random(seed))
    assert confirmed >= 1
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert stored >= confirmed  # the one in flight may or may not have made it; none shown is lost
    assert stored <= confirmed + 1
    assert integrity == "ok"
    assert main(["--db", hall_url, "verify"]) == 0, capsys.readouterr().err


def killed_at_random(args: list[str], home: Path, rng: random.Random, longest: float) -> tuple[bool, str]:
    """Run ``patrol ARGS``, SIGKILL it after a random moment; (finished before the kill, its stdout)."""
    env = {**os.environ, "PATROL_INSPECTOR": "测试督查", "XDG_CONFIG_HOME": str(home / "cfg")}
    process = subprocess.Popen(
        [sys.executable, "-m", "patrol", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        out, _err = process.communicate(timeout=rng.random() * longest)
        return process.returncode == 0, out.decode()
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        out, _err = process.communicate()
        return False, out.decode()


def check_sound(url: str, capsys: pytest.CaptureFixture[str]) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
    assert main(["--db", url, "verify"]) == 0, capsys.readouterr().err
    return stored


def test_a_killed_command_line_loses_nothing_it_confirmed(hall_url: str, tmp_path: Path, capsys) -> None:
    rng = random.Random(7)
    confirmed = 0
    for _ in range(6):
        done, out = killed_at_random(
            ["--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到"], tmp_path, rng, 1.5
        )
        confirmed += done and "已保存" in out
        stored = check_sound(hall_url, capsys)
        assert confirmed <= stored <= confirmed + 1  # the one killed in flight may or may not be there
        confirmed = stored  # go on from what is on disk

    # An import is all or nothing, whenever it is killed.
    rows = [f"2026-11-{day:02d} 09:{minute:02d},1,魏敏,迟到" for day in range(2, 17) for minute in range(60)]
    path = tmp_path / "旧记录.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for _ in range(3):
        before = check_sound(hall_url, capsys)
        done, _out = killed_at_random(["--db", hall_url, "findings", "import", str(path)], tmp_path, rng, 3.0)
        after = check_sound(hall_url, capsys)
        assert after in (before, before + len(rows))
        assert done <= (after == before + len(rows))
        if done:
            break
