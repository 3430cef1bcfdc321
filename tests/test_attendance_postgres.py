"""Hours, punches and leave on PostgreSQL (DESIGN: every query also runs there): the punches go
in through the driver's executemany, so a real server checks that path and the queries behind
``service.attendance`` (the fixture of tests/test_postgres.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.opening import open_hall
from tests.test_postgres import pg_url  # noqa: F401  (the server fixture)


def test_punches_and_leave_on_postgresql(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,魏敏\n1,综合窗口,中心,曾伟\n", encoding="utf-8")
    db = ["--db", pg_url, "--hall", "丙大厅"]
    assert main([*db, "roster", "import", str(roster)]) == 0
    assert main([*db, "hours", "set", "--from", "2026-01-01", "--am", "09:00-12:00", "--pm", "14:00-17:00"]) == 0
    punches = tmp_path / "p.csv"
    punches.write_text("姓名,打卡时间\n魏敏,2026-11-02 09:10:00\n魏敏,2026-11-02 17:00:00\n", encoding="gbk")
    assert main([*db, "clockin", "import", str(punches)]) == 0
    capsys.readouterr()
    assert main([*db, "clockin", "import", str(punches)]) == 0
    assert "新 0 条，已导入过 2 条" in capsys.readouterr().out
    assert main([*db, "leave", "add", "曾伟", "--from", "2026-11-02", "--to", "2026-11-02", "--type", "事假"]) == 0
    assert "作废当日打卡记录 1 条" in capsys.readouterr().out
    service = open_hall(pg_url, "丙大厅", inspector="测试", device="pg")
    try:
        by_name = {s.name: s.id for s in service.staff}
        november = (date(2026, 11, 1), date(2026, 12, 1))
        assert service.attendance.has_punches(*november)
        assert service.attendance.punch_days(*november) == {by_name["魏敏"]: {date(2026, 11, 2)}}
        assert service.attendance.leave_days(*november) == {by_name["曾伟"]: {date(2026, 11, 2)}}
        assert len(service.attendance.working_days(*november)) == 21
    finally:
        service.close()
    assert main([*db, "rank", "--period", "2026-11", "--format", "json"]) == 0
    assert main(["--db", pg_url, "verify"]) == 0
