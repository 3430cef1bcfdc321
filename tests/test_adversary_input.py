"""The adversary's input: hostile names, notes and workbooks fed to every command that prints or
imports, and to the app. Nothing may crash, steer the terminal, run as markup or as a spreadsheet
formula, or slip in unnoticed; what was typed is shown literally, and bad input ends in one clear
line with nothing written."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from patrol.cli import main
from tests.conftest import count, run, verified
from tests.hostile import (
    BIDI,
    C1_CSI,
    ESC_CLEAR,
    FORMULA_NAME,
    FORMULA_NOTE,
    HALL_NAME,
    HOSTILE_NOTE,
    MARKUP_NAME,
    OSC_TITLE,
    SHOWN_NOTE,
    STEERING,
    STYLE_NAME,
    ZERO_WIDTH,
    hostile_hall,
    raw_controls,
    tamper_names,
)


def refused(code: int, err: str, *said: str) -> None:
    """One line on stderr, exit 1, no traceback, and every phrase of ``said`` in it."""
    assert code == 1, err
    assert err.startswith("patrol: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for phrase in said:
        assert phrase in err, err


@pytest.fixture
def hostile_url(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    hostile_hall(db_url, tmp_path)
    capsys.readouterr()
    return db_url


# --- names: refused at import and entry when they hold what nobody sees ---------------------


@pytest.mark.parametrize("kind", list(STEERING))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_roster_name_with_control_bidi_or_zero_width_is_refused(db_url, tmp_path, capsys, kind, suffix) -> None:
    rows = [
        ["窗口编号", "窗口名称", "单位", "姓名"],
        ["1", "综合窗口", "中心", "王芳"],
        ["1", "综合窗口", "中心", f"张{STEERING[kind]}梅"],
    ]
    path = tmp_path / f"名册{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:  # xlsxwriter, as Excel does, stores control characters as _x001B_ (openpyxl refuses them)
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
        book.close()
    code, out, err = run(capsys, "--db", db_url, "roster", "import", str(path))
    refused(code, err, f"{path.name} 第3行“姓名”列", f"U+{ord(STEERING[kind][0]):04X}", "请删除后重试")
    assert raw_controls(out + err) == []
    assert count(db_url, "staff") == 0  # the good first row was not written either
    assert verified(db_url)


def test_a_zero_width_look_alike_is_refused_at_entry_and_nfc_names_are_one(hall_url, capsys) -> None:
    code, out, err = run(capsys, "--db", hall_url, "staff", "add", f"张{ZERO_WIDTH}梅", "--window", "1")
    refused(code, err, "零宽字符", "U+200B")
    assert raw_controls(out + err) == []
    # A decomposed é (e + combining acute) is kept composed: the same name as the typed é.
    assert run(capsys, "--db", hall_url, "staff", "add", "Jose\u0301", "--window", "1", "--on", "2026-11-01")[0] == 0
    code, out, err = run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "Jos\u00e9", "--type", "迟到",
                         "--at", "2026-11-05 09:00")  # fmt: skip
    assert code == 0, err
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT name FROM staff WHERE name LIKE 'Jos%'").fetchall() == [("Jos\u00e9",)]
    assert verified(hall_url)


def test_a_hall_or_inspector_name_with_an_escape_is_refused(db_url, capsys) -> None:
    code, out, err = run(capsys, "--db", db_url, "init", "--hall", f"大厅{ESC_CLEAR}")
    refused(code, err, "大厅名称", "控制字符", "U+001B")
    assert raw_controls(out + err) == [] and "\\x1b[2J" in err
    assert not Path(db_url.removeprefix("sqlite:///")).exists()  # refused before any file is made


# --- every printing command: the text shown literally, nothing that steers the terminal ------


PRINTING = {
    "rank": ["rank", "--period", "2026-11"],
    "rank-window": ["rank", "--period", "2026-11", "--by", "window"],
    "rank-json": ["rank", "--period", "2026-11", "--format", "json"],
    "record": ["record", MARKUP_NAME, "--period", "2026-11"],
    "record-window": ["record", "--window", "1", "--period", "2026-11"],
    "report": ["report", "--period", "2026-11"],
    "access-log": ["access-log", "--since", "2026-11-01"],
    "verify": ["verify"],
}


@pytest.mark.parametrize("command", list(PRINTING))
def test_printing_commands_show_hostile_text_literally(hostile_url, capsys, command) -> None:
    main(["--db", hostile_url, "record", MARKUP_NAME, "--period", "2026-11"])  # something in the access log
    capsys.readouterr()
    code, out, err = run(capsys, "--db", hostile_url, *PRINTING[command])
    assert code == 0, err
    assert raw_controls(out + err) == []
    assert "Traceback" not in err
    if command.startswith("rank") and "window" not in command:
        assert MARKUP_NAME in out and STYLE_NAME in out and FORMULA_NAME in out
    if command == "rank-json":
        names = {r["name"] for r in json.loads(out)}
        assert {MARKUP_NAME, STYLE_NAME, FORMULA_NAME} <= names
    if command == "record":
        assert SHOWN_NOTE in out  # the note as typed, escaped, on the finding's own line
        assert not any(line.startswith("伪造的一行") for line in out.splitlines())
    if command in ("rank", "report"):
        assert HALL_NAME in out
    if command == "record-window":
        assert f"人员：{MARKUP_NAME}、{STYLE_NAME}" in out
    if command == "access-log":
        assert f"{MARKUP_NAME}（1 号窗口）" in out
    assert verified(hostile_url)


def test_log_and_dry_run_echo_names_literally(db_url, tmp_path, capsys) -> None:
    roster = tmp_path / "名册.csv"
    from tests.hostile import HOSTILE_ROSTER

    roster.write_text(HOSTILE_ROSTER, encoding="utf-8")
    assert run(capsys, "--db", db_url, "init", "--hall", HALL_NAME)[0] == 0
    code, out, err = run(capsys, "--db", db_url, "roster", "import", str(roster), "--dry-run")
    assert code == 0, err
    assert f"新增人员：{STYLE_NAME}" in out and f"新增人员：{MARKUP_NAME}" in out
    assert raw_controls(out + err) == []
    assert run(capsys, "--db", db_url, "roster", "import", str(roster))[0] == 0
    code, out, err = run(capsys, "--db", db_url, "log", "--window", "1", "--staff", STYLE_NAME, "--type", "迟到",
                         "--at", "2026-11-02 09:00", "--note", HOSTILE_NOTE)  # fmt: skip
    assert code == 0 and STYLE_NAME in out and raw_controls(out + err) == []
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT note FROM finding").fetchall() == [(HOSTILE_NOTE,)]  # kept as typed
    assert verified(db_url)


@pytest.mark.tampers  # names or a time zone written behind patrol's back: verify must fail
def test_names_written_behind_patrols_back_are_shown_escaped(hostile_url, tmp_path, capsys) -> None:
    """sqlite3 on the file (or a database from before names were checked): escapes in names reach
    no terminal. The database is a tampered copy, so it is not expected to verify."""
    tamper_names(hostile_url)
    for args in (["rank", "--period", "2026-11"], ["rank", "--period", "2026-11", "--by", "window"],
                 ["report", "--period", "2026-11"], ["record", "--window", "3", "--period", "2026-11"]):  # fmt: skip
        code, out, err = run(capsys, "--db", hostile_url, *args)
        assert code == 0, err
        assert raw_controls(out + err) == [], args
        assert "\\x1b[2J" in out, args


# --- formulas: CSV and the workbook keep user text as text ------------------------------------


def test_rank_csv_prefixes_formula_cells(hostile_url, capsys) -> None:
    code, out, _ = run(capsys, "--db", hostile_url, "rank", "--period", "2026-11", "--format", "csv")
    assert code == 0
    staff = list(csv.DictReader(io.StringIO(out)))
    assert "'=1+1" in {r["name"] for r in staff}
    assert {r["window_name"] for r in staff if r["name"] == "'=1+1"} == {"'=1+1窗口"}
    assert not [cell for r in staff for cell in r.values() if cell[:1] in ("=", "+", "@", "\t", "\r")]
    code, out, _ = run(capsys, "--db", hostile_url, "rank", "--period", "2026-11", "--by", "window", "--format", "csv")
    windows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["window_name"], r["unit"]) for r in windows if r["window"] == "2"} == {("'=1+1窗口", "'@SUM(A1)")}
    # Numbers stay numbers: a negative deduction is not a formula to prefix.
    assert {r["deductions"] for r in staff if r["name"] == MARKUP_NAME} == {"-1.0"}
    assert verified(hostile_url)


def test_every_sheet_of_the_export_keeps_user_text_as_text(hostile_url, tmp_path, capsys) -> None:
    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hostile_url, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    book = load_workbook(out)
    seen: dict[str, set[str]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and re.search(r"=1\+1|\[/\]|@SUM|HYPERLINK", cell.value):
                    # Excel's quote prefix: editing the cell keeps it text, never a formula.
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen.setdefault(sheet.title, set()).add(cell.value)
    detail = next(values for title, values in seen.items() if title.startswith("附表1"))
    assert FORMULA_NAME in detail and FORMULA_NOTE in detail
    assert len(seen) >= 3  # the names reach the staff and window sheets too, each kept as text
    assert verified(hostile_url)


def test_the_export_writes_controls_and_bidi_overrides_out_as_the_screen_does(hostile_url, tmp_path, capsys) -> None:
    """A note with U+202E went into 附表1 as it was: Excel and WPS then draw the rest of the cell
    reversed, so the printed appendix reads otherwise than what was logged (and an ESC went in as
    a raw control). They are written out as the CLI and the app show them; line breaks stay."""
    import unicodedata

    from patrol.text import shown

    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hostile_url, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    book = load_workbook(out)
    texts = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    for title, where, value in texts:
        assert "_x00" not in value, (title, where, value)  # no control escaped by the writer
        steering = [ch for ch in value if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf")]
        assert not steering, (title, where, value)
    assert shown(HOSTILE_NOTE, keep="\n") in {value for title, _, value in texts if title.startswith("附表1")}
    assert verified(hostile_url)


# --- workbooks: what a person sees is what is imported, and no workbook eats the machine --------

ROSTER_HEADER = ["窗口编号", "窗口名称", "单位", "姓名"]


def staff_names(url: str) -> set[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM staff")}


def with_dimension(source: Path, target: Path, ref: str, last_cell: bool = False) -> None:
    """A copy of ``source`` whose sheet declares the dimension ``ref`` (the XML, rewritten); with
    ``last_cell``, an empty cell at XFD1048576 too, as a stray format in Excel leaves one."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                # ElementTree writes `` />``, lxml ``/>``: openpyxl uses lxml when it is installed
                data, n = re.subn(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert n == 1
                if last_cell:
                    data = data.replace(
                        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
                    )
            zout.writestr(item, data)


def roster_book(path: Path, rows: list[list[str]]) -> None:
    book = Workbook()
    book.active.append(ROSTER_HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_a_huge_declared_dimension_is_ignored(db_url, tmp_path) -> None:
    """A 5 KB workbook declaring A1:XFD1048576 once grew to 2.96 GB: run under a 1.5 GiB address
    space limit in a process of its own, it imports its five rows."""
    plain = tmp_path / "plain.xlsx"
    roster_book(plain, [[str(n), "综合窗口", "中心", f"人员{n}"] for n in range(1, 6)])
    huge = tmp_path / "大.xlsx"
    with_dimension(plain, huge, "A1:XFD1048576", last_cell=True)
    assert huge.stat().st_size < 10_000
    assert main(["--db", db_url, "init", "--hall", "甲大厅"]) == 0
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))\n"
        "from patrol.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", db_url, "roster", "import", str(huge)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert staff_names(db_url) == {f"人员{n}" for n in range(1, 6)}
    assert verified(db_url)


