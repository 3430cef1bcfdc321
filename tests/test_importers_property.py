"""Hypothesis over the importers: any roster imports exactly and re-imports as no change;
any bytes end in a clear refusal or a whole import, never a traceback or a partial write."""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from patrol.cli import main
from storage.engine import open_engine

HAN = "张王李赵曾单解仇朴梅伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚𠮷珺玥"
names = st.text(alphabet=HAN, min_size=1, max_size=4)
codes = st.from_regex(r"[A-D]?[0-9]{1,3}", fullmatch=True)
units = st.sampled_from(["区税务局", "区自然资源局", "国网供电公司", "区公安分局"])


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.db"
    open_engine(f"sqlite:///{path}").dispose()
    return path


def fresh(empty_db: Path, tmp_path: Path) -> str:
    target = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(empty_db, target)
    return f"sqlite:///{target}"


def staff_rows(url: str) -> set[tuple[str, str]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return set(conn.execute('SELECT w.code, s.name FROM staff s JOIN "window" w ON w.id = s.window_id'))


@st.composite
def rosters(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    windows = draw(
        st.dictionaries(codes, st.tuples(names, units), min_size=1, max_size=6, dict_class=dict).filter(
            lambda d: len({k.upper() for k in d}) == len(d)
        )
    )
    rows = []
    for code, (name, unit) in windows.items():
        for person in draw(st.lists(names, max_size=3, unique=True)) or [""]:
            rows.append((code, f"{name}窗口", unit, person))
    return rows


def write_roster(path: Path, rows: list[tuple[str, str, str, str]], kind: str) -> None:
    header = ["窗口编号", "窗口名称", "单位", "姓名"]
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
        book.save(path)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig" if kind == "csv-bom" else kind))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rosters(), kind=st.sampled_from(["xlsx", "utf-8", "csv-bom", "gb18030"]))
def test_any_roster_imports_exactly_and_reimports_as_no_change(empty_db, tmp_path, capsys, rows, kind) -> None:
    url = fresh(empty_db, tmp_path)
    path = tmp_path / ("roster.xlsx" if kind == "xlsx" else "roster.csv")
    write_roster(path, rows, kind)
    assert main(["--db", url, "roster", "import", str(path)]) == 0, capsys.readouterr().err
    assert staff_rows(url) == {(code, person) for code, _, _, person in rows if person}
    capsys.readouterr()
    assert main(["--db", url, "roster", "import", str(path)]) == 0
    assert "没有需要改动的内容" in capsys.readouterr().out


ROSTER_HEADER = ("窗口编号", "窗口名称", "单位", "姓名")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_garbage_is_refused_cleanly(empty_db, tmp_path, capsys, content: bytes, suffix: str) -> None:
    """Bytes that hold no roster header (no zip at all for .xlsx, no 窗口编号 … 姓名 for .csv) are
    refused, every one of them: one line naming the file, exit 1, nothing written."""
    text = content.decode("utf-8", errors="ignore") + content.decode("gb18030", errors="ignore")
    assume(not all(title in text for title in ROSTER_HEADER))  # garbage, not a roster by chance
    url = fresh(empty_db, tmp_path)
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(content)
    refused_cleanly(url, path, capsys)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad_at=st.integers(0, 4))
def test_findings_import_is_all_or_nothing(empty_db, tmp_path, capsys, bad_at: int) -> None:
    url = fresh(empty_db, tmp_path)
    roster = tmp_path / "r.csv"
    roster.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,张梅\n", encoding="utf-8")
    assert main(["--db", url, "roster", "import", str(roster)]) == 0
    lines = [f"2026-11-0{day + 1} 09:00,1,张梅,迟到" for day in range(5)]
    lines[bad_at] = lines[bad_at].replace("迟到", "不存在的项")
    path = tmp_path / "f.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n" + "\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", url, "findings", "import", str(path)]) == 1
    assert f"第{bad_at + 2}行“巡查项”列" in capsys.readouterr().err
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == 0


# --- the fuzzer: damaged, hostile and oddly encoded files -----------------------------------

