"""Working hours, clock-in imports and leave (issue 10, points 1–3), through the command line on
real SQLite files: what an inspector sees in the findings after `clockin import` and `leave`.

The hall is conftest's (5 windows, 7 staff; 张伟 at window 2 区市场监督管理局 and at window 3
区住房和城乡建设局). November 2026 has no national holiday: 2 November is a Monday.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from patrol.rules.hours import WorkHours, judge_day, parse_range
from patrol.rules.workdays import beyond_calendar, is_working_day, national_working_day
from tests.conftest import count, log_at, run

HOURS = ("hours", "set", "--from", "2026-01-01", "--am", "09:00-12:00", "--pm", "14:00-17:00", "--grace", "5")


def findings(url: str, name: str | None = None, day: str | None = None) -> list[tuple[str, str, int | None, int]]:
    """Effective findings as (item, source, minutes, count), of ``name`` on local ``day`` if given."""
    sql = (
        "SELECT t.name, f.source, f.minutes, f.count, s.name, f.at FROM finding f "
        "JOIN finding_type t ON t.id = f.type_id LEFT JOIN staff s ON s.id = f.staff_id "
        "WHERE NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id) ORDER BY f.at, t.name"
    )
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        rows = conn.execute(sql).fetchall()
    out = []
    for item, source, minutes, number, person, at in rows:
        # Times are stored in UTC; the hall is UTC+8 and every finding here is in working hours.
        if (name is None or person == name) and (day is None or str(at)[:10] == day):
            out.append((item, source, minutes, number))
    return out


@pytest.fixture
def hours_url(hall_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(capsys, "--db", hall_url, *HOURS)[0] == 0
    return hall_url


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


PUNCHES = """姓名,打卡时间,部门,设备
魏敏,2026-11-02 09:07:30,,大厅东门
魏敏,2026-11-02 17:02:11,,大厅东门
曾伟,2026-11-02 08:55:00,,大厅东门
曾伟,2026-11-02 16:40:59,,大厅东门
郑晓燕,2026-11-02 09:05:00,,大厅东门
"""


def test_punches_from_a_gbk_csv_give_late_with_minutes_early_and_missing(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "打卡.csv", PUNCHES, "gbk")
    code, out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 0, err
    assert "打卡记录 5 条" in out
    # 09:07:30 against 09:00 with 5 minutes' grace: 7 minutes late, counted from the start.
    assert findings(hours_url, "魏敏") == [("迟到", "clockin", 7, 1)]
    # Out at 16:40:59: 20 minutes before 17:00 (to the minute begun).
    assert findings(hours_url, "曾伟") == [("早退", "clockin", 19, 1)]
    # 09:05 is within the grace; no way out: one punch missing.
    assert findings(hours_url, "郑晓燕") == [("缺卡", "clockin", None, 1)]
    # Posted that day with no punch at all: both punches missing, in one finding.
    assert findings(hours_url, "张梅") == [("缺卡", "clockin", None, 2)]
    assert count(hours_url, "punch") == 5


def test_the_same_punches_imported_again_add_nothing(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "打卡.csv", PUNCHES)
    assert run(capsys, "--db", hours_url, "clockin", "import", str(path))[0] == 0
    before = findings(hours_url)
    code, out, _err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 0
    assert "新 0 条，已导入过 5 条" in out
    assert findings(hours_url) == before
    assert count(hours_url, "punch") == 5


def test_one_row_per_person_and_day_with_a_bom_and_empty_cells(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "姓名,日期,上班1打卡时间,下班1打卡时间,部门\n魏敏,2026/11/03,09:21,17:00:05,\n曾伟,2026-11-03,,17:30,\n"
    path = write(tmp_path, "日报.csv", text, "utf-8-sig")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 0, err
    assert findings(hours_url, "魏敏") == [("迟到", "clockin", 21, 1)]
    assert findings(hours_url, "曾伟") == [("缺卡", "clockin", None, 1)]


def test_an_xlsx_of_punches(hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "日期时间"])
    sheet.append(["张梅", datetime(2026, 11, 4, 9, 5, 30)])  # a date cell with seconds: after 09:05
    sheet.append(["张梅", "2026-11-04 17:00:00"])
    path = tmp_path / "打卡.xlsx"
    book.save(path)
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 0, err
    assert findings(hours_url, "张梅") == [("迟到", "clockin", 5, 1)]


def test_unknown_names_are_refused_or_skipped(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "打卡.csv", PUNCHES + "王五,2026-11-02 09:00:00,,\n")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 1
    assert "王五（第7行）" in err and "--skip-unknown" in err
    assert count(hours_url, "punch") == 0 and findings(hours_url) == []
    code, out, _err = run(capsys, "--db", hours_url, "clockin", "import", str(path), "--skip-unknown")
    assert code == 0
    assert "跳过名册外 1 人：王五" in out
    assert count(hours_url, "punch") == 5


def test_two_of_one_name_are_told_apart_by_their_unit(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "打卡.csv", "姓名,打卡时间\n张伟,2026-11-02 09:00\n")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 1
    assert "打卡.csv 第2行“姓名”列" in err and "2 位“张伟”" in err
    path = write(tmp_path, "打卡.csv", "姓名,打卡时间,部门\n张伟,2026-11-02 09:12,区住房和城乡建设局\n")
    assert run(capsys, "--db", hours_url, "clockin", "import", str(path))[0] == 0
    with closing(sqlite3.connect(hours_url.removeprefix("sqlite:///"))) as conn:
        late = conn.execute(
            "SELECT w.code, f.minutes FROM finding f JOIN finding_type t ON t.id = f.type_id "
            "JOIN window w ON w.id = f.window_id WHERE t.name = '迟到'"
        ).fetchall()
    assert late == [("3", 12)]


def test_a_bad_row_names_file_row_and_column_and_nothing_is_written(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "打卡.csv", "姓名,打卡时间\n魏敏,2026-11-02 09:00\n曾伟,2026-11-02 25:61\n")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 1
    assert "打卡.csv 第3行“打卡时间”列" in err and "25:61" in err
    assert len(err.strip().splitlines()) == 1
    assert count(hours_url, "punch") == 0


def test_dry_run_writes_nothing(hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "打卡.csv", PUNCHES)
    code, out, _err = run(capsys, "--db", hours_url, "clockin", "import", str(path), "--dry-run")
    assert code == 0 and "未写入" in out and "迟到 1 条" in out
    assert count(hours_url, "punch") == 0 and count(hours_url, "finding") == 0


def test_without_hours_the_import_is_refused(hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "打卡.csv", PUNCHES)
    code, _out, err = run(capsys, "--db", hall_url, "clockin", "import", str(path))
    assert code == 1 and "patrol hours set" in err
    assert count(hall_url, "punch") == 0


def test_a_patrol_late_and_a_punch_late_of_one_day_count_once(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], service
) -> None:
    log_at(service, "1", "魏敏", "迟到", "2026-11-02 09:20")
    path = write(tmp_path, "打卡.csv", PUNCHES)
    assert run(capsys, "--db", hours_url, "clockin", "import", str(path))[0] == 0
    assert [f[:2] for f in findings(hours_url, "魏敏")] == [("迟到", "patrol")]


def test_a_patrol_late_after_the_punch_late_of_that_day_is_refused(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other order: the punches found 魏敏 late on 2 November, then an inspector logs it too.
    It would count twice (−2 where 附表4 says one day), so the log is refused in one line that
    names the punch finding; another day's 迟到 goes in."""
    path = write(tmp_path, "打卡.csv", PUNCHES)
    assert run(capsys, "--db", hours_url, "clockin", "import", str(path))[0] == 0
    assert [f[:2] for f in findings(hours_url, "魏敏")] == [("迟到", "clockin")]
    log = ("log", "--window", "1", "--staff", "魏敏", "--type", "迟到")
    code, _out, err = run(capsys, "--db", hours_url, *log, "--at", "2026-11-02 09:30")
    assert code == 1 and "打卡记录已记魏敏11月2日迟到" in err and "同一天只计一次" in err
    assert [f[:2] for f in findings(hours_url, "魏敏")] == [("迟到", "clockin")]
    assert run(capsys, "--db", hours_url, *log, "--at", "2026-11-03 09:30")[0] == 0