def test_a_dimension_smaller_than_the_data_drops_no_row(db_url, tmp_path, capsys) -> None:
    plain = tmp_path / "plain.xlsx"
    roster_book(plain, [[str(n), "综合窗口", "中心", f"人员{n}"] for n in range(1, 8)])
    small = tmp_path / "小.xlsx"
    with_dimension(plain, small, "A1:B2")
    assert run(capsys, "--db", db_url, "roster", "import", str(small))[0] == 0
    assert staff_names(db_url) == {f"人员{n}" for n in range(1, 8)}
    assert verified(db_url)


def test_the_visible_sheet_is_imported_not_a_hidden_first_one(db_url, tmp_path, capsys) -> None:
    book = Workbook()
    hidden = book.active
    hidden.title = "旧名册"
    hidden.append(ROSTER_HEADER)
    hidden.append(["9", "隐藏窗口", "隐藏单位", "隐藏人"])
    hidden.sheet_state = "hidden"
    shown_sheet = book.create_sheet("名册")
    shown_sheet.append(ROSTER_HEADER)
    shown_sheet.append(["1", "综合窗口", "中心", "王芳"])
    book.active = 1
    path = tmp_path / "名册.xlsx"
    book.save(path)
    assert run(capsys, "--db", db_url, "roster", "import", str(path))[0] == 0
    assert staff_names(db_url) == {"王芳"}
    assert verified(db_url)