ROSTER_ROWS = [("1", "综合窗口", "区政务服务中心", "吉𠮷"), ("2", "税务窗口", "区税务局", "张梅")]


def refused_cleanly(url: str, path: Path, capsys, command: str = "roster") -> str:
    """Run the import; it must end in one line naming the file, exit 1 and an untouched database."""
    code = main(["--db", url, command, "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("patrol: ") and err.count("\n") == 1 and "Traceback" not in err
    assert path.name in err
    assert staff_rows(url) == set()
    return err


@functools.cache
def good_xlsx() -> bytes:
    """One real roster workbook, made once: its size must not change between examples (its
    properties carry the time it was made), or Hypothesis could not replay them."""
    folder = Path(tempfile.mkdtemp())
    write_roster(folder / "good.xlsx", ROSTER_ROWS, "xlsx")
    content = (folder / "good.xlsx").read_bytes()
    shutil.rmtree(folder)
    return content


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_damaged_xlsx_is_refused_cleanly(empty_db, tmp_path, capsys, data: st.DataObject) -> None:
    url = fresh(empty_db, tmp_path)
    path = tmp_path / "名册.xlsx"
    good = good_xlsx()
    how = data.draw(st.sampled_from(["truncate", "flip"]))
    if how == "truncate":
        damaged = good[: data.draw(st.integers(0, len(good) - 1))]
    else:
        damaged = bytearray(good)
        for at in data.draw(st.lists(st.integers(0, len(good) - 1), min_size=1, max_size=8)):
            damaged[at] ^= data.draw(st.integers(1, 255))
        damaged = bytes(damaged)
    path.write_bytes(damaged)
    code = main(["--db", url, "roster", "import", str(path)])
    err = capsys.readouterr().err
    # A flipped byte in a cell's text may still be a valid file: then it imports whole.
    assert code in (0, 1) and "Traceback" not in err
    if code == 1:
        assert err.startswith("patrol: ") and err.count("\n") == 1 and staff_rows(url) == set()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(empty_db, tmp_path, capsys) -> None:
    import zipfile

    url = fresh(empty_db, tmp_path)
    path = tmp_path / "炸弹.xlsx"
    good = zipfile.ZipFile(io.BytesIO(good_xlsx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in good.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, good.read(member))
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1 << 20)
            for _ in range(300):  # 300 MiB of blanks, ~300 KiB packed
                sheet.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    assert "压缩炸弹" in refused_cleanly(url, path, capsys)


def test_an_xml_entity_bomb_is_refused(empty_db, tmp_path, capsys) -> None:
    import zipfile

    url = fresh(empty_db, tmp_path)
    path = tmp_path / "实体.xlsx"
    good = zipfile.ZipFile(io.BytesIO(good_xlsx()))
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "哈">{laughs}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as hostile:
        for member in good.infolist():
            content = good.read(member)
            hostile.writestr(member, sheet.encode() if member.filename == "xl/worksheets/sheet1.xml" else content)
    refused_cleanly(url, path, capsys)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_every_encoding_a_hall_uses_reads_every_character(empty_db, tmp_path, capsys, encoding: str) -> None:
    url = fresh(empty_db, tmp_path)
    path = tmp_path / "名册.csv"
    rows = ROSTER_ROWS if encoding != "gbk" else [(c, w, u, p.replace("𠮷", "喆")) for c, w, u, p in ROSTER_ROWS]
    write_roster(path, rows, encoding)
    assert main(["--db", url, "roster", "import", str(path)]) == 0, capsys.readouterr().err
    assert staff_rows(url) == {(code, person) for code, _, _, person in rows}  # 𠮷 kept, nothing dropped


def test_an_undecodable_csv_is_refused_not_mangled(empty_db, tmp_path, capsys) -> None:
    url = fresh(empty_db, tmp_path)
    path = tmp_path / "名册.csv"
    # UTF-16 (Excel's "Unicode text"): neither UTF-8 nor GB18030 reads it.
    path.write_bytes("窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,吉𠮷\n".encode("utf-16"))
    assert "编码无法识别" in refused_cleanly(url, path, capsys)
