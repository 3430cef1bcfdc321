"""The chain on PostgreSQL with writers that share one device id (two laptops cloned from one
image, two app windows): each write takes the device's head row with SELECT … FOR UPDATE, so
the seqs never repeat and verify passes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from patrol.cli import main
from tests.test_postgres import fresh_database, pg_hall, pg_url  # noqa: F401  (fixtures)

WRITES = 12


def duplicate_seqs(url: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    tables = ("finding", "correction", "redaction", "row_version", "access_log")
    every = " UNION ALL ".join(f"SELECT device, chain_seq FROM {t}" for t in tables)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(text(f"SELECT device, chain_seq FROM ({every}) s GROUP BY 1, 2 HAVING COUNT(*) > 1"))
            )
    finally:
        engine.dispose()


def test_two_writers_with_one_device_id_on_postgresql(pg_hall: str, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    from patrol.hall.opening import open_hall
    from patrol.imports.findings import apply_findings, plan_findings

    start = threading.Barrier(2)

    def logger(inspector: str) -> int:
        service = open_hall(pg_hall, "甲大厅", device="cloned-laptop", inspector=inspector)
        try:
            start.wait(timeout=30)
            for n in range(WRITES):
                service.findings.log(
                    service.lookup.window("1"), service.lookup.resolve_staff("张梅", None), service.lookup.rule("迟到")
                )
                if n % 4 == 3:  # a write of several rows at once too: its first write may be a batch
                    service.access.log("查看记录", f"张梅，第 {n} 次")
            return WRITES
        finally:
            service.close()

    def importer(tmp: str) -> int:
        service = open_hall(pg_hall, "甲大厅", device="cloned-laptop", inspector="导入")
        try:
            from pathlib import Path

            path = Path(tmp) / "导入.csv"
            rows = "".join(f"2026-11-{day:02d} 09:00,1,曾伟,迟到\n" for day in range(5, 15))
            path.write_text("时间,窗口编号,姓名,巡查项\n" + rows, encoding="utf-8")
            plan = plan_findings(service, path)
            start.wait(timeout=30)
            return apply_findings(service, plan)
        finally:
            service.close()

    import tempfile

    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        written = [pool.submit(logger, "甲"), pool.submit(importer, tmp)]
        assert [f.result(timeout=120) for f in written] == [WRITES, 10]
    assert duplicate_seqs(pg_hall) == []
    capsys.readouterr()
    assert main(["--db", pg_hall, "verify"]) == 0, capsys.readouterr().err
    assert "校验通过" in capsys.readouterr().out


def test_two_processes_with_one_device_id_on_postgresql(
    pg_hall: str,  # noqa: F811
    tmp_path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command line run twice at once, as two shells would, with one device-id file."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PATROL_INSPECTOR": "甲"}
    script = (
        "import sys\n"
        "from patrol.cli import main\n"
        "for n in range(8):\n"
        "    args = ['--db', sys.argv[1], 'log', '--window', '1', '--staff', '张梅', '--type', '迟到']\n"
        "    assert main(args) == 0\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script, pg_hall], env=env, stdout=subprocess.DEVNULL) for _ in range(2)
    ]
    assert [p.wait(timeout=120) for p in runs] == [0, 0]
    assert duplicate_seqs(pg_hall) == []
    assert main(["--db", pg_hall, "verify"]) == 0, capsys.readouterr().err