def test_a_formula_without_a_saved_result_is_refused_with_row_and_column(db_url, tmp_path, capsys) -> None:
    path = tmp_path / "名册.xlsx"
    # openpyxl saves formulas without results, as any program that never opened the file in Excel.
    roster_book(path, [["1", "综合窗口", "中心", "王芳"], ["1", "综合窗口", "中心", '=CONCAT("张","梅")']])
    code, _out, err = run(capsys, "--db", db_url, "roster", "import", str(path))
    refused(code, err, "名册.xlsx 第3行“姓名”列（D3）是公式", "没有它的计算结果")
    assert count(db_url, "staff") == 0
    assert verified(db_url)


def test_row_numbers_count_blank_leading_lines(db_url, tmp_path, capsys) -> None:
    book = Workbook()
    sheet = book.active
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"] = ROSTER_HEADER  # two blank lines first
    sheet.append(["1", "综合窗口", "中心", "王芳"])
    sheet.append(["", "", "", ""])
    sheet.append(["2", "税务窗口", "税务局", f"李{BIDI}强"])
    path = tmp_path / "名册.xlsx"
    book.save(path)
    code, _, err = run(capsys, "--db", db_url, "roster", "import", str(path))
    refused(code, err, "名册.xlsx 第6行“姓名”列")
    assert count(db_url, "staff") == 0
    assert verified(db_url)


