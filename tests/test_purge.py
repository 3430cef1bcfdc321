"""`patrol purge`: past the retention period the personal content goes, the chain still holds,
and a forged purge is found."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.service import HallService
from storage.engine import open_engine
from storage.writes import log_access
from tests.conftest import log_at


@pytest.fixture
def old_and_new(service: HallService, hall_url: str) -> Path:
    """Findings from 2022 (one corrected, one with a note naming someone) and from 2026."""
    late = log_at(service, "1", "魏敏", "迟到", "2022-03-01 09:10", note="魏敏说堵车")
    log_at(service, "4", "张梅", "玩手机", "2022-05-06 10:00")
    service.findings.correct(late, "经核实魏敏当天请假", void=True)
    log_at(service, "3", "单雄", "早退", "2026-11-02 16:00", note="单雄提前离岗")
    service.close()
    path = Path(hall_url.removeprefix("sqlite:///"))
    # A lookup made back then, and one made this year of a record of 2022.
    engine = open_engine(hall_url)
    log_access(
        engine, "李督查", "查看记录", "魏敏（1 号窗口）", device="test-device", at=datetime(2022, 6, 1, 2, tzinfo=UTC)
    )
    log_access(
        engine,
        "王督查",
        "查看记录",
        "张梅（4 号窗口），2022年5月",
        datetime(2022, 5, 31, 16, tzinfo=UTC),
        "test-device",
    )
    log_access(
        engine, "王督查", "导出", "2026年11月 巡查考核附表", datetime(2026, 11, 30, 16, tzinfo=UTC), "test-device"
    )
    engine.dispose()
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_a_purge_removes_names_and_notes_and_verify_still_passes(old_and_new: Path, hall_url: str, capsys) -> None:
    before = rows(old_and_new, "SELECT id, window_id, type_id, points, at, payload_hash, row_hash FROM finding")
    assert main(["--db", hall_url, "purge", "--before", "2023-01-01", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "巡查记录 2 条、更正记录 1 条" in out and "查阅日志 2 条" in out

    # The salt goes too: with it, trying every staff member against the payload hash would name them.
    old = rows(old_and_new, "SELECT staff_id, note, salt FROM finding WHERE at < '2023-01-01'")
    assert old == [(None, "", None), (None, "", None)]
    assert rows(old_and_new, "SELECT reason, salt FROM correction") == [("", None)]
    assert rows(old_and_new, "SELECT note FROM finding WHERE at > '2026-01-01'") == [("单雄提前离岗",)]
    # What is not personal stays, with the hashes.
    after = rows(old_and_new, "SELECT id, window_id, type_id, points, at, payload_hash, row_hash FROM finding")
    assert after == before
    # The lookup of 2022 and the lookup of a 2022 record are emptied (they stay in the chain);
    # the export of 2026 stays, and the purge is on record with no name left in it.
    log = rows(
        old_and_new,
        "SELECT who, action, subject, redaction_id IS NOT NULL FROM access_log "
        "WHERE device = 'test-device' ORDER BY chain_seq",
    )
    assert log == [("", "查看记录", "", 1), ("", "查看记录", "", 1), ("王督查", "导出", "2026年11月 巡查考核附表", 0)]
    purged = rows(old_and_new, "SELECT subject FROM access_log WHERE action = '清除'")
    assert purged == [("2023-01-01 之前：巡查记录 2 条，更正记录 1 条，查阅日志 2 条",)]
    main(["--db", hall_url, "access-log", "--since", "2000-01-01"])
    shown = capsys.readouterr().out
    assert "李督查" not in shown and "张梅" not in shown and "2026年11月 巡查考核附表" in shown

    assert main(["--db", hall_url, "verify"]) == 0
    assert "校验通过" in capsys.readouterr().out
    assert main(["--db", hall_url, "purge", "--before", "2023-01-01", "--yes"]) == 0
    assert "没有需要清除" in capsys.readouterr().out  # twice is harmless


def test_a_purge_inside_retention_or_unconfirmed_is_refused(old_and_new: Path, hall_url: str, capsys) -> None:
    snapshot = rows(old_and_new, "SELECT * FROM finding ORDER BY id")
    assert main(["--db", hall_url, "purge", "--before", "2026-01-01", "--yes"]) == 1
    assert "保存期（36 个月）之内" in capsys.readouterr().err
    assert main(["--db", hall_url, "purge", "--before", "2023-01-01"]) == 1  # stdin is not a terminal
    assert "需要确认" in capsys.readouterr().err
    assert main(["--db", hall_url, "purge", "--before", "2023-02-30", "--yes"]) == 1
    assert "无法识别的日期" in capsys.readouterr().err
    assert rows(old_and_new, "SELECT * FROM finding ORDER BY id") == snapshot
    assert rows(old_and_new, "SELECT COUNT(*) FROM redaction") == [(0,)]


@pytest.mark.tampers
@pytest.mark.parametrize(
    ("forgery", "found"),
    [
        # A recent finding marked as purged to hide that its content was changed.
        (
            "UPDATE finding SET redaction_id = (SELECT id FROM redaction), note = '', staff_id = NULL "
            "WHERE at > '2026-01-01'",
            "标为已清除的有 3 条",
        ),
        # What a purge keeps is still checked.
        ("UPDATE finding SET points = 0 WHERE at < '2022-04-01'", "保留的内容"),
        # A purge nobody made.
        (
            "UPDATE finding SET redaction_id = 'made-up', note = '', staff_id = NULL WHERE at > '2026-01-01'",
            "没有这条清除记录",
        ),
    ],
)
def test_a_forged_purge_is_found(old_and_new: Path, hall_url: str, capsys, forgery: str, found: str) -> None:
    assert main(["--db", hall_url, "purge", "--before", "2023-01-01", "--yes"]) == 0
    with sqlite3.connect(old_and_new) as conn:
        conn.execute(forgery)
    capsys.readouterr()
    assert main(["--db", hall_url, "verify"]) == 1
    assert found in capsys.readouterr().err


@pytest.mark.parametrize(
    "change",
    [
        ["--void"],
        ["--staff", "魏敏"],  # a name put back on a finding whose person a purge removed
        ["--type", "早退"],
        ["--note", "补记"],
    ],
)
def test_a_purged_finding_cannot_be_corrected(old_and_new: Path, hall_url: str, capsys, change: list[str]) -> None:
    assert main(["--db", hall_url, "purge", "--before", "2023-01-01", "--yes"]) == 0
    [(ref,)] = rows(
        old_and_new,
        "SELECT ref FROM finding WHERE at < '2023-01-01' AND type_id = "
        "(SELECT id FROM finding_type WHERE name = '玩手机')",
    )
    before = rows(old_and_new, "SELECT * FROM finding ORDER BY id")
    capsys.readouterr()
    assert main(["--db", hall_url, "correct", ref, *change, "--reason", "补正"]) == 1
    err = capsys.readouterr().err
    assert "已过保存期" in err and "不能再作废、修改或更改人员" in err and err.count("\n") == 1
    assert rows(old_and_new, "SELECT * FROM finding ORDER BY id") == before
    assert rows(old_and_new, "SELECT COUNT(*) FROM correction") == [(1,)]  # the one made in 2022
