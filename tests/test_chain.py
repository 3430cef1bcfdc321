"""Tamper evidence: the hash chain, patrol verify, and an upgrade from the first schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.service import HallService
from storage.schema import HEAD_REVISION
from tests.conftest import log_at


@pytest.fixture
def logged(service: HallService, hall_url: str) -> Path:
    """Five findings and a correction from one device, then the file to tamper with."""
    ids = [
        log_at(service, "1", "魏敏", item, f"2026-11-0{day} 09:00")
        for day, item in ((2, "迟到"), (3, "早退"), (4, "玩手机"), (5, "上门服务"), (6, "缺卡"))
    ]
    service.findings.correct(ids[1], "经核实无误", void=True)
    service.close()
    return Path(hall_url.removeprefix("sqlite:///"))


def verify(url: str, capsys) -> tuple[int, str]:
    code = main(["--db", url, "verify"])
    out, err = capsys.readouterr()
    return code, out + err


def tamper(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)


def nth(path: Path, seq: int) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM finding WHERE chain_seq = ?", (seq,)).fetchone()[0]


def test_an_untouched_log_verifies(logged: Path, hall_url: str, capsys) -> None:
    code, out = verify(hall_url, capsys)
    assert code == 0 and "校验通过" in out
    with sqlite3.connect(logged) as conn:
        counted = sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("finding", "correction"))
        versions = conn.execute("SELECT COUNT(*) FROM row_version").fetchone()[0]
    assert f"{counted + versions} 条记录" in out and counted == 6
    assert main(["--db", hall_url, "verify", "--digest"]) == 0
    digest, *heads = capsys.readouterr().out.split()
    assert len(digest) == 64
    # Five findings, a correction and the inspector's first version, on this device.
    assert any(head.startswith("test-device:7:") for head in heads)


@pytest.mark.tampers
def test_a_changed_field_is_found(logged: Path, hall_url: str, capsys) -> None:
    target = nth(logged, 3)
    tamper(logged, f"UPDATE finding SET points = 0 WHERE id = '{target}'")
    code, out = verify(hall_url, capsys)
    assert code == 1 and target in out and "内容与写入时不符" in out


@pytest.mark.tampers
def test_a_deleted_row_is_found(logged: Path, hall_url: str, capsys) -> None:
    tamper(logged, f"DELETE FROM finding WHERE id = '{nth(logged, 2)}'")
    code, out = verify(hall_url, capsys)
    assert code == 1 and "缺少第 2 条" in out


@pytest.mark.tampers
def test_an_inserted_row_is_found(logged: Path, hall_url: str, capsys) -> None:
    source = nth(logged, 4)
    tamper(
        logged,
        "INSERT INTO finding SELECT 'forged-0000-0000-0000-000000000000', hall_id, window_id, staff_id, "
        "substitute, type_id, category, -3, at, note, inspector_id, device, replaces_id, created_at, "
        f"NULL, NULL, NULL, NULL, NULL, NULL, 'forged', 'patrol', 1, NULL FROM finding WHERE id = '{source}'",
    )
    code, out = verify(hall_url, capsys)
    assert code == 1 and "forged-0000" in out and "不在链中" in out


@pytest.mark.tampers
def test_swapped_rows_are_found(logged: Path, hall_url: str, capsys) -> None:
    second, third = nth(logged, 2), nth(logged, 3)
    tamper(
        logged,
        f"UPDATE finding SET chain_seq = 99 WHERE id = '{second}'",
        f"UPDATE finding SET chain_seq = 2 WHERE id = '{third}'",
        f"UPDATE finding SET chain_seq = 3 WHERE id = '{second}'",
    )
    code, out = verify(hall_url, capsys)
    assert code == 1 and third in out and "链接断开" in out


@pytest.mark.tampers
def test_a_cut_tail_is_found(logged: Path, hall_url: str, capsys) -> None:
    tamper(logged, "DELETE FROM correction")  # the last link of the chain
    code, out = verify(hall_url, capsys)
    assert code == 1 and "链尾的记录被删除" in out


def test_an_upgrade_from_the_first_schema_keeps_every_row_and_chains_them(tmp_path: Path, capsys) -> None:
    from alembic import command
    from alembic.config import Config

    from storage.engine import MIGRATIONS_DIR, create_db_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")  # the first schema, as the first release created it
    engine.dispose()
    path = tmp_path / "old.db"
    rows = [
        ("f1", "2026-11-02 01:00:00.000000", "2026-11-02 01:00:05.000000", -1.0, "laptop-a", "迟到"),
        ("f2", "2026-11-03 01:00:00.000000", "2026-11-03 01:00:05.000000", 0.5, "laptop-a", ""),
        ("f3", "2026-11-03 02:00:00.000000", "2026-11-03 02:00:05.000000", -0.5, "laptop-b", "备注"),
    ]
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            INSERT INTO hall (id, name, timezone, top_staff, top_windows, window_score_mode, created_at)
                VALUES ('h', '旧大厅', 'Asia/Shanghai', 8, 4, 'average', '2026-01-01 00:00:00.000000');
            INSERT INTO finding_type (id, hall_id, code, name, category, points, hotkey, level, aliases, phrase,
                position, active) VALUES ('t', 'h', 'late', '迟到', '考勤', -1, 'c', 'staff', '', '', 0, 1);
            INSERT INTO "window" (id, hall_id, code, name, zone, position, search_keys, sort_key)
                VALUES ('w', 'h', '1', '综合窗口', '', 0, '', '');
        """)
        conn.executemany(
            "INSERT INTO finding (id, hall_id, window_id, staff_id, substitute, type_id, category, points, at, note, "
            "inspector_id, device, replaces_id, created_at) "
            "VALUES (?, 'h', 'w', NULL, 0, 't', '考勤', ?, ?, ?, NULL, ?, NULL, ?)",
            [(fid, points, at, note, device, created) for fid, at, created, points, device, note in rows],
        )
        conn.execute(
            "INSERT INTO correction (id, finding_id, reason, replacement_id, inspector_id, device, at) "
            "VALUES ('c1', 'f2', '录错', NULL, NULL, 'laptop-a', '2026-11-04 00:00:00.000000')"
        )
    before = sqlite3.connect(path).execute("SELECT id, at, points, note FROM finding ORDER BY id").fetchall()
    code, out = verify(url, capsys)  # opening it runs today's migrations
    # Two laptops' chains, and the first versions of the hall, its rules, its item and its window;
    # then 0006's chain: the first version of the item it adds (无人在岗).
    assert code == 0 and "4 台设备，9 条记录" in out, out
    after = sqlite3.connect(path).execute("SELECT id, at, points, note FROM finding ORDER BY id").fetchall()
    assert after == before
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    # The old file was backed up before its schema changed, and the backup is the old schema.
    from storage.backup import backups, backups_folder

    (backup,) = backups(backups_folder(path))
    assert "before-migration-0001" in backup.name
    assert sqlite3.connect(backup).execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    # That old backup restores: upgraded and its chain checked in a temporary copy, then put in place.
    elsewhere = tmp_path / "restored.db"
    assert main(["--db", f"sqlite:///{elsewhere}", "restore", str(backup)]) == 0
    assert sqlite3.connect(elsewhere).execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    restored = sqlite3.connect(elsewhere).execute("SELECT id, at, points, note FROM finding ORDER BY id").fetchall()
    assert restored == before