def test_a_future_time_is_blamed_on_the_time_column(hall_url, tmp_path, capsys) -> None:
    path = tmp_path / "巡查.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n2026-11-02 09:00,1,魏敏,迟到\n2099-01-01 09:00,1,魏敏,迟到\n")
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    refused(code, err, "巡查.csv 第3行“时间”列", "在未来")
    assert count(hall_url, "finding") == 0
    assert verified(hall_url)


def test_rows_and_columns_are_capped_with_a_clear_message(db_url, tmp_path, capsys, monkeypatch) -> None:
    from patrol.imports import tabular

    wide = tmp_path / "宽.xlsx"
    book = Workbook()
    book.active.append(ROSTER_HEADER)
    book.active.append(["1", "综合窗口", "中心", "王芳"])
    book.active.cell(row=2, column=tabular.MAX_COLUMNS + 10, value="多余")
    book.save(wide)
    code, _, err = run(capsys, "--db", db_url, "roster", "import", str(wide))
    refused(code, err, f"宽.xlsx 第2行超过 {tabular.MAX_COLUMNS} 列")
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    long = tmp_path / "长.xlsx"
    roster_book(long, [[str(n), "综合窗口", "中心", f"人员{n}"] for n in range(1, 6)])
    code, _, err = run(capsys, "--db", db_url, "roster", "import", str(long))
    refused(code, err, "长.xlsx 超过 3 行", "拆成几个文件")
    assert count(db_url, "staff") == 0
    assert verified(db_url)


# --- the same file twice ------------------------------------------------------------------------


