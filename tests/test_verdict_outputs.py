"""Every output reads the same verdicts (issue 7, points 7-10): `patrol rank` as JSON, CSV and a
table, the appendix workbook read back with openpyxl, and the notice, compared sentence by
sentence with the text a hall would publish.

The November of the hall below has a tie at every boundary: 前三位 (rank 3, two people), 服务标兵
(rank 8, three people for the last two places), 优秀服务窗口 (rank 5, two windows for the last
place) and 末位 (rank 26, four people for three places); its top scorer was caught on the phone,
and its best window had a complaint.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from patrol.cli import main
from patrol.hall.opening import open_hall
from patrol.hall.service import HallService
from patrol.reports.export import export
from patrol.reports.notice import draft_notice
from patrol.reports.period_report import gather
from patrol.rules.periods import Period
from tests.conftest import fixed_clock, log_at, written_after
from tests.test_notice_wording import body_of

NOVEMBER = Period.parse("2026-11")

ROSTER = """窗口编号,窗口名称,单位,姓名,岗位
1,综合窗口,区政务服务中心,魏敏,A岗
1,综合窗口,区政务服务中心,曾伟,B岗
1,综合窗口,区政务服务中心,吴柳英,B岗
2,市场监管窗口,区市场监督管理局,郑晓燕,A岗
2,市场监管窗口,区市场监督管理局,张伟,B岗
2,市场监管窗口,区市场监督管理局,黎皓,B岗
3,住建窗口,区住房和城乡建设局,张伟,A岗
3,住建窗口,区住房和城乡建设局,单雄,B岗
3,住建窗口,区住房和城乡建设局,仇芳,B岗
4,不动产登记窗口,区自然资源局,姜丽,A岗
4,不动产登记窗口,区自然资源局,张梅,B岗
4,不动产登记窗口,区自然资源局,解东,B岗
5,生态环境窗口,区生态环境局,祝红,A岗
5,生态环境窗口,区生态环境局,温明,B岗
6,出入境窗口,区公安分局,田甜,A岗
6,出入境窗口,区公安分局,王芳,B岗
6,出入境窗口,区公安分局,何静,B岗
7,公安户政窗口,区公安分局,王芳,A岗
7,公安户政窗口,区公安分局,陈晨,B岗
7,公安户政窗口,区公安分局,李娜,B岗
8,税务窗口,区税务局,刘洋,A岗
8,税务窗口,区税务局,杨帆,B岗
8,税务窗口,区税务局,赵磊,B岗
9,人社窗口,区人力资源和社会保障局,孙悦,A岗
9,人社窗口,区人力资源和社会保障局,周杰,B岗
9,人社窗口,区人力资源和社会保障局,吴迪,B岗
10,医保窗口,区医疗保障局,徐静,A岗
10,医保窗口,区医疗保障局,马超,B岗
11,温泉印章窗口,区行政审批局,罗刚,A岗
"""

NOVEMBER_FINDINGS = [
    # 田甜 102 is the top score, but she was on the phone; then 姜丽 101.5, 郑晓燕 and 祝红 101.
    ("6", "田甜", "表扬信", "11-02 10:00"),
    ("6", "田甜", "表扬信", "11-09 10:00"),
    ("6", "田甜", "表扬信", "11-16 10:00"),
    ("6", "田甜", "玩手机", "11-13 10:20"),
    ("4", "姜丽", "表扬信", "11-03 10:00"),
    ("4", "姜丽", "上门服务", "11-05 15:00"),
    ("5", "祝红", "表扬信", "11-04 10:00"),
    ("2", "郑晓燕", "上门服务", "11-06 15:00"),
    ("2", "郑晓燕", "上门服务", "11-12 15:00"),
    # 魏敏 100.8, 出入境窗口王芳 100.7, 孙悦 100.6, then 黎皓, 何静 and 刘洋 at 100.5 for the last
    # two of the eight 服务标兵; 徐静 100.4 is just past them.
    ("1", "魏敏", "上门服务", "11-10 15:00"),
    ("1", "魏敏", "预约服务", "11-11 15:00"),
    ("6", "王芳", "上门服务", "11-10 16:00"),
    ("6", "王芳", "压缩办理时限", "11-11 16:00"),
    ("9", "孙悦", "预约服务", "11-03 11:00"),
    ("9", "孙悦", "预约服务", "11-04 11:00"),
    ("6", "何静", "上门服务", "11-05 16:00"),
    ("8", "刘洋", "上门服务", "11-06 16:00"),
    ("2", "黎皓", "上门服务", "11-09 16:00"),
    ("10", "徐静", "压缩办理时限", "11-09 16:00"),
    ("10", "徐静", "压缩办理时限", "11-10 16:00"),
    # The bottom: 曾伟 99.5, 市场监管窗口张伟 99, then four at 98 for the three 末位.
    ("1", "曾伟", "着装不规范", "11-02 09:00"),
    ("2", "张伟", "迟到", "11-03 09:10"),
    ("3", "张伟", "脱岗", "11-04 10:30"),
    ("3", "单雄", "迟到", "11-05 09:05"),
    ("3", "单雄", "迟到", "11-12 09:07"),
    ("1", "吴柳英", "玩手机", "11-13 10:40"),
    ("1", "吴柳英", "迟到", "11-16 09:03"),
    ("7", "王芳", "睡岗", "11-17 14:40"),
    # 税务窗口: the best window score (101.2), with a complaint against it.
    ("8", "替岗人员", "有效投诉", "11-09 11:00"),
    ("8", "替岗人员", "表扬信", "11-10 11:00"),
    ("8", "替岗人员", "表扬信", "11-11 11:00"),
    ("8", "替岗人员", "表扬信", "11-12 11:00"),
    ("8", "替岗人员", "表扬信", "11-13 11:00"),
]

NOVEMBER_NOTICE = [
    "关于测试大厅2026年11月窗口工作人员巡查考核情况的通报",
    # 29 rounds (patrol rounds): findings under 30 minutes apart are one walk; the clock stands at
    # 18 November, so the month is not over.
    "2026年11月（截至11月18日），督查组共开展巡查29次，记录扣分10项次、加分23项次。现将有关情况通报如下：",
    "【本月重点】",
    "（此处由办公室填写本月重点工作）",
    "【人员管理】",
    "1、考勤情况",
    # 满勤 from the patrols (the hall has no clock-in machine), judged at the month's end (the
    # clock stands at 18 November; the names are in the next test). A window is named once before
    # its people; the lateness the patrols found follows, each person once.
    "大厅未使用考勤机，满勤仅依据巡查记录认定。本月满勤情况于月末评定。日常巡查发现，综合窗口吴柳英11月16日上班迟到；市场监管窗口张伟11月3日上班迟到；住建窗口单雄11月"
    "5日、12日上班迟到。",
    "2、巡查情况",
    "住建窗口张伟11月4日脱岗。11月13日的巡查中发现综合窗口吴柳英、出入境窗口田甜工作期间使用手机处理与工作无关的事情。"
    "综合窗口曾伟11月2日着装不规范。公安户政窗口王芳11月17日睡岗。税务窗口替岗人员11月9日被有效投诉。",
    "3、考核情况",
    "根据日常巡查记录，本月窗口工作人员考核排名前三位的是出入境窗口田甜、不动产登记窗口姜丽、市场监管窗口郑晓燕、生态环境窗口"
    "祝红（第3名2人并列）；排名末三位的是综合窗口吴柳英、住建窗口单雄、张伟、公安户政窗口王芳（第26名4人并列，均列入；详"
    "见附表3）。窗口量化考评排名末三位的是综合窗口、公安户政窗口、住建窗口（详见附表2）。",
    "【创先争优】",
    "1、加分情况",
    "综合窗口主动为企业提供上门服务1次、预约服务1次；市场监管窗口主动为企业提供上门服务3次；不动产登记窗口主动为企业提供上"
    "门服务1次，收到表扬信1次；生态环境窗口收到表扬信1次；出入境窗口主动为企业提供上门服务2次、压缩办理时限1次，收到表扬"
    "信3次；税务窗口主动为企业提供上门服务1次，收到表扬信4次；人社窗口主动为企业提供预约服务2次；医保窗口主动为企业压缩办理时"
    "限2次。",
    "2、评先结果",
    # Not 税务窗口 (a complaint), not 田甜 (the phone); the ties at the boundary are in whole.
    "经综合考评，本月评出优秀服务窗口5个（第5名2个窗口并列，均列入），分别是：出入境窗口、不动产登记窗口、生态环境窗口、人"
    "社窗口、医保窗口（具体情况详见附表2）；服务标兵（9名，第8名3人并列，均列入）分别是：不动产登记窗口姜丽、市场监管窗口"
    "郑晓燕、生态环境窗口祝红、综合窗口魏敏、出入境窗口王芳、人社窗口孙悦、市场监管窗口黎皓、出入境窗口何静、税务窗口刘洋（具"
    "体情况详见附表3）。",
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


@pytest.fixture
def big_url(db_url: str, tmp_path: Path) -> str:
    """A hall of 11 windows and 29 people (two 张伟, two 王芳) without a clock-in machine, and its
    November."""
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--db", db_url, "--hall", "测试大厅", "roster", "import", str(roster)]) == 0
    assert main(["--db", db_url, "rules", "set", "满勤依据", "巡查", "--from", "2026-01-01"]) == 0
    service = open_hall(db_url, inspector="测试督查", device="test-device", clock=fixed_clock)
    for code, person, item, when in NOVEMBER_FINDINGS:
        log_at(service, code, person, item, f"2026-{when}")
    service.close()
    return db_url


@pytest.fixture
def big(big_url: str) -> HallService:
    service = open_hall(big_url, inspector="测试督查", device="test-device", clock=fixed_clock)
    yield service
    service.close()


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut after each 。, so a difference shows the sentence it is in."""
    return [s for s in re.split(r"(?<=。)", paragraph) if s]


