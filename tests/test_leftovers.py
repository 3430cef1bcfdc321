"""What a killed export leaves (sheets full of names) stays owner-only beside its target and is
removed by the next run, or by a purge that lists it."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

from patrol.cli import main
from patrol.hall.service import HallService
from tests.conftest import log_at
from tests.test_app import make_app, ready, until

# The real `patrol export`, held just before its last sheet: the sheets written so far are on
# disk in the writer's temporary files. It says so on stdout and waits to be killed.
HELD_EXPORT = """
import sys, time
import patrol.reports.workbook as workbook

def hold(*args):
    print("held", flush=True)
    time.sleep(120)

workbook._notice_sheet = hold
from patrol.cli import main
sys.exit(main(sys.argv[1:]))
"""


def killed_export(hall_url: str, out: Path, system_temp: Path | None = None) -> Path:
    """Run an export into ``out`` and SIGKILL it half-way; returns what it left there. With
    ``system_temp``, that folder is the export's system temporary folder (TMPDIR)."""
    env = {**os.environ, "TMPDIR": str(system_temp)} if system_temp is not None else None
    export = subprocess.Popen(
        [sys.executable, "-c", HELD_EXPORT, "--db", hall_url, "export", "--period", "2026-11", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert export.stdout is not None and export.stdout.readline().strip() == "held", export.stderr.read()
    finally:
        export.send_signal(signal.SIGKILL)
        export.wait(30)
    (left,) = out.iterdir()
    return left


def test_a_killed_export_leaves_only_a_private_folder_beside_its_target(
    service: HallService, hall_url: str, tmp_path: Path
) -> None:
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00", note="魏敏说堵车")
    service.close()
    system_temp = tmp_path / "system-temp"  # the export's own, so other runs on this machine do not count
    system_temp.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    left = killed_export(hall_url, out, system_temp)
    assert left.name.startswith(".patrol-tmp-") and left.is_dir()
    assert stat.S_IMODE(left.stat().st_mode) == 0o700
    sheets = list(left.iterdir())  # the writer's files, where the sheets' rows (names, notes) go
    assert sheets and all(stat.S_IMODE(f.stat().st_mode) & 0o077 == 0 for f in sheets)
    assert list(system_temp.iterdir()) == []  # nothing in the system's temporary folder

    # The next export, into another folder, removes it.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert main(["--db", hall_url, "export", "--period", "2026-11", "--out", str(elsewhere)]) == 0
    assert not left.exists() and list(out.iterdir()) == []
    assert [p.suffix for p in elsewhere.iterdir()] == [".xlsx"]
    assert main(["--db", hall_url, "verify"]) == 0


async def test_the_app_removes_what_a_killed_export_left(service: HallService, hall_url: str, tmp_path: Path) -> None:
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00", note="魏敏说堵车")
    service.close()
    (tmp_path / "out").mkdir()
    left = killed_export(hall_url, tmp_path / "out")
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: not left.exists())
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_purge_lists_and_removes_what_killed_runs_left(
    service: HallService, hall_url: str, tmp_path: Path, capsys
) -> None:
    log_at(service, "1", "魏敏", "迟到", "2022-03-01 09:10", note="魏敏说堵车")
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00", note="魏敏说堵车")
    service.close()
    out = tmp_path / "out"
    out.mkdir()
    left = killed_export(hall_url, out)
    assert main(["--db", hall_url, "purge", "--before", "2023-01-01", "--yes"]) == 0
    said = capsys.readouterr().out
    assert "临时文件 1 个" in said and str(left) in said
    assert not left.exists() and os.listdir(out) == []
    assert main(["--db", hall_url, "verify"]) == 0
