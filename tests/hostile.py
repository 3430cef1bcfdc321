"""What an adversary types, imports or writes into the file: names and notes that carry terminal
escapes, bidi overrides, zero-width characters, Rich markup and spreadsheet formulas. Shared by
the adversary tests of the command line, the screens and the workbook."""

from __future__ import annotations

import sqlite3
import unicodedata

from patrol.hall.service import HallService, open_hall
from tests.conftest import fixed_clock, log_at

ESC_CLEAR = "\x1b[2J"  # clears the screen
OSC_TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
C1_CSI = "\x9b31m"  # the one-byte CSI: red from here on
BIDI = "\u202e"  # right-to-left override: 梅张 reads as 张梅
ZERO_WIDTH = "\u200b"
STEERING = (ESC_CLEAR, OSC_TITLE, C1_CSI, BIDI, ZERO_WIDTH)

# Names that are visible text, and stay as typed: a roster may hold them.
MARKUP_NAME = "[/]"
STYLE_NAME = "[bold red]红人"
FORMULA_NAME = "=1+1"
# A name an old database holds, or one changed behind patrol's back: no entry path takes it now.
ESCAPE_NAME = f"{ESC_CLEAR}{OSC_TITLE}张{BIDI}梅{ZERO_WIDTH}{C1_CSI}"
# A note keeps what was typed, shown escaped.
HOSTILE_NOTE = f"材料[/]不全{ESC_CLEAR}{OSC_TITLE}\n2026-11-02 09:00  伪造的一行{BIDI}[bold red]"
SHOWN_NOTE = "材料[/]不全\\x1b[2J\\x1b]0;pwned\\x07\\n2026-11-02 09:00  伪造的一行\\u202e[bold red]"

HOSTILE_ROSTER = f"""窗口编号,窗口名称,单位,姓名,岗位,区域
1,综合窗口,区政务服务中心,{MARKUP_NAME},A岗,A区
1,综合窗口,区政务服务中心,{STYLE_NAME},B岗,A区
2,{FORMULA_NAME}窗口,@SUM(A1),{FORMULA_NAME},A岗,[b]B区
3,住建窗口,区住房和城乡建设局,张梅,A岗,B区
"""


def raw_controls(text: str) -> list[str]:
    """The characters of ``text`` that would steer a terminal (line breaks excepted)."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch not in "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


def make_hostile(url: str) -> None:
    """Turn the hall at ``url`` (imported from HOSTILE_ROSTER) into one an adversary left: 张梅,
    her window, its unit, the hall and an inspector renamed with escapes (as an old version, or
    sqlite3 on the file, could have written them), and findings whose notes carry them."""
    path = url.removeprefix("sqlite:///")
    service = open_hall(url, inspector="测试督查", device="hostile-device", clock=fixed_clock)
    try:
        log_at(service, "3", "张梅", "迟到", "2026-11-02 09:00", note=HOSTILE_NOTE)
        log_at(service, "1", MARKUP_NAME, "玩手机", "2026-11-03 10:00", note="[/]")
        log_at(service, "2", FORMULA_NAME, "表扬信", "2026-11-04 11:00", note="=HYPERLINK(\"http://x\",\"点我\")")
        log_at(service, "1", STYLE_NAME, "迟到", "2026-11-05 09:00")
        service.log_access("查看记录", f"{MARKUP_NAME}（1 号窗口），2026年11月")
    finally:
        service.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE staff SET name = ? WHERE name = '张梅'", (ESCAPE_NAME,))
        conn.execute("UPDATE window SET name = ? WHERE code = '3'", (f"住建{ESC_CLEAR}窗口{BIDI}",))
        conn.execute("UPDATE unit SET name = ? WHERE name = '区住房和城乡建设局'", (f"{OSC_TITLE}住建局",))
        conn.execute("UPDATE hall SET name = ?", (f"[/]大厅{ESC_CLEAR}",))
        conn.execute("UPDATE inspector SET name = ? WHERE name = '测试督查'", (f"督查{C1_CSI}{ZERO_WIDTH}",))
    conn.close()


def hostile_service(url: str) -> HallService:
    return open_hall(url, inspector="测试督查", device="hostile-device", clock=fixed_clock)
