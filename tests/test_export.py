"""The month-end appendix and notice, read back the way the leadership receives them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from patrol.cli import main
from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.reports import workbook
from patrol.reports.export import default_file_name, export
from patrol.reports.notice import chinese_dates, draft_notice
from patrol.reports.period_report import gather
from patrol.rules.periods import Period
from tests.conftest import log_at
from tests.test_attendance_sheet import HEADER as ATTENDANCE_HEADER

NOVEMBER = Period.parse("2026-11")
SHEETS = [
    "附表1 巡查明细",
    "附表2 窗口量化考评",
    "附表2 图",
    "附表2-1 单位考评",
    "附表3 人员考核排名",
    "附表4 考勤汇总",
    "附表5 更正记录",
    "通报草稿",
]


@pytest.fixture
def month(service: HallService) -> HallService:
    """A November the notice can be checked against, word for word (a hall without a clock-in
    machine: 满勤 comes from the patrols)."""
    service.edits.change_settings(attendance_basis="patrol")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-04 09:05")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-12 09:10")
    log_at(service, "3", "替岗人员", "迟到", "2026-11-16 09:02")
    log_at(service, "1", "曾伟", "迟到", "2026-11-05 09:20")
    log_at(service, "2", "张伟", "玩手机", "2026-11-13 10:30")
    log_at(service, "4", "张梅", "玩手机", "2026-11-13 10:40", note='=HYPERLINK("http://x")')
    log_at(service, "1", "魏敏", "上门服务", "2026-11-06 14:00")
    log_at(service, "1", "魏敏", "上门服务", "2026-11-10 15:00", note="+1 上门")
    log_at(service, "1", "魏敏", "预约服务", "2026-11-11 15:00", note="@note")
    log_at(service, "5", None, "窗口摆放不规范", "2026-11-09 11:00", note="-桌面杂乱")
    log_at(service, "4", "张梅", "上门服务", "2026-11-17 16:00", note="\t=1+1")
    log_at(service, "2", "郑晓燕", "迟到", "2026-10-30 09:00")  # October: not in this notice
    return service


def test_chinese_dates() -> None:
    from datetime import date

    assert chinese_dates([date(2026, 11, 25), date(2026, 11, 4), date(2026, 11, 12)]) == "11月4日、12日、25日"
    assert chinese_dates([date(2026, 10, 30), date(2026, 11, 2)]) == "10月30日、11月2日"


def test_the_notice_says_what_the_findings_say(month: HallService) -> None:
    notice = draft_notice(gather(month, NOVEMBER))
    assert notice == [
        "关于测试大厅2026年11月窗口工作人员巡查考核情况的通报",
        # 11 findings, 10 rounds: the two phones of 13 November (10:30, 10:40) are one walk. The
        # clock stands at 18 November: the month is not over, and the notice says so.
        "2026年11月（截至11月18日），督查组共开展巡查10次，记录扣分7项次、加分4项次。现将有关情况通报如下：",
        "【本月重点】",
        "（此处由办公室填写本月重点工作）",
        "【人员管理】",
        "1、考勤情况",
        # The month is not over: no 满勤 named yet. Lateness each person once.
        "大厅未使用考勤机，满勤仅依据巡查记录认定。本月满勤情况于月末评定。"
        "日常巡查发现，综合窗口曾伟11月5日上班迟到；住建窗口替岗人员11月4日、12日、16日上班迟到。",
        "2、巡查情况",
        "11月13日的巡查中发现市场监管窗口张伟、不动产登记窗口张梅工作期间使用手机处理与工作无关的事情。"
        "供电公司窗口11月9日物品摆放不规范。",
        "3、考核情况",
        # 郑晓燕, 单雄 and 住建窗口张伟 share rank 2 at 100.0: all three are among the first three
        # ranks (the notice used to cut them by pinyin). 张梅 99.5, then 曾伟 and 张伟 tied at 99.
        "根据日常巡查记录，本月窗口工作人员考核排名前三位的是综合窗口魏敏、市场监管窗口郑晓燕、"
        "住建窗口单雄、张伟（第2名3人并列）；排名末三位的是不动产登记窗口张梅、综合窗口曾伟、"
        "市场监管窗口张伟（详见附表3）。窗口量化考评排名末三位的是市场监管窗口、不动产登记窗口、供电公司窗口、"
        "住建窗口（第2名3个窗口并列，均列入；详见附表2）。",
        "【创先争优】",
        "1、加分情况",
        "综合窗口主动为企业提供上门服务2次、预约服务1次；不动产登记窗口主动为企业提供上门服务1次。",
        "2、评先结果",
        # 张梅's bonus does not make her a 服务标兵: she was on the phone (above).
        "经综合考评，本月评出优秀服务窗口1个（得分不低于100分、无有效投诉且有加分的仅1个）：综合窗口"
        "（具体情况详见附表2）；服务标兵（1名，无扣分且有加分的仅1名）：综合窗口魏敏（具体情况详见附表3）。",
        "【下月重点工作】",
        "（此处由办公室填写下月重点工作）",
        "附件：1.附表1 巡查明细",
        "2.附表2 窗口量化考评",
        "3.附表2-1 单位考评",
        "4.附表3 人员考核排名",
        "5.附表4 考勤汇总",
        "6.附表5 更正记录",
        "测试大厅管理办公室",
        "2026年11月18日",
    ]


def test_the_notice_follows_the_period_and_says_when_nothing_was_found(month: HallService) -> None:
    quarter = draft_notice(gather(month, Period.parse("2026Q4")))
    assert quarter[0] == "关于测试大厅2026年第四季度窗口工作人员巡查考核情况的通报"
    assert quarter[2:4] == ["【本季度重点】", "（此处由办公室填写本季度重点工作）"]
    assert "本季度" in quarter[6] and "【下季度重点工作】" in quarter
    # June had no record at all: nothing is judged, and the lead says so (it used to say the
    # patrols found nothing wrong, and name everyone 满勤); the sections that would only say
    # there is nothing are left out.
    assert draft_notice(gather(month, Period.parse("2026-06")))[:7] == [
        "关于测试大厅2026年6月窗口工作人员巡查考核情况的通报",
        "2026年6月，督查组无巡查记录，本月不评定满勤、考核排名和评先。现将有关情况通报如下：",
        "【本月重点】",
        "（此处由办公室填写本月重点工作）",
        "【下月重点工作】",
        "（此处由办公室填写下月重点工作）",
        "附件：1.附表1 巡查明细",
    ]


def test_the_workbook_reads_back_as_an_official_appendix(month: HallService, tmp_path: Path) -> None:
    path, _ = export(month, NOVEMBER, tmp_path)
    assert path.name == "测试大厅2026年11月巡查考核附表.xlsx" == default_file_name("测试大厅", NOVEMBER)
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    detail = book["附表1 巡查明细"]
    assert detail["A1"].value == "测试大厅2026年11月巡查明细"
    assert "A1:O1" in {str(r) for r in detail.merged_cells.ranges}
    assert detail["A2"].value.startswith("统计周期：2026年11月1日至2026年11月30日")
    assert [c.value for c in detail[3]] == [
        "序号",
        "记录号",
        "日期",
        "时间",
        "窗口编号",
        "窗口",
        "单位",
        "姓名",
        "巡查项",
        "类别",
        "分值",
        "次数",
        "分钟",
        "备注",
        "督查员",
    ]
    rows = [r for r in detail.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 11
    assert [r[0] for r in rows] == list(range(1, 12))
    assert [r[1] for r in rows] == [
        f.ref for f in month.records.findings(NOVEMBER)
    ]  # 记录号, as patrol correct takes it
    assert rows[0][1].startswith("2611-")
    assert [r[2].day for r in rows] == sorted(r[2].day for r in rows)  # time order
    assert rows[0][7] == "替岗人员" and rows[0][10] == -1 and isinstance(rows[0][10], int | float)
    window_level = next(r for r in rows if r[8] == "窗口摆放不规范")
    assert window_level[7] is None and window_level[6] == "国网供电公司"
    assert detail["A1"].font.name == "黑体" and detail["A4"].font.name == "宋体" and detail["A3"].font.bold
    assert detail["K4"].number_format == "0.0" and detail["B4"].border.left.style == "thin"
    assert detail.freeze_panes == "A4" and detail.print_title_rows == "$1:$3"
    assert detail.page_setup.orientation == "landscape" and int(detail.page_setup.paperSize) == 9  # A4
    # One page wide (1 is the schema default, so a writer may leave it out), any number long, or
    # one page long where the rows would spill only a little onto a second page.
    assert (detail.page_setup.fitToWidth or 1) == 1 and int(detail.page_setup.fitToHeight or 1) in (0, 1)
    assert detail.sheet_properties.pageSetUpPr.fitToPage
    # Each sheet numbers its own pages, under its own name.
    assert detail.oddFooter.center.text == "&A　第 &P 页" and detail.page_setup.useFirstPageNumber
    assert int(detail.page_setup.firstPageNumber or 1) == 1  # 1 is the schema default
    # Widths from content, CJK two a character, capped: a longer 单位 wraps in its column.
    assert detail.column_dimensions["G"].width < 2 * len("区住房和城乡建设局") and detail["G4"].alignment.wrap_text

    windows = book["附表2 窗口量化考评"]
    window_rows = [r for r in windows.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(window_rows) == 5 and [r[0] for r in window_rows] == sorted(r[0] for r in window_rows)
    first = window_rows[0]
    assert (
        first[2] == 1 and first[3] == "综合窗口"
    )  # 窗口编号 1 is a number, not text and first[7] == 3 and first[8] == pytest.approx(1.3)
    assert len(book["附表2 图"]._charts) == 1  # the chart on a sheet of its own

    staff = book["附表3 人员考核排名"]
    header = [c.value for c in staff[3]]
    assert header[:4] == ["排名", "并列", "姓名", "窗口"] and header[-4:] == ["扣分", "加分", "得分", "评定"]
    # Only the items that occurred, under their category (a merged cell over 加分's two).
    assert header[4:-4] == ["考勤", "作风纪律", "加分", None] and "G3:H3" in {str(r) for r in staff.merged_cells.ranges}
    assert [c.value for c in staff[4]][4:-4] == ["迟到", "玩手机", "上门服务", "预约服务"]
    assert staff.print_title_rows == "$1:$4"
    staff_rows = [r for r in staff.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(staff_rows) == 7 and staff_rows[0][2] == "魏敏" and staff_rows[0][-2] == pytest.approx(101.3)
    assert staff_rows[-1][2] == "张伟" and staff_rows[-1][3] == "市场监管窗口" and staff_rows[-1][-1] == "末位"

    attendance = book["附表4 考勤汇总"]
    assert [c.value for c in attendance[3]] == ATTENDANCE_HEADER
    by_name = {r[1]: r for r in attendance.iter_rows(min_row=4, values_only=True) if r[1]}
    assert by_name["曾伟"][4] == 1 and by_name["曾伟"][-1] == "否" and by_name["魏敏"][-1] == "是"
    # November 2026 has 21 weekdays; no punches, so 实际出勤 is 应出勤 less leave and 脱岗.
    assert by_name["魏敏"][2:4] == (21, 21)
    # The 住建窗口's substitute, late three times, has a row of the window's own.
    assert by_name["替岗人员"] == ("住建窗口", "替岗人员", "—", "—", 3, 0, 0, 0, "—", 0, 0, "—")

    notice = [r[0] for r in book["通报草稿"].iter_rows(values_only=True)]
    # A heading shares the row of the paragraph after it (no page ends with it).
    assert notice[0].startswith("关于测试大厅") and any("1、加分情况\n" in r for r in notice if r)


def test_notes_that_look_like_formulas_stay_text(month: HallService, tmp_path: Path) -> None:
    path, _ = export(month, NOVEMBER, tmp_path)
    detail = load_workbook(path)["附表1 巡查明细"]
    notes = {
        cell.value: cell.data_type for (cell,) in detail.iter_rows(min_row=4, min_col=14, max_col=14) if cell.value
    }
    assert notes == {'=HYPERLINK("http://x")': "s", "+1 上门": "s", "@note": "s", "-桌面杂乱": "s", "=1+1": "s"}
    # (notes are trimmed when logged, so the leading tab of "\t=1+1" never reaches the file)


def test_a_long_detail_continues_on_the_next_sheet(
    month: HallService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", workbook.HEADER_ROWS + 4)
    path, _ = export(month, NOVEMBER, tmp_path)
    book = load_workbook(path)
    parts = [n for n in book.sheetnames if n.startswith("附表1")]
    assert parts == ["附表1 巡查明细", "附表1 巡查明细(2)", "附表1 巡查明细(3)"]
    numbers = [
        r[0] for name in parts for r in book[name].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)
    ]
    assert numbers == list(range(1, 12))  # nothing cut, nothing repeated
    assert book["附表1 巡查明细(2)"]["A3"].value == "序号"


def test_a_period_without_findings_is_an_empty_but_valid_appendix(month: HallService, tmp_path: Path) -> None:
    path, notice = export(month, Period.parse("2026-06"), tmp_path)
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    detail = [r[0] for r in book["附表1 巡查明细"].iter_rows(min_row=4, values_only=True) if r[0] is not None]
    # No findings: only the digest and each device's chain head below the header.
    assert detail[0].startswith("链头摘要") and all(line.startswith("设备 ") for line in detail[1:])
    assert book["附表1 巡查明细"]["A1"].value == "测试大厅2026年6月巡查明细"
    staff = [r for r in book["附表3 人员考核排名"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(staff) == 7 and {(r[0], r[1], r[-2], r[-1]) for r in staff} == {(1, "7人并列", 100, None)}
    assert book["附表3 人员考核排名"].cell(row=4 + 7 + 1, column=1).value == "评定：本期无巡查记录，不评定。"
    attendance = [r for r in book["附表4 考勤汇总"].iter_rows(min_row=4, values_only=True) if r[1]]
    assert len(attendance) == 7 and {r[-1] for r in attendance} == {"—"}
    assert "巡查情况" not in "".join(notice) and "考核情况" not in "".join(notice[1:])  # the lead says it


def test_refusals_leave_nothing_behind(month: HallService, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "附表.xlsx"
    target.write_bytes(b"the old file")
    with pytest.raises(UserError, match=r"已存在.*--force"):
        export(month, NOVEMBER, target)
    assert target.read_bytes() == b"the old file"
    (tmp_path / ".~lock.附表.xlsx#").write_text("locked", encoding="utf-8")
    with pytest.raises(UserError, match="正被其他程序"):
        export(month, NOVEMBER, target, force=True)
    (tmp_path / ".~lock.附表.xlsx#").unlink()
    with pytest.raises(UserError, match="输出文件夹不存在"):
        export(month, NOVEMBER, tmp_path / "missing" / "a.xlsx")
    with pytest.raises(UserError, match=r"\.xlsx 结尾"):
        export(month, NOVEMBER, tmp_path / "a.csv")
    export(month, NOVEMBER, target, force=True)
    assert load_workbook(target).sheetnames == SHEETS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["附表.xlsx"]  # no temporary files left
    assert target.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_a_failed_write_keeps_the_old_file(month: HallService, tmp_path: Path, monkeypatch) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "附表.xlsx"
    target.write_bytes(b"the old file")

    def fail(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("patrol.reports.export.write_workbook", fail)
    with pytest.raises(UserError, match="无法写入"):
        export(month, NOVEMBER, target, force=True)
    assert target.read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["附表.xlsx"]


def test_export_and_report_from_the_command_line(
    month: HallService, hall_url: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--db", hall_url, "export", "--period", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "测试大厅2026年11月巡查考核附表.xlsx") in out
    assert main(["--db", hall_url, "export", "--period", "2026-11"]) == 1
    assert "已存在" in capsys.readouterr().err
    assert main(["--db", hall_url, "export", "--period", "2026-13"]) == 1
    assert "无法识别的统计周期" in capsys.readouterr().err
    assert main(["--db", hall_url, "report", "--period", "2026-11"]) == 0
    report = capsys.readouterr().out
    assert "1、考勤情况\n" in report and "日常巡查发现，综合窗口曾伟11月5日上班迟到" in report


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_a_real_spreadsheet_program_opens_and_prints_it(month: HallService, tmp_path: Path) -> None:
    path, _ = export(month, NOVEMBER, tmp_path)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = path.with_suffix(".pdf")
    assert result.returncode == 0 and pdf.exists(), result.stderr
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert pages >= 5  # every sheet prints, at least a page each