def test_the_same_findings_file_twice_is_refused(hall_url, tmp_path, capsys) -> None:
    path = tmp_path / "巡查.csv"
    lines = [
        "时间,窗口编号,姓名,巡查项,备注",
        "2026-11-04 09:05,3,替岗人员,迟到,",
        "2026-11-05 10:00,5,,窗口摆放不规范,桌面杂乱",
        '2026-11-06 14:30,1,曾伟,玩手机,"=HYPERLINK(""http://x"",""点我"")"',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(capsys, "--db", hall_url, "findings", "import", str(path))[0] == 0
    before = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--by", "window", "--format", "json")[1]
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    refused(code, err, "有 3 行与已记录的巡查记录完全相同", "第 2、3、4 行", "--allow-duplicates")
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path), "--dry-run")
    refused(code, err, "有 3 行")
    after = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--by", "window", "--format", "json")[1]
    assert after == before and count(hall_url, "finding") == 3  # no deduction doubled
    # A file with one new row and two old ones is still refused, naming the old ones.
    path.write_text("\n".join([*lines, "2026-11-07 09:00,1,曾伟,迟到,"]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    refused(code, err, "有 3 行")
    code, out, err = run(capsys, "--db", hall_url, "findings", "import", str(path), "--allow-duplicates")
    assert code == 0 and "已导入 4 条" in out, err
    assert count(hall_url, "finding") == 7
    assert verified(hall_url)


# --- tracebacks that remained: one line each, exit 1 --------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["rank", "--period", "0001"], "年份应在 2000 至 2999 年之间"),
        (["rank", "--period", "9999"], "年份应在 2000 至 2999 年之间"),
        (["rank", "--period", "0001-01"], "超出范围"),
        (["rank", "--period", "9999Q4"], "超出范围"),
        (["report", "--period", "0001-01-01..0001-01-02"], "超出范围"),
        (["record", "魏敏", "--period", "9999-12"], "超出范围"),
        (["export", "--period", "0001", "--out", "x.xlsx"], "超出范围"),
        (["access-log", "--since", "0001-01-01"], "“0001-01-01”超出范围"),
        (["purge", "--before", "0001-01-01"], "“0001-01-01”超出范围"),
        (["log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "0001-01-01 09:00"], "超出范围"),
        (["staff", "add", "新人", "--window", "1", "--on", "0001-01-01"], "“0001-01-01”超出范围"),
        (["staff", "leave", "魏敏", "--window", "1", "--on", "3001-01-01"], "“3001-01-01”超出范围"),
        (["rules", "set", "服务标兵人数", "10", "--from", "0001-01-01"], "“0001-01-01”超出范围"),
        (["rules", "show", "--on", "9999-01-01"], "“9999-01-01”超出范围"),
    ],
)
def test_years_at_the_edges_of_the_calendar_are_refused_in_one_line(hall_url, capsys, args, said) -> None:
    code, _, err = run(capsys, "--db", hall_url, *args)
    refused(code, err, said)
    assert count(hall_url, "finding") == 0
    assert verified(hall_url)


@pytest.mark.parametrize(
    "command", [["rank", "--period", "2026-11"], ["log", "--window", "1", "--type", "迟到"], ["verify"]]
)
def test_a_database_url_naming_a_folder_is_refused_in_one_line(tmp_path, capsys, command) -> None:
    folder = tmp_path / "大厅"
    folder.mkdir(mode=0o700)
    code, _, err = run(capsys, "--db", f"sqlite:///{folder}", *command)
    refused(code, err, str(folder))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [["verify"], ["verify", "--digest"], ["rank", "--period", "2026-11"], ["access-log"], ["record", "魏敏"]],
)
def test_a_mistyped_database_path_is_refused_and_nothing_is_made(tmp_path, capsys, command) -> None:
    """A typo in --db made folders and an empty database, and `verify` then said 校验通过：0 台设备."""
    typo = tmp_path / "大厅s" / "patrol.db"
    code, out, err = run(capsys, "--db", f"sqlite:///{typo}", *command)
    refused(code, err, str(typo), "不存在", "patrol init")
    assert out == "" and not typo.parent.exists()


def test_verify_against_a_file_that_is_no_appendix_is_refused_in_one_line(hall_url, tmp_path, capsys) -> None:
    table = tmp_path / "名册.csv"
    table.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,区政务服务中心,魏敏\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", hall_url, "verify", "--against", str(table))
    refused(code, err, "名册.csv", ".xlsx")
    damaged = tmp_path / "附表.xlsx"
    damaged.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))  # an .xls renamed
    code, _, err = run(capsys, "--db", hall_url, "verify", "--against", str(damaged))
    refused(code, err, "附表.xlsx")
    assert verified(hall_url)


