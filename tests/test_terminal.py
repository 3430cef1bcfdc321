"""The keys as a person types them, in a real terminal: the real app in tmux at 80x24, read back
with capture-pane (issue 7, points 1-5, 13, 14 and 21 once more, outside Pilot)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from patrol.cli import main

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

ROSTER = """窗口编号,窗口名称,单位,姓名
1,综合窗口,区政务服务中心,魏敏
1,综合窗口,区政务服务中心,曾志明
3,住建窗口,区住建局,仇敏
12,出入境窗口,区公安分局出入境管理大队,张梅
12,出入境窗口,区公安分局出入境管理大队,黎皓
"""


def footer(screen: str) -> str:
    """The bottom line: the keys the footer offers."""
    return screen.rstrip("\n").splitlines()[-1]


def flat(screen: str) -> str:
    """The screen without spaces, the side panel (right of the divider) read as one run of text
    after the hall map: a line the panel wrapped reads whole again."""
    left, right = [], []
    for line in screen.splitlines():
        map_part, bar, panel = line.partition("│")
        left.append(map_part if bar else line)
        right.append(panel)
    return ("".join(left) + "".join(right)).replace(" ", "")


class Tmux:
    """One app in a tmux server of its own (its own socket: nothing else is touched)."""

    def __init__(self, home: Path, command: list[str]) -> None:
        self.socket = f"patrol-test-{os.getpid()}-{time.monotonic_ns()}"
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "cfg"),
            "XDG_DATA_HOME": str(home / "data"),
            "PATROL_INSPECTOR": "测试督查",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        }
        shell = " ".join(f"'{part}'" for part in command) + "; echo EXIT=$?; sleep 30"
        self.run("new-session", "-d", "-s", "app", "-x", "80", "-y", "24", shell, env=env)

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=env, check=True)
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time, as a person types
            self.run("send-keys", "-t", "app", key)
            time.sleep(0.05)

    def wait_for(self, text: str, seconds: float = 20) -> str:
        """Wait until ``text`` is on screen (spaces aside, and read across the side panel's
        wrapped lines); returns the screen."""
        wanted = text.replace(" ", "")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if wanted in flat(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Tmux, str]]:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--db", url, "roster", "import", str(roster)]) == 0
    tmux = Tmux(tmp_path, [sys.executable, "-m", "screens", "--db", url, "--lock-after", "5"])
    try:
        tmux.wait_for("督查员：测试督查")
        yield tmux, url
    finally:
        tmux.close()


def findings(url: str) -> list[tuple[str, str | None, str]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(
            "SELECT w.code, s.name, t.name FROM finding f JOIN window w ON w.id = f.window_id "
            "LEFT JOIN staff s ON s.id = f.staff_id JOIN finding_type t ON t.id = f.type_id "
            "WHERE NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id) ORDER BY f.created_at"
        ).fetchall()


def test_a_person_at_the_keyboard(terminal: tuple[Tmux, str]) -> None:
    tmux, url = terminal
    # 14: the toast over the hall map keeps every character (over the divider it lost some).
    screen = tmux.wait_for("未设置 PIN")
    assert "未设置 PIN" in screen and "尚未设置督查员" in screen  # as typed, not re-read across lines
    # 1: after a save the README's sequence logs at window 12.
    tmux.keys("1", "Enter", "1", "w")
    tmux.wait_for("魏敏 玩手机")
    tmux.keys("1", "2", "Enter", "1", "c")
    # The saved status (with its reference), not "保存中… 张梅 迟到", which a commit slower than
    # 0.2 s shows first (the first saves of a start also wait for the write path to load).
    screen = tmux.wait_for("张梅 迟到 -1.0 记录号")
    assert "已保存" in screen
    assert "12出入境窗口张梅迟到-1.0记录号" in flat(screen)  # 5: where it went, who, what, how much
    assert findings(url) == [("1", "魏敏", "玩手机"), ("12", "张梅", "迟到")]
    # 1 again, typed as fast as keys come: a burst across a save still lands where it was meant.
    tmux.run("send-keys", "-t", "app", "1", "Enter", "2", "h", "1", "2", "Enter", "1", "h")
    tmux.wait_for("张梅 着装不规范")
    assert findings(url)[2:] == [("1", "曾志明", "着装不规范"), ("12", "张梅", "着装不规范")]
    # 2: a code that matches no window opens nothing, and 1 c then charges nobody.
    tmux.keys("1", "3", "Enter")
    tmux.wait_for("没有编号为“13”的窗口")
    tmux.keys("1", "c")
    tmux.wait_for("没有编号以“1C”开头的窗口")
    # 3: with a window open, r logs 表扬信 and the footer does not offer 排名.
    tmux.keys("1", "2", "Enter")
    tmux.wait_for("Esc 返回大厅")
    deadline = time.monotonic() + 5
    while "排名" in footer(tmux.screen()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "排名" not in footer(tmux.screen()) and "导出" not in footer(tmux.screen())
    assert "返回大厅" in footer(tmux.screen())
    tmux.keys("2", "r")
    tmux.wait_for("黎皓 表扬信")
    # 4: a typed code does not eat the next command.
    tmux.keys("3", "r")
    screen = tmux.wait_for("上期无记录时空白")  # the ranking screen's heading
    assert "3R" not in screen
    tmux.keys("Escape")
    deadline = time.monotonic() + 10
    while "上期无记录时空白" in tmux.screen() and time.monotonic() < deadline:
        time.sleep(0.05)
    tmux.wait_for("光标：")
    # 21: u says which finding and asks.
    tmux.keys("u")
    screen = tmux.wait_for("撤销这条记录")
    assert "黎皓" in screen and "表扬信" in screen
    tmux.keys("y")
    tmux.wait_for("已撤销")
    assert findings(url) == [
        ("1", "魏敏", "玩手机"),
        ("12", "张梅", "迟到"),
        ("1", "曾志明", "着装不规范"),
        ("12", "张梅", "着装不规范"),
    ]
    tmux.keys("C-q")
    assert "EXIT=0" in tmux.wait_for("EXIT=")
    assert main(["--db", url, "verify"]) == 0


@pytest.mark.parametrize("key", ["q", "C-q"])
def test_quitting_the_first_start_screen(tmp_path: Path, key: str) -> None:
    """13: q or ctrl+q on an empty database's first-start screen ends cleanly."""
    tmux = Tmux(tmp_path, [sys.executable, "-m", "screens", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    try:
        tmux.wait_for("欢迎使用巡查")
        tmux.keys(key)
        screen = tmux.wait_for("EXIT=")
        assert "EXIT=0" in screen and "Error" not in screen and "Traceback" not in screen
    finally:
        tmux.close()
