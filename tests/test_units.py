"""Units (issue 10, point 8): each person carries their own unit (a 综合窗口 holds staff of
several units), `rank --by unit`, 优质服务窗口单位 with whole ties at the boundary, the notice's
sentence, the workbook's unit sheet, and a database from before units that still verifies.

Every figure is worked out by hand in the test."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from patrol.cli import main
from tests.conftest import run, verified

# Window 1 holds two people of 区政务服务中心 and one of 区税务局: the window is the centre's (two
# rows of three), 王税 stays 区税务局's.
ROSTER = """窗口编号,窗口名称,单位,姓名,岗位
1,综合窗口,区政务服务中心,魏敏,A岗
1,综合窗口,区税务局,王税,B岗
1,综合窗口,区政务服务中心,曾伟,B岗
2,税务窗口,区税务局,李四,A岗
3,住建窗口,区住房和城乡建设局,张三,A岗
3,住建窗口,区住房和城乡建设局,单雄,B岗
"""
CENTRE, TAX, HOUSING = "区政务服务中心", "区税务局", "区住房和城乡建设局"


def hall(tmp_path: Path, capsys: Any) -> str:
    path = tmp_path / "名册.csv"
    path.write_text(ROSTER, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'units.db'}"
    code, _out, err = run(capsys, "--db", url, "--hall", "测试大厅", "roster", "import", str(path))
    assert code == 0, err
    return url


def log(capsys: Any, url: str, window: str, person: str | None, item: str, day: int) -> None:
    who = ["--staff", person] if person else []
    at = f"2026-11-{day:02d} 10:00"
    code, _out, err = run(capsys, "--db", url, "log", "--window", window, *who, "--type", item, "--at", at)
    assert code == 0, err


def ranked(capsys: Any, url: str, by: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "--db", url, "rank", "--period", "2026-11", "--by", by, "--format", "json")
    assert code == 0, err
    return list(json.loads(out))


def test_a_mixed_window_is_accepted_and_each_person_keeps_their_unit(tmp_path: Path, capsys) -> None:
    url = hall(tmp_path, capsys)
    log(capsys, url, "1", "王税", "上门服务", 5)
    people = {r["name"]: r["unit"] for r in ranked(capsys, url, "staff")}
    assert people == {"魏敏": CENTRE, "王税": TAX, "曾伟": CENTRE, "李四": TAX, "张三": HOUSING, "单雄": HOUSING}
    windows = {r["window"]: r["unit"] for r in ranked(capsys, url, "window")}
    assert windows == {"1": CENTRE, "2": TAX, "3": HOUSING}  # the window's unit: most of its rows
    # The same file again changes nothing; 王税 moving to the centre on paper is one new posting.
    path = tmp_path / "名册.csv"
    code, out, err = run(capsys, "--db", url, "roster", "import", str(path), "--on", "2026-11-10")
    assert code == 0 and "没有需要改动的内容" in out, err
    path.write_text(ROSTER.replace(f"{TAX},王税", f"{CENTRE},王税"), encoding="utf-8")
    code, out, err = run(capsys, "--db", url, "roster", "import", str(path), "--on", "2026-12-01")
    assert code == 0, err
    assert f"更新人员：王税（1 号窗口）单位 {TAX} → 窗口所属单位（{CENTRE}）（自 2026-12-01 起）" in out
    assert "调整人员 1 人" in out
    # November keeps him as 区税务局's: a change of unit changes later periods only.
    assert {r["name"]: r["unit"] for r in ranked(capsys, url, "staff")}["王税"] == TAX
    assert verified(url)


def test_rank_by_unit_counts_its_people_wherever_they_sit_and_its_windows_own_findings(tmp_path: Path, capsys) -> None:
    url = hall(tmp_path, capsys)
    log(capsys, url, "1", "王税", "上门服务", 3)  # +0.5, 区税务局's though he sits at the centre's window
    log(capsys, url, "1", "王税", "压缩办理时限", 4)  # +0.2
    log(capsys, url, "2", "李四", "迟到", 5)  # -1
    log(capsys, url, "1", "魏敏", "玩手机", 6)  # -1
    log(capsys, url, "1", None, "窗口摆放不规范", 9)  # -0.5: the mixed window's own, the centre's
    log(capsys, url, "3", "张三", "表扬信", 10)  # +1
    code, _out, err = run(
        capsys, "--db", url, "log", "--window", "3", "--substitute", "--type", "迟到", "--at", "2026-11-11 09:00"
    )
    assert code == 0, err  # -1 for 住建窗口 alone
    # 区税务局: (100.7 + 99) / 2 = 99.85 -> 99.9 shown (half up); its window 2 has nothing alone.
    # 区住房和城乡建设局: (101 + 100) / 2 - 1 = 99.5.  区政务服务中心: (99 + 100) / 2 - 0.5 = 99.0.
    rows = ranked(capsys, url, "unit")
    assert [(r["rank"], r["unit"], r["score"], r["deductions"], r["bonuses"], r["findings"]) for r in rows] == [
        (1, TAX, 99.9, -1.0, 0.7, 3),
        (2, HOUSING, 99.5, -1.0, 1.0, 2),
        (3, CENTRE, 99.0, -1.5, 0.0, 2),
    ]
    assert [(r["staff"], r["windows"]) for r in rows] == [(2, "2"), (2, "3"), (2, "1")]
    # The same ranking as CSV, whose first fields are the contract.
    code, out, err = run(capsys, "--db", url, "rank", "--period", "2026-11", "--by", "unit", "--format", "csv")
    assert out.splitlines()[:2] == [
        "rank,unit,score,deductions,bonuses,findings,staff,windows,mark,change,tied,new",
        f"1,{TAX},99.9,-1.0,0.7,3,2,2,,,1,False",
    ]
    # The table says the award is not given (the default: 0 units).
    code, out, err = run(capsys, "--db", url, "rank", "--period", "2026-11", "--by", "unit")
    assert code == 0 and "评定：优质服务窗口单位：不评定。" in out
    # The window's sum mode: 100 plus every point of the unit's people and windows.
    assert run(capsys, "--db", url, "rules", "set", "--from", "2026-11-01", "窗口得分方式", "合计")[0] == 0
    sums = {r["unit"]: r["score"] for r in ranked(capsys, url, "unit")}
    assert sums == {TAX: 99.7, HOUSING: 100.0, CENTRE: 98.5}
    assert verified(url)


def test_a_tie_at_the_boundary_puts_both_units_in_the_notice_and_the_workbook(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    url = hall(tmp_path, capsys)
    code, _out, err = run(capsys, "--db", url, "rules", "set", "--from", "2026-11-01", "优质服务窗口单位数", "1")
    assert code == 0, err
    log(capsys, url, "1", "王税", "上门服务", 3)  # 区税务局: (100.5 + 100.5) / 2 = 100.5
    log(capsys, url, "2", "李四", "上门服务", 4)
    log(capsys, url, "3", "张三", "表扬信", 5)  # 区住房和城乡建设局: (101 + 100) / 2 = 100.5
    log(capsys, url, "1", "魏敏", "上门服务", 6)  # 区政务服务中心: (100.5 + 100) / 2 = 100.25
    rows = ranked(capsys, url, "unit")
    assert [(r["rank"], r["unit"], r["tied"], r["mark"]) for r in rows] == [
        (1, TAX, 2, "优质服务窗口单位"),
        (1, HOUSING, 2, "优质服务窗口单位"),
        (3, CENTRE, 1, ""),
    ]
    code, out, err = run(capsys, "--db", url, "report", "--period", "2026-11")
    assert code == 0, err
    assert f"{TAX}、{HOUSING}等2个单位评定为优质服务窗口单位（第1名2个单位并列，均列入）" in out
    target = tmp_path / "附表.xlsx"
    code, _out, err = run(capsys, "--db", url, "export", "--period", "2026-11", "--out", str(target))
    assert code == 0, err
    book = load_workbook(target, read_only=True)
    sheet = list(book["附表2-1 单位考评"].iter_rows(values_only=True))
    assert sheet[2][:4] == ("排名", "并列", "单位", "人数")
    assert [row[:5] + row[9:] for row in sheet[3:6]] == [
        (1, "2个并列", TAX, 2, "2", 100.5, "优质服务窗口单位"),
        (1, "2个并列", HOUSING, 2, "3", 100.5, "优质服务窗口单位"),
        (3, None, CENTRE, 2, "1", 100.3, None),
    ]
    assert "优质服务窗口单位2个（第1名2个单位并列，均列入）" in str(sheet[-1][0])
    notice = " ".join(str(row[0]) for row in book["通报草稿"].iter_rows(values_only=True) if row[0])
    assert "等2个单位评定为优质服务窗口单位" in notice
    book.close()
    assert verified(url)


def test_the_setting_has_chinese_words_and_a_unit_with_a_complaint_is_not_awarded(tmp_path: Path, capsys) -> None:
    url = hall(tmp_path, capsys)
    code, out, err = run(capsys, "--db", url, "rules", "set", "--from", "2026-11-01", "优质服务窗口单位数", "5")
    assert code == 0 and "优质服务窗口单位数 0 → 5" in out, err
    log(capsys, url, "2", "李四", "上门服务", 3)
    code, _out, err = run(  # against the substitute: the window's own, so 区税务局 is not eligible
        capsys, "--db", url, "log", "--window", "2", "--substitute", "--type", "有效投诉", "--at", "2026-11-04 10:00"
    )
    assert code == 0, err
    log(capsys, url, "3", "张三", "表扬信", 5)
    marks = {r["unit"]: r["mark"] for r in ranked(capsys, url, "unit")}
    assert marks == {TAX: "", HOUSING: "优质服务窗口单位", CENTRE: ""}
    code, out, _err = run(capsys, "--db", url, "report", "--period", "2026-11")
    assert f"{HOUSING}评定为优质服务窗口单位（得分不低于100分、无有效投诉且有加分的仅1个）" in out
    assert verified(url)


def test_a_database_from_before_units_upgrades_and_verifies(tmp_path: Path, capsys) -> None:
    """Versions of postings written before 0006_units (by 0004, which versions every row it
    finds) still equal their rows: a posting's version lists unit_id only when it is set."""
    from tests.test_chain_upgrade import old_database

    path = old_database(tmp_path)  # revision 0003: units, windows and staff, no postings yet
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            INSERT INTO hall (id, name, timezone, top_staff, top_windows, window_score_mode, created_at)
                VALUES ('h', '旧大厅', 'Asia/Shanghai', 8, 4, 'average', '2026-01-01 00:00:00.000000');
            INSERT INTO unit (id, hall_id, name, search_keys) VALUES ('u', 'h', '区政务服务中心', '');
            INSERT INTO "window" (id, hall_id, code, name, unit_id, zone, position, search_keys, sort_key)
                VALUES ('w', 'h', '1', '综合窗口', 'u', '', 1, '', '');
            INSERT INTO staff (id, hall_id, window_id, name, role, active, position, search_keys, sort_key,
                created_at) VALUES ('s', 'h', 'w', '魏敏', 'A岗', 1, 1, '', '', '2026-01-01 00:00:00.000000');
            """
        )
    url = f"sqlite:///{path}"
    capsys.readouterr()
    assert main(["--db", url, "verify"]) == 0, capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        (content,) = conn.execute("SELECT content FROM row_version WHERE tbl = 'posting'").fetchone()
    assert len(json.loads(content)) == 6  # as 0004 wrote it: no unit_id
    # After the upgrade a mixed window comes in, and everything still verifies.
    roster = tmp_path / "名册.csv"
    roster.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,区政务服务中心,魏敏\n1,综合窗口,区税务局,王税\n")
    code, out, err = run(capsys, "--db", url, "roster", "import", str(roster), "--on", "2026-11-02")
    assert code == 0, err
    assert "新增人员：王税（1 综合窗口，单位 区税务局）（自 2026-11-02 起）" in out
    assert verified(url)
    # A posting's unit is vouched for: changed behind patrol's back, verify says so.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE posting SET unit_id = 'u' WHERE unit_id IS NOT NULL")
    capsys.readouterr()
    assert main(["--db", url, "verify"]) == 1
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE posting SET unit_id = (SELECT id FROM unit WHERE name = '区税务局') WHERE unit_id = 'u'")
    assert verified(url)