@pytest.mark.tampers  # names or a time zone written behind patrol's back: verify must fail
def test_a_hall_with_an_unknown_time_zone_is_refused_in_one_line(hall_url, capsys) -> None:
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:  # written behind patrol's back
        conn.execute("UPDATE hall SET timezone = 'Mars/Olympus'")
    conn.close()
    for args in (["rank", "--period", "2026-11"], ["report", "--period", "2026-11"]):
        code, _, err = run(capsys, "--db", hall_url, *args)
        refused(code, err, "时区“Mars/Olympus”无法识别")


def test_an_unknown_schema_revision_is_refused_on_open_and_restore(hall_url, tmp_path, capsys) -> None:
    database = Path(hall_url.removeprefix("sqlite:///"))
    newer = tmp_path / "newer.db"
    with sqlite3.connect(database) as source, sqlite3.connect(newer) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffdeadbeef'")
    conn.close()
    code, _, err = run(capsys, "--db", f"sqlite:///{newer}", "rank", "--period", "2026-11")
    refused(code, err, "结构版本“ffffdeadbeef”", "未打开")
    code, _, err = run(capsys, "--db", hall_url, "restore", str(newer))
    refused(code, err, "newer.db 的结构版本“ffffdeadbeef”", "未恢复")
    bare = tmp_path / "bare.db"
    with sqlite3.connect(bare) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.close()
    code, _, err = run(capsys, "--db", hall_url, "restore", str(bare))
    refused(code, err, "bare.db 不是 patrol 的数据库", "未恢复")
    code, _, err = run(capsys, "--db", f"sqlite:///{bare}", "rank", "--period", "2026-11")
    refused(code, err, "数据库里还没有大厅")  # opened as the empty database it is
    assert count(hall_url, "staff") == 7  # the hall is still there
    assert verified(hall_url)


def _env() -> dict[str, str]:
    root = Path(__file__).resolve().parent.parent
    return {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "120"}


PIPED = {
    "rank": ["rank", "--period", "2026-11"],
    "rank-csv": ["rank", "--period", "2026-11", "--format", "csv"],
    "record": ["record", "--window", "1", "--period", "2026-11"],
    "report": ["report", "--period", "2026-11"],
    "access-log": ["access-log"],
    "verify": ["verify"],
    "help": ["--help"],
    "rules": ["rules", "show"],
}


@pytest.mark.parametrize("command", list(PIPED))
def test_a_reader_that_has_gone_ends_every_printing_command_quietly(hostile_url, command) -> None:
    """`patrol … | head` once the reader has gone: the pipe is closed before patrol writes."""
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first byte
    with os.fdopen(write, "wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "patrol", "--db", hostile_url, *PIPED[command]],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            timeout=120,
        )
    assert done.stderr == ""  # no traceback, no "Exception ignored … BrokenPipeError"
    assert done.returncode == 0


@pytest.mark.parametrize("option", ["--note", "--reason"])
def test_one_limit_for_notes_and_reasons(hall_url, capsys, option) -> None:
    at = ["--at", "2026-11-02 09:00"]
    code, out, err = run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到", *at)
    assert code == 0, err
    ref = re.search(r"记录号 (\d{4}-\d{4})", out)[1]  # type: ignore[index]
    too_long, longest = "长" * 501, "长" * 500
    code, _, err = run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到",
                       *at, "--note", too_long)  # fmt: skip
    refused(code, err, "501 字，最多 500 字")
    extra = ["--reason", "核实"] if option == "--note" else ["--void"]
    code, _, err = run(capsys, "--db", hall_url, "correct", ref, option, "长" * 10_000, *extra)
    refused(code, err, "10000 字，最多 500 字")
    assert count(hall_url, "correction") == 0
    code, _, err = run(capsys, "--db", hall_url, "correct", ref, option, "缺\x00件", *extra)
    refused(code, err, "含有无法保存的字符（\\x00）")
    code, _, err = run(capsys, "--db", hall_url, "correct", ref, option, longest, *extra)
    assert code == 0, err
    assert verified(hall_url)


