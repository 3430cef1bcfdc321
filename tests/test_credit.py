"""Issue 10, point 5: window-credited items and counts. A bonus, 有效投诉 or 差评 logged with no
name counts for the window alone; a finding can stand for 28 (points × count); 无人在岗 is a
window item with minutes. From the command line, the findings importer, the app, the notice and
an upgraded database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from patrol.cli import main
from patrol.hall.opening import open_hall
from patrol.rules.periods import Period
from tests.conftest import FIXED_NOW, fixed_clock, run, verified
from tests.test_app import make_app, ready, status
from tests.test_postgres import pg_url  # noqa: F401  (a fixture)

NOVEMBER = Period.parse("2026-11")


def _rank(capsys, url: str, by: str) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "--db", url, "rank", "--period", "2026-11", "--by", by, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    return {r["window"] if by == "window" else f"{r['window']} {r['name']}": r for r in rows}


def test_a_window_bonus_with_a_count_moves_the_window_by_points_times_count_and_nobody_else(
    hall_url: str, capsys
) -> None:
    staff_before = _rank(capsys, hall_url, "staff")
    code, out, err = run(
        capsys,
        *("--db", hall_url, "log", "--window", "3", "--type", "压缩办理时限", "--count", "28"),
        *("--at", "2026-11-04 10:00"),
    )
    assert code == 0, err
    assert "3 住建窗口 窗口 压缩办理时限 ×28 +5.6" in out
    windows = _rank(capsys, hall_url, "window")
    # 住建窗口: the average of its two people (100) plus 28 × 0.2, counted for the window alone.
    assert windows["3"]["score"] == 105.6 and windows["3"]["bonuses"] == 5.6 and windows["3"]["rank"] == 1
    assert all(windows[code]["score"] == 100 for code in ("1", "2", "4", "5"))
    assert _rank(capsys, hall_url, "staff") == staff_before  # nobody's score moved
    # A correction (here a note) keeps how many times: the window's score stays.
    ref = out.split("记录号 ")[1].rstrip("）\n")
    code, _, err = run(capsys, "--db", hall_url, "correct", ref, "--note", "企业开办专窗", "--reason", "补充备注")
    assert code == 0, err
    assert _rank(capsys, hall_url, "window")["3"]["score"] == 105.6
    # 28 typed as 82 and put right: the count changes, and 附表5's wording says so.
    code, out, err = run(
        capsys,
        "--db",
        hall_url,
        "log",
        "--window",
        "4",
        "--type",
        "上门服务",
        "--count",
        "82",
        "--at",
        "2026-11-07 10:00",
    )
    assert code == 0, err
    ref = out.split("记录号 ")[1].rstrip("）\n")
    code, out, err = run(capsys, "--db", hall_url, "correct", ref, "--count", "28", "--reason", "录错次数")
    assert code == 0 and "次数：82→28" in out, err
    assert _rank(capsys, hall_url, "window")["4"]["score"] == 114

    # A named person's 差评 ×2 counts for them: -2 × 2.
    code, _, err = run(
        capsys,
        *("--db", hall_url, "log", "--window", "1", "--staff", "曾伟", "--type", "差评", "--count", "2"),
        *("--at", "2026-11-05 10:00"),
    )
    assert code == 0, err
    staff = _rank(capsys, hall_url, "staff")
    assert staff["1 曾伟"]["score"] == 96 and staff["1 曾伟"]["findings"] == 2


def test_vacant_window_takes_minutes_and_bad_counts_are_refused(hall_url: str, capsys) -> None:
    base = ("--db", hall_url, "log", "--window", "5", "--at", "2026-11-06 15:00")
    code, out, err = run(capsys, *base, "--type", "无人在岗", "--minutes", "15")
    assert code == 0, err
    assert "5 供电公司窗口 窗口 无人在岗 15分钟 -2.0" in out
    assert _rank(capsys, hall_url, "window")["5"]["score"] == 98
    for args, expected in [
        (("--type", "无人在岗"), "“无人在岗”需要写明持续的分钟数"),
        (("--type", "迟到", "--substitute", "--minutes", "5"), "“迟到”不记分钟数"),
        (("--type", "上门服务", "--count", "0"), "次数应为 1 到 10000 之间的整数"),
        (("--type", "上门服务", "--count", "两次"), "--count 应为整数"),
        (("--type", "迟到", "--count", "2"), "“迟到”是针对人员的巡查项"),
        (("--type", "无人在岗", "--minutes", "15", "--staff", "张伟"), "是窗口级巡查项"),
    ]:
        code, _, err = run(capsys, *base, *args)
        assert code == 1 and expected in err and len(err.strip().splitlines()) == 1, err
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*), MAX(minutes) FROM finding").fetchone() == (1, 15)


def test_findings_import_credits_an_empty_name_to_the_window_with_its_count(
    hall_url: str, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "加分.csv"
    path.write_text(
        "时间,窗口编号,姓名,巡查项,数量,分钟\n"
        "2026-11-04 10:00,3,,压缩办理时限,28,\n"
        "2026-11-05 10:00,2,郑晓燕,上门服务,4,\n"
        "2026-11-06 15:00,5,,无人在岗,,20\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    assert code == 0 and "已导入 3 条" in out, err
    windows = _rank(capsys, hall_url, "window")
    assert windows["3"]["score"] == 105.6 and windows["5"]["score"] == 98
    staff = _rank(capsys, hall_url, "staff")
    assert staff["2 郑晓燕"]["score"] == 102 and staff["3 张伟"]["score"] == 100
    # The same file again is the same findings again (count and minutes included): refused.
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    assert code == 1 and "3 行与已记录的巡查记录完全相同" in err

    for body, expected in [
        ("2026-11-07 10:00,3,,压缩办理时限,2.5,\n", "第2行“数量”列：“2.5”不是整数"),
        ("2026-11-07 10:00,3,,压缩办理时限,-1,\n", "第2行“数量”列"),
        ("2026-11-07 10:00,3,,迟到,1,\n", "第2行“姓名”列：“迟到”是针对人员的巡查项"),
        ("2026-11-07 10:00,5,,无人在岗,,\n", "第2行“分钟”列：“无人在岗”需要写明持续的分钟数"),
    ]:
        bad = tmp_path / "坏.csv"
        bad.write_text("时间,窗口编号,姓名,巡查项,数量,分钟\n" + body, encoding="utf-8")
        code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(bad))
        assert code == 1 and f"坏.csv {expected}" in err, err


def test_the_notice_words_window_bonuses_as_the_notices_do(hall_url: str, capsys) -> None:
    logs = [
        ("3", None, "压缩办理时限", "20", "2026-11-04 10:00"),
        ("3", "单雄", "压缩办理时限", "8", "2026-11-05 10:00"),  # a person's count joins the window's
        ("4", None, "上门服务", "4", "2026-11-05 11:00"),
        ("4", None, "压缩办理时限", "4", "2026-11-06 11:00"),
        ("4", "张梅", "预约服务", "1", "2026-11-06 12:00"),
        ("3", None, "差评", "3", "2026-11-04 15:00"),  # three 差评 credited to the window, one row
        ("1", "曾伟", "差评", "1", "2026-11-04 16:00"),  # and one of a person the same day
    ]
    for window, person, item, times, at in logs:
        who = ("--staff", person) if person else ()
        args = ("--db", hall_url, "log", "--window", window, *who, "--type", item, "--count", times, "--at", at)
        assert main(list(args)) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "--db", hall_url, "report", "--period", "2026-11")
    assert code == 0, err
    assert "住建窗口主动为企业压缩办理时限28次" in out
    assert "不动产登记窗口主动为企业提供上门服务4次、压缩办理时限4次、预约服务1次" in out
    assert "记录扣分4项次、加分37项次" in out  # 项次 count each time, not each row
    assert "住建窗口11月4日收到差评（共3次）" in out and "综合窗口曾伟11月4日收到差评" in out


async def test_the_app_logs_a_window_bonus_with_a_count_in_a_few_keys(hall_url: str) -> None:
    app = make_app(hall_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        # Window 3, nobody picked, * 2 8, then 压缩办理时限's key: 28 times, for the window.
        await pilot.press("3", "enter", "asterisk", "2", "8")
        assert "×28" in str(app.board.query_one("#window-panel").render())
        await pilot.press("d")
        await ready(pilot, app)
        assert "3 住建窗口 窗口 压缩办理时限 ×28 +5.6" in status(app)
        # 无人在岗 without minutes asks for them; * 1 5 v logs 15 minutes.
        await pilot.press("5", "enter", "v")
        assert "要记分钟数" in status(app)
        await pilot.press("asterisk", "1", "5", "v")
        await ready(pilot, app)
        assert "无人在岗 15分钟 -2.0" in status(app)
        # What the live standings show, moved in place by the two findings.
        shown = app.standings.ranking
        assert shown is not None
        live_windows = [(r.id, r.exact, r.rank) for r in shown.windows]
        live_staff = [(r.id, r.exact) for r in shown.staff]
        by_code = {r.window_code: r for r in shown.windows}
        assert float(by_code["3"].exact) == 105.6 and float(by_code["5"].exact) == 98
        assert all(r.exact == 100 for r in shown.staff)
    # ... equal a ranking read from scratch.
    service = open_hall(hall_url, inspector="测试督查", device="check", clock=fixed_clock)
    try:
        fresh = service.standings.ranking(Period.of("month", FIXED_NOW.date()))
    finally:
        service.close()
    assert live_windows == [(r.id, r.exact, r.rank) for r in fresh.windows]
    assert live_staff == [(r.id, r.exact) for r in fresh.staff]
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        rows = conn.execute('SELECT staff_id, "count", minutes FROM finding ORDER BY created_at').fetchall()
    assert rows == [(None, 28, None), (None, 1, 15)]
    assert verified(hall_url)


def _hall_of_0005(url: str) -> None:
    """A database at revision 0005 with a hall made by the code of then: everything named was for
    a person, no 无人在岗, the old phrase of 压缩办理时限."""
    from alembic import command
    from alembic.config import Config

    from patrol.rules.items import DEFAULT_RULES, EITHER_CODES
    from patrol.rules.settings import DEFAULT_SETTINGS
    from storage.engine import MIGRATIONS_DIR, create_db_engine
    from storage.writes import create_hall

    engine = create_db_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    old = []
    for item in DEFAULT_RULES:
        if item.code == "vacant":
            continue
        row = item.as_row()
        if item.code in EITHER_CODES:
            row["level"] = "staff"
        if item.code == "faster":
            row["phrase"] = "压缩办理时限"
        old.append(row)
    create_hall(engine, "旧大厅", old, DEFAULT_SETTINGS.to_json(), device="old-laptop")
    engine.dispose()


def _items(url: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _check_upgraded(url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from patrol.rules.items import EITHER_CODES

    assert verified(url)  # opening migrates to 0006_credit; the versions it wrote check out
    levels = dict(_items(url, "SELECT code, level FROM finding_type"))
    assert {code for code, level in levels.items() if level == "either"} == EITHER_CODES
    assert levels["desk"] == "window" and levels["late"] == "staff"
    vacant = _items(url, "SELECT name, points, hotkey, level FROM finding_type WHERE code = 'vacant'")
    assert vacant == [("无人在岗", -2.0, "v", "window")]
    assert _items(url, "SELECT phrase FROM finding_type WHERE code = 'faster'") == [("主动为企业压缩办理时限",)]
    capsys.readouterr()
    code, out, err = run(capsys, "--db", url, "roster", "import", str(_roster(tmp_path)))
    assert code == 0, err
    code, out, err = run(capsys, "--db", url, "log", "--window", "1", "--type", "表扬信", "--at", "2026-11-04 10:00")
    assert code == 0 and "窗口 表扬信 +1.0" in out, err
    # Changing an item behind patrol's back still shows.
    _items(url, "UPDATE finding_type SET points = -1 WHERE code = 'vacant'")
    assert not verified(url)
    _items(url, "UPDATE finding_type SET points = -2 WHERE code = 'vacant'")  # back, for the closing check
    assert verified(url)


def test_a_hall_made_before_0006_gets_either_items_and_vacant_with_versions(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _hall_of_0005(url)
    _check_upgraded(url, tmp_path, capsys)


def test_the_same_upgrade_on_postgresql(pg_url: str, tmp_path: Path, capsys) -> None:  # noqa: F811
    from tests.test_postgres import fresh_database

    url = fresh_database(pg_url)
    _hall_of_0005(url)
    _check_upgraded(url, tmp_path, capsys)


def _roster(tmp_path: Path) -> Path:
    path = tmp_path / "名册.csv"
    path.write_text("窗口编号,窗口名称,单位,姓名,岗位\n1,综合窗口,区政务服务中心,魏敏,A岗\n", encoding="utf-8")
    return path


def test_the_appendix_lists_a_counted_finding_once_with_its_times_and_points(
    hall_url: str, tmp_path: Path, capsys
) -> None:
    from openpyxl import load_workbook

    for args in [
        ("--window", "3", "--type", "压缩办理时限", "--count", "28", "--at", "2026-11-04 10:00"),
        ("--window", "5", "--type", "无人在岗", "--minutes", "15", "--at", "2026-11-05 15:00"),
        ("--window", "1", "--staff", "曾伟", "--type", "迟到", "--at", "2026-11-06 09:00"),
    ]:
        assert main(["--db", hall_url, "log", *args]) == 0
    out = tmp_path / "附表.xlsx"
    code, _, err = run(capsys, "--db", hall_url, "export", "--period", "2026-11", "--out", str(out))
    assert code == 0, err
    book = load_workbook(out)
    detail = book["附表1 巡查明细"]
    header = [c.value for c in detail[3]]
    rows = [
        dict(zip(header, r, strict=True))
        for r in detail.iter_rows(min_row=4, values_only=True)
        if isinstance(r[0], int)
    ]
    assert [(r["窗口编号"], r["姓名"], r["巡查项"], r["分值"], r["次数"], r["分钟"]) for r in rows] == [
        (3, None, "压缩办理时限", 5.6, 28, None),  # 窗口编号 3 is a number in the sheet
        (5, None, "无人在岗", -2, 1, 15),
        (1, "曾伟", "迟到", -1, 1, None),
    ]
    windows = book["附表2 窗口量化考评"]
    header = [c.value for c in windows[3]]
    scores = {
        r[header.index("窗口")]: r[header.index("得分")]
        for r in windows.iter_rows(min_row=4, values_only=True)
        if isinstance(r[0], int)
    }
    notice = " ".join(r[0] for r in book["通报草稿"].iter_rows(values_only=True) if r[0])
    assert "记录扣分2项次、加分28项次" in notice
    assert "住建窗口主动为企业压缩办理时限28次" in notice
    assert scores["住建窗口"] == 105.6 and scores["供电公司窗口"] == 98 and scores["综合窗口"] == 99.5
