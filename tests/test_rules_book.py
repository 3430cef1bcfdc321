"""`patrol rules export|import`: the hall's own rules as a workbook, round-tripped, edited (a
hall's own item, a changed setting), every difference shown before it is applied, bad rows
refused with sheet, row and column, findings logged before keeping their points."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from patrol.rules.items import DEFAULT_RULES
from patrol.rules.setting_words import SETTINGS
from tests.conftest import count, run, verified


def _setting_row(key: str) -> int:
    """The row of a setting on the 评定规则 sheet: a header, then SETTINGS in order."""
    return 2 + [s.key for s in SETTINGS].index(key)


TIE_ROW = _setting_row("tie_break")
LEAVE_ROW = 2 + [i.code for i in DEFAULT_RULES].index("leave")
NEW_ROW = len(DEFAULT_RULES) + 2  # a row added under the default items (after the header)


def hall_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def exported(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "规则.xlsx"
    code, out, err = run(capsys, "--db", url, "rules", "export", str(path))
    assert code == 0, err
    assert f"已导出 {len(DEFAULT_RULES)} 个巡查项" in out
    return path


def edited(path: Path, change: Callable[[Any], None], name: str = "改.xlsx") -> Path:
    book = load_workbook(path)
    change(book)
    out = path.with_name(name)
    book.save(out)
    return out


def line_of(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(label))


def set_setting(book: Any, key: str, value: str) -> None:
    """Write ``value`` in the 取值 cell of the setting ``key`` (found by its code, so settings
    added later do not move it)."""
    for row in book["评定规则"].iter_rows(min_row=2):
        if row[2].value == key:
            row[1].value = value
            return
    raise AssertionError(key)


def points_of(url: str) -> list[tuple[str, float]]:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return conn.execute(
            "SELECT t.name, f.points FROM finding f JOIN finding_type t ON t.id = f.type_id ORDER BY f.created_at"
        ).fetchall()


def test_the_workbook_holds_every_item_and_setting_and_imports_back_as_no_change(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(hall_url, tmp_path, capsys)
    book = load_workbook(path)
    assert book.sheetnames == ["巡查项", "评定规则", "说明"]
    items = list(book["巡查项"].iter_rows(values_only=True))
    assert items[0] == ("名称", "编码", "别名", "类别", "分值", "记给", "快捷键", "启用", "通报用语")
    assert items[1] == ("迟到", "late", None, "考勤", -1, "人员", "c", "是", "上班迟到")
    assert ("脱岗", "absent", "空岗", "考勤", -2, "人员", "t", "是", "脱岗") in items
    assert ("窗口摆放不规范", "desk", None, "服务规范", -0.5, "窗口", "b", "是", "窗口物品摆放不规范") in items
    assert len(items) == 1 + len(DEFAULT_RULES)
    settings = {row[2]: row[1] for row in book["评定规则"].iter_rows(min_row=2, values_only=True)}
    assert list(settings) == [s.key for s in SETTINGS]  # every setting, new ones included
    assert (
        settings["top_staff"] == "8" and settings["tie_break"] == "无" and settings["attendance_basis"] == "按打卡记录"
    )
    before = count(hall_url, "row_version")
    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(path))
    assert code == 0 and out.startswith("没有改动：")
    assert count(hall_url, "row_version") == before


def test_an_own_item_and_a_setting_are_shown_then_applied_and_old_findings_keep_their_points(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到")[0] == 0
    path = exported(hall_url, tmp_path, capsys)

    def change(book: Any) -> None:
        items = book["巡查项"]
        items.append(["帮办代办", None, "代办", "加分", 0.5, "人员", "i", "是", "主动为群众帮办代办"])
        items.append(["一次性告知", None, None, "服务规范", -1, "均可", None, "是", None])
        items["E2"] = -2  # 迟到 from -1 to -2
        for row in items.iter_rows(min_row=2):
            if row[0].value == "吃零食":  # switched off, its key goes to 帮办代办 (no letter is free)
                row[7].value = "否"
                row[6].value = None
        set_setting(book, "top_staff", "10")

    changed = edited(path, change)
    today = hall_today()
    shown = [
        "巡查项：",
        "  新增 帮办代办（加分，+0.5 分，记给人员，快捷键 i）",
        "  新增 一次性告知（服务规范，-1 分，记给均可，无快捷键）",
        "  修改 迟到：分值 -1 分 → -2 分",
        "  停用 吃零食",
        "  修改 吃零食：快捷键 i → 无",
        f"评定规则（自 {today:%Y-%m-%d} 起适用）：",
        "  服务标兵人数 8 → 10",
    ]
    before = count(hall_url, "row_version")
    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(changed), "--dry-run")
    assert code == 0 and out.splitlines()[: len(shown)] == shown
    assert "未写入" in out and count(hall_url, "row_version") == before

    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(changed))
    assert code == 0 and out.splitlines()[: len(shown)] == shown
    assert "已导入：巡查项新增 2 项、修改 1 项、停用 1 项，评定规则改动 1 条。" in out
    _, out, _ = run(capsys, "--db", hall_url, "rules", "show")
    assert line_of(out, "服务标兵人数").split()[1] == "10"
    # The new item is there to log, by name and by alias; the old 迟到 keeps its -1.
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "代办")[0] == 0
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到")[0] == 0
    assert points_of(hall_url) == [("迟到", -1.0), ("帮办代办", 0.5), ("迟到", -2.0)]
    # A deactivated item is refused from now on.
    code, _, err = run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "吃零食")
    assert code != 0 and "吃零食" in err
    # The workbook exported now imports back as no change, the new items with their codes.
    again = tmp_path / "again.xlsx"
    assert run(capsys, "--db", hall_url, "rules", "export", str(again))[0] == 0
    names = {row[0]: row[1] for row in load_workbook(again)["巡查项"].iter_rows(min_row=2, values_only=True)}
    assert names["帮办代办"] == "bangbandaiban"
    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(again))
    assert code == 0 and out.startswith("没有改动：")
    assert verified(hall_url)


def test_from_sets_the_day_the_settings_apply_from(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(hall_url, tmp_path, capsys)
    changed = edited(path, lambda book: set_setting(book, "attendance_basis", "巡查"))
    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(changed), "--from", "2026-12-01")
    assert code == 0 and "评定规则（自 2026-12-01 起适用）：" in out
    assert "  满勤依据 按打卡记录 → 按巡查记录（大厅无考勤机）" in out
    _, out, _ = run(capsys, "--db", hall_url, "rules", "show", "--on", "2026-11-30")
    assert line_of(out, "满勤依据").split()[1] == "按打卡记录"
    _, out, _ = run(capsys, "--db", hall_url, "rules", "show", "--on", "2026-12-01")
    assert line_of(out, "满勤依据").split()[1:] == ["按巡查记录（大厅无考勤机）", "自", "2026-12-01", "起"]


def _cell(sheet: str, cell: str, value: object) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet][cell] = value

    return change


def _row(values: list[object]) -> Callable[[Any], None]:
    return lambda book: book["巡查项"].append(values)


def _delete_row(number: int) -> Callable[[Any], None]:
    return lambda book: book["巡查项"].delete_rows(number)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_cell("巡查项", "G3", "c"), "“巡查项”表第3行“快捷键”列（G3）：快捷键“c”已由第2行“迟到”使用"),
        (_cell("巡查项", "G2", "n"), "“巡查项”表第2行“快捷键”列（G2）：快捷键“n”留作备注"),
        (_cell("巡查项", "G2", "u"), "“巡查项”表第2行“快捷键”列（G2）：快捷键“u”留作撤销"),
        (_cell("巡查项", "G2", "F5"), "“巡查项”表第2行“快捷键”列（G2）：快捷键“f5”应为一个字母"),
        (
            _cell("巡查项", "D4", "纪律"),
            "“巡查项”表第4行“类别”列（D4）：未知的类别“纪律”，应为 考勤、作风纪律、服务规范、加分 之一",
        ),
        (_cell("巡查项", "E5", "一分"), "“巡查项”表第5行“分值”列（E5）：“一分”不是分值"),
        (_cell("巡查项", "E5", "1"), "“巡查项”表第5行“分值”列（E5）：考勤项的分值应为 0 或负数"),
        (_cell("巡查项", "F5", "科室"), "“巡查项”表第5行“记给”列（F5）：“科室”应为 人员、窗口 或 均可"),
        (_cell("巡查项", "H5", "也许"), "“巡查项”表第5行“启用”列（H5）：“也许”应为 是 或 否"),
        (_cell("巡查项", "A2", None), "“巡查项”表第2行“名称”列（A2）：名称为空"),
        (
            _row(["请假不及时", None, "空岗", "考勤", -1, "人员", None, "是", None]),
            f"“巡查项”表第{NEW_ROW}行“别名”列（C{NEW_ROW}）：“空岗”与第4行“脱岗”的名称或别名重名",
        ),
        (
            _row(["迟到了", "late", None, "考勤", -1, "人员", None, "是", None]),
            f"“巡查项”表第{NEW_ROW}行“编码”列（B{NEW_ROW}）：编码“late”与第2行重复",
        ),
        (
            _row(["首问负责", "Bad-Code", None, "服务规范", -1, "人员", None, "是", None]),
            f"“巡查项”表第{NEW_ROW}行“编码”列（B{NEW_ROW}）：编码“bad-code”只能用小写字母",
        ),
        (_cell("巡查项", "A3", "早\u200b退"), "“巡查项”表第3行“名称”列（A3）：名称“早"),
        (_delete_row(13), "“巡查项”表缺少巡查项“睡岗”（编码 sleep）：巡查项不能删除"),
        (_cell("评定规则", "B2", "十"), "“评定规则”表第2行“取值”列（B2）：“服务标兵人数”应为 0 到 1000 的整数"),
        (_cell("评定规则", "C3", "top_people"), "“评定规则”表第3行“编码”列（C3）：没有名为“top_people”的规则"),
        (
            _cell("评定规则", f"B{TIE_ROW}", "扣分,抽签"),
            f"“评定规则”表第{TIE_ROW}行“取值”列（B{TIE_ROW}）：“同分排序”不认识“抽签”",
        ),
        (
            _cell("巡查项", "F2", "窗口"),
            "“巡查项”表第2行“记给”列（F2）：“迟到”是考勤项（打卡和请假记录用它），只能记给人员",
        ),
        (
            _cell("巡查项", f"H{LEAVE_ROW}", "否"),
            f"“巡查项”表第{LEAVE_ROW}行“启用”列（H{LEAVE_ROW}）：“请假”是考勤项（打卡和请假记录用它），不能停用",
        ),
    ],
    ids=[
        "hotkey-twice",
        "reserved-n",
        "reserved-u",
        "hotkey-not-a-letter",
        "category",
        "points-not-a-number",
        "points-sign",
        "level",
        "active",
        "no-name",
        "alias-clash",
        "code-twice",
        "bad-code",
        "invisible-character",
        "row-deleted",
        "setting-value",
        "setting-name",
        "tie-break",
        "clockin-item-to-window",
        "leave-switched-off",
    ],
)
def test_a_bad_row_is_refused_with_sheet_row_and_column_and_nothing_is_written(
    hall_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Any], None],
    said: str,
) -> None:
    path = exported(hall_url, tmp_path, capsys)
    bad = edited(path, lambda book: (set_setting(book, "bottom_count", "2"), change(book)))
    before = (count(hall_url, "row_version"), count(hall_url, "access_log"))
    code, out, err = run(capsys, "--db", hall_url, "rules", "import", str(bad))
    assert code == 1 and out == ""
    assert err.startswith(f"改.xlsx{said}") or said in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (count(hall_url, "row_version"), count(hall_url, "access_log")) == before


def test_a_file_that_is_not_a_rules_workbook_is_refused_in_one_line(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "窗口"])  # type: ignore[union-attr]
    other = tmp_path / "名册.xlsx"
    book.save(other)
    code, _, err = run(capsys, "--db", hall_url, "rules", "import", str(other))
    assert code == 1 and "没有“巡查项”表或“评定规则”表" in err
    code, _, err = run(capsys, "--db", hall_url, "rules", "import", str(tmp_path / "无.xlsx"))
    assert code == 1 and "找不到文件" in err


def test_settings_of_every_kind_round_trip_and_a_later_version_carries_an_imported_change(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in (
        ("tie_break", "扣分,项次"),
        ("score_floor", "0"),
        ("excellent_min_score", "无"),
        ("bonus_cap", "2.5"),
    ):
        assert run(capsys, "--db", hall_url, "rules", "set", name, value, "--from", "2026-11-01")[0] == 0
    assert run(capsys, "--db", hall_url, "rules", "set", "top_staff", "10", "--from", "2027-01-01")[0] == 0
    path = tmp_path / "规则.xlsx"
    assert run(capsys, "--db", hall_url, "rules", "export", str(path), "--on", "2026-12-01")[0] == 0
    settings = {row[2]: row[1] for row in load_workbook(path)["评定规则"].iter_rows(min_row=2, values_only=True)}
    assert settings["tie_break"] == "扣分较少者在前、扣分项次较少者在前" and settings["bonus_cap"] == "2.5"
    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(path), "--from", "2026-12-01")
    assert code == 0 and out.startswith("没有改动：")

    def change(book: Any) -> None:
        set_setting(book, "bottom_count", "5")
        set_setting(book, "window_score_mode", "合计")

    changed = edited(path, change)
    code, out, _ = run(capsys, "--db", hall_url, "rules", "import", str(changed), "--from", "2026-12-01")
    assert code == 0 and "  末位人数 3 → 5" in out and "  窗口得分方式 人员平均分加窗口分 → 窗口全部分值之和" in out
    # The version registered for 2027 keeps its 服务标兵人数 and takes the two imported changes.
    for day, top, bottom in (("2026-11-30", "8", "3"), ("2026-12-01", "8", "5"), ("2027-01-01", "10", "5")):
        _, out, _ = run(capsys, "--db", hall_url, "rules", "show", "--on", day)
        assert line_of(out, "服务标兵人数").split()[1] == top, day
        assert line_of(out, "末位人数").split()[1] == bottom, day
        if day != "2026-11-30":
            assert line_of(out, "窗口得分方式").split()[1] == "窗口全部分值之和", day


def test_an_export_to_a_missing_folder_or_not_xlsx_is_refused_in_chinese(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", hall_url, "rules", "export", str(tmp_path / "无此文件夹" / "规则.xlsx"))
    assert code == 1 and "文件夹" in err and "不存在" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "--db", hall_url, "rules", "export", str(tmp_path / "规则.csv"))
    assert code == 1 and "应以 .xlsx 结尾" in err
