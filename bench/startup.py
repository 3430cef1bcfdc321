"""Time from `patrol demo` to a drawn hall board, beside a bare Textual app with one Static.

Both run in a pseudo-terminal and exit as soon as their screen is drawn (PATROL_EXIT_WHEN_READY
for patrol); runs alternate so machine noise hits both alike. Budget: within 1.5x.
"""

from __future__ import annotations

import os
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.common import report

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run()
"""


def _run_in_pty(argv: list[str], env: dict[str, str]) -> float:
    controller, terminal = pty.openpty()
    os.set_blocking(controller, False)
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True)
    while process.poll() is None:
        try:
            os.read(controller, 65536)  # keep the terminal drained
        except BlockingIOError:
            time.sleep(0.002)
    elapsed = time.perf_counter() - start
    os.close(controller)
    os.close(terminal)
    if process.returncode != 0:
        raise RuntimeError(f"{argv} exited {process.returncode}")
    return elapsed


def main(repeat: int = 9) -> bool:
    cache = tempfile.mkdtemp(prefix="patrol-bench-cache-")  # the first run really builds the demo
    env = {
        **os.environ,
        "PATROL_EXIT_WHEN_READY": "1",
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
        "XDG_CACHE_HOME": cache,
    }
    patrol = [sys.executable, "-m", "screens", "demo"]
    bare = [sys.executable, "-c", BARE_APP]
    cold = _run_in_pty(patrol, env)  # builds today's demo hall into the cache if needed
    print(f"startup: first `patrol demo` of the day (builds the demo cache) {cold * 1000:.0f} ms")
    ours, base = [], []
    for _ in range(repeat):
        base.append(_run_in_pty(bare, env))
        ours.append(_run_in_pty(patrol, env))
    shutil.rmtree(cache, ignore_errors=True)
    ratio = statistics.median(ours) / statistics.median(base)
    return report("startup `patrol demo` to drawn board", ours, base, "bare Textual app", "<= 1.5x", ratio <= 1.5)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
