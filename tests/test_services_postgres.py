"""Service figures on PostgreSQL (DESIGN: every query also runs there): an import, a re-import
that replaces the month, the period's figures and verify (the fixture of tests/test_postgres.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from patrol.cli import main
from tests.test_postgres import fresh_database, pg_url  # noqa: F401  (the server fixture)


def test_figures_import_and_re_import_on_postgresql(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = fresh_database(pg_url)
    roster = tmp_path / "r.csv"
    roster.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,魏敏\n2,住建窗口,住建局,张伟\n", encoding="utf-8")
    db = ["--db", url, "--hall", "丁大厅"]
    assert main([*db, "roster", "import", str(roster)]) == 0
    first = tmp_path / "a.csv"
    first.write_text(
        "月份,窗口编号,受理,办结,按时办结,好评,差评\n2026-10,1,100,100,99,50,0\n2026-11,1,120,118,118,60,1\n"
        "2026-11,2,80,80,80,,\n",
        encoding="gbk",
    )
    assert main([*db, "services", "import", str(first)]) == 0
    again = tmp_path / "b.csv"
    again.write_text("月份,窗口编号,受理,办结,按时办结\n2026-11,1,126,118,118\n2026-11,2,80,80,80\n", encoding="utf-8")
    capsys.readouterr()
    assert main([*db, "services", "import", str(again)]) == 0
    assert "1号综合窗口 受理 120→126、好评 60→（空）、差评 1→（空）" in capsys.readouterr().out
    assert main([*db, "services", "show", "--period", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "206" in out and "+26%" in out  # 126 + 80 in all; 1号: 126 against October's 100
    assert main([*db, "services", "history"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3  # October and November from a.csv, November again
    assert main(["--db", url, "verify"]) == 0