def test_leave_excuses_the_punches_and_counts_as_leave(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "打卡.csv", PUNCHES)
    assert run(capsys, "--db", hours_url, "clockin", "import", str(path))[0] == 0
    assert findings(hours_url, "张梅") == [("缺卡", "clockin", None, 2)]
    code, out, err = run(
        capsys,
        "--db",
        hours_url,
        "leave",
        "add",
        "张梅",
        "--from",
        "2026-10-31",
        "--to",
        "2026-11-03",
        "--type",
        "病假",
    )
    assert code == 0, err
    # 31 October and 1 November are a weekend: two working days of leave.
    assert "共 2 个工作日" in out and "作废当日打卡记录 1 条" in out
    assert findings(hours_url, "张梅") == [("请假", "leave", None, 1), ("请假", "leave", None, 1)]
    with closing(sqlite3.connect(hours_url.removeprefix("sqlite:///"))) as conn:
        [(reason,)] = conn.execute("SELECT reason FROM correction").fetchall()
    assert "病假" in reason
    # Punches of a day on leave, imported later, give no finding either.
    later = write(tmp_path, "打卡2.csv", "姓名,打卡时间\n张梅,2026-11-03 10:00\n")
    assert run(capsys, "--db", hours_url, "clockin", "import", str(later))[0] == 0
    assert [f[0] for f in findings(hours_url, "张梅")] == ["请假", "请假"]