# --- the app, through Pilot ----------------------------------------------------------------------


def _texts(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


async def test_the_app_shows_hostile_names_and_notes_literally(hostile_url) -> None:
    from screens.record import RecordScreen
    from screens.window_panel import WindowPanel
    from tests.test_app import make_app, ready, until

    app = make_app(hostile_url)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = await ready(pilot, app)
        assert HALL_NAME in app.sub_title
        ranking = app.board.query_one("#board-ranking")
        shown = {str(cell) for key in ranking.row_ids() for cell in ranking.get_row(key)}
        assert {MARKUP_NAME, STYLE_NAME, FORMULA_NAME} <= shown
        await pilot.press("1", "enter")
        await until(pilot, lambda: MARKUP_NAME in _texts(app.board.query_one(WindowPanel)))
        panel = _texts(app.board.query_one(WindowPanel))
        assert STYLE_NAME in panel and raw_controls(panel) == []
        await pilot.press("1", "c")  # [/], 迟到: the toast and the status name the person literally
        seen = await ready(pilot, app, seen)
        assert MARKUP_NAME in _texts(app.board.query_one("#status"))
        await pilot.press("n")
        await until(pilot, lambda: app.screen.query_one("Input").has_focus)
        await pilot.press(*"材料[/]不全", "enter")
        await until(pilot, lambda: "备注已保存" in _texts(app.board.query_one("#status")))
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query_one("#record-findings"))
        await app.workers.wait_for_complete()
        # F4 with no person chosen: the window's record, its three findings with their notes.
        await until(pilot, lambda: app.screen.query_one("#record-findings").row_count == 3)
        table = app.screen.query_one("#record-findings")
        notes = {str(c) for row in range(table.row_count) for c in table.get_row_at(row)}
        assert {"材料[/]不全", SHOWN_NOTE, MARKUP_NAME, STYLE_NAME} <= notes
        assert not [cell for cell in notes if raw_controls(cell)]
        head = _texts(app.screen.query_one("#record-head"))
        assert f"人员：{MARKUP_NAME}、{STYLE_NAME}" in head and raw_controls(head) == []
        # A screen's toast (Textual's Widget.notify says markup=True) quoting a name: plain text.
        app.screen.notify(f"无法更正：{MARKUP_NAME}{ESC_CLEAR}", title=STYLE_NAME)
        await until(pilot, lambda: any(MARKUP_NAME in n.message for n in app._notifications))
        toast = next(n for n in app._notifications if MARKUP_NAME in n.message)
        assert not toast.markup and toast.message == "无法更正：[/]\\x1b[2J" and toast.title == STYLE_NAME
        assert app.is_running
    with sqlite3.connect(hostile_url.removeprefix("sqlite:///")) as conn:
        assert ("材料[/]不全",) in conn.execute("SELECT note FROM finding").fetchall()
    assert verified(hostile_url)


