"""`patrol verify` over the city database (about 1.3 million chained findings), in its own
process. Budget: 5x the baseline, measured in the same run: reading every finding row with
sqlite3 (verify reads every chained row, orders them and hashes them; 5x is what it took before
the versions and the access log joined the chain)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench import city

BUDGET = 5.0  # times the baseline


def main(url: str | None = None) -> bool:
    """`patrol verify` on the city database at ``url`` (the cached one, built if None)."""
    url = url or city.build(datetime.now(UTC).date())
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "patrol", "--db", url, "verify"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        rows = sum(1 for _ in conn.execute("SELECT * FROM finding"))
    base = time.perf_counter() - start
    ok = result.returncode == 0 and seconds < BUDGET * base
    print(
        f"verify, {rows:,} findings: {seconds:.1f} s ({result.stdout.strip() or result.stderr.strip()})"
        f"; baseline reading every row {base:.1f} s; ratio {seconds / base:.1f}x (budget {BUDGET:g}x):"
        f" {'OK' if ok else 'OVER'}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
