"""Corrections, never edits: void or amend with a reason; the appendix lists every one."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from patrol.cli import main
from patrol.hall.service import HallService
from patrol.reports.export import export
from patrol.rules.periods import Period
from tests.conftest import log_at, run


def logged_id(capsys, url: str, *args: str) -> str:
    code, out, _ = run(capsys, "--db", url, "log", *args)
    assert code == 0
    return re.search(r"记录号 (\d{4}-\d{4,})", out)[1]


def staff_score(capsys, url: str, name: str) -> float:
    _, out, _ = run(capsys, "--db", url, "rank", "--period", "2026-11", "--format", "json")
    return next(r["score"] for r in json.loads(out) if r["name"] == name)


def test_amend_and_void_from_the_command_line(hall_url: str, capsys) -> None:
    fid = logged_id(capsys, hall_url, "--window", "4", "--staff", "张梅", "--type", "睡岗", "--at", "2026-11-03 10:00")
    assert staff_score(capsys, hall_url, "张梅") == 98
    code, out, _ = run(capsys, "--db", hall_url, "correct", fid, "--type", "闲聊", "--reason", "经核实为闲聊")
    assert code == 0 and "已更正 2611-0001：巡查项：睡岗→闲聊（新记录号 2611-0002" in out
    assert staff_score(capsys, hall_url, "张梅") == 99.5
    code, _, err = run(capsys, "--db", hall_url, "correct", fid, "--void", "--reason", "再改")
    assert code == 1 and "已被更正过，现在的版本是 2611-0002" in err  # the old version cannot be corrected again
    new_id = re.search(r"新记录号 (\d{4}-\d{4,})", out)[1]
    code, out, _ = run(capsys, "--db", hall_url, "correct", new_id, "--void", "--reason", "当日请假，记录有误")
    assert code == 0 and "已作废" in out
    assert staff_score(capsys, hall_url, "张梅") == 100
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == 2  # nothing deleted
        reasons = [r[0] for r in conn.execute("SELECT reason FROM correction ORDER BY at")]
    assert reasons == ["经核实为闲聊", "当日请假，记录有误"]


def test_amend_person_window_and_time(hall_url: str, capsys) -> None:
    fid = logged_id(capsys, hall_url, "--window", "2", "--staff", "张伟", "--type", "迟到", "--at", "2026-11-03 09:10")
    code, out, _ = run(
        capsys,
        "--db",
        hall_url,
        "correct",
        fid,
        "--window",
        "3",
        "--substitute",
        "--at",
        "2026-11-03 09:20",
        "--reason",
        "是住建窗口的替岗人员",
    )
    assert code == 0 and "替岗人员" in out
    assert staff_score(capsys, hall_url, "张伟") == 100  # neither 张伟 carries it now
    code, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--by", "window", "--format", "json")
    windows = {r["window"]: r for r in json.loads(out)}
    assert windows["3"]["deductions"] == -1 and windows["2"]["deductions"] == 0


@pytest.mark.parametrize(
    ("args", "expected", "exit_code"),
    [
        (["--void", "--reason", "  "], "必须写明原因", 1),
        (["--reason", "没有改动"], "没有要更正的内容", 1),
        (["--void", "--type", "早退", "--reason", "x"], "作废不能与其他修改同时进行", 1),
        (["--type", "打盹", "--reason", "x"], "未知的巡查项", 1),
        (["--at", "2099-01-01 09:00", "--reason", "x"], "在未来", 1),
        (["--staff", "李四", "--reason", "x"], "没有名为“李四”的在岗人员", 1),
    ],
)
def test_bad_corrections_change_nothing(hall_url: str, capsys, args, expected, exit_code) -> None:
    fid = logged_id(capsys, hall_url, "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-11-03 09:10")
    code, _, err = run(capsys, "--db", hall_url, "correct", fid, *args)
    assert code == exit_code and expected in err
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM correction").fetchone()[0] == 0


def test_findings_of_one_minute_have_their_own_references(hall_url: str, capsys) -> None:
    """Two findings logged in the same minute used to share an 8-character id prefix
    ("记录号“01a20ef1”对应多条记录"); their references are their own, numbered by month."""
    first = logged_id(
        capsys, hall_url, "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-11-03 09:10"
    )
    second = logged_id(
        capsys, hall_url, "--window", "1", "--staff", "曾伟", "--type", "迟到", "--at", "2026-11-03 09:10"
    )
    october = logged_id(
        capsys, hall_url, "--window", "2", "--staff", "张伟", "--type", "早退", "--at", "2026-10-30 17:00"
    )
    assert (first, second, october) == ("2611-0001", "2611-0002", "2610-0001")
    code, out, _ = run(capsys, "--db", hall_url, "correct", second, "--void", "--reason", "记错了人")
    assert code == 0 and "曾伟" in out
    code, out, _ = run(capsys, "--db", hall_url, "record", "--window", "1", "--period", "2026-11")
    assert first in out and second not in out  # the voided one is gone from the record, its number stays its own
    assert main(["--db", hall_url, "verify"]) == 0


@pytest.mark.parametrize(
    ("reference", "expected"), [("0123", "太短"), ("ffffffff", "找不到记录号"), ("2611-0099", "找不到")]
)
def test_unknown_or_short_record_numbers(hall_url: str, capsys, reference: str, expected: str) -> None:
    code, _, err = run(capsys, "--db", hall_url, "correct", reference, "--void", "--reason", "x")
    assert code == 1 and expected in err


def test_reason_is_required_by_the_command_line(hall_url: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", hall_url, "correct", "01234567", "--void"])
    assert exit_info.value.code == 2 and "--reason" in capsys.readouterr().err


def test_the_appendix_lists_every_correction(service: HallService, tmp_path: Path) -> None:
    first = log_at(service, "4", "张梅", "睡岗", "2026-11-03 10:00")
    second = log_at(service, "1", "魏敏", "迟到", "2026-11-04 09:05")
    log_at(service, "1", "曾伟", "玩手机", "2026-11-05 11:00")
    service.findings.correct(first, "经核实为闲聊", item=service.lookup.rule("闲聊"))
    service.findings.correct(second, "当日请假", void=True)
    path, _ = export(service, Period.parse("2026-11"), tmp_path)
    sheet = load_workbook(path)["附表5 更正记录"]
    assert sheet["A1"].value == "测试大厅2026年11月更正记录"
    assert [c.value for c in sheet[3]] == [
        "序号",
        "更正时间",
        "原记录时间",
        "窗口",
        "人员",
        "原巡查项",
        "更正内容",
        "原因",
        "更正人",
    ]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows] == [
        ("不动产登记窗口", "张梅", "睡岗", "巡查项：睡岗→闲聊", "经核实为闲聊", "测试督查"),
        ("综合窗口", "魏敏", "迟到", "作废", "当日请假", "测试督查"),
    ]
    assert rows[0][2] == datetime(2026, 11, 3, 10, 0)  # a time the spreadsheet can sort and compute with
    assert sheet["C4"].number_format == "yyyy-mm-dd hh:mm"
    detail = [
        r for r in load_workbook(path)["附表1 巡查明细"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)
    ]
    assert [r[8] for r in detail] == ["闲聊", "玩手机"]  # the effective log only
