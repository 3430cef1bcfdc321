"""Shared fixtures: a real SQLite file per test, a small hand-made hall, a fixed clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.opening import open_hall
from patrol.hall.service import HallService
from patrol.reports.period_report import PeriodReport

# Wednesday 18 November 2026, 10:00 in Shanghai.
FIXED_NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)

ROSTER_CSV = """窗口编号,窗口名称,单位,姓名,岗位,区域
1,综合窗口,区政务服务中心,魏敏,A岗,A区
1,综合窗口,区政务服务中心,曾伟,B岗,A区
2,市场监管窗口,区市场监督管理局,郑晓燕,A岗,A区
2,市场监管窗口,区市场监督管理局,张伟,B岗,A区
3,住建窗口,区住房和城乡建设局,张伟,A岗,B区
3,住建窗口,区住房和城乡建设局,单雄,B岗,B区
4,不动产登记窗口,区自然资源局,张梅,A岗,B区
5,供电公司窗口,国网供电公司,,,B区
"""


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's real data, config and cache directories."""
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("PATROL_DB", raising=False)
    monkeypatch.setenv("PATROL_INSPECTOR", "测试督查")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'patrol.db'}"


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "名册.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    return path


@pytest.fixture
def hall_url(db_url: str, roster_file: Path) -> str:
    """A database with the hand-made hall (5 windows, 7 staff, two 张伟)."""
    assert main(["--db", db_url, "--hall", "测试大厅", "roster", "import", str(roster_file)]) == 0
    return db_url


@pytest.fixture
def service(hall_url: str) -> Iterator[HallService]:
    svc = open_hall(hall_url, inspector="测试督查", device="test-device", clock=fixed_clock)
    yield svc
    svc.close()


def log_at(service: HallService, code: str, person: str | None, item: str, when: str, note: str = "") -> str:
    """Log one finding at local time ``when`` (YYYY-MM-DD HH:MM); returns its id."""
    from patrol.rules.periods import parse_local_time

    window = service.lookup.window(code)
    staff = service.lookup.resolve_staff(person, window) if person and person != "替岗人员" else None
    return service.findings.log(
        window,
        staff,
        service.lookup.rule(item),
        substitute=person == "替岗人员",
        at=parse_local_time(when, service.hall.tz),
        note=note,
    ).id


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in this process; returns the exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def verified(url: str) -> bool:
    """Whether `patrol verify` passes on the database at ``url``."""
    return main(["--db", url, "verify"]) == 0


def count(url: str, table: str) -> int:
    """The rows of ``table`` in the SQLite database at ``url``."""
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return int(conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tampers: the test damages its database on purpose (not verified afterwards)")


@pytest.fixture(autouse=True)
def _every_database_verifies_afterwards(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Every test that writes ends with `verify`: each patrol database the test left in its folder
    (today's schema) must pass, whatever wrote to it; a test that tampers on purpose says so."""
    yield
    if request.node.get_closest_marker("tampers"):
        return
    import sqlite3

    from storage.reads import SqliteReader
    from storage.schema import HEAD_REVISION
    from storage.verify import verify

    for path in sorted(tmp_path.rglob("*.db")):
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                revision = (
                    conn.execute("SELECT version_num FROM alembic_version").fetchone()
                    if "alembic_version" in tables
                    else None
                )
        except sqlite3.DatabaseError:  # not a database (a test's hostile file)
            continue
        if revision is None or revision[0] != HEAD_REVISION:
            continue  # not a patrol database of today's schema (an upgrade test's "before")
        reader = SqliteReader(path)
        try:
            verdict = verify(reader, workers=0)
        finally:
            reader.close()
        assert verdict.ok, f"{path.relative_to(tmp_path)} fails verify after the test: {verdict.problem}"


@pytest.fixture(autouse=True)
def _no_thread_forbidden_after_a_test() -> Iterator[None]:
    """An app that crashed before its unmount must not leave its loop's thread barred from the
    database (storage.guard) for the tests after it."""
    yield
    from storage import guard

    guard.allow_all()  # torn down before the verify above (fixtures end in reverse order)


def written_after(report: PeriodReport) -> PeriodReport:
    """``report`` as if written the day after its period ended (the clock stands at 18 November,
    and a notice of a period not yet over names no 满勤)."""
    report.made_on = report.period.last + timedelta(days=1)
    return report
