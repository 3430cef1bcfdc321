"""Every benchmark's main path, run on a tiny city with small counts, so that a benchmark that
breaks (a NameError, a hook or a widget the app no longer has) fails `make test` rather than the
next `make bench`. The budgets are not asserted here: this machine's speed is not the code's."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import crash, export, hot_path, startup, terminal, verify
from bench.city import build_into


@pytest.fixture
def tiny_city(tmp_path: Path) -> str:
    """A city of three halls: a 40-staff centre with two months of findings and two town halls
    of 20 windows and 60 staff."""
    path = tmp_path / "city.db"
    build_into(
        path,
        datetime.now(UTC).date(),
        halls=3,
        centre_staff=40,
        centre_month_findings=60,
        centre_months=2,
        other_findings=40,
    )
    return f"sqlite:///{path}"


def findings_by(url: str, device: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM finding WHERE device = ?", (device,)).fetchone()[0])


def test_the_hot_path_logs_by_keys_on_the_demo_the_centre_and_a_town_hall(
    tiny_city: str, capsys: pytest.CaptureFixture[str]
) -> None:
    hot_path.main(tiny_city, repeat=2, settle=0.1)
    out = capsys.readouterr().out
    for line in (
        "key -> 已保存 on screen, the demo",
        "the city centre (市政务服务中心)",
        "a town hall of the city (第1镇便民服务中心)",
    ):
        assert line in out, out
    assert "month ranking, 40 staff" in out and "search per keystroke" in out, out
    assert findings_by(tiny_city, "bench") == 4  # two keyed findings in each of the city's halls


def test_the_export_benchmark_exports_the_demo_and_the_centre(
    tiny_city: str, capsys: pytest.CaptureFixture[str]
) -> None:
    export.main(tiny_city, year=False)  # the year is the month's path over more rows
    out = capsys.readouterr().out
    assert out.count("export, ") == 2 and "a month of the 5,000-staff centre" in out, out


def test_the_verify_benchmark_verifies_the_city(tiny_city: str, capsys: pytest.CaptureFixture[str]) -> None:
    verify.main(tiny_city)
    assert "校验通过" in capsys.readouterr().out


def test_the_startup_benchmark_draws_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    startup.main(repeat=1)
    assert "startup `patrol demo` to drawn board: median" in capsys.readouterr().out


def test_the_punch_benchmark_imports_a_month_twice_and_ranks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import punches

    assert punches.main(staff_count=40, folder=tmp_path)
    out = capsys.readouterr().out
    assert "clockin import, 40 staff × 22 days × 2 punches" in out and "the same file again" in out, out


def test_the_crash_benchmark_kills_the_app_and_finds_nothing_lost(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):  # crash.main points them at its own folder
        monkeypatch.setenv(name, os.environ[name])
    assert crash.main(kills=1)
    assert "0 lost, 0 integrity failures, chain verifies: OK" in capsys.readouterr().out


def test_without_the_instrument_the_terminal_figures_are_skipped_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(terminal.INSTRUMENT_ENV, str(tmp_path / "ui_speed.py"))
    assert terminal.main("sqlite:///nowhere.db")
    out = capsys.readouterr().out
    assert out.startswith("terminal figures skipped:") and out.count("\n") == 1, out


# What ui_speed prints, with figures given by the test; it notes the arguments it was run with.
STAND_IN = """import os, sys
with open(os.environ["STAND_IN_LOG"], "a") as fh:
    fh.write(repr(sys.argv[1:]) + "\\n")
print("first frame: patrol {first} ms, bare Textual 300 ms (1.00x)")
print("key -> saved painted: patrol median {key} ms (p95 {p95}), bare key -> repaint 10 ms (2.0x)")
print("memory: patrol 50 MB, bare Textual 33 MB (1.52x)")
"""


def stand_in(tmp_path: Path, first: int, key: int, p95: int) -> Path:
    tool = tmp_path / "ui_speed.py"
    tool.write_text(STAND_IN.format(first=first, key=key, p95=p95), encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool


@pytest.mark.skipif(shutil.which("tmux") is None, reason="the terminal figures need tmux")
def test_the_terminal_figures_run_the_instrument_on_the_demo_and_a_town_hall_and_hold_the_targets(
    tiny_city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "argv.log"
    monkeypatch.setenv("STAND_IN_LOG", str(log))
    monkeypatch.setenv(terminal.INSTRUMENT_ENV, str(stand_in(tmp_path, first=420, key=25, p95=50)))
    assert terminal.main(tiny_city, runs=3, rounds=2)
    out = capsys.readouterr().out
    assert "terminal, the demo, medians of 3 runs" in out and "第1镇便民服务中心 of the city, medians of 3 runs" in out
    runs = log.read_text(encoding="utf-8").splitlines()
    assert len(runs) == 6 and all("'--rounds', '2'" in run for run in runs)
    assert "'--args', 'demo'" in runs[0]
    assert f"--db {tiny_city} --hall 第1镇便民服务中心" in runs[-1]
    # The town hall's daily backup was taken before its timed runs, once: the next bench takes none.
    backups = list((tmp_path / "backups" / "city.db").glob("patrol-*-daily.db"))
    assert len(backups) == 1
    terminal.main(tiny_city, runs=1, rounds=2)
    assert list((tmp_path / "backups" / "city.db").glob("patrol-*-daily.db")) == backups

    # A key median over 30 ms is over the target, and the run says so.
    monkeypatch.setenv(terminal.INSTRUMENT_ENV, str(stand_in(tmp_path, first=420, key=91, p95=106)))
    assert not terminal.main(tiny_city, runs=1, rounds=2)
    assert "key -> 已保存 painted 91 ms (<= 30) OVER" in capsys.readouterr().out