def test_a_leave_register_file(hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "姓名,开始日期,结束日期,类型,审批人,部门\n张伟,2026-11-05,2026-11-06,年休假,李主任,区市场监督管理局\n"
    path = write(tmp_path, "请假.csv", text, "gb18030")
    code, out, err = run(capsys, "--db", hours_url, "leave", "import", str(path))
    assert code == 0, err
    assert "共 2 个工作日" in out
    assert len(findings(hours_url, "张伟")) == 2
    # The same register again adds nothing.
    assert run(capsys, "--db", hours_url, "leave", "import", str(path))[0] == 0
    assert len(findings(hours_url, "张伟")) == 2
    bad = write(tmp_path, "请假2.csv", "姓名,开始日期,结束日期,类型\n魏敏,2026-11-09,2026-11-06,事假\n")
    code, _out, err = run(capsys, "--db", hours_url, "leave", "import", str(bad))
    assert code == 1 and "请假2.csv 第2行“结束日期”列" in err and "早于开始日期" in err


def test_the_halls_own_days_swap_the_national_calendar(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Saturday 7 November worked; Monday 9 November off.
    assert run(capsys, "--db", hours_url, "hours", "day", "2026-11-07", "--work", "--note", "周六延时服务")[0] == 0
    assert run(capsys, "--db", hours_url, "hours", "day", "2026-11-09", "--off")[0] == 0
    path = write(tmp_path, "打卡.csv", "姓名,打卡时间\n魏敏,2026-11-07 09:00\n魏敏,2026-11-09 17:00\n")
    assert run(capsys, "--db", hours_url, "clockin", "import", str(path))[0] == 0
    assert findings(hours_url, "魏敏") == [("缺卡", "clockin", None, 1)]  # 7 Nov: no way out
    assert findings(hours_url, "曾伟", "2026-11-07") == [("缺卡", "clockin", None, 2)]
    assert findings(hours_url, "曾伟", "2026-11-09") == []
    code, out, _err = run(capsys, "--db", hours_url, "hours", "show")
    assert code == 0
    assert "2026-11-07 上班（大厅自定）" in out and "2026-11-09 休息（大厅自定）" in out


def test_the_national_calendar_and_beyond_it() -> None:
    # 2026: Saturday 28 February … the 2026 notice's swapped days hold where the package has them;
    # a plain check: 1 October (National Day) rests, a Monday in November works.
    assert not national_working_day(date(2026, 10, 1))
    assert national_working_day(date(2026, 11, 2))
    assert is_working_day(date(2026, 10, 1), {date(2026, 10, 1): True})
    # Beyond the package's years: Monday to Friday, and one warning line.
    assert national_working_day(date(2099, 1, 1))  # a Thursday, whatever holiday it may be
    assert not national_working_day(date(2099, 1, 3))  # a Saturday
    warning = beyond_calendar(date(2099, 1, 1), date(2099, 2, 1))
    assert warning is not None and "周一至周五" in warning
    assert beyond_calendar(date(2026, 11, 1), date(2026, 12, 1)) is None


def test_four_punches_a_day() -> None:
    hours = WorkHours(date(2026, 1, 1), parse_range("09:00-12:00", "上午"), parse_range("14:00-17:00", "下午"), 0, 4)
    day = date(2026, 11, 2)

    def at(text: str):
        from datetime import datetime

        return datetime.fromisoformat(f"2026-11-02 {text}")

    verdict = judge_day(hours, day, [at("09:10"), at("12:00"), at("14:03"), at("16:50")])
    assert verdict.late_minutes == 13 and verdict.early_minutes == 10 and verdict.missing == 0
    verdict = judge_day(hours, day, [at("08:59"), at("17:00")])
    assert verdict.late_minutes is None and verdict.missing == 2


def test_bad_hours_are_refused(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        capsys, "--db", hall_url, "hours", "set", "--from", "2026-01-01", "--am", "9-12", "--pm", "14:00-17:00"
    )
    assert code == 1 and "上午时间“9-12”" in err
    assert count(hall_url, "work_hours") == 0


def test_ids_made_in_a_batch_are_distinct_uuid7_in_order() -> None:
    import uuid

    from storage.ids import new_ids

    ids = new_ids(10_000)
    assert len(set(ids)) == 10_000 and ids == sorted(ids)
    assert {uuid.UUID(i).version for i in ids} == {7}
    assert {uuid.UUID(i).variant for i in ids} == {uuid.RFC_4122}


def test_a_later_file_with_the_missing_punch_corrects_the_missing_punch_finding(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    morning = write(tmp_path, "上午.csv", "姓名,打卡时间\n魏敏,2026-11-02 08:58\n")
    assert run(capsys, "--db", hours_url, "clockin", "import", str(morning))[0] == 0
    assert findings(hours_url, "魏敏") == [("缺卡", "clockin", None, 1)]
    evening = write(tmp_path, "下午.csv", "姓名,打卡时间\n魏敏,2026-11-02 16:50\n")
    code, out, err = run(capsys, "--db", hours_url, "clockin", "import", str(evening))
    assert code == 0, err
    assert "按补充的打卡记录更正 1 条" in out
    assert findings(hours_url, "魏敏") == [("早退", "clockin", 10, 1)]
    # Everyone else's day is as it was: nothing new, nothing voided.
    assert findings(hours_url, "张梅") == [("缺卡", "clockin", None, 2)]
    with closing(sqlite3.connect(hours_url.removeprefix("sqlite:///"))) as conn:
        assert conn.execute("SELECT reason FROM correction").fetchall() == [("补充打卡记录后重新判断",)]


def test_summer_and_winter_hours_each_judge_their_own_days(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    winter = ("hours", "set", "--from", "2026-11-05", "--am", "08:30-12:00", "--pm", "14:00-17:30")
    assert run(capsys, "--db", hours_url, *winter)[0] == 0
    text = "姓名,打卡时间\n魏敏,2026-11-04 08:50\n魏敏,2026-11-04 17:00\n魏敏,2026-11-05 08:50\n魏敏,2026-11-05 17:30\n"
    assert run(capsys, "--db", hours_url, "clockin", "import", str(write(tmp_path, "p.csv", text)))[0] == 0
    # 4 November under the first hours (09:00, 5 minutes' grace): on time; 5 November: 20 late.
    assert findings(hours_url, "魏敏", "2026-11-04") == []
    assert findings(hours_url, "魏敏", "2026-11-05") == [("迟到", "clockin", 20, 1)]
    code, out, _err = run(capsys, "--db", hours_url, "hours", "show")
    assert code == 0 and "2026-11-05 起：上午 08:30-12:00，下午 14:00-17:30" in out


@pytest.mark.tampers
def test_hours_changed_behind_patrols_back_fail_verify(hours_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with closing(sqlite3.connect(hours_url.removeprefix("sqlite:///"))) as conn:
        conn.execute("UPDATE work_hours SET grace = 60")
        conn.commit()
    code, _out, err = run(capsys, "--db", hours_url, "verify")
    assert code == 1 and "作息时间" in err and "宽限分钟" in err


def test_four_punches_a_day_from_one_row_per_person_and_day(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    four = ("hours", "set", "--from", "2026-01-01", "--am", "09:00-12:00", "--pm", "14:00-17:00", "--punches", "4")
    assert run(capsys, "--db", hall_url, *four)[0] == 0
    text = (
        "姓名,日期,上班1打卡时间,下班1打卡时间,上班2打卡时间,下班2打卡时间\n"
        "魏敏,2026-11-02,08:55,12:01,14:09:59,17:00\n"
        "曾伟,2026-11-02,08:55,,14:00,17:00\n"
    )
    assert run(capsys, "--db", hall_url, "clockin", "import", str(write(tmp_path, "四次.csv", text)))[0] == 0
    assert findings(hall_url, "魏敏") == [("迟到", "clockin", 9, 1)]
    assert findings(hall_url, "曾伟") == [("缺卡", "clockin", None, 1)]
    assert findings(hall_url, "张梅") == [("缺卡", "clockin", None, 4)]


def test_a_future_punch_or_a_wrong_year_is_refused(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    future = write(tmp_path, "未来.csv", "姓名,打卡时间\n魏敏,2026-11-02 09:00\n魏敏,2099-11-02 09:00\n")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(future))
    assert code == 1 and "未来.csv 第3行“打卡时间”列" in err and "在未来" in err
    typo = write(tmp_path, "年份.csv", "姓名,打卡时间\n魏敏,2026-11-02 09:00\n魏敏,2016-11-02 09:00\n")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(typo))
    assert code == 1 and "跨度超过" in err
    assert count(hours_url, "punch") == 0 and count(hours_url, "finding") == 0


def test_leave_add_tells_two_of_one_name_apart_by_window(hours_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    leave = ("leave", "add", "张伟", "--from", "2026-11-10", "--to", "2026-11-10", "--type", "公出")
    code, _out, err = run(capsys, "--db", hours_url, *leave)
    assert code == 1 and "名册中有多位“张伟”：请用 --window 窗口编号 指明是哪一位" in err
    assert run(capsys, "--db", hours_url, *leave, "--window", "3")[0] == 0
    with closing(sqlite3.connect(hours_url.removeprefix("sqlite:///"))) as conn:
        rows = conn.execute("SELECT w.code, f.source FROM finding f JOIN window w ON w.id = f.window_id").fetchall()
    assert rows == [("3", "leave")]
    code, _out, err = run(capsys, "--db", hours_url, *leave, "--window", "3")
    assert code == 1 and "已登记过" in err


def test_a_column_named_twice_is_refused_not_half_read(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with 打卡时间 twice: reading the first column alone would lose every second punch
    and turn it into 缺卡. It is refused, naming both columns, and nothing is written."""
    path = write(tmp_path, "两列.csv", "姓名,打卡时间,打卡时间\n魏敏,2026-11-02 08:55,2026-11-02 17:01\n")
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(path))
    assert code == 1 and "“打卡时间”列出现两次（B列和C列）" in err
    assert findings(hours_url) == []


def test_a_count_on_a_day_item_is_refused(hours_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """迟到 ×3 would deduct three where 附表4 shows one day: 迟到, 早退 and 请假 are one a day."""
    log = ("log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2026-11-03 09:30")
    code, _out, err = run(capsys, "--db", hours_url, *log, "--count", "3")
    assert code == 1 and "按天记录" in err and len(err.strip().splitlines()) == 1
    assert findings(hours_url) == []
    assert run(capsys, "--db", hours_url, *log)[0] == 0


def test_the_command_line_says_what_is_missing_in_chinese(hours_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`hours day` without --work or --off, and `leave add` of a name two people share without
    --window, each end in one Chinese line that names the option to add."""
    code, _out, err = run(capsys, "--db", hours_url, "hours", "day", "2026-11-07")
    assert code == 1 and err.strip().endswith("请写明 2026-11-07 是工作日（--work）还是休息日（--off）。")
    leave = ("leave", "add", "张伟", "--from", "2026-11-09", "--to", "2026-11-09", "--type", "事假")
    code, _out, err = run(capsys, "--db", hours_url, *leave)
    assert code == 1 and "请用 --window 窗口编号 指明是哪一位" in err and len(err.strip().splitlines()) == 1
    assert run(capsys, "--db", hours_url, *leave, "--window", "2")[0] == 0


def test_swapped_in_and_out_cells_of_a_day_are_refused(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """上班 17:10 and 下班 08:50 would read as on time both ways (the 17:10 arrival is late):
    the row is refused with its column, and nothing is written."""
    text = "姓名,日期,上班打卡,下班打卡\n魏敏,2026-11-02,08:55,17:01\n曾伟,2026-11-02,17:10,08:50\n"
    code, _out, err = run(capsys, "--db", hours_url, "clockin", "import", str(write(tmp_path, "日报.csv", text)))
    assert code == 1 and "第3行“下班打卡”列" in err and "填反" in err
    assert findings(hours_url) == []


def test_leave_a_year_ahead_is_a_year_typed_wrong(
    hours_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A register row for 2099 would write a 请假 finding in 2099: refused with its row and column,
    as `leave add` refuses it; nothing is written."""
    text = "姓名,开始日期,结束日期,类型\n魏敏,2026-11-09,2026-11-09,事假\n曾伟,2099-11-19,2099-11-19,事假\n"
    code, _out, err = run(capsys, "--db", hours_url, "leave", "import", str(write(tmp_path, "请假.csv", text)))
    assert code == 1 and "第3行“结束日期”列" in err and "请检查年份" in err
    assert findings(hours_url) == []
    add = ("leave", "add", "魏敏", "--from", "2099-11-19", "--to", "2099-11-19", "--type", "事假")
    code, _out, err = run(capsys, "--db", hours_url, *add)
    assert code == 1 and "请检查年份" in err
