"""Patrol rounds (windows seen with nothing wrong) and month close (月结), through the command
line, the importer and the notice."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.conftest import count, run
from tests.test_postgres import fresh_database, pg_url  # noqa: F401  (the server fixture)


def _db(url: str) -> list[str]:
    return ["--db", url]


def test_seen_and_rounds_are_counted_per_inspector_with_30_minute_gaps(
    hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _db(hall_url)
    # 甲: 09:00, 09:20, 09:45 (one walk: gaps under 30 min), then 14:00 (a second round).
    for code, at in (("1", "09:00"), ("2", "09:20"), ("3", "09:45"), ("4", "14:00")):
        assert run(capsys, *db, "--inspector", "甲", "seen", "--window", code, "--at", f"2026-11-05 {at}")[0] == 0
    # 乙 logs a finding at 09:10 the same morning: a round of their own.
    code, _out, err = run(
        capsys,
        *db,
        "--inspector",
        "乙",
        "log",
        "--window",
        "2",
        "--staff",
        "郑晓燕",
        "--type",
        "迟到",
        "--at",
        "2026-11-05 09:10",
    )
    assert code == 0, err
    assert count(hall_url, "seen") == 4
    code, out, _err = run(capsys, *db, "rounds", "--period", "2026-11")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "2026年11月督查组共开展巡查3次。"
    assert "09:00–09:45 甲：巡查窗口 3 个，发现问题 0 项" in lines[0]
    assert "09:10–09:10 乙：巡查窗口 1 个，发现问题 1 项" in lines[1]
    assert "14:00–14:00 甲" in lines[2]


def test_seen_refuses_an_unknown_window(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, *_db(hall_url), "seen", "--window", "99")
    assert code == 1
    assert "99" in err and "Traceback" not in err
    assert count(hall_url, "seen") == 0


def test_clean_month_notice_says_the_patrols_found_nothing(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(hall_url)
    for day in ("03", "10", "17"):
        assert run(capsys, *db, "seen", "--window", "1", "--at", f"2026-10-{day} 09:00")[0] == 0
    code, out, _err = run(capsys, *db, "report", "--period", "2026-10")
    assert code == 0
    assert "督查组对大厅各窗口开展日常巡查3次，未发现违反工作纪律和服务规范的情况" in out
    assert "无巡查记录" not in out
    # An empty month still says so.
    code, out, _err = run(capsys, *db, "report", "--period", "2026-09")
    assert "督查组无巡查记录" in out


def test_notice_counts_the_rounds(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(hall_url)
    assert run(capsys, *db, "seen", "--window", "1", "--at", "2026-10-03 09:00")[0] == 0
    assert (
        run(capsys, *db, "log", "--window", "2", "--staff", "郑晓燕", "--type", "迟到", "--at", "2026-10-09 08:40")[0]
        == 0
    )
    code, out, _err = run(capsys, *db, "report", "--period", "2026-10")
    assert code == 0
    assert "督查组共开展巡查2次，记录扣分1项次。" in out


def test_close_refuses_a_new_finding_and_reopen_lets_it_in(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(hall_url)
    late = ("log", "--window", "2", "--staff", "郑晓燕", "--type", "迟到", "--at", "2026-10-20 08:40")
    assert run(capsys, *db, "close", "--period", "2026-10", "--reason", "通报已印发")[0] == 0
    code, _out, err = run(capsys, *db, *late)
    assert code == 1
    assert "2026-10 已月结" in err and "patrol reopen --period 2026-10" in err
    assert count(hall_url, "finding") == 0
    # A finding of the next month still goes in.
    assert (
        run(capsys, *db, "log", "--window", "2", "--staff", "郑晓燕", "--type", "迟到", "--at", "2026-11-02 08:40")[0]
        == 0
    )
    # Closing twice is refused; reopening needs a reason and then lets the finding in.
    code, _out, err = run(capsys, *db, "close", "--period", "2026-10")
    assert code == 1 and "已经月结" in err
    code, _out, err = run(capsys, *db, "reopen", "--period", "2026-10", "--reason", " ")
    assert code == 1 and "原因" in err
    assert run(capsys, *db, "reopen", "--period", "2026-10", "--reason", "补录纸质巡查表")[0] == 0
    assert run(capsys, *db, *late)[0] == 0
    code, out, _err = run(capsys, *db, "close", "--list")
    assert code == 0
    assert "2026-10 月结" in out and "2026-10 重新打开" in out and "补录纸质巡查表" in out
    assert count(hall_url, "period_close") == 2


def test_a_period_not_yet_ended_cannot_be_closed(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, *_db(hall_url), "close", "--period", "2999-01")
    assert code == 1 and "尚未结束" in err
    assert count(hall_url, "period_close") == 0


def test_close_refuses_a_findings_import_into_the_closed_month(
    hall_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = _db(hall_url)
    assert run(capsys, *db, "close", "--period", "2026-10")[0] == 0
    sheet = tmp_path / "巡查.csv"
    sheet.write_text(
        "时间,窗口编号,姓名,巡查项\n2026-11-03 09:00,2,郑晓燕,迟到\n2026-10-28 09:00,1,魏敏,玩手机\n", encoding="utf-8"
    )
    code, _out, err = run(capsys, *db, "findings", "import", str(sheet))
    assert code == 1
    assert "第3行" in err and "2026-10 已月结" in err
    assert count(hall_url, "finding") == 0  # nothing half-written


def test_correction_after_close_appears_in_appendix_5_and_the_next_notice(
    hall_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = _db(hall_url)
    code, out, _err = run(
        capsys, *db, "log", "--window", "2", "--staff", "郑晓燕", "--type", "迟到", "--at", "2026-10-09 08:40"
    )
    ref = out.split("记录号 ")[1].rstrip("）\n")
    # A correction made after October ended but before it was closed is in October's own notice,
    # not in November's (the punches' re-judging writes many such).
    code, out, _err = run(
        capsys, *db, "log", "--window", "1", "--staff", "魏敏", "--type", "玩手机", "--at", "2026-10-12 10:00"
    )
    early = out.split("记录号 ")[1].rstrip("）\n")
    assert run(capsys, *db, "correct", early, "--void", "--reason", "收尾核对时作废")[0] == 0
    assert run(capsys, *db, "close", "--period", "2026-10")[0] == 0
    code, out, err = run(capsys, *db, "correct", ref, "--type", "早退", "--reason", "经核实为早退")
    assert code == 0, err
    # The closed month's appendix lists the correction in 附表5.
    book = tmp_path / "附表.xlsx"
    assert run(capsys, *db, "export", "--period", "2026-10", "--out", str(book))[0] == 0
    sheets = openpyxl.load_workbook(book, read_only=True)
    fifth = next(ws for ws in sheets.worksheets if ws.title.startswith("附表5"))
    text = "\n".join(str(c) for row in fifth.iter_rows(values_only=True) for c in row if c is not None)
    assert "经核实为早退" in text
    # The next month's notice says what was corrected in the closed month.
    code, out, _err = run(capsys, *db, "report", "--period", "2026-11")
    assert code == 0
    assert "更正上月（2026年10月）巡查记录1项" in out
    assert "经核实为早退" in out and "收尾核对时作废" not in out


def test_a_clean_month_is_ranked_and_judged(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(hall_url)
    code, out, _err = run(capsys, *db, "report", "--period", "2026-10")
    assert "3、考核情况" not in out and "本月不评定满勤、考核排名和评先" in out  # an empty month
    assert run(capsys, *db, "seen", "--window", "1", "--at", "2026-10-03 09:00")[0] == 0
    code, out, _err = run(capsys, *db, "report", "--period", "2026-10")
    assert code == 0
    out = out.replace("】\n\n", "】")
    # A clean month is judged: everyone at 100, one tie; the default rules award only with a bonus.
    assert "3、考核情况\n\n根据日常巡查记录，本月窗口工作人员考核排名第1名的有7人并列（得分均为100.0分）" in out
    assert "无符合条件（无扣分且有加分）的工作人员，不评定服务标兵" in out
    assert "无巡查记录" not in out


@pytest.mark.tampers
@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("seen", "DELETE FROM seen WHERE at = (SELECT MAX(at) FROM seen)"),  # a round made to vanish
        ("period_close", "UPDATE period_close SET reason = '无'"),  # why it was reopened, rewritten
    ],
)
def test_verify_finds_a_seen_or_a_close_changed_behind_its_back(
    hall_url: str, capsys: pytest.CaptureFixture[str], table: str, change: str
) -> None:
    import sqlite3
    from contextlib import closing

    db = _db(hall_url)
    assert run(capsys, *db, "seen", "--window", "1", "--at", "2026-10-03 09:00")[0] == 0
    assert run(capsys, *db, "seen", "--window", "2", "--at", "2026-10-03 09:10")[0] == 0
    assert run(capsys, *db, "close", "--period", "2026-10")[0] == 0
    assert run(capsys, *db, "reopen", "--period", "2026-10", "--reason", "补录")[0] == 0
    assert run(capsys, *db, "verify")[0] == 0
    with closing(sqlite3.connect(hall_url.removeprefix("sqlite:///"))) as conn:
        conn.execute(change)
        conn.commit()
    code, _out, err = run(capsys, *db, "verify")
    assert code == 1
    # A deleted seen is missed by the link after it (the close); a rewritten reason by its hash.
    assert "校验未通过" in err and ("缺少第" in err if table == "seen" else "月结记录" in err)


def test_rounds_and_close_on_postgresql(pg_url: str, roster_file: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """The same SQL on a shared server: seens, rounds, a close that refuses, a reopen, verify."""
    db = ["--db", fresh_database(pg_url)]
    assert run(capsys, *db, "--hall", "测试大厅", "roster", "import", str(roster_file))[0] == 0
    assert run(capsys, *db, "--inspector", "甲", "seen", "--window", "1", "--at", "2026-10-05 09:00")[0] == 0
    assert run(capsys, *db, "--inspector", "甲", "seen", "--window", "2", "--at", "2026-10-05 09:20")[0] == 0
    assert (
        run(capsys, *db, "log", "--window", "2", "--staff", "郑晓燕", "--type", "迟到", "--at", "2026-10-06 08:40")[0]
        == 0
    )
    code, out, _err = run(capsys, *db, "rounds", "--period", "2026-10")
    assert code == 0 and out.strip().splitlines()[-1] == "2026年10月督查组共开展巡查2次。"
    assert run(capsys, *db, "close", "--period", "2026-10")[0] == 0
    code, _out, err = run(
        capsys, *db, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-10-07 08:40"
    )
    assert code == 1 and "2026-10 已月结" in err
    assert run(capsys, *db, "reopen", "--period", "2026-10", "--reason", "补录")[0] == 0
    assert (
        run(capsys, *db, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-10-07 08:40")[0]
        == 0
    )
    assert run(capsys, *db, "verify")[0] == 0


def test_punches_alone_are_no_patrol_finding_in_the_notice(hall_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """A month whose only findings came from the clock-in, patrolled with nothing wrong, is a clean
    month: the punches are said under 考勤情况, never counted as 巡查发现."""
    from patrol.cli import main
    from patrol.hall.opening import open_hall
    from storage.writes import insert_findings
    from tests.conftest import fixed_clock

    service = open_hall(hall_url, None, clock=fixed_clock)
    window = service.lookup.window("1")
    values = service.findings.values(
        window, service.lookup.resolve_staff("魏敏", window), service.lookup.rule("迟到"), at=fixed_clock()
    )
    insert_findings(service.engine, [{**values, "source": "clockin", "minutes": 7}])
    service.close()
    assert main(["--db", hall_url, "seen", "--window", "2", "--at", "2026-11-17 10:00"]) == 0
    capsys.readouterr()
    assert main(["--db", hall_url, "report", "--period", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "督查组对大厅各窗口开展日常巡查1次，未发现违反工作纪律和服务规范的情况" in out
    assert "记录巡查发现" not in out


def test_a_closed_month_takes_no_round_hours_or_rules_that_would_change_it(
    hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """After close, nothing may change what the closed month's notice says: a window seen in it
    (one round more), a working day changed in it, hours or rules in force from a day in it or
    before. Each is refused in one line with how to reopen, and nothing is written; the same
    changes after the month still go in."""
    db = _db(hall_url)
    assert run(capsys, *db, "close", "--period", "2026-10")[0] == 0
    before = (count(hall_url, "seen"), count(hall_url, "row_version"))
    refused = [
        ("seen", "--window", "2", "--at", "2026-10-20 10:00"),
        ("hours", "day", "2026-10-15", "--off"),
        ("hours", "set", "--from", "2026-10-01", "--am", "09:00-12:00", "--pm", "14:00-17:00"),
        ("rules", "set", "服务标兵人数", "1", "--from", "2026-10-01"),
    ]
    for args in refused:
        code, _out, err = run(capsys, *db, *args)
        assert code == 1 and "2026-10 已月结" in err and "patrol reopen" in err, (args, err)
        assert len(err.strip().splitlines()) == 1
    assert (count(hall_url, "seen"), count(hall_url, "row_version")) == before
    assert run(capsys, *db, "seen", "--window", "2", "--at", "2026-11-02 10:00")[0] == 0
    assert run(capsys, *db, "hours", "day", "2026-11-20", "--off")[0] == 0
    assert run(capsys, *db, "rules", "set", "服务标兵人数", "1", "--from", "2026-11-01")[0] == 0