def assert_notice(actual: list[str], expected: list[str]) -> None:
    assert [p[:6] for p in actual] == [p[:6] for p in expected]  # the same sections
    for got, want in zip(actual, expected, strict=True):
        assert sentences(got) == sentences(want)


def expand(names: list[str]) -> list[str]:
    """Names as a notice lists them, each with its window: 综合窗口魏敏、曾伟 → 综合窗口魏敏,
    综合窗口曾伟 (the notice names a window once before its people)."""
    out, window = [], ""
    for name in names:
        if "窗口" in name:
            window = name[: name.rindex("窗口") + 2]
            out.append(name)
        else:
            out.append(window + name)
    return out


def rank_json(capsys, url: str, period: str, by: str = "staff") -> list[dict]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert main(["--db", url, "rank", "--period", period, "--by", by, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def listed(paragraph: str, after: str, until: str = "（") -> list[str]:
    """The names a notice lists after ``after`` (up to ``until``)."""
    start = paragraph.index(after) + len(after)
    return expand(paragraph[start:].split(until)[0].split("；")[0].rstrip("。").split("、"))


def test_the_november_notice_reads_as_the_design_says(big: HallService) -> None:
    assert_notice(draft_notice(gather(big, NOVEMBER)), NOVEMBER_NOTICE)


def test_rank_json_marks_agree_with_every_list_of_the_notice(big: HallService, big_url: str, capsys) -> None:
    notice = draft_notice(written_after(gather(big, NOVEMBER)))
    staff = rank_json(capsys, big_url, "2026-11")
    windows = rank_json(capsys, big_url, "2026-11", "window")

    def marked(rows: list[dict], mark: str) -> set[str]:
        return {f"{r['window_name']}{r.get('name', '')}" for r in rows if r["mark"] == mark}

    awards, assessment = body_of(notice, "评先结果"), body_of(notice, "考核情况")
    attendance = body_of(notice, "考勤情况")
    # 满勤 from the patrols: everyone no patrol found late, leaving early or away from the post;
    # 曾伟 (dress) and 田甜 (phone) are 满勤.
    assert attendance.startswith(
        "大厅未使用考勤机，满勤仅依据巡查记录认定。本月满勤（巡查中未发现迟到早退、脱岗、请假、缺卡）的工作人员有25名："
        "综合窗口魏敏、曾伟、市场监管窗口郑晓燕、黎皓、住建窗口仇芳、不动产登记窗口姜丽、张梅、解东、生态环境窗口祝红、温明、"
        "出入境窗口田甜、王芳、何静、公安户政窗口王芳、陈晨、李娜、税务窗口刘洋、杨帆、赵磊、人社窗口孙悦、周杰、吴迪、"
        "医保窗口徐静、马超、温泉印章窗口罗刚。"
    )
    assert marked(staff, "服务标兵") == set(listed(awards, "服务标兵（9名，第8名3人并列，均列入）分别是："))
    assert marked(windows, "优秀窗口") == set(listed(awards, "优秀服务窗口5个（第5名2个窗口并列，均列入），分别是："))
    assert marked(staff, "末位") == set(listed(assessment, "排名末三位的是"))
    assert marked(windows, "末位") == set(listed(assessment, "窗口量化考评排名末三位的是"))
    assert {f"{r['window_name']}{r['name']}" for r in staff if r["full_attendance"]} == set(
        listed(attendance, "的工作人员有25名：", "。")
    )
    assert {f"{r['window_name']}{r['name']}" for r in staff if r["rank"] <= 3} == set(
        listed(assessment, "排名前三位的是")
    )
    # Ties: how many share the rank, on every row.
    assert [(r["name"], r["rank"], r["tied"]) for r in staff if r["rank"] in (3, 8, 26)] == [
        ("郑晓燕", 3, 2),
        ("祝红", 3, 2),
        ("黎皓", 8, 3),
        ("何静", 8, 3),
        ("刘洋", 8, 3),
        ("吴柳英", 26, 4),
        ("单雄", 26, 4),
        ("张伟", 26, 4),
        ("王芳", 26, 4),
    ]
    assert all(r["mark"] == "末位" for r in staff if r["rank"] == 26)  # all four, not two of them
    # The top score is not a 服务标兵: she was named for the phone in the same notice.
    assert (staff[0]["name"], staff[0]["rank"], staff[0]["mark"]) == ("田甜", 1, "")
    assert "出入境窗口田甜工作期间使用手机" in body_of(notice, "巡查情况")
    # The best window had a complaint.
    assert (windows[0]["window_name"], windows[0]["score"], windows[0]["mark"]) == ("税务窗口", 101.2, "")
    # Ranks come from exact scores: 市场监管窗口 shows 100.2 too, but is 100.17, behind the tie.
    assert [(w["window_name"], w["rank"], w["score"], w["mark"]) for w in windows if w["score"] == 100.2] == [
        ("人社窗口", 5, 100.2, "优秀窗口"),
        ("医保窗口", 5, 100.2, "优秀窗口"),
        ("市场监管窗口", 7, 100.2, ""),
    ]
    # October had no records: nothing to compare with.
    assert {r["change"] for r in staff} == {None} and not any(r["new"] for r in staff)


def test_nobody_named_for_a_violation_is_praised(big: HallService) -> None:
    notice = draft_notice(gather(big, NOVEMBER))
    found = body_of(notice, "考勤情况").split("日常巡查发现")[1] + body_of(notice, "巡查情况")
    praised = listed(body_of(notice, "评先结果"), "服务标兵（9名，第8名3人并列，均列入）分别是：")
    assert len(praised) == 9
    for who in praised:
        assert who not in found


def test_rank_as_a_table_and_as_csv(big_url: str, capsys) -> None:
    capsys.readouterr()
    assert main(["--db", big_url, "rank", "--period", "2026-11"]) == 0
    table = capsys.readouterr().out
    rows = {tuple(c.strip() for c in line.split("│")[1:-1]) for line in table.splitlines() if "│" in line}
    assert ("8", "3人并列", "黎皓", "2 市场监管窗口", "100.5", "0", "+0.5", "1", "", "服务标兵/满勤") in rows
    assert ("26", "4人并列", "王芳", "7 公安户政窗口", "98.0", "-2.0", "0", "1", "", "末位/满勤") in rows
    assert ("1", "", "田甜", "6 出入境窗口", "102.0", "-1.0", "+3.0", "4", "", "满勤") in rows
    assert "评定：服务标兵9名（第8名3人并列，均列入）；末位人员4名（第26名4人并列，均列入）。" in table
    assert "满勤：大厅未使用考勤机，仅依据巡查记录认定。" in table
    assert main(["--db", big_url, "rank", "--period", "2026-11", "--by", "window", "--format", "csv"]) == 0
    reader = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(reader[0])[:10] == [
        "rank",
        "window",
        "window_name",
        "unit",
        "score",
        "deductions",
        "bonuses",
        "findings",
        "mark",
        "change",
    ]
    assert [(r["window_name"], r["rank"], r["tied"], r["mark"]) for r in reader if r["rank"] == "5"] == [
        ("人社窗口", "5", "2", "优秀窗口"),
        ("医保窗口", "5", "2", "优秀窗口"),
    ]


def test_the_workbook_marks_exactly_what_the_verdicts_say(big: HallService, big_url: str, tmp_path: Path) -> None:
    path, notice = export(big, NOVEMBER, tmp_path)
    assert_notice(notice, NOVEMBER_NOTICE)
    book = load_workbook(path)

    staff_sheet = book["附表3 人员考核排名"]
    header = [c.value for c in staff_sheet[3]]
    assert header[:4] == ["排名", "并列", "姓名", "窗口"] and header[-1] == "评定"
    staff = [r for r in staff_sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(staff) == 29
    assert [(r[0], r[1], r[2], r[3], r[-1]) for r in staff if r[0] == 26] == [
        (26, "4人并列", "吴柳英", "综合窗口", "末位"),
        (26, "4人并列", "单雄", "住建窗口", "末位"),
        (26, "4人并列", "张伟", "住建窗口", "末位"),
        (26, "4人并列", "王芳", "公安户政窗口", "末位"),
    ]
    assert [r[2] for r in staff if r[-1] == "服务标兵"] == [
        "姜丽",
        "郑晓燕",
        "祝红",
        "魏敏",
        "王芳",
        "孙悦",
        "黎皓",
        "何静",
        "刘洋",
    ]
    assert (staff[0][0], staff[0][2], staff[0][-2], staff[0][-1]) == (1, "田甜", 102, None)
    # Two header rows (the categories over the types that occurred), 29 people, then the note.
    foot = [r[0] for r in staff_sheet.iter_rows(min_row=5 + 29, values_only=True) if r[0]]
    assert foot == [
        "评定：服务标兵9名（第8名3人并列，均列入）；末位人员4名（第26名4人并列，均列入）。"
        "名次按得分排定，得分相同者并列、并列者一并评定。"
    ]

    window_sheet = book["附表2 窗口量化考评"]
    assert [c.value for c in window_sheet[3]][:2] == ["排名", "并列"]
    windows = [r for r in window_sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[1], r[3], r[9], r[10]) for r in windows] == [
        (1, None, "税务窗口", 101.2, None),
        (2, None, "出入境窗口", 101.1, "优秀窗口"),
        (3, "2个并列", "不动产登记窗口", 100.5, "优秀窗口"),
        (3, "2个并列", "生态环境窗口", 100.5, "优秀窗口"),
        (5, "2个并列", "人社窗口", 100.2, "优秀窗口"),
        (5, "2个并列", "医保窗口", 100.2, "优秀窗口"),
        (7, None, "市场监管窗口", 100.2, None),
        (8, None, "温泉印章窗口", 100, None),
        (9, None, "综合窗口", 99.4, "末位"),
        (10, None, "公安户政窗口", 99.3, "末位"),
        (11, None, "住建窗口", 98.7, "末位"),
    ]

    attendance = {(r[0], r[1]): r[-1] for r in book["附表4 考勤汇总"].iter_rows(min_row=4, values_only=True) if r[1]}
    assert len(attendance) == 29
    assert attendance[("出入境窗口", "王芳")] == "是" and attendance[("公安户政窗口", "王芳")] == "是"
    assert attendance[("住建窗口", "单雄")] == "否" and attendance[("综合窗口", "曾伟")] == "是"

    detail = book["附表1 巡查明细"]
    assert [c.value for c in detail[3]][:2] == ["序号", "记录号"]
    refs = [r[1] for r in detail.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(refs) == 33 and len(set(refs)) == 33
    assert all(re.fullmatch(r"2611-\d{4}", ref) for ref in refs)
    assert main(["--db", big_url, "verify"]) == 0


def test_an_empty_month_names_nobody_and_says_so(big: HallService, big_url: str, tmp_path: Path, capsys) -> None:
    september = Period.parse("2026-09")
    notice = draft_notice(gather(big, september))
    assert_notice(
        notice[:6],
        [
            "关于测试大厅2026年9月窗口工作人员巡查考核情况的通报",
            "2026年9月，督查组无巡查记录，本月不评定满勤、考核排名和评先。现将有关情况通报如下：",
            "【本月重点】",
            "（此处由办公室填写本月重点工作）",
            "【下月重点工作】",
            "（此处由办公室填写下月重点工作）",
        ],
    )
    staff = rank_json(capsys, big_url, "2026-09")
    windows = rank_json(capsys, big_url, "2026-09", "window")
    assert len(staff) == 29 and len(windows) == 11
    assert {r["mark"] for r in staff + windows} == {""}
    assert {r["full_attendance"] for r in staff} == {None}  # not judged, rather than false
    assert main(["--db", big_url, "rank", "--period", "2026-09"]) == 0
    table = capsys.readouterr().out
    assert "本期无巡查记录，不评定服务标兵、优秀服务窗口和末位。" in table and "满勤：本期无巡查记录，未评定。" in table
    assert "服务标兵" not in table.split("本期无巡查记录")[0] and "满勤" not in table.split("满勤：")[0]

    path, _ = export(big, september, tmp_path)
    book = load_workbook(path)
    staff_rows = [r for r in book["附表3 人员考核排名"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert {r[-1] for r in staff_rows} == {None}
    window_rows = [
        r for r in book["附表2 窗口量化考评"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)
    ]
    assert {r[-1] for r in window_rows} == {None}
    full = {r[-1] for r in book["附表4 考勤汇总"].iter_rows(min_row=4, values_only=True) if r[1]}
    assert full == {"—"}
    # With a clock-in machine (and no punches recorded) 满勤 is not judged in a month with records either.
    assert main(["--db", big_url, "rules", "set", "满勤依据", "打卡", "--from", "2026-11-01"]) == 0
    capsys.readouterr()
    big.reload()
    assert body_of(draft_notice(gather(big, NOVEMBER)), "考勤情况") == (
        "本月无打卡记录，未评定满勤。日常巡查发现，综合窗口吴柳英11月16日上班迟到；市场监管窗口张伟11月3日上班迟到；"
        "住建窗口单雄11月5日、12日上班迟到。"
    )
    assert {r["full_attendance"] for r in rank_json(capsys, big_url, "2026-11")} == {None}
    assert main(["--db", big_url, "verify"]) == 0


def test_a_month_with_one_finding(big: HallService, big_url: str, capsys) -> None:
    log_at(big, "3", "单雄", "迟到", "2026-10-15 09:10")
    notice = draft_notice(gather(big, Period.parse("2026-10")))
    # Deductions and bonuses counted apart, a count of none left unsaid.
    assert notice[1] == "2026年10月，督查组共开展巡查1次，记录扣分1项次。现将有关情况通报如下："
    assert body_of(notice, "考勤情况").endswith("日常巡查发现，住建窗口单雄10月15日上班迟到。")
    assert body_of(notice, "巡查情况") == "除上述考勤情况外，本月巡查未发现其他违反工作纪律和服务规范的情况。"
    assert body_of(notice, "加分情况") == ""  # nothing to say: left out
    assert body_of(notice, "考核情况") == (
        "根据日常巡查记录，本月窗口工作人员考核排名第1名的有28人并列（得分均为100.0分）；"
        "列为末位的是住建窗口单雄（本月有扣分且得分低于100分的仅1名；详见附表3）。"
        "窗口量化考评列为末位的是住建窗口（本月有扣分且得分低于100分的仅1个；详见附表2）。"
    )
    assert body_of(notice, "评先结果") == (
        "经综合考评，本月无符合条件（得分不低于100分、无有效投诉且有加分）的窗口，不评定优秀服务窗口；"
        "本月无符合条件（无扣分且有加分）的工作人员，不评定服务标兵。"
    )
    staff = rank_json(capsys, big_url, "2026-10")
    assert [(r["name"], r["mark"]) for r in staff if r["mark"]] == [("单雄", "末位")]  # and nobody a model
    assert {r["mark"] for r in rank_json(capsys, big_url, "2026-10", "window")} == {"", "末位"}
    # November is now compared with October: 单雄 was last then and is tied 26th now.
    november = {(r["window"], r["name"]): r for r in rank_json(capsys, big_url, "2026-11")}
    assert november[("3", "单雄")]["change"] == 29 - 26 and november[("6", "田甜")]["change"] == 0
    assert main(["--db", big_url, "verify"]) == 0


def test_a_window_below_100_is_not_excellent_unless_the_hall_says_so(
    service: HallService, hall_url: str, capsys
) -> None:
    # 综合窗口: 魏敏 100.4 (two bonuses) and 曾伟 99.0, so 99.7; every other window 100 without a
    # bonus. Nobody is an 优秀服务窗口 (the old code gave it to the 99.7 window and the 100s).
    log_at(service, "1", "魏敏", "压缩办理时限", "2026-08-03 10:00")
    log_at(service, "1", "魏敏", "压缩办理时限", "2026-08-04 10:00")
    log_at(service, "1", "曾伟", "迟到", "2026-08-05 09:10")
    windows = rank_json(capsys, hall_url, "2026-08", "window")
    assert [(w["window"], w["score"], w["mark"]) for w in windows if w["window"] == "1"] == [("1", 99.7, "末位")]
    assert {w["mark"] for w in windows} == {"", "末位"}
    notice = draft_notice(gather(service, Period.parse("2026-08")))
    assert body_of(notice, "评先结果") == (
        "经综合考评，本月无符合条件（得分不低于100分、无有效投诉且有加分）的窗口，不评定优秀服务窗口；"
        "服务标兵（1名，无扣分且有加分的仅1名）：综合窗口魏敏（具体情况详见附表3）。"
    )
    # A hall that sets the minimum to 99.7 gets its 99.7 window.
    assert main(["--db", hall_url, "rules", "set", "优秀窗口最低分", "99.7", "--from", "2026-08-01"]) == 0
    windows = rank_json(capsys, hall_url, "2026-08", "window")
    assert [(w["window"], w["mark"]) for w in windows if w["mark"]] == [("1", "优秀窗口")]
    service.reload()
    assert "本月评出优秀服务窗口1个（得分不低于99.7分、无有效投诉且有加分的仅1个）：综合窗口" in body_of(
        draft_notice(gather(service, Period.parse("2026-08"))), "评先结果"
    )
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_tie_break_the_hall_names_decides_and_the_notice_says_which(
    service: HallService, hall_url: str, capsys
) -> None:
    july = Period.parse("2026-07")
    log_at(service, "1", "魏敏", "上门服务", "2026-07-01 10:00")  # 100.5
    log_at(service, "1", "曾伟", "迟到", "2026-07-02 09:10")  # 99.0, lost 1
    log_at(service, "2", "郑晓燕", "脱岗", "2026-07-03 10:00")  # 99.0, lost 2 ...
    log_at(service, "2", "郑晓燕", "表扬信", "2026-07-06 10:00")  # ... and earned 1
    log_at(service, "3", "单雄", "着装不规范", "2026-07-07 10:00")
    log_at(service, "3", "单雄", "迟到", "2026-07-08 09:10")  # 98.5
    log_at(service, "4", "张梅", "睡岗", "2026-07-09 14:40")  # 98.0
    # Without a tie-break, 曾伟 and 郑晓燕 tie at 99.0 and both are in: four 末位.
    staff = rank_json(capsys, hall_url, "2026-07")
    assert [r["name"] for r in staff if r["mark"] == "末位"] == ["曾伟", "郑晓燕", "单雄", "张梅"]
    assert (
        "排名末三位的是综合窗口曾伟、市场监管窗口郑晓燕、住建窗口单雄、不动产登记窗口张梅（第4名2人并列，均列入；详见附表3）"
        in body_of(draft_notice(gather(service, july)), "考核情况")
    )
    # The hall names a tie-break: fewer deduction points first. 郑晓燕 lost more: she is 末位, 曾伟 not.
    assert main(["--db", hall_url, "rules", "set", "同分排序", "扣分", "--from", "2026-07-01"]) == 0
    staff = rank_json(capsys, hall_url, "2026-07")
    assert [(r["name"], r["rank"], r["tied"], r["mark"]) for r in staff if r["score"] < 100] == [
        ("曾伟", 4, 1, ""),
        ("郑晓燕", 5, 1, "末位"),
        ("单雄", 6, 1, "末位"),
        ("张梅", 7, 1, "末位"),
    ]
    service.reload()
    assert_notice(
        [body_of(draft_notice(gather(service, july)), "考核情况")],
        [
            "根据日常巡查记录，本月窗口工作人员考核排名前三位的是综合窗口魏敏、市场监管窗口张伟、住建窗口张伟"
            "（第2名2人并列）；排名末三位的是市场监管窗口郑晓燕、住建窗口单雄、不动产登记窗口张梅"
            "（得分相同者按扣分较少者在前排定名次；详见附表3）。"
            "窗口量化考评排名末三位的是市场监管窗口、住建窗口、不动产登记窗口（详见附表2）。"
        ],
    )
    assert main(["--db", hall_url, "verify"]) == 0


def test_one_rounding_everywhere(service: HallService, hall_url: str, tmp_path: Path, capsys) -> None:
    # 住建窗口: 张伟 99.0 and 单雄 99.5, so exactly 99.25: shown 99.3 (half up), never 99.2.
    log_at(service, "3", "张伟", "迟到", "2026-06-02 09:10")
    log_at(service, "3", "单雄", "着装不规范", "2026-06-03 10:00")
    june = Period.parse("2026-06")
    windows = rank_json(capsys, hall_url, "2026-06", "window")
    assert next(w for w in windows if w["window"] == "3")["score"] == 99.3
    assert main(["--db", hall_url, "rank", "--period", "2026-06", "--by", "window", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert next(r for r in rows if r["window"] == "3")["score"] == "99.3"
    assert main(["--db", hall_url, "rank", "--period", "2026-06", "--by", "window"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "住建窗口" in line)
    assert " 99.3 " in line and "99.2" not in line
    path, _ = export(service, june, tmp_path)
    book = load_workbook(path)
    window_rows = [
        r for r in book["附表2 窗口量化考评"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)
    ]
    assert next(r for r in window_rows if r[2] == 3)[9] == 99.3  # 窗口编号 3 is a number
    staff_rows = [r for r in book["附表3 人员考核排名"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    shown = {(r["window"], r["name"]): r["score"] for r in rank_json(capsys, hall_url, "2026-06")}
    by_name = {(r[3], r[2]): r[-2] for r in staff_rows}
    assert by_name[("住建窗口", "单雄")] == 99.5 and by_name[("住建窗口", "张伟")] == 99.0
    assert sorted(by_name.values()) == sorted(shown.values())  # the same digits in the file and in rank
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_person_who_left_later_is_still_in_that_period(service: HallService, hall_url: str) -> None:
    log_at(service, "4", "张梅", "睡岗", "2026-07-09 14:40")
    service.edits.leave(service.lookup.resolve_staff("张梅", service.lookup.window("4")), date(2026, 11, 1))
    july = gather(service, Period.parse("2026-07"))
    notice = draft_notice(july)
    assert "列为末位的是不动产登记窗口张梅" in body_of(
        notice, "考核情况"
    )  # the old notice crashed on a name not posted today
    staff = [r.name for r in july.ranking.staff]
    assert "张梅" in staff
    assert main(["--db", hall_url, "verify"]) == 0


def test_a_long_tie_in_the_first_three_ranks_is_counted_not_cut(service: HallService, hall_url: str) -> None:
    log_at(service, "1", "魏敏", "上门服务", "2026-05-06 10:00")  # 100.5; the six others share rank 2
    notice = draft_notice(gather(service, Period.parse("2026-05")))
    assert body_of(notice, "考核情况") == (
        "根据日常巡查记录，本月窗口工作人员考核排名前三位的是综合窗口魏敏，另有6人并列第2名（得分均为100.0分）；"
        "本月无有扣分且得分低于100分的工作人员，不评定末位（详见附表3）。"
        "窗口量化考评本月无有扣分且得分低于100分的窗口，不评定末位（详见附表2）。"
    )
    assert main(["--db", hall_url, "verify"]) == 0