@pytest.mark.tampers  # names or a time zone written behind patrol's back: verify must fail
async def test_the_app_never_hands_an_escape_in_a_name_to_the_terminal(hostile_url) -> None:
    """ESC[2J in a name once wiped the board and an OSC set the terminal's title: names written
    behind patrol's back reach the screen escaped. (A tampered copy: not expected to verify.)"""
    from screens.window_panel import WindowPanel
    from tests.test_app import make_app, ready, until

    tamper_names(hostile_url)
    app = make_app(hostile_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        assert raw_controls(app.sub_title) == [] and "\\x1b[2J" in app.sub_title
        ranking = app.board.query_one("#board-ranking")
        cells = [str(cell) for key in ranking.row_ids() for cell in ranking.get_row(key)]
        assert not [c for c in cells if raw_controls(c)]
        assert any("\\x1b[2J张\\u202e梅" in c for c in cells)
        await pilot.press("3", "enter")
        await until(pilot, lambda: "住建" in _texts(app.board.query_one(WindowPanel)))
        panel = _texts(app.board.query_one(WindowPanel))
        assert raw_controls(panel) == [] and "\\x9b31m" in panel and "\\x1b]0;pwned\\x07" in panel
        assert OSC_TITLE not in app.title and ESC_CLEAR not in app.title and C1_CSI not in app.title


@pytest.mark.tampers  # names or a time zone written behind patrol's back: verify must fail
async def test_roster_search_and_ranking_screens_show_names_literally(hostile_url) -> None:
    """F3, / and r list every name (markup, formulas, and escapes written behind patrol's back) as
    text. (A tampered copy: not expected to verify.)"""
    from screens.ranking import RankingScreen
    from screens.roster import RosterScreen
    from screens.search import SearchScreen
    from tests.test_app import make_app, ready, until

    tamper_names(hostile_url)
    app = make_app(hostile_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("f3")
        await until(
            pilot, lambda: isinstance(app.screen, RosterScreen) and app.screen.query_one("#roster-table").row_count
        )
        table = app.screen.query_one("#roster-table")
        cells = {str(c) for i in range(table.row_count) for c in table.get_row_at(i)}
        assert {MARKUP_NAME, STYLE_NAME, FORMULA_NAME, "@SUM(A1)", "\\x1b[2J张\\u202e梅\\x1b]0;pwned\\x07"} <= cells
        assert not [c for c in cells if raw_controls(c)]
        heading = _texts(app.screen.query_one("#roster-heading"))
        assert "\\x1b[2J大厅 名册" in heading and raw_controls(heading) == []
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.press("slash", *"红人")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen) and bool(app.screen.hits))
        options = app.screen.query_one("OptionList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(STYLE_NAME in p for p in prompts) and not [p for p in prompts if raw_controls(p)]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.press("r")
        await until(
            pilot, lambda: isinstance(app.screen, RankingScreen) and app.screen.query_one("#staff-ranking").row_count
        )
        staff = app.screen.query_one("#staff-ranking")
        names = {str(c) for key in staff.row_ids() for c in staff.get_row(key)}
        assert {MARKUP_NAME, STYLE_NAME, FORMULA_NAME} <= names and not [c for c in names if raw_controls(c)]
        heading = _texts(app.screen.query_one("#ranking-heading"))
        assert raw_controls(heading) == []
        assert app.is_running


async def test_a_markup_note_in_a_record_leaves_unsaved_findings_queued(hostile_url) -> None:
    """The record screen once died on the note 材料[/]不全 and took the findings the disk had not
    yet taken with it: now it opens, and they are still queued, and saved by F5."""
    from sqlalchemy import event

    from screens.record import RecordScreen
    from storage.errors import StorageError
    from tests.conftest import log_at
    from tests.test_app import findings_in, make_app, ready, status, until
    from tests.test_durability import no_growth

    app = make_app(hostile_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        service = app.service
        engine = await app.db.ask(lambda: service.engine)  # made in the lane: the loop never queries
        event.listen(engine, "connect", no_growth)
        engine.dispose()

        def log_until_full() -> None:
            while True:
                try:
                    log_at(service, "3", "张梅", "迟到", "2026-11-17 09:00")
                except StorageError:
                    return

        await app.db.ask(log_until_full)
        before = len(findings_in(hostile_url))
        await pilot.press("1", "enter", "1", "c")  # [/] late: the disk says no
        await until(pilot, lambda: "未保存" in status(app))
        await until(pilot, lambda: MARKUP_NAME in _texts(app.board.query_one("#unsaved")))
        await pilot.press("f4")  # window 1's record: the note 材料[/]不全…, escapes and all
        await until(pilot, lambda: isinstance(app.screen, RecordScreen) and app.screen.query_one("#record-findings"))
        await until(pilot, lambda: app.screen.query_one("#record-findings").row_count == 2)
        table = app.screen.query_one("#record-findings")
        assert SHOWN_NOTE in {str(c) for i in range(table.row_count) for c in table.get_row_at(i)}
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        assert app.board.unsaved and MARKUP_NAME in _texts(app.board.query_one("#unsaved"))
        event.remove(engine, "connect", no_growth)
        engine.dispose()
        await pilot.press("f5")
        await until(pilot, lambda: status(app).startswith("已保存") and not app.board.unsaved)
        assert f"1 综合窗口 {MARKUP_NAME} 迟到" in status(app)
        await app.workers.wait_for_complete()
        assert len(findings_in(hostile_url)) == before + 1
    assert verified(hostile_url)
