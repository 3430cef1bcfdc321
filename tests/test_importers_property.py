"""Hypothesis over the importers: any roster imports exactly and re-imports as no change;
any bytes end in a clear refusal or a whole import, never a traceback or a partial write."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_garbage_is_refused_cleanly(empty_db, tmp_path, capsys, content: bytes, suffix: str) -> None:
    url = fresh(empty_db, tmp_path)
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(content)
    code = main(["--db", url, "roster", "import", str(path)])
    err = capsys.readouterr().err
    assert code in (0, 1)
    if code == 1:
        assert err.startswith("patrol: ") and err.count("\n") == 1
        assert staff_rows(url) == set()


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