def test_the_printed_appendix_carries_the_digest(service: HallService, hall_url: str, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    from patrol.reports.export import export
    from patrol.rules.periods import Period

    log_at(service, "1", "魏敏", "迟到", "2026-11-02 09:00")
    # The database as the export finds it (the export then adds its own line to the access log).
    assert main(["--db", hall_url, "verify", "--digest"]) == 0
    digest, *heads = capsys.readouterr().out.split()
    path, _ = export(service, Period.parse("2026-11"), tmp_path)
    foot = [r[0] for r in load_workbook(path)["附表1 巡查明细"].iter_rows(min_row=5, values_only=True) if r[0]]
    text = [cell for cell in foot if isinstance(cell, str)]
    assert text[0].startswith(f"链头摘要：{digest}")
    # Each device's head, as the verified walk found it: the prefix the printout vouches for.
    printed = [line.removeprefix("设备 ").replace("：第 ", ":").replace(" 条，链头 ", ":") for line in text[1:]]
    assert printed == heads and any(h.startswith("test-device:") for h in heads)


def test_a_device_named_with_a_space_is_anchored_and_checked(hall_url: str, tmp_path: Path, capsys) -> None:
    """A device-id file may name the laptop ("笔记本 A"): the appendix printed from it and the line
    `verify --digest` prints still check out against the database."""
    from patrol.hall.opening import open_hall
    from tests.conftest import fixed_clock

    service = open_hall(hall_url, inspector="测试督查", device="笔记本 A", clock=fixed_clock)
    log_at(service, "1", "魏敏", "迟到", "2026-11-02 09:00")
    service.close()
    appendix = tmp_path / "附表.xlsx"
    assert main(["--db", hall_url, "export", "--period", "2026-11", "--out", str(appendix)]) == 0
    capsys.readouterr()
    assert main(["--db", hall_url, "verify", "--digest"]) == 0
    line = capsys.readouterr().out.strip()
    for given in (str(appendix), line):
        assert main(["--db", hall_url, "verify", "--against", given]) == 0, capsys.readouterr().err
        assert "核对通过" in capsys.readouterr().out


def test_the_canonical_encoding_ignores_how_a_value_was_typed() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from storage.chain import payload_hash

    at = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    written = {"id": "x", "points": -1, "substitute": True, "at": at, "note": ""}
    read_back = {"id": "x", "points": -1.0, "substitute": 1, "at": at.astimezone(UTC), "note": ""}
    assert payload_hash("finding", written, "salt") == payload_hash("finding", read_back, "salt")
    assert payload_hash("finding", {**written, "points": -0.5}, "salt") != payload_hash("finding", written, "salt")


@pytest.mark.tampers
def test_worker_processes_report_the_same_first_broken_link(logged: Path, monkeypatch) -> None:
    from storage import verify as verify_module
    from storage.reads import SqliteReader

    monkeypatch.setattr(verify_module, "CHUNK", 2)  # several chunks, checked by two processes
    sound = verify_module.verify(SqliteReader(logged), workers=2)
    assert sound.ok and sound.rows > 6
    third, fifth = nth(logged, 3), nth(logged, 5)
    tamper(
        logged,
        f"UPDATE finding SET note = 'x' WHERE id = '{fifth}'",
        f"UPDATE finding SET note = 'y' WHERE id = '{third}'",
    )
    verdict = verify_module.verify(SqliteReader(logged), workers=2)
    assert not verdict.ok and third in verdict.problem  # the earlier of the two, in chain order


def test_an_import_as_the_first_write_of_a_device_anchors_its_chain(hall_url: str, tmp_path: Path, capsys) -> None:
    # The chain head used to be created only by a device's first single finding (seq 1): a device
    # whose first write was an import of several rows had no head, and verify said it was deleted.
    path = tmp_path / "旧记录.csv"
    path.write_text(
        "时间,窗口编号,姓名,巡查项\n2026-11-02 09:01,1,魏敏,迟到\n2026-11-03 09:02,1,曾伟,迟到\n", encoding="utf-8"
    )
    from patrol import config

    (Path(config.user_config_dir("patrol", appauthor=False)) / "device-id").write_text("importer", encoding="utf-8")
    assert config.device_id() == "importer"  # a laptop that has written nothing yet
    assert main(["--db", hall_url, "findings", "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--db", hall_url, "verify"]) == 0, capsys.readouterr().err
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        # The importer's chain: the inspector's first version, then the two findings.
        assert conn.execute("SELECT seq FROM chain_head WHERE device = 'importer'").fetchall() == [(3,)]
    # And the next single finding of that device goes on from there (it used to start again at 1).
    log = ["log", "--window", "1", "--staff", "魏敏", "--type", "早退", "--at", "2026-11-04 17:00"]
    assert main(["--db", hall_url, *log]) == 0
    assert main(["--db", hall_url, "verify"]) == 0, capsys.readouterr().err


@pytest.mark.tampers
@pytest.mark.parametrize(
    ("column", "forged"), [("count", "2"), ("minutes", "5"), ("source", "'clockin'"), ("count", "1")]
)
def test_the_later_columns_are_vouched_for(
    service: HallService, hall_url: str, capsys, column: str, forged: str
) -> None:
    """source, count and minutes (migration 0005) are in a finding's payload: a changed count, a
    minutes written into a row that had none, a patrol turned into a punch are all found, while
    rows written with their defaults hash as they did before the columns existed."""
    from storage.writes import insert_finding

    log_at(service, "1", "魏敏", "迟到", "2026-11-02 09:00")
    window = service.window_by_code["1"]
    item = next(i for i in service.rules.items if i.name == "上门服务")
    values = service.findings.values(window, None, item, substitute=True, at=service.clock())
    finding_id, _ref = insert_finding(service.engine, {**values, "count": 28, "minutes": None, "source": "patrol"})
    service.close()
    assert verify(hall_url, capsys)[0] == 0
    path = Path(hall_url.removeprefix("sqlite:///"))
    tamper(path, f"UPDATE finding SET {column} = {forged} WHERE id = '{finding_id}'")
    code, out = verify(hall_url, capsys)
    assert code == 1 and finding_id in out and "内容与写入时不符" in out


def test_a_finding_written_with_only_some_later_columns_verifies(service: HallService, hall_url: str, capsys) -> None:
    """An importer that sets ``source`` but not ``count`` writes a row the table completes with
    count 1: it hashes as the row the table holds, so verify passes."""
    from storage.writes import insert_findings

    window = service.window_by_code["1"]
    item = next(i for i in service.rules.items if i.name == "迟到")
    staff = service.lookup.staff_at(window.id)[0]
    values = service.findings.values(window, staff, item, at=service.clock())
    insert_findings(service.engine, [{**values, "source": "clockin", "minutes": 12}])
    service.close()
    code, out = verify(hall_url, capsys)
    assert code == 0, out
