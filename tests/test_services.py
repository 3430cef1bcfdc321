"""Service figures (办件量): `patrol services import` and `services show`, re-imports kept as
recorded corrections, what verify finds, and the upgrade that adds the tables."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import count, run, verified

# The hand-made hall of conftest: 1 综合窗口, 2 市场监管窗口, 3 住建窗口, 4 不动产登记窗口, 5 供电公司窗口.
HEADER = "月份,窗口编号,窗口名称,受理,办结,按时办结,好评,差评"
OCTOBER = [
    "2026-10,1,综合窗口,1000,990,980,500,1",
    "2026-10,2,市场监管窗口,800,800,790,,",
    "2026-10,3,住建窗口,700,690,690,300,0",
    "2026-10,4,不动产登记窗口,542,540,539,200,1",
]
NOVEMBER = [
    "2026-11,1,综合窗口,1200,1190,1185,600,2",
    "2026-11,2,市场监管窗口,900,890,880,,",
    "2026-11,3,住建窗口,798,790,788,400,0",
    "2026-11,4,不动产登记窗口,812,800,799,300,0",
]


def _csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _sql(url: str, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def _show(capsys: pytest.CaptureFixture[str], url: str, period: str) -> str:
    code, out, err = run(capsys, "--db", url, "services", "show", "--period", period)
    assert code == 0, err
    return out


def _row(out: str, first: str) -> list[str]:
    """The cells of the table row that begins with ``first``."""
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in\n{out}")


def test_an_xlsx_with_the_words_of_a_business_system_is_imported(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Aliases (统计月份, 受理量, 办件量, 按期办结, 满意, 不满意), the month as an Excel date, a window
    name without its 窗口, a number typed with a thousands separator."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["统计月份", "窗口号", "窗口", "受理量", "办件量", "按期办结", "满意", "不满意"])
    sheet.append([datetime(2026, 11, 1), 1, "综合", "1,200", 1190, 1185, 600, 2])
    sheet.append([datetime(2026, 11, 1), 4, "不动产登记窗口", 812, 800, 799, 300, 0])
    path = tmp_path / "办件量.xlsx"
    book.save(path)
    code, out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 0, err
    assert "2026年11月：2个窗口，受理 2012 件、办结 1990 件、按时办结 1984 件、好评 900 条、差评 2 条。" in out
    shown = _show(capsys, hall_url, "2026-11")
    assert _row(shown, "1 综合窗口")[:8] == ["1 综合窗口", "1200", "1190", "1185", "99.58%", "600", "2", "99.67%"]
    assert _row(shown, "合计")[1:4] == ["2012", "1990", "1984"]
    assert verified(hall_url)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_csv_in_utf8_with_bom_or_gbk_is_imported(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    header = "年月,窗口编号,窗口名称,受理件数,办结量,按时办结数,好评数,差评数"
    path = _csv(
        tmp_path / "办件.csv",
        [header, "2026年11月,2,市场监管窗口,900,890,880,,", "202611,3,住建窗口,798,790,788,400,0"],
        encoding,
    )
    code, out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 0, err
    assert "2026年11月：2个窗口，受理 1698 件" in out
    shown = _show(capsys, hall_url, "2026-11")
    assert _row(shown, "2 市场监管窗口")[1:8] == ["900", "890", "880", "98.88%", "", "", "—"]
    assert _row(shown, "3 住建窗口")[5:8] == ["400", "0", "100%"]


def test_dry_run_checks_and_writes_nothing(hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path / "s.csv", [HEADER, *NOVEMBER])
    code, out, _err = run(capsys, "--db", hall_url, "services", "import", str(path), "--dry-run")
    assert code == 0 and "检查通过，未写入" in out and "2026年11月：4个窗口，受理 3710 件" in out
    assert count(hall_url, "service_figure") == 0 and count(hall_url, "service_import") == 0


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("2026-11,9,税务窗口,10,10,10,,", ["第3行", "“窗口编号”列（B3）", "没有编号为“9”的窗口"]),
        ("2026-11,3,公积金窗口,10,10,10,,", ["第3行", "“窗口名称”列（C3）", "住建窗口", "公积金窗口"]),
        ("2026-11,3,住建窗口,-5,0,0,,", ["第3行", "“受理”列（D3）", "负数"]),
        ("2026-11,3,住建窗口,10,12,10,,", ["第3行", "“办结”列（E3）", "办结 12 件多于受理 10 件"]),
        ("2026-11,3,住建窗口,10,10,11,,", ["第3行", "“按时办结”列（F3）", "按时办结 11 件多于办结 10 件"]),
        ("2026-11,3,住建窗口,10件,10,10,,", ["第3行", "“受理”列（D3）", "“10件”不是整数"]),
        ("2026-11,3,住建窗口,10,10,10,很多,", ["第3行", "“好评”列（G3）", "“很多”不是整数"]),
        ("2026-11,3,住建窗口,,10,10,,", ["第3行", "“受理”列（D3）", "为空"]),
        ("2026-11,1,综合窗口,5,5,5,,", ["第3行", "1 号窗口", "与第2行重复"]),
        ("十一月,3,住建窗口,10,10,10,,", ["第3行", "“月份”列（A3）", "无法识别的月份“十一月”"]),
        ("2026-13,3,住建窗口,10,10,10,,", ["第3行", "“月份”列（A3）", "月份应为 1–12"]),
        ("2031-11,3,住建窗口,10,10,10,,", ["第3行", "“月份”列（A3）", "2031年11月还没有到"]),
        ("2026-11,3,住建窗口,10,8,8,6,3", ["第3行", "“好评”列（G3）", "好评 6 条与差评 3 条合计多于办结 8 件"]),
        ("46327,3,住建窗口,10,10,10,,", ["第3行", "“月份”列（A3）", "无法识别的月份“46327”"]),
        (f"2026-11,3,住建窗口,{'9' * 300},10,10,,", ["第3行", "“受理”列（D3）", "是300位数，过大"]),
    ],
    ids=[
        "unknown window",
        "name mismatch",
        "negative",
        "completed over received",
        "on time over completed",
        "text in a number",
        "text in a review",
        "empty figure",
        "duplicate row",
        "unreadable month",
        "month 13",
        "future month",
        "reviews over completed",
        "a bare number in a csv is no excel date",
        "a huge number",
    ],
)
def test_a_bad_row_is_refused_in_one_line_and_nothing_is_written(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, words: list[str]
) -> None:
    path = _csv(tmp_path / "办件.csv", [HEADER, "2026-11,1,综合窗口,1200,1190,1185,600,2", line])
    code, out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("patrol: 办件.csv 第3行"), err
    for word in words:
        assert word in err, err
    assert len(err) < 200  # no cell echoed whole
    assert count(hall_url, "service_figure") == 0 and count(hall_url, "service_import") == 0


def test_the_running_month_is_refused_in_one_line_and_nothing_is_written(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The month not yet over (in the hall's time zone) would be compared with a whole month and
    added into its quarter: refused, naming the row and the month. The command reads the real
    clock, so the month is this one."""
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Shanghai"))
    month = f"{today.year:04d}-{today.month:02d}"
    lines = [HEADER, "2026-10,1,综合窗口,1000,990,980,,", f"{month},2,市场监管窗口,20,9,8,,"]
    path = _csv(tmp_path / "办件.csv", lines)
    code, out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"patrol: 办件.csv 第3行“月份”列（A3）：{today.year}年{today.month}月还没有结束"), err
    assert count(hall_url, "service_figure") == 0 and count(hall_url, "service_import") == 0


