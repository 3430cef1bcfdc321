"""Times a finding cannot have: before 2000 (a mistyped year such as 0202 or 0001), before the
hall's first posting, in the future. Refused by log, correct and import with one line, and the
database still verifies (years below 1000 used to be encoded as 202 on one side and 0202 on the
other, so verify failed from then on)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from patrol.cli import main
from tests.conftest import ROSTER_CSV, run


def findings(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0])


@pytest.mark.parametrize("when", ["0202-11-23 09:00", "0001-01-01 00:00", "1999-12-31 23:59"])
def test_a_year_before_2000_is_refused_by_log_and_the_database_still_verifies(hall_url: str, capsys, when: str) -> None:
    code, _out, err = run(
        capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", when
    )
    assert code == 1 and "早于 2000 年" in err and err.count("\n") == 1 and "Traceback" not in err
    assert findings(hall_url) == 0
    assert run(capsys, "--db", hall_url, "verify")[0] == 0


@pytest.mark.parametrize("when", ["0001-01-01 00:00", "0202-11-23 09:00"])
def test_a_correction_to_a_year_before_2000_is_refused(hall_url: str, capsys, when: str) -> None:
    log = ["log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-11-02 09:00"]
    code, out, _err = run(capsys, "--db", hall_url, *log)
    assert code == 0
    ref = out.split("记录号 ")[1].split("）")[0]
    code, _out, err = run(capsys, "--db", hall_url, "correct", ref, "--at", when, "--reason", "时间录错")
    assert code == 1 and "早于 2000 年" in err and "Traceback" not in err
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM correction").fetchone()[0] == 0
    assert run(capsys, "--db", hall_url, "verify")[0] == 0


def test_an_import_row_before_2000_is_refused_and_nothing_is_written(hall_url: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "旧记录.csv"
    path.write_text(
        "时间,窗口编号,姓名,巡查项\n2026-11-02 09:01,1,魏敏,迟到\n0202-11-03 09:02,1,曾伟,迟到\n", encoding="utf-8"
    )
    code, _out, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    assert code == 1 and "第3行" in err and "早于 2000 年" in err
    assert findings(hall_url) == 0
    assert run(capsys, "--db", hall_url, "verify")[0] == 0


@pytest.fixture
def posted_from_november(db_url: str, tmp_path: Path, capsys) -> str:
    """A hall whose roster was first posted on 2026-11-01."""
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    assert main(["--db", db_url, "--hall", "测试大厅", "roster", "import", str(roster), "--on", "2026-11-01"]) == 0
    capsys.readouterr()
    return db_url


def test_a_time_before_the_halls_first_posting_is_refused(posted_from_november: str, tmp_path: Path, capsys) -> None:
    url = posted_from_november
    log = ["log", "--window", "5", "--substitute", "--type", "迟到"]
    code, _out, err = run(capsys, "--db", url, *log, "--at", "2026-10-31 09:00")
    assert code == 1 and "早于本大厅最早的任职（2026-11-01 起）" in err
    code, out, _err = run(capsys, "--db", url, *log, "--at", "2026-11-02 09:00")
    assert code == 0
    ref = out.split("记录号 ")[1].split("）")[0]
    code, _out, err = run(capsys, "--db", url, "correct", ref, "--at", "2026-10-30 09:00", "--reason", "时间录错")
    assert code == 1 and "早于本大厅最早的任职" in err
    path = tmp_path / "旧记录.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n2026-10-15 09:01,5,替岗人员,迟到\n", encoding="utf-8")
    code, _out, err = run(capsys, "--db", url, "findings", "import", str(path))
    assert code == 1 and "早于本大厅最早的任职" in err
    assert findings(url) == 1
    assert run(capsys, "--db", url, "verify")[0] == 0


def test_the_chain_encodes_every_year_with_four_digits() -> None:
    from datetime import UTC, datetime

    from storage.chain import time_text
    from storage.reads import sqlite_time

    early = datetime(202, 11, 23, 1, 0, tzinfo=UTC)
    assert time_text(early) == "0202-11-23T01:00:00.000000Z"
    # What SQLite stores for it reads back to the same encoding.
    assert time_text(sqlite_time(early)) == time_text(early)
