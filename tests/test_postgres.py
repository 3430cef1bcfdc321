"""Every query also runs on PostgreSQL (DESIGN): the command line against a real server that
this module starts in a temporary folder and stops again."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from patrol.cli import main


def _server_binaries() -> Path | None:
    for folder in [os.path.dirname(shutil.which("initdb") or ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"))]:
        if folder and Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    pytest.importorskip("psycopg")
    binaries = _server_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (.ci/run installs them)")
    folder = Path(tempfile.mkdtemp(prefix="patrol-pg-"))
    data = folder / "data"
    port = _free_port()
    # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if prefix:
        shutil.chown(folder, "postgres")
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True)  # noqa: E731
    run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "patrol")
    run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(data / "log"),
        "-w",
        "-o",
        f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
        "start",
    )
    try:
        url = f"postgresql+psycopg://patrol@127.0.0.1:{port}/postgres"
        yield url
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """A database of its own on the test server: each test depends on no other."""
    import time

    import psycopg

    name = f"t_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(server_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def pg_hall(pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A fresh database with 甲大厅: 张梅 and 曾伟 at window 1, 张伟 at window 2, and three
    November findings (曾伟 迟到, window 2's substitute 迟到, 张梅 上门服务)."""
    url = fresh_database(pg_url)
    roster = tmp_path / "r.csv"
    roster.write_text(
        "窗口编号,窗口名称,单位,姓名\n1,综合窗口,中心,张梅\n1,综合窗口,中心,曾伟\n2,住建窗口,住建局,张伟\n",
        encoding="utf-8",
    )
    assert main(["--db", url, "--hall", "甲大厅", "roster", "import", str(roster)]) == 0
    for who, item, at in (
        (["--staff", "曾伟"], "迟到", "2026-11-02 09:00"),
        (["--substitute"], "迟到", "2026-11-03 09:00"),
        (["--staff", "张梅"], "上门服务", "2026-11-04 09:00"),
    ):
        window = "2" if who == ["--substitute"] else "1"
        assert main(["--db", url, "log", "--window", window, *who, "--type", item, "--at", at]) == 0
    capsys.readouterr()
    return url


def test_the_command_line_on_postgresql(pg_hall: str, capsys: pytest.CaptureFixture[str]) -> None:
    pg_url = pg_hall
    capsys.readouterr()
    assert main(["--db", pg_url, "rank", "--period", "2026-11", "--format", "json"]) == 0
    staff = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["score"]) for r in staff] == [("张梅", 100.5), ("张伟", 100.0), ("曾伟", 99.0)]
    assert main(["--db", pg_url, "rank", "--period", "2026-11", "--by", "window", "--format", "json"]) == 0
    windows = {r["window"]: r for r in json.loads(capsys.readouterr().out)}
    assert windows["2"]["score"] == 99.0 and windows["2"]["findings"] == 1
    assert windows["1"]["score"] == 99.8  # 99.75 shown half up, as everywhere


def test_hall_rules_on_postgresql(pg_hall: str, capsys: pytest.CaptureFixture[str]) -> None:
    pg_url = pg_hall
    assert main(["--db", pg_url, "rank", "--period", "2026-11", "--format", "json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out) if r["mark"] == "服务标兵"] == ["张梅"]
    assert main(["--db", pg_url, "rules", "set", "服务标兵人数", "0", "--from", "2026-11-01"]) == 0
    assert main(["--db", pg_url, "rules", "set", "满勤依据", "巡查", "--from", "2026-11-01"]) == 0
    capsys.readouterr()
    assert main(["--db", pg_url, "rank", "--period", "2026-11", "--format", "json"]) == 0
    staff = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["mark"], r["full_attendance"]) for r in staff] == [
        ("张梅", "", True),
        ("张伟", "", True),
        ("曾伟", "末位", False),
    ]
    assert main(["--db", pg_url, "rules", "show", "--period", "2026-11"]) == 0
    assert "服务标兵人数（top_staff）" in capsys.readouterr().out


def test_the_service_on_postgresql(pg_hall: str, capsys: pytest.CaptureFixture[str]) -> None:
    from patrol.hall.opening import open_hall
    from patrol.rules.periods import Period

    service = open_hall(pg_hall, "甲大厅", device="pg-test", inspector="督查")
    try:
        found = service.findings.log(
            service.lookup.window("2"), service.lookup.resolve_staff("张伟", None), service.lookup.rule("玩手机")
        )
        assert service.findings.last_finding().id == found.id
        service.findings.add_note(found.id, "已提醒")
        assert service.findings.undo_last() is not None
        record = service.records.record("window", service.lookup.window("1").id, Period.parse("2026-11"))
        assert len(record.findings) == 2
        assert service.lookup.search_index.search("zm")[0].title == "张梅"
    finally:
        service.close()
    assert main(["--db", pg_hall, "verify"]) == 0, capsys.readouterr().err
    assert "校验通过" in capsys.readouterr().out


def test_a_purge_on_postgresql_keeps_the_chain(pg_hall: str, capsys: pytest.CaptureFixture[str]) -> None:
    pg_url = pg_hall
    assert (
        main(
            [
                "--db",
                pg_url,
                "--hall",
                "甲大厅",
                "log",
                "--window",
                "1",
                "--staff",
                "曾伟",
                "--type",
                "迟到",
                "--at",
                "2022-03-01 09:00",
                "--note",
                "曾伟说堵车",
            ]
        )
        == 0
    )
    assert main(["--db", pg_url, "--hall", "甲大厅", "purge", "--before", "2023-01-01", "--yes"]) == 0
    assert "巡查记录 1 条" in capsys.readouterr().out
    assert main(["--db", pg_url, "--hall", "甲大厅", "record", "--window", "1", "--period", "2022"]) == 0
    shown = capsys.readouterr().out
    (line,) = [line for line in shown.splitlines() if "2022-03-01 09:00" in line]
    assert "迟到" in line and "曾伟" not in line and "堵车" not in line  # who and the note are gone
    assert main(["--db", pg_url, "verify"]) == 0, capsys.readouterr().err