def test_header_words_with_units_in_brackets_or_a_line_break_and_a_month_with_份_are_read(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """受理（件）, 按时办结(件), 好评（条）, a header cell typed over two lines, and 2026年11月份."""
    header = '月份,窗口编号,"受理\n（件）",办结（件）,按时办结(件),好评（条）,差评（条）'
    path = _csv(tmp_path / "办件.csv", [header, "2026年11月份,3,798,790,788,400,0"])
    code, out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 0, err
    assert "2026年11月：1个窗口，受理 798 件、办结 790 件、按时办结 788 件、好评 400 条、差评 0 条。" in out


def test_a_title_row_above_the_header_is_passed_over(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sheet as offices make them: a title over the table; rows keep their numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某某中心2026年11月办件量统计"])
    sheet.append(HEADER.split(","))
    sheet.append(["2026-11", 1, "综合窗口", 1200, 1190, 1185, 600, 2])
    sheet.append(["2026-11", 9, "税务窗口", 10, 10, 10, None, None])
    path = tmp_path / "办件量.xlsx"
    book.save(path)
    code, _out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and "办件量.xlsx 第4行“窗口编号”列（B4）：名册中没有编号为“9”的窗口" in err, err
    sheet.delete_rows(4)
    book.save(path)
    code, out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 0 and "2026年11月：1个窗口，受理 1200 件" in out, err


def test_a_header_cell_over_two_lines_is_in_the_header_row_1(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Row numbers as Excel shows the file: a cell with a line break does not push its row to 2,
    and the header is quoted on one line."""
    path = _csv(tmp_path / "办件.csv", ['"统计\n月份",窗口编号,受理,办结', "2026-11,1,10,10", "2026-11,x,10,10"])
    code, _out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "办件.csv 第1行（表头）缺少列：按时办结。现有表头：统计 月份、窗口编号、受理、办结。" in err, err
    path = _csv(
        tmp_path / "办件.csv", ['"统计\n月份",窗口编号,受理,办结,按时办结', "2026-11,1,10,10,10", "2026-11,9,10,10,10"]
    )
    code, _out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and "办件.csv 第3行“窗口编号”列（B3）" in err, err


@pytest.mark.parametrize(("separator", "named"), [("\t", "制表符（Tab）"), (";", "分号")])
def test_a_csv_with_another_separator_is_named(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str, named: str
) -> None:
    lines = [separator.join(HEADER.split(",")), separator.join(["2026-11", "1", "综合窗口", "10", "9", "8", "", ""])]
    code, _out, err = run(capsys, "--db", hall_url, "services", "import", str(_csv(tmp_path / "办件.csv", lines)))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "\t" not in err, err
    assert f"办件.csv 第1行（表头）：这份文件的各列用{named}分隔，应为逗号。" in err, err
    assert count(hall_url, "service_figure") == 0


def test_a_sheet_that_is_no_figures_table_is_called_so(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.cell(row=2, column=70, value="远处的单元格")
    path = tmp_path / "far.xlsx"
    book.save(path)
    code, _out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and "far.xlsx 第2行超过 64 列，不像办件量表" in err, err


def test_a_missing_column_is_named(hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path / "办件.csv", ["月份,窗口编号,受理,办结", "2026-11,1,10,10"])
    code, _out, err = run(capsys, "--db", hall_url, "services", "import", str(path))
    assert code == 1 and "第1行（表头）缺少列：按时办结" in err


def test_a_re_import_replaces_the_month_says_what_changed_and_keeps_the_old_figures(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", hall_url, "--inspector", "李督查"]
    assert run(capsys, *db, "services", "import", str(_csv(tmp_path / "a.csv", [HEADER, *OCTOBER, *NOVEMBER])))[0] == 0
    # November again: 3号 received 6 more, 好评 of 1号 corrected, 4号 dropped; October the same.
    changed = [
        "2026-11,1,综合窗口,1200,1190,1185,610,2",
        "2026-11,2,市场监管窗口,900,890,880,,",
        "2026-11,3,住建窗口,804,796,790,400,0",
    ]
    code, out, err = run(capsys, *db, "services", "import", str(_csv(tmp_path / "b.csv", [HEADER, *OCTOBER, *changed])))
    assert code == 0, err
    assert "2026年10月：与已导入的办件量相同，未改动。" in out
    assert (
        "2026年11月：3个窗口，受理 2904 件、办结 2876 件、按时办结 2855 件、好评 1010 条、差评 2 条。"
        "替换此前导入的数据（原数据留档备查），改动：1号综合窗口 好评 600→610；"
        "3号住建窗口 受理 798→804、办结 790→796、按时办结 788→790；4号不动产登记窗口 删除（原受理 812）。"
    ) in out
    # What the notice reads is the new month; the old one is on record, replaced, never edited.
    assert _row(_show(capsys, hall_url, "2026-11"), "合计")[1] == "2904"
    imports = _sql(
        hall_url,
        "SELECT i.month, i.source, p.name, i.replaces_id IS NOT NULL FROM service_import i "
        "JOIN inspector p ON p.id = i.inspector_id ORDER BY i.chain_seq",
    )
    assert imports == [
        ("2026-10", "a.csv", "李督查", 0),
        ("2026-11", "a.csv", "李督查", 0),
        ("2026-11", "b.csv", "李督查", 1),
    ]
    assert _sql(hall_url, "SELECT received FROM service_figure WHERE month = '2026-11' ORDER BY chain_seq") == [
        (1200,),
        (900,),
        (798,),
        (812,),
        (1200,),
        (900,),
        (804,),
    ]
    assert verified(hall_url)
    # The same file a third time changes nothing and writes nothing.
    code, out, _err = run(capsys, *db, "services", "import", str(tmp_path / "b.csv"))
    assert code == 0 and "与已导入的相同，未写入" in out and count(hall_url, "service_import") == 3


@pytest.mark.tampers
@pytest.mark.parametrize(
    "change",
    [
        "UPDATE service_figure SET received = 1300 WHERE received = 1200 AND month = '2026-11'",
        "UPDATE service_figure SET good = NULL WHERE good = 600",
        "DELETE FROM service_figure WHERE received = 812",
        "UPDATE service_import SET replaces_id = NULL",
    ],
    ids=["a figure raised", "a review count erased", "a window's row deleted", "a re-import unhooked"],
)
def test_verify_finds_a_figure_changed_in_sqlite3(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    db = ["--db", hall_url]
    assert run(capsys, *db, "services", "import", str(_csv(tmp_path / "a.csv", [HEADER, *NOVEMBER])))[0] == 0
    fixed = [NOVEMBER[0], NOVEMBER[1], "2026-11,3,住建窗口,804,796,790,400,0", NOVEMBER[3]]
    assert run(capsys, *db, "services", "import", str(_csv(tmp_path / "b.csv", [HEADER, *fixed])))[0] == 0
    assert run(capsys, *db, "verify")[0] == 0
    with closing(sqlite3.connect(hall_url.removeprefix("sqlite:///"))) as conn:
        conn.execute(change)
        conn.commit()
    code, _out, err = run(capsys, *db, "verify")
    assert code == 1 and "校验未通过" in err and ("办件量" in err or "缺少第" in err), err


def test_show_says_when_it_counts_part_of_the_period(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "--db", hall_url, "services", "import", str(_csv(tmp_path / "a.csv", [HEADER, *NOVEMBER])))[0] == 0
    )
    shown = _show(capsys, hall_url, "2026Q4")
    assert "注：只统计2026年11月的办件量，不是2026年第四季度全部；上期无相同月份的数据，不计增减。" in shown, shown
    assert "注：" not in _show(capsys, hall_url, "2026-11")


def test_show_says_when_a_period_has_no_figures(hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "2026年11月没有办件量数据" in _show(capsys, hall_url, "2026-11")


def test_an_older_database_upgrades_and_still_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file of 0006_credit with a hall and a finding: opening brings the figures' tables, every
    old row's hash still holds, and figures import into it."""
    from alembic import command
    from alembic.config import Config

    from patrol.rules.items import DEFAULT_RULES
    from patrol.rules.settings import DEFAULT_SETTINGS
    from storage.engine import MIGRATIONS_DIR, create_db_engine
    from storage.writes import create_hall

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006_credit")
    create_hall(engine, "旧大厅", [item.as_row() for item in DEFAULT_RULES], DEFAULT_SETTINGS.to_json(), device="old")
    engine.dispose()
    roster = _csv(tmp_path / "r.csv", ["窗口编号,窗口名称,单位,姓名", "3,住建窗口,住建局,张伟"])
    assert run(capsys, "--db", url, "roster", "import", str(roster))[0] == 0  # opening migrates
    assert _sql(url, "SELECT version_num FROM alembic_version") == [("0007_figures",)]
    assert verified(url)
    path = _csv(tmp_path / "s.csv", [HEADER, "2026-11,3,住建窗口,798,790,788,400,0"])
    assert run(capsys, "--db", url, "services", "import", str(path))[0] == 0
    assert verified(url)


@pytest.mark.parametrize(
    "text",
    ["2026-11", "2026/11", "2026.11", "2026年11月", "2026 年 11 月", "2026年11月份", "202611", "2026-11-01 00:00"],
)
def test_a_month_is_read_as_business_systems_write_it(text: str) -> None:
    from patrol.imports.services import parse_month

    assert parse_month(text) == "2026-11"


def test_excels_day_number_is_a_month_only_in_an_xlsx_cell() -> None:
    from patrol.errors import UserError
    from patrol.imports.services import parse_month

    assert parse_month("46327", serial=True) == "2026-11"  # Excel's day number of 2026-11-01
    with pytest.raises(UserError, match="无法识别的月份“46327”"):
        parse_month("46327")


def test_a_closed_month_takes_no_figures_until_it_is_reopened(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A closed month's notice is out: its figures change only after a recorded reopen (as a
    finding or a rule reaching into it would)."""
    db = ["--db", hall_url]
    assert run(capsys, *db, "close", "--period", "2026-10")[0] == 0
    path = _csv(tmp_path / "办件.csv", [HEADER, *NOVEMBER, *OCTOBER])
    code, _out, err = run(capsys, *db, "services", "import", str(path))
    assert (
        code == 1
        and "办件.csv 第6行“月份”列（A6）：2026年10月已月结" in err
        and "patrol reopen --period 2026-10" in err
    )
    assert count(hall_url, "service_figure") == 0
    assert run(capsys, *db, "reopen", "--period", "2026-10", "--reason", "补录办件量")[0] == 0
    assert run(capsys, *db, "services", "import", str(path))[0] == 0


def test_history_lists_each_import_with_who_and_what_it_replaced(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", hall_url, "--inspector", "王督查"]
    assert run(capsys, *db, "services", "import", str(_csv(tmp_path / "a.csv", [HEADER, *NOVEMBER])))[0] == 0
    again = [NOVEMBER[0].replace("1200", "1210"), *NOVEMBER[1:]]
    assert run(capsys, *db, "services", "import", str(_csv(tmp_path / "b.csv", [HEADER, *again])))[0] == 0
    code, out, _err = run(capsys, *db, "services", "history")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("2026年11月：") and lines[0].endswith("王督查 导入 a.csv，首次导入")
    assert lines[1].endswith("王督查 导入 b.csv，重新导入，替换此前的数据（原数据留档）")
