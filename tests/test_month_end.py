"""Issue 10, "Done means": a hall's real month, end to end, through the command line as a hall
would drive it, checked against figures worked out by hand.

The hall: 20 windows and 22 staff (综合窗口 holds two units' people). October 2026 under the
national calendar: 国庆 1–7 October, Saturday 10 October worked in exchange, so the working days
are 8, 9, 10, 12–16, 19–23 and 26–30: **18 days** (``chinese_calendar`` 2026). Hours 09:00–12:00
and 14:00–17:00, 5 minutes' grace, two punches a day. Everyone punches in at 08:5x and out at
17:0x on every working day, except:

===========  ======  ==============================================================
person       window  what happened (source)
===========  ======  ==============================================================
王税         1       in at 09:12:40 on 12 Oct: 迟到 12 min, -1 (GBK CSV, per punch)
郑晓燕       2       no way in on 13 Oct: 缺卡 ×1, -0.5 (GBK CSV)
张伟         2       事假 14–15 Oct (leave register): 请假 2 days, 0 points, no punches
单雄         3       patrol 迟到 16 Oct 09:20 and in at 09:20 that day (counts once), -1;
                     patrol 玩手机 -1
黄丽         11      out at 16:50 on 20 Oct: 早退 10 min, -1 (per-day .xlsx); patrol 闲聊 -0.5
周杰         12      no way out on 21 Oct (empty cell): 缺卡 ×1, -0.5 (.xlsx)
吴敏         13      年休假 22 Oct (register): 请假 1 day; no row in the .xlsx that day
===========  ======  ==============================================================

Bonuses logged on patrol: 魏敏 上门服务 ×2 (+1), 张梅 表扬信 (+1), 李强 表扬信 (+1), 王芳 延时服务
(+0.3), 刘洋 预约服务 (+0.3), 徐静 表扬信 (+1), 孙浩 简化办事流程 (+0.3), 马丽 表扬信 ×2 (+2).
Credited to windows alone: 9 卫健窗口 上门服务 ×3 (+1.5), 11 税务窗口 压缩办理时限 ×28 (+5.6),
18 农业窗口 有效投诉 (-3) and 表扬信 (+1), 19 城管窗口 无人在岗 15 分钟 (-2), 20 邮政窗口 延时服务 ×2
(+0.6).

Staff scores (100 + points): 马丽 102; 魏敏, 张梅, 李强, 徐静 101; 王芳, 刘洋, 孙浩 100.3; nine at
100; 郑晓燕, 周杰 99.5; 王税 99; 黄丽 98.5; 单雄 98. Competition ranks: 1, 2 (×4), 6 (×3),
9 (×9), 18 (×2), 20, 21, 22.
服务标兵 (top 8 with a bonus and no deduction): exactly the eight with bonuses above, ranks 1–6.
末位 staff (bottom 3 of those who lost points): 单雄, 黄丽, 王税.

Window scores (average of its people + its own items): 11 = 98.5 + 5.6 = 104.1; 16 = 102;
9 = 100 + 1.5 = 101.5; 4, 5, 14 = 101; 20 = 100.6; 6, 7, 15 = 100.3; 1 = (101 + 99) / 2 = 100;
8, 10, 13, 17 = 100; 2 = (99.5 + 100) / 2 = 99.75; 12 = 99.5; 3 = 98; 18 = 100 - 3 + 1 = 98;
19 = 98. Ranks: 11 first, 16 second, 9 third, 4/5/14 tied fourth (7 the next).
优秀服务窗口 (top 4, >= 100, no 有效投诉, a bonus): 11, 16, 9 and the three tied at 4th: six.
末位 windows (a deduction and below 100): 3, 18, 19 (98 each), whole.

满勤 (every working day in and out on time, no leave, no patrol 迟到/早退/脱岗): everyone but 王税,
郑晓燕, 张伟, 单雄, 黄丽, 周杰, 吴敏: 15 people.

Units (``rank --by unit``: a unit's people wherever they sit, plus its windows' own items):
区税务局 = (王税 99 + 黄丽 98.5) / 2 + 5.6 = 104.35 (104.4); 区政务服务中心 = 魏敏 101.

Rounds (one inspector, a gap of 30 minutes or more starts a new one): 9 Oct 09:30–09:50 (five
windows seen), 16 Oct 09:20–10:30 (eight findings), 20 Oct 14:30–15:50 (nine findings), 27 Oct
10:00–10:28 (fifteen windows seen): **4 rounds**. Punch and leave findings are no round.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.conftest import count, run, verified
from tests.test_attendance_sheet import HEADER as ATTENDANCE_HEADER

ROSTER = [
    ("1", "综合窗口", "区政务服务中心", "魏敏"),
    ("1", "综合窗口", "区税务局", "王税"),
    ("2", "市场监管窗口", "区市场监督管理局", "郑晓燕"),
    ("2", "市场监管窗口", "区市场监督管理局", "张伟"),
    ("3", "住建窗口", "区住房和城乡建设局", "单雄"),
    ("4", "不动产登记窗口", "区自然资源局", "张梅"),
    ("5", "公安窗口", "区公安分局", "李强"),
    ("6", "社保窗口", "区人力资源和社会保障局", "王芳"),
    ("7", "医保窗口", "区医疗保障局", "刘洋"),
    ("8", "民政窗口", "区民政局", "陈静"),
    ("9", "卫健窗口", "区卫生健康局", "杨帆"),
    ("10", "交通窗口", "区交通运输局", "赵磊"),
    ("11", "税务窗口", "区税务局", "黄丽"),
    ("12", "公积金窗口", "区住房公积金中心", "周杰"),
    ("13", "供电窗口", "国网供电公司", "吴敏"),
    ("14", "供水窗口", "区供水公司", "徐静"),
    ("15", "燃气窗口", "区燃气公司", "孙浩"),
    ("16", "教育窗口", "区教育局", "马丽"),
    ("17", "文旅窗口", "区文化和旅游局", "朱琳"),
    ("18", "农业窗口", "区农业农村局", "胡军"),
    ("19", "城管窗口", "区城市管理局", "郭涛"),
    ("20", "邮政窗口", "区邮政公司", "何琴"),
]
WORKING_DAYS = [8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30]
LEAVE = {("张伟", 14), ("张伟", 15), ("吴敏", 22)}
# (name, day) -> (way in, way out); None: no punch. Everyone else: 08:5x in, 17:0x out.
PUNCH_EXCEPTIONS = {
    ("王税", 12): ("09:12:40", "17:03:00"),
    ("郑晓燕", 13): (None, "17:01:00"),
    ("单雄", 16): ("09:20:00", "17:02:00"),
    ("黄丽", 20): ("08:57:00", "16:50:00"),
    ("周杰", 21): ("08:52:00", None),
}
# What patrols logged, in time order: (when, window, person or None for the window, item, count, minutes).
PATROL = [
    ("2026-10-16 09:20", "3", "单雄", "迟到", None, None),
    ("2026-10-16 09:25", "3", "单雄", "玩手机", None, None),
    ("2026-10-16 09:40", "1", "魏敏", "上门服务", 2, None),
    ("2026-10-16 09:50", "4", "张梅", "表扬信", None, None),
    ("2026-10-16 10:00", "5", "李强", "表扬信", None, None),
    ("2026-10-16 10:10", "6", "王芳", "延时服务", None, None),
    ("2026-10-16 10:20", "7", "刘洋", "预约服务", None, None),
    ("2026-10-16 10:30", "9", None, "上门服务", 3, None),
    ("2026-10-20 14:30", "11", "黄丽", "闲聊", None, None),
    ("2026-10-20 14:40", "11", None, "压缩办理时限", 28, None),
    ("2026-10-20 14:50", "14", "徐静", "表扬信", None, None),
    ("2026-10-20 15:00", "15", "孙浩", "简化办事流程", None, None),
    ("2026-10-20 15:10", "16", "马丽", "表扬信", 2, None),
    ("2026-10-20 15:20", "18", None, "有效投诉", None, None),
    ("2026-10-20 15:30", "18", None, "表扬信", None, None),
    ("2026-10-20 15:40", "19", None, "无人在岗", None, 15),
    ("2026-10-20 15:50", "20", None, "延时服务", 2, None),
]

# Worked out by hand (see the module's docstring).
STAFF_SCORES = {
    "马丽": 102,
    "魏敏": 101,
    "张梅": 101,
    "李强": 101,
    "徐静": 101,
    "王芳": 100.3,
    "刘洋": 100.3,
    "孙浩": 100.3,
    "张伟": 100,
    "陈静": 100,
    "杨帆": 100,
    "赵磊": 100,
    "吴敏": 100,
    "朱琳": 100,
    "胡军": 100,
    "郭涛": 100,
    "何琴": 100,
    "郑晓燕": 99.5,
    "周杰": 99.5,
    "王税": 99,
    "黄丽": 98.5,
    "单雄": 98,
}
STAFF_RANKS = {name: 1 + sum(other > score for other in STAFF_SCORES.values()) for name, score in STAFF_SCORES.items()}
MODEL_STAFF = {"马丽", "魏敏", "张梅", "李强", "徐静", "王芳", "刘洋", "孙浩"}
BOTTOM_STAFF = {"单雄", "黄丽", "王税"}
WINDOW_SCORES = {
    "11": 104.1,
    "16": 102,
    "9": 101.5,
    "4": 101,
    "5": 101,
    "14": 101,
    "20": 100.6,
    "6": 100.3,
    "7": 100.3,
    "15": 100.3,
    "1": 100,
    "8": 100,
    "10": 100,
    "13": 100,
    "17": 100,
    "2": 99.75,
    "12": 99.5,
    "3": 98,
    "18": 98,
    "19": 98,
}
EXCELLENT_WINDOWS = {"11", "16", "9", "4", "5", "14"}
BOTTOM_WINDOWS = {"3", "18", "19"}
NOT_FULL = {"王税", "郑晓燕", "张伟", "单雄", "黄丽", "周杰", "吴敏"}
FULL_ATTENDANCE = [(code, name) for code, _w, _u, name in ROSTER if name not in NOT_FULL]
ROUNDS = 4


def punches_of(name: str, day: int) -> tuple[str | None, str | None]:
    """One person's way in and way out on one October day (None: no punch)."""
    if (name, day) in LEAVE:
        return None, None
    # Ordinary days: a few minutes before nine and after five, varying so no two rows are alike.
    return PUNCH_EXCEPTIONS.get((name, day), (f"08:5{day % 10}:00", f"17:0{day % 10}:00"))


