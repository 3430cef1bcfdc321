"""What an adversary types, imports or writes into the file: names and notes that carry terminal
escapes, bidi overrides, zero-width characters, Rich markup and spreadsheet formulas. Shared by
the adversary tests of the command line, the screens and the workbook."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

from patrol.cli import main

ESC_CLEAR = "\x1b[2J"  # clears the screen
OSC_TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
C1_CSI = "\x9b31m"  # the one-byte CSI: red from here on
BIDI = "\u202e"  # right-to-left override: 梅张 reads as 张梅
ZERO_WIDTH = "\u200b"
STEERING = {"ESC": ESC_CLEAR, "OSC": OSC_TITLE, "C1": C1_CSI, "bidi": BIDI, "zero-width": ZERO_WIDTH}

# Names that are visible text, and stay as typed: a roster may hold them.
MARKUP_NAME = "[/]"
STYLE_NAME = "[bold red]红人"
FORMULA_NAME = "=1+1"
HALL_NAME = "[/]大厅"
# A note keeps what was typed; it is shown escaped, on one line.
HOSTILE_NOTE = f"材料[/]不全{ESC_CLEAR}{OSC_TITLE}\n伪造的一行{BIDI}[bold red]{C1_CSI}"
SHOWN_NOTE = "材料[/]不全\\x1b[2J\\x1b]0;pwned\\x07\\n伪造的一行\\u202e[bold red]\\x9b31m"
FORMULA_NOTE = '=HYPERLINK("http://x","点我")'

HOSTILE_ROSTER = f"""窗口编号,窗口名称,单位,姓名,岗位,区域
1,综合窗口,区政务服务中心,{MARKUP_NAME},A岗,A区
1,综合窗口,区政务服务中心,{STYLE_NAME},B岗,A区
2,{FORMULA_NAME}窗口,@SUM(A1),{FORMULA_NAME},A岗,[b]B区
3,住建窗口,区住房和城乡建设局,张梅,A岗,B区
"""


def raw_controls(text: str) -> list[str]:
    """The characters of ``text`` that would steer a terminal (line breaks excepted)."""
    return [
        f"U+{ord(ch):04X}" for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


def hostile_hall(url: str, folder: Path) -> None:
    """A hall built the way users build one (init, roster import, log) from hostile text: names
    with markup and formulas, notes with escapes, markup and formulas."""
    roster = folder / "名册.csv"
    roster.write_text(HOSTILE_ROSTER, encoding="utf-8")
    assert main(["--db", url, "init", "--hall", HALL_NAME]) == 0
    assert main(["--db", url, "roster", "import", str(roster)]) == 0
    for window, person, item, at, note in (
        ("1", MARKUP_NAME, "迟到", "2026-11-02 09:00", HOSTILE_NOTE),
        ("1", STYLE_NAME, "玩手机", "2026-11-03 10:00", "[/]"),
        ("2", FORMULA_NAME, "表扬信", "2026-11-04 11:00", FORMULA_NOTE),
    ):
        args = ["--db", url, "log", "--window", window, "--staff", person, "--type", item, "--at", at]
        assert main([*args, "--note", note]) == 0


def tamper_names(url: str) -> None:
    """Names no entry path takes any more, written behind patrol's back (sqlite3 on the file, or a
    database from before names were checked): escapes in a person's, a window's and the hall's
    name. Display must still show them escaped."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE staff SET name = ? WHERE name = '张梅'", (f"{ESC_CLEAR}张{BIDI}梅{OSC_TITLE}",))
        conn.execute("UPDATE window SET name = ? WHERE code = '3'", (f"住建{C1_CSI}窗口",))
        conn.execute("UPDATE hall SET name = ?", (f"{ESC_CLEAR}大厅",))
    conn.close()
