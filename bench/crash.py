"""100 SIGKILLs of the real app in a pseudo-terminal while it logs findings by keystrokes. After
each kill: every finding the screen showed as saved is in the database, PRAGMA integrity_check
passes, and the hash chain verifies. (The driver is the crash test's: tests/test_crash.py.)"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from patrol.cli import main as cli
from tests.test_crash import run_and_kill

KILLS = 100


def main(kills: int = KILLS) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="patrol-crash-"))
    os.environ["XDG_CONFIG_HOME"] = str(folder / "cfg")
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    url = f"sqlite:///{folder / 'patrol.db'}"
    roster = folder / "roster.csv"
    roster.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,魏敏\n1,综合窗口,中心,曾伟\n", encoding="utf-8")
    cli(["--db", url, "roster", "import", str(roster)])
    rng = random.Random(2026)
    confirmed_total, lost, broken = 0, 0, 0
    started = time.perf_counter()
    for _ in range(kills):
        with sqlite3.connect(folder / "patrol.db") as conn:
            before = conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
        confirmed = run_and_kill(url, folder, rng, before)
        with sqlite3.connect(folder / "patrol.db") as conn:
            after = conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                broken += 1
        confirmed_total += confirmed
        lost += max(0, before + confirmed - after)
    verified = cli(["--db", url, "verify"]) == 0
    seconds = time.perf_counter() - started
    ok = lost == 0 and broken == 0 and verified
    print(
        f"crash: {kills} SIGKILLs in {seconds:.0f} s; {confirmed_total} findings shown as saved, {lost} lost, "
        f"{broken} integrity failures, chain {'verifies' if verified else 'BROKEN'}: {'OK' if ok else 'FAILED'}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
