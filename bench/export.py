"""Month-end export, from command to closed file, each run in its own process so its peak
memory can be read (ru_maxrss of that child alone):

- a month of a 20-window hall (the demo hall; budget 1 s);
- a month of the 5,000-staff centre, 100,000 findings (budget 15 s, 256 MiB);
- a year of the centre, 1.2 million findings, streamed (budget 3 minutes, 512 MiB).

Baseline, measured in the same run: openpyxl writing the same number of plain rows of twelve
columns in write-only mode (no styles, no database), the writer the project started with.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import city
from bench.common import CENTRE

BASELINE = """
import sys
from openpyxl import Workbook
book = Workbook(write_only=True)
sheet = book.create_sheet("plain")
for i in range(int(sys.argv[1])):
    sheet.append([i, "2026-11-04", "09:05", "12", "出入境窗口", "区公安分局出入境管理大队", "张梅", "迟到", "考勤",
                  -1.0, "", "李督查"])
book.save(sys.argv[2])
"""


def _run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak MiB of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def _case(
    name: str, url: str, hall: str | None, period: str, rows: int, budget_s: float, budget_mib: float | None
) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.xlsx"
        argv = [
            sys.executable,
            "-m",
            "patrol",
            "--db",
            url,
            *(["--hall", hall] if hall else []),
            "export",
            "--period",
            period,
            "--out",
            str(out),
        ]
        seconds, mib = _run(argv)
        base_s, base_mib = _run([sys.executable, "-c", BASELINE, str(rows), str(Path(folder) / "plain.xlsx")])
    ok = seconds < budget_s and (budget_mib is None or mib < budget_mib)
    memory = f", peak {mib:.0f} MiB (budget {budget_mib:.0f} MiB)" if budget_mib else f", peak {mib:.0f} MiB"
    print(
        f"export, {name}: {seconds:.2f} s (budget {budget_s:.0f} s){memory}; baseline plain openpyxl rows "
        f"{base_s:.2f} s, {base_mib:.0f} MiB; ratio {seconds / base_s:.2f}x: {'OK' if ok else 'OVER'}"
    )
    return ok


def _rows(url: str, hall: str, since: datetime) -> int:
    """How many findings ``hall`` has from ``since`` on: the rows the baseline writes."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        found = conn.execute(
            "SELECT COUNT(*) FROM finding f JOIN hall h ON h.id = f.hall_id WHERE h.name = ? AND f.at >= ?",
            (hall, f"{since:%Y-%m-%d %H:%M:%S}"),
        ).fetchone()[0]
    return max(1, int(found))


def main(url: str | None = None, year: bool = True) -> bool:
    """The three export cases; the centre's on the city database at ``url`` (the cached one, built
    if None)."""
    from patrol.demo import demo_url

    today = datetime.now(UTC).date()
    demo, folder = demo_url()
    month = f"{today.year}-{today.month:02d}"
    ok = _case("a month of the 20-window demo hall", demo, None, month, 120, 1.0, None)
    url = url or city.build(today)
    month_start = datetime(today.year, today.month, 1)
    rows = _rows(url, CENTRE, month_start)
    ok &= _case("a month of the 5,000-staff centre", url, CENTRE, month, rows, 15, 256)
    if year:
        last_year = f"{(today - timedelta(days=365)).isoformat()}..{today.isoformat()}"
        rows = _rows(url, CENTRE, datetime.combine(today - timedelta(days=365), datetime.min.time()))
        ok &= _case("a year of the centre", url, CENTRE, last_year, rows, 180, 512)
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(year="--no-year" not in sys.argv) else 1)