def write_roster(folder: Path) -> Path:
    path = folder / "名册.csv"
    lines = ["窗口编号,窗口名称,单位,姓名,岗位"] + [f"{c},{w},{u},{n},A岗" for c, w, u, n in ROSTER]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_punch_csv(folder: Path, names: list[str]) -> Path:
    """One row per punch, GBK, as an attendance machine exports it (windows 1–10)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["姓名", "部门", "打卡时间", "设备"])
    units = {n: u for _c, _w, u, n in ROSTER}
    for day in WORKING_DAYS:
        for name in names:
            for stamp in punches_of(name, day):
                if stamp is not None:
                    writer.writerow([name, units[name], f"2026-10-{day:02d} {stamp}", "大厅东门考勤机"])
    path = folder / "10月打卡.csv"
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


def write_daily_xlsx(folder: Path, names: list[str]) -> Path:
    """One row per person and day, .xlsx, as an office app exports it (windows 11–20); a day on
    leave has no row, a missing punch an empty cell."""
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "日期", "上班1打卡时间", "下班1打卡时间", "部门"])
    units = {n: u for _c, _w, u, n in ROSTER}
    for day in WORKING_DAYS:
        for name in names:
            if (name, day) in LEAVE:
                continue
            way_in, way_out = punches_of(name, day)
            sheet.append([name, date(2026, 10, day), way_in and way_in[:5], way_out and way_out[:5], units[name]])
    path = folder / "10月考勤日报.xlsx"
    book.save(path)
    return path


def write_leave(folder: Path) -> Path:
    path = folder / "10月请假.csv"
    path.write_text(
        "姓名,开始日期,结束日期,类型,审批人\n张伟,2026-10-14,2026-10-15,事假,李主任\n吴敏,2026-10-22,2026-10-22,年休假,李主任\n",
        encoding="utf-8-sig",
    )
    return path


def effective_findings(url: str) -> list[tuple[object, ...]]:
    """Every finding not voided, as (window, person, item, source, count, minutes, at)."""
    sql = (
        "SELECT w.code, s.name, t.name, f.source, f.count, f.minutes, f.at FROM finding f "
        "JOIN window w ON w.id = f.window_id JOIN finding_type t ON t.id = f.type_id "
        "LEFT JOIN staff s ON s.id = f.staff_id "
        "WHERE NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id) ORDER BY f.at, w.code, t.name"
    )
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return [tuple(row) for row in conn.execute(sql)]


def rank(capsys: pytest.CaptureFixture[str], db: list[str], by: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, *db, "rank", "--period", "2026-10", "--by", by, "--format", "json")
    assert code == 0, err
    return list(json.loads(out))


def sheet_rows(path: Path, title: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in load_workbook(path, read_only=True)[title].iter_rows(values_only=True)]


def build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], Path, Path, dict[str, str]]:
    """The hall and its October, through the command line; returns the --db args, the two punch
    files and the 记录号 of each patrol finding by "window item"."""
    url = f"sqlite:///{tmp_path / 'patrol.db'}"
    db = ["--db", url]
    files = tmp_path / "files"
    files.mkdir()
    assert run(capsys, *db, "init", "--hall", "高新区政务服务中心")[0] == 0
    code, _out, err = run(capsys, *db, "roster", "import", str(write_roster(files)))
    assert code == 0, err
    hours = ("hours", "set", "--from", "2026-01-01", "--am", "09:00-12:00", "--pm", "14:00-17:00", "--grace", "5")
    assert run(capsys, *db, *hours)[0] == 0
    # Two rounds with nothing wrong: windows 1–5 on 9 October every 5 minutes, 6–20 on the 27th every 2.
    seen = [(str(c), f"2026-10-09 09:{30 + 5 * (c - 1)}") for c in range(1, 6)]
    seen += [(str(c), f"2026-10-27 10:{2 * (c - 6):02d}") for c in range(6, 21)]
    for window, at in seen:
        code, _out, err = run(capsys, *db, "seen", "--window", window, "--at", at)
        assert code == 0, err
    refs = {}
    for when, window, person, item, times, minutes in PATROL:
        args = [*db, "log", "--window", window, "--type", item, "--at", when]
        args += ["--staff", person] if person else []
        args += ["--count", str(times)] if times else []
        args += ["--minutes", str(minutes)] if minutes else []
        code, out, err = run(capsys, *args)
        assert code == 0, err
        refs[f"{window} {item}"] = out.split("记录号 ")[1].split("）")[0]
    code, out, err = run(capsys, *db, "leave", "import", str(write_leave(files)))
    assert code == 0, err
    assert "共 3 个工作日" in out, out
    first_ten = [n for c, _w, _u, n in ROSTER if int(c) <= 10]
    rest = [n for c, _w, _u, n in ROSTER if int(c) > 10]
    punch_csv, daily = write_punch_csv(files, first_ten), write_daily_xlsx(files, rest)
    for path in (punch_csv, daily):
        code, out, err = run(capsys, *db, "clockin", "import", str(path))
        assert code == 0, err
    return db, punch_csv, daily, refs


def one_decimal(score: float) -> float:
    """A score as every output shows it: rounded half up to one decimal (99.75 reads 99.8)."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def notice(capsys: pytest.CaptureFixture[str], db: list[str]) -> list[str]:
    code, out, err = run(capsys, *db, "report", "--period", "2026-10")
    assert code == 0, err
    return [line for line in out.splitlines() if line.strip()]  # a heading is a paragraph of its own


