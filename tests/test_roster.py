"""Postings with dates (DESIGN: 'Who counts in a period'): `patrol staff`, roster imports,
findings resolved at their time, and `patrol record` finding people as `/` does. Every test
that writes ends with `patrol verify` passing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from patrol.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def verified(url: str) -> bool:
    return main(["--db", url, "verify"]) == 0


def count(url: str, table: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# --- findings import ------------------------------------------------------------------------


def test_an_import_as_a_devices_first_write_starts_its_chain(hall_url: str, tmp_path: Path, capsys) -> None:
    """A batch that is a device's first write used to leave its chain without a head."""
    path = tmp_path / "旧记录.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n2026-11-02 09:00,1,魏敏,迟到\n2026-11-03 09:00,1,曾伟,迟到\n")
    assert run(capsys, "--db", hall_url, "findings", "import", str(path))[0] == 0
    assert verified(hall_url), capsys.readouterr().err
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到")[0] == 0
    assert verified(hall_url), capsys.readouterr().err
