"""What a person meets at the terminal, measured by the team's shared instrument
``../shared/tools/ui_speed.py`` (tmux, 160x45, beside a bare Textual app in the same run; see
``../shared/tools/README.md``). It is run, never copied into the project: when it (or tmux) is not
there, one line says the terminal figures are skipped and why.

Three runs on the demo and three on a town hall of the city database; each run gives the first
frame (launch -> board painted), the finding's last key -> "已保存 HH:MM <window>" painted, and
memory 5 s after start, each against the bare app. The medians of the three runs are held to the
targets of issue 9: key median <= 30 ms and <= 3x the bare app's key -> repaint, key p95 <= 60 ms,
first frame <= 1.5x, memory <= 1.8x.

Before the city runs, the town hall's daily backup is taken if today has none
(``city.daily_backup``): the app takes it on the first start of the day, and a 1.8 GB copy inside
a timed run (started again by every launch that ui_speed ends before the copy ends) would be
measured instead of the app.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import city
from bench.common import TOWN_HALL

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENT_ENV = "PATROL_UI_SPEED"  # another copy of the instrument (or a stand-in, in the smoke test)
INSTRUMENT = ROOT.parent / "shared" / "tools" / "ui_speed.py"
RUNS = 3
ROUNDS = 8  # launches per run, and twice as many findings
# Window codes, the staff key and the item key that exist in every hall the benchmarks open: the
# demo's 20 windows and a town hall's 20 (codes 1-20, three people each); c is 迟到, a person's item.
WINDOWS = "1,5,8,12,3,7"
STAFF_KEY = "1"
TYPE_KEY = "c"
# The targets of issue 9.
MAX_KEY_MS = 30.0
MAX_KEY_P95_MS = 60.0
MAX_KEY_RATIO = 3.0
MAX_FIRST_FRAME_RATIO = 1.5
MAX_MEMORY_RATIO = 1.8

_FIRST = re.compile(r"first frame: patrol (\d+) ms, bare Textual (\d+) ms")
_KEY = re.compile(r"key -> saved painted: patrol median (\d+) ms \(p95 (\d+)\), bare key -> repaint (\d+) ms")
_MEMORY = re.compile(r"memory: patrol (\d+) MB, bare Textual (\d+) MB")


@dataclass(frozen=True)
class Run:
    """One run of ui_speed: patrol's figures and the bare app's, as it printed them."""

    first_ms: float
    bare_first_ms: float
    key_ms: float
    key_p95_ms: float
    bare_key_ms: float
    memory_mb: float
    bare_memory_mb: float

    @property
    def first_ratio(self) -> float:
        return self.first_ms / self.bare_first_ms

    @property
    def key_ratio(self) -> float:
        return self.key_ms / max(self.bare_key_ms, 1.0)

    @property
    def memory_ratio(self) -> float:
        return self.memory_mb / self.bare_memory_mb


def parse(output: str) -> Run | None:
    """The figures of one ui_speed run from what it printed, or None if a line is missing."""
    first, key, memory = _FIRST.search(output), _KEY.search(output), _MEMORY.search(output)
    if first is None or key is None or memory is None:
        return None
    return Run(*(float(x) for x in (*first.groups(), *key.groups(), *memory.groups())))


def instrument() -> tuple[Path | None, str]:
    """The instrument to run, or None and why the terminal figures are skipped."""
    path = Path(os.environ.get(INSTRUMENT_ENV) or INSTRUMENT)
    if not path.is_file():
        return None, f"{path} is not there"
    if shutil.which("tmux") is None:
        return None, "tmux is not installed"
    return path, ""


def run_once(tool: Path, args: str, rounds: int) -> tuple[Run | None, str]:
    """One ui_speed run of ``patrol ARGS``; its figures and its output."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    # A person's terminal caches compiled modules; without this every launch compiles the project.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [
        sys.executable,
        str(tool),
        "--patrol",
        str(bin_dir / "patrol"),
        "--python",
        sys.executable,
        "--args",
        args,
        "--rounds",
        str(rounds),
        "--windows",
        WINDOWS,
        "--staff-key",
        STAFF_KEY,
        "--type-key",
        TYPE_KEY,
    ]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    return parse(output), output


def measure(name: str, tool: Path, args: str, runs: int, rounds: int) -> bool:
    """Run ui_speed ``runs`` times on ``patrol ARGS``; print each run and the medians against the
    targets; whether they are within them."""
    done: list[Run] = []
    for n in range(runs):
        started = time.perf_counter()
        run, output = run_once(tool, args, rounds)
        if run is None:
            last = output.strip().splitlines()[-1:] or ["no output"]
            print(f"terminal, {name}: run {n + 1} gave no figures ({last[0]}): FAILED")
            return False
        done.append(run)
        print(
            f"terminal, {name}, run {n + 1} ({time.perf_counter() - started:.0f} s): first frame {run.first_ms:.0f} ms "
            f"({run.first_ratio:.2f}x), key -> 已保存 {run.key_ms:.0f} ms (p95 {run.key_p95_ms:.0f}, "
            f"{run.key_ratio:.1f}x), memory {run.memory_mb:.0f} MB ({run.memory_ratio:.2f}x)"
        )
    med = statistics.median
    first = med(r.first_ratio for r in done)
    key, p95 = med(r.key_ms for r in done), med(r.key_p95_ms for r in done)
    key_ratio, memory = med(r.key_ratio for r in done), med(r.memory_ratio for r in done)
    checks = [
        (f"key -> 已保存 painted {key:.0f} ms (<= {MAX_KEY_MS:.0f})", key <= MAX_KEY_MS),
        (
            f"{key_ratio:.1f}x the bare app's {med(r.bare_key_ms for r in done):.0f} ms (<= {MAX_KEY_RATIO:g}x)",
            key_ratio <= MAX_KEY_RATIO,
        ),
        (f"p95 {p95:.0f} ms (<= {MAX_KEY_P95_MS:.0f})", p95 <= MAX_KEY_P95_MS),
        (
            f"first frame {med(r.first_ms for r in done):.0f} ms = {first:.2f}x (<= {MAX_FIRST_FRAME_RATIO}x)",
            first <= MAX_FIRST_FRAME_RATIO,
        ),
        (
            f"memory {med(r.memory_mb for r in done):.0f} MB = {memory:.2f}x (<= {MAX_MEMORY_RATIO}x)",
            memory <= MAX_MEMORY_RATIO,
        ),
    ]
    ok = all(within for _, within in checks)
    said = "; ".join(f"{text}{'' if within else ' OVER'}" for text, within in checks)
    print(f"terminal, {name}, medians of {len(done)} runs: {said}: {'OK' if ok else 'OVER'}")
    return ok


def main(url: str | None = None, hall: str = TOWN_HALL, runs: int = RUNS, rounds: int = ROUNDS) -> bool:
    """The terminal figures on the demo and on ``hall`` of the city (built if ``url`` is None)."""
    tool, why = instrument()
    if tool is None:
        print(f"terminal figures skipped: {why} (the instrument ui_speed.py is not part of the project)")
        return True
    ok = measure("the demo", tool, "demo", runs, rounds)
    url = url or city.build(datetime.now(UTC).date())
    city.daily_backup(url, hall)
    args = f"--db {url} --hall {hall} --inspector 基准督查 --lock-after 0"
    ok &= measure(f"{hall} of the city", tool, args, runs, rounds)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
