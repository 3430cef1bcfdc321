"""满勤 as DESIGN says, 附表4 考勤汇总 and the notice's 考勤 paragraph, from a November with punches
(findings from the clock-in, ``source='clockin'``), leave (``source='leave'``) and patrols.

The punches are stored as they are (``record_attendance``) and the findings they give inserted as
the clock-in importer writes them, so the figures can be worked out by hand; the leave goes
through `patrol leave add`. November 2026 has 21 working days (no holiday)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from patrol.cli import main
from patrol.hall.service import HallService
from patrol.reports.export import export
from patrol.reports.notice import draft_notice
from patrol.reports.period_report import gather
from patrol.rules.periods import Period, parse_local_time
from storage.writes import insert_findings
from tests.conftest import log_at, written_after
from tests.test_notice_wording import body_of

NOVEMBER = Period.parse("2026-11")
HEADER = [
    "窗口",
    "姓名",
    "应出勤天数",
    "实际出勤天数",
    "迟到（次）",
    "迟到（分钟）",
    "早退",
    "缺卡",
    "请假（天）",
    "脱岗",
    "串岗",
    "满勤",
]


def arrived(
    service: HallService, code: str, person: str, item: str, when: str, source: str, minutes: int | None = None
) -> None:
    """A finding as the clock-in or leave importer gives it: chained, with its source and minutes."""
    window = service.lookup.window(code)
    values = service.findings.values(
        window,
        service.lookup.resolve_staff(person, window),
        service.lookup.rule(item),
        at=parse_local_time(when, service.hall.tz),
    )
    # count is given although it is the default: a chained row is hashed with the values passed,
    # and insert_findings hashes a missing count as unset where the table then stores 1.
    values.update(source=source, count=1)
    if minutes is not None:
        values["minutes"] = minutes
    insert_findings(service.engine, [values])


@pytest.fixture
def punched(service: HallService, hall_url: str) -> HallService:
    """November, worked out by hand (21 working days, Monday to Friday):

    - 综合窗口魏敏: nothing. 满勤.
    - 综合窗口曾伟: late by the punches on the 6th (12 min) and 9th (5 min): 2 times, 17 minutes.
    - 市场监管窗口郑晓燕: a missing punch on the 10th.
    - 市场监管窗口张伟: leave on the 11th and 12th (2 days; present 19).
    - 住建窗口张伟: 串岗 once, by a patrol. 串岗 is no absence: still 满勤.
    - 住建窗口单雄: late on the 5th by a patrol and by the punches (8 min): one day, 8 minutes.
    - 不动产登记窗口张梅: 脱岗 once, by a patrol (she punched in and out: present 21).
    - 住建窗口's substitute: late twice, by patrols.
    """
    arrived(service, "1", "曾伟", "迟到", "2026-11-06 09:12", "clockin", 12)
    arrived(service, "1", "曾伟", "迟到", "2026-11-09 09:05", "clockin", 5)
    arrived(service, "2", "郑晓燕", "缺卡", "2026-11-10 17:30", "clockin")
    leave = ["leave", "add", "张伟", "--window", "2", "--from", "2026-11-11", "--to", "2026-11-12", "--type", "事假"]
    assert main(["--db", hall_url, *leave]) == 0
    log_at(service, "3", "张伟", "串岗", "2026-11-13 10:00")
    log_at(service, "3", "单雄", "迟到", "2026-11-05 09:20")
    arrived(service, "3", "单雄", "迟到", "2026-11-05 09:08", "clockin", 8)
    log_at(service, "4", "张梅", "脱岗", "2026-11-16 15:00")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-04 09:05")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-12 09:10")
    punch_everyone(service, missing={("郑晓燕", "2026-11-10 17:30")}, away={("市场监管窗口", "张伟"): {11, 12}})
    return service


def punch_everyone(service: HallService, missing: set[tuple[str, str]], away: dict[tuple[str, str], set[int]]) -> None:
    """The punches behind those findings: everyone in at 09:00 and out at 17:30 on each working
    day of November (the late ones at their minutes), but for a missing punch and the days away."""
    from datetime import date, timedelta

    from storage.writes import record_attendance

    lateness = {("曾伟", 6): 12, ("曾伟", 9): 5, ("单雄", 5): 8}
    punches = []
    for window in service.windows:
        for person in service.lookup.staff_at(window.id):
            days = (date(2026, 11, 1) + timedelta(days=n) for n in range(30))
            for day in (d for d in days if d.weekday() < 5 and d.day not in away.get((window.name, person.name), ())):
                late = lateness.get((person.name, day.day), 0)
                for stamp in (f"{day} 09:{late:02d}", f"{day} 17:30"):
                    if (person.name, stamp) not in missing:
                        punches.append((person.id, parse_local_time(stamp, service.hall.tz), "考勤机"))
    record_attendance(service.engine, hall_id=service.hall.id, punches=punches)


def attendance_rows(path: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    sheet = load_workbook(path)["附表4 考勤汇总"]
    assert [c.value for c in sheet[3]] == HEADER
    return {(str(r[0]), str(r[1])): r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1]}


def test_the_attendance_sheet_counts_days_lateness_leave_and_roaming(punched: HallService, tmp_path: Path) -> None:
    path, _ = export(punched, NOVEMBER, tmp_path)
    rows = attendance_rows(path)
    # 窗口, 姓名, 应出勤, 实际出勤, 迟到次, 迟到分钟, 早退, 缺卡, 请假天, 脱岗, 串岗, 满勤
    assert rows[("综合窗口", "魏敏")] == ("综合窗口", "魏敏", 21, 21, 0, 0, 0, 0, 0, 0, 0, "是")
    assert rows[("综合窗口", "曾伟")] == ("综合窗口", "曾伟", 21, 21, 2, 17, 0, 0, 0, 0, 0, "否")
    assert rows[("市场监管窗口", "郑晓燕")] == ("市场监管窗口", "郑晓燕", 21, 21, 0, 0, 0, 1, 0, 0, 0, "否")
    assert rows[("市场监管窗口", "张伟")] == ("市场监管窗口", "张伟", 21, 19, 0, 0, 0, 0, 2, 0, 0, "否")
    assert rows[("住建窗口", "张伟")] == ("住建窗口", "张伟", 21, 21, 0, 0, 0, 0, 0, 0, 1, "是")
    assert rows[("住建窗口", "单雄")] == ("住建窗口", "单雄", 21, 21, 1, 8, 0, 0, 0, 0, 0, "否")
    assert rows[("不动产登记窗口", "张梅")] == ("不动产登记窗口", "张梅", 21, 21, 0, 0, 0, 0, 0, 1, 0, "否")
    assert rows[("住建窗口", "替岗人员")] == ("住建窗口", "替岗人员", "—", "—", 2, 0, 0, 0, "—", 0, 0, "—")
    assert len(rows) == 8  # seven people, one substitutes' row (only the window whose substitute has a record)
    notes = [str(r[0]) for r in load_workbook(path)["附表4 考勤汇总"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert "满勤：依据打卡记录和巡查记录认定（" in notes[-3]
    assert notes[-2] == "实际出勤天数：应出勤的工作日中有打卡记录的天数。"


def test_the_notice_names_the_full_attendance_and_who_the_punches_found(punched: HallService) -> None:
    notice = draft_notice(written_after(gather(punched, NOVEMBER)))
    # 单雄's lateness of 5 November was found by the punches and a patrol both: said once, with
    # the punches' findings, by what found them (never 巡查中发现 for a punch). The 替岗人员 follows
    # 单雄 without naming 住建窗口 again.
    assert body_of(notice, "考勤情况") == (
        "各窗口人员均能严格执行上下班刷脸考勤，本月满勤（无迟到早退、无请假、无缺卡）的工作人员有2名："
        "综合窗口魏敏、住建窗口张伟。打卡记录和日常巡查显示，综合窗口曾伟11月6日、9日上班迟到；市场监管窗口郑晓燕"
        "11月10日缺卡；住建窗口单雄11月5日上班迟到；替岗人员11月4日、12日上班迟到。"
    )
    # What the punches found is not a patrol's finding: the 巡查情况 names only what patrols saw.
    patrols = body_of(notice, "巡查情况")
    assert "曾伟" not in patrols and "郑晓燕" not in patrols and "上班迟到" not in patrols
    assert "巡查中发现" not in " ".join(notice)
    assert body_of(notice, "考核情况").startswith("根据日常巡查和考勤记录")


def test_rank_json_judges_full_attendance_from_the_punches(
    punched: HallService, hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", hall_url, "rank", "--period", "2026-11", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    full = {(r["window_name"], r["name"]): r["full_attendance"] for r in rows}
    assert full == {
        ("综合窗口", "魏敏"): True,
        ("综合窗口", "曾伟"): False,
        ("市场监管窗口", "郑晓燕"): False,
        ("市场监管窗口", "张伟"): False,
        ("住建窗口", "张伟"): True,
        ("住建窗口", "单雄"): False,
        ("不动产登记窗口", "张梅"): False,
    }
    assert main(["--db", hall_url, "rank", "--period", "2026-11"]) == 0
    assert "满勤：依据打卡记录和巡查记录认定，共2名。" in capsys.readouterr().out
    # October has no punch: with the default basis (clock-in), 满勤 is not judged there.
    assert main(["--db", hall_url, "rank", "--period", "2026-10", "--format", "json"]) == 0
    assert {r["full_attendance"] for r in json.loads(capsys.readouterr().out)} == {None}


def test_the_punches_decide_even_where_the_hall_said_patrols_only(punched: HallService, tmp_path: Path) -> None:
    punched.edits.change_settings(attendance_basis="patrol")
    punched.reload()
    notice = draft_notice(gather(punched, NOVEMBER))
    assert body_of(notice, "考勤情况").startswith("各窗口人员均能严格执行上下班刷脸考勤，本月满勤")


def test_a_hall_without_clock_in_says_the_list_is_from_the_patrols(service: HallService, tmp_path: Path) -> None:
    service.edits.change_settings(attendance_basis="patrol")
    log_at(service, "1", "曾伟", "迟到", "2026-11-05 09:20")
    log_at(service, "3", "张伟", "串岗", "2026-11-13 10:00")
    log_at(service, "2", "张伟", "请假", "2026-11-11 09:00")
    path, notice = export(service, NOVEMBER, tmp_path)
    # The clock stands at 18 November: the month's notice names no 满勤 yet.
    assert body_of(notice, "考勤情况") == (
        "大厅未使用考勤机，满勤仅依据巡查记录认定。本月满勤情况于月末评定。日常巡查发现，综合窗口曾伟11月5日上班迟到。"
    )
    notice = draft_notice(written_after(gather(service, NOVEMBER)))
    assert body_of(notice, "考勤情况") == (
        "大厅未使用考勤机，满勤仅依据巡查记录认定。本月满勤（巡查中未发现迟到早退、脱岗、请假、缺卡）"
        "的工作人员有5名：综合窗口魏敏、市场监管窗口郑晓燕、住建窗口张伟、单雄、不动产登记窗口张梅。"
        "日常巡查发现，综合窗口曾伟11月5日上班迟到。"
    )
    rows = attendance_rows(path)
    assert rows[("综合窗口", "曾伟")][4:6] == (1, 0) and rows[("综合窗口", "曾伟")][-1] == "否"
    assert rows[("市场监管窗口", "张伟")][2:4] == (21, 20) and rows[("市场监管窗口", "张伟")][8] == 1
    assert rows[("住建窗口", "张伟")][10] == 1 and rows[("住建窗口", "张伟")][-1] == "是"


def test_the_board_judges_full_attendance_from_the_punches(punched: HallService) -> None:
    from screens.ranking import verdict_summary
    from screens.standings import Standings, load

    board = Standings()
    board.reset(load(punched, NOVEMBER))
    assert board.ranking is not None and board.live is not None
    assert {(r.window_name, r.name) for r in board.ranking.staff if r.full_attendance} == {
        ("综合窗口", "魏敏"),
        ("住建窗口", "张伟"),
    }
    assert verdict_summary(board.ranking, board.live.settings).endswith("；满勤2名")
    # A patrol finding saved on the board moves 满勤 in place, as the full recompute has it.
    window = punched.lookup.window("1")
    found = punched.findings.log(
        window,
        punched.lookup.resolve_staff("魏敏", window),
        punched.lookup.rule("早退"),
        at=parse_local_time("2026-11-17 16:00", punched.hall.tz),
    )
    board.moved(found)
    assert [r.name for r in board.ranking.verdicts.full_attendance or ()] == ["张伟"]  # type: ignore[union-attr]
    assert board.ranking.verdicts.attendance_basis == "clockin"  # type: ignore[union-attr]


def test_days_due_are_the_working_days_while_posted(service: HallService, tmp_path: Path) -> None:
    from datetime import date

    service.edits.change_settings(attendance_basis="patrol")
    service.edits.add_staff("田甜", service.lookup.window("1"), starts=date(2026, 11, 16))
    service.reload()
    log_at(service, "1", "田甜", "上门服务", "2026-11-17 10:00")
    path, _ = export(service, NOVEMBER, tmp_path)
    # From Monday 16 November: 16-20, 23-27 and 30 are eleven working days.
    assert attendance_rows(path)[("综合窗口", "田甜")][2:4] == (11, 11)