def attendance_sheet(capsys: pytest.CaptureFixture[str], db: list[str], path: Path) -> dict[str, tuple[object, ...]]:
    """附表4 of a fresh export, by name (every name is unique in this hall)."""
    code, _out, err = run(capsys, *db, "export", "--period", "2026-10", "--out", str(path), "--force")
    assert code == 0, err
    rows = sheet_rows(path, "附表4 考勤汇总")
    assert list(rows[2]) == ATTENDANCE_HEADER
    return {str(r[1]): r for r in rows[3:] if r[1]}


def test_a_hall_s_october_from_punches_leave_and_patrols_to_close(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, punch_csv, daily, refs = build(tmp_path, capsys)
    url = db[1]
    # What the files gave: one finding per person, day and kind; 单雄's punch 迟到 on the day a
    # patrol logged one is not written (counted once); leave days gave no 缺卡.
    derived = [(w, p, t, src, n, m) for w, p, t, src, n, m, _at in effective_findings(url) if src != "patrol"]
    assert derived == [
        ("1", "王税", "迟到", "clockin", 1, 12),
        ("2", "郑晓燕", "缺卡", "clockin", 1, None),
        ("2", "张伟", "请假", "leave", 1, None),
        ("2", "张伟", "请假", "leave", 1, None),
        ("11", "黄丽", "早退", "clockin", 1, 10),
        ("12", "周杰", "缺卡", "clockin", 1, None),
        ("13", "吴敏", "请假", "leave", 1, None),
    ]
    # 12 people × 18 days × 2 punches, less 张伟's 2 days and 郑晓燕's missing way in; 10 people
    # × 18 days × 2, less 吴敏's day and 周杰's missing way out.
    assert count(url, "punch") == (12 * 18 * 2 - 4 - 1) + (10 * 18 * 2 - 2 - 1)

    # The ranking: scores, competition ranks, 服务标兵, 末位 and 满勤, as worked out by hand.
    staff = rank(capsys, db, "staff")
    assert {r["name"]: r["score"] for r in staff} == STAFF_SCORES
    assert {r["name"]: r["rank"] for r in staff} == STAFF_RANKS
    assert {r["name"] for r in staff if r["mark"] == "服务标兵"} == MODEL_STAFF
    assert {r["name"] for r in staff if r["mark"] == "末位"} == BOTTOM_STAFF
    assert {r["name"] for r in staff if r["full_attendance"]} == {n for _c, n in FULL_ATTENDANCE}
    assert {r["name"]: r["unit"] for r in staff}["王税"] == "区税务局"  # 综合窗口 holds two units' people
    windows = rank(capsys, db, "window")
    assert {r["window"]: r["score"] for r in windows} == {c: one_decimal(s) for c, s in WINDOW_SCORES.items()}
    assert {r["window"] for r in windows if r["mark"] == "优秀窗口"} == EXCELLENT_WINDOWS
    assert {r["window"] for r in windows if r["mark"] == "末位"} == BOTTOM_WINDOWS
    assert {r["window"]: r["bonuses"] for r in windows}["11"] == 5.6  # 28 × 0.2, the window's alone
    # 区税务局 has 王税 at 综合窗口 and 黄丽 at its own 税务窗口: its people (99 + 98.5) / 2 = 98.75,
    # plus its window's own 28 × 0.2 = 5.6: 104.35, shown 104.4; 区政务服务中心 counts 魏敏 alone.
    units = {
        r["unit"]: r
        for r in json.loads(run(capsys, *db, "rank", "--period", "2026-10", "--by", "unit", "--format", "json")[1])
    }
    assert (units["区税务局"]["staff"], units["区税务局"]["windows"], units["区税务局"]["score"]) == (2, "11", 104.4)
    assert (units["区政务服务中心"]["staff"], units["区政务服务中心"]["score"]) == (1, 101.0)

    # The notice, sentence by sentence.
    names = dict((c, w) for c, w, _u, _n in ROSTER)
    paragraphs = notice(capsys, db)
    assert paragraphs[0] == "关于高新区政务服务中心2026年10月窗口工作人员巡查考核情况的通报"
    # 项次 count the times a finding stands for (×28 is 28), of what the patrols found only, the
    # deductions and the bonuses apart (5: 单雄 ×2, 黄丽 闲聊, 农业窗口 有效投诉, 城管窗口 无人在岗;
    # 44 bonus times: 2+1+1+1+1+3+28+1+1+2+1+2). The 4 punch findings are said under 考勤情况;
    # leave is no finding.
    assert paragraphs[1] == (
        f"2026年10月，督查组共开展巡查{ROUNDS}次，记录扣分5项次、加分44项次。现将有关情况通报如下："
    )
    assert paragraphs[2:6] == ["【本月重点】", "（此处由办公室填写本月重点工作）", "【人员管理】", "1、考勤情况"]
    full = "、".join(f"{names[c]}{n}" for c, n in FULL_ATTENDANCE)
    # 单雄's lateness of 16 October, found by a patrol and the punches, is said once, in its place
    # among the others; the patrol's other finding of that day stays under 巡查情况.
    assert paragraphs[6] == (
        "各窗口人员均能严格执行上下班刷脸考勤，本月满勤（无迟到早退、无请假、无缺卡）的工作人员有"
        f"{len(FULL_ATTENDANCE)}名：{full}。打卡记录和日常巡查显示，综合窗口王税10月12日上班迟到；"
        "市场监管窗口郑晓燕10月13日缺卡；住建窗口单雄10月16日上班迟到；税务窗口黄丽10月20日早退；"
        "公积金窗口周杰10月21日缺卡。"
    )
    assert len(FULL_ATTENDANCE) == 15
    assert paragraphs[7:9] == [
        "2、巡查情况",
        "住建窗口单雄10月16日工作期间使用手机处理与工作无关的事情。税务窗口黄丽10月20日工作期间闲聊。"
        "农业窗口10月20日被有效投诉。城管窗口10月20日无人在岗。",
    ]
    assert paragraphs[9:11] == [
        "3、考核情况",
        "根据日常巡查和考勤记录，本月窗口工作人员考核排名前三位的是教育窗口马丽、综合窗口魏敏、"
        "不动产登记窗口张梅、公安窗口李强、供水窗口徐静（第2名4人并列）；排名末三位的是综合窗口王税、税务窗口黄丽、"
        "住建窗口单雄（详见附表3）。窗口量化考评排名末三位的是住建窗口、农业窗口、城管窗口（详见附表2）。",
    ]
    assert paragraphs[11:13] == ["【创先争优】", "1、加分情况"]
    bonuses = paragraphs[13]
    assert "税务窗口主动为企业压缩办理时限28次" in bonuses
    assert "卫健窗口主动为企业提供上门服务3次" in bonuses
    assert "邮政窗口主动为企业提供延时服务2次" in bonuses
    assert paragraphs[14:16] == [
        "2、评先结果",
        "经综合考评，本月评出优秀服务窗口6个（第4名3个窗口并列，均列入），分别是：税务窗口、教育窗口、卫健窗口、"
        "不动产登记窗口、公安窗口、供水窗口（具体情况详见附表2）；服务标兵（8名）分别是：教育窗口马丽、综合窗口魏敏、"
        "不动产登记窗口张梅、公安窗口李强、供水窗口徐静、社保窗口王芳、医保窗口刘洋、燃气窗口孙浩（具体情况详见附表3）。",
    ]
    # October is over: the notice is dated its last day, and signed by the hall's office.
    assert paragraphs[-2:] == ["高新区政务服务中心管理办公室", "2026年10月31日"]

    # 附表4, read back with openpyxl: 应出勤 18 for everyone (the national calendar), 实际出勤 the
    # days with a punch, 迟到 days and minutes, 早退, 缺卡, 请假 days, 满勤.
    sheet = attendance_sheet(capsys, db, tmp_path / "附表.xlsx")
    assert len(sheet) == 22  # one row a person; no substitute has a record
    assert sheet["魏敏"] == ("综合窗口", "魏敏", 18, 18, 0, 0, 0, 0, 0, 0, 0, "是")
    assert sheet["王税"] == ("综合窗口", "王税", 18, 18, 1, 12, 0, 0, 0, 0, 0, "否")
    assert sheet["郑晓燕"] == ("市场监管窗口", "郑晓燕", 18, 18, 0, 0, 0, 1, 0, 0, 0, "否")
    assert sheet["张伟"] == ("市场监管窗口", "张伟", 18, 16, 0, 0, 0, 0, 2, 0, 0, "否")
    assert sheet["黄丽"] == ("税务窗口", "黄丽", 18, 18, 0, 0, 1, 0, 0, 0, 0, "否")
    assert sheet["周杰"] == ("公积金窗口", "周杰", 18, 18, 0, 0, 0, 1, 0, 0, 0, "否")
    assert sheet["吴敏"] == ("供电窗口", "吴敏", 18, 17, 0, 0, 0, 0, 1, 0, 0, "否")
    # 单雄: one day late (a patrol and the punches, counted once): his way in at 09:20 is 20
    # minutes late, although the punch 迟到 is not written beside the patrol's (which has no minutes).
    assert sheet["单雄"] == ("住建窗口", "单雄", 18, 18, 1, 20, 0, 0, 0, 0, 0, "否")
    assert {n for n, r in sheet.items() if r[-1] == "是"} == {n for _c, n in FULL_ATTENDANCE}

    # The same punches again: nothing new, nothing voided, the same figures.
    before = (effective_findings(url), count(url, "finding"), count(url, "correction"), count(url, "punch"))
    for path in (punch_csv, daily):
        code, out, err = run(capsys, *db, "clockin", "import", str(path))
        assert code == 0, err
        assert "新 0 条" in out, out
    assert (effective_findings(url), count(url, "finding"), count(url, "correction"), count(url, "punch")) == before
    assert rank(capsys, db, "staff") == staff and rank(capsys, db, "window") == windows
    assert attendance_sheet(capsys, db, tmp_path / "附表2.xlsx") == sheet

    # Month close: a new finding in October is refused in one line; a correction still works.
    code, out, err = run(capsys, *db, "close", "--period", "2026-10", "--reason", "通报已印发")
    assert code == 0 and "已月结 2026年10月" in out, err
    findings_before = count(url, "finding")
    late = ("log", "--window", "8", "--staff", "陈静", "--type", "迟到", "--at", "2026-10-30 09:30")
    code, _out, err = run(capsys, *db, *late)
    assert code == 1 and "已月结" in err and len(err.strip().splitlines()) == 1, err
    assert count(url, "finding") == findings_before
    code, out, err = run(capsys, *db, "correct", refs["11 闲聊"], "--void", "--reason", "经核实为业务咨询")
    assert code == 0, err
    after = {r["name"]: r["score"] for r in rank(capsys, db, "staff")}
    assert after["黄丽"] == 99.0 and after["陈静"] == 100.0
    code, _out, err = run(capsys, *db, "export", "--period", "2026-10", "--out", str(tmp_path / "附表3.xlsx"))
    assert code == 0, err
    corrections = [
        r for r in sheet_rows(tmp_path / "附表3.xlsx", "附表5 更正记录") if "经核实为业务咨询" in map(str, r)
    ]
    assert [r[2:8] for r in corrections] == [
        (datetime(2026, 10, 20, 14, 30), "税务窗口", "黄丽", "闲聊", "作废", "经核实为业务咨询")
    ]
    assert run(capsys, *db, "verify")[0] == 0
    assert verified(url)
