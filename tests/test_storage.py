"""The storage rules: WAL and synchronous=FULL, migrations, the ranking index, corrections."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.reports.wording import history_labels
from patrol.rules.periods import Period
from storage import reads
from storage.engine import MIGRATIONS_DIR, create_db_engine, open_engine
from storage.schema import HEAD_REVISION
from tests.conftest import log_at


def test_connections_use_wal_and_full_sync(hall_url: str) -> None:
    engine = create_db_engine(hall_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_schema_head_matches_the_migrations(tmp_path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
    engine.dispose()


def test_the_migrated_schema_matches_the_models(tmp_path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import metadata

    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_ranking_index_is_part_of_the_schema_and_used(hall_url: str) -> None:
    path = hall_url.removeprefix("sqlite:///")
    params = {"hall": "h", "start": "2026-11-01", "end": "2026-12-01", "brk0": "t1", "cpl0": "t2"}
    totals = reads.TotalsSql(breaks=1, complaints=1)
    with sqlite3.connect(path) as conn:
        columns = [row[2] for row in conn.execute("PRAGMA index_info('ix_finding_staff_at_points')")]
        assert columns[:3] == ["staff_id", "at", "points"]
        for sql, index in (
            (totals.staff, "ix_finding_staff_at_points"),
            (totals.window_alone, "ix_finding_window_staff_at"),
        ):
            plan = " | ".join(str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert f"COVERING INDEX {index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # the grouping streams


def test_a_moved_person_counts_at_each_window_where_it_happened(service: HallService) -> None:
    log_at(service, "4", "张梅", "迟到", "2026-11-02 09:00")
    person = service.lookup.resolve_staff("张梅", None)
    service.edits.move_staff(person, service.lookup.window("1"), date(2026, 11, 4))
    log_at(service, "1", "张梅", "玩手机", "2026-11-05 09:00")
    totals = service.standings.totals(Period.parse("2026-11"))
    window_4, window_1 = service.lookup.window("4").id, service.lookup.window("1").id
    assert totals[(person.id, window_4)].findings == 1 and totals[(person.id, window_1)].findings == 1
    staff_row = next(r for r in service.standings.ranking(Period.parse("2026-11")).staff if r.id == person.id)
    assert staff_row.score == 98 and staff_row.window_code == "1"


def test_times_are_stored_in_utc_and_naive_times_refused(service: HallService) -> None:
    fid = log_at(service, "1", "魏敏", "迟到", "2026-11-02 08:05")
    found = service.reader.rows(reads.FINDING_BY_ID, {"id": fid})[0]
    assert reads.to_utc(found[1]) == datetime(2026, 11, 2, 0, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        service.findings.log(
            service.lookup.window("1"), None, service.lookup.rule("窗口摆放不规范"), at=datetime(2026, 11, 2, 8, 0)
        )


def test_both_readers_name_the_columns_of_every_row(service: HallService, hall_url: str) -> None:
    """The board's sqlite3 reader and the SQLAlchemy one (PostgreSQL's) hand out the same rows,
    read by column name, whole or a batch at a time: what the services rely on instead of the
    order of a SELECT."""
    fid = log_at(service, "1", "魏敏", "迟到", "2026-11-02 08:05")
    november = {
        "hall": service.hall.id,
        "start": datetime(2026, 11, 1, tzinfo=UTC),
        "end": datetime(2026, 12, 1, tzinfo=UTC),
    }
    engine = create_db_engine(hall_url)
    try:
        for reader in (service.reader, reads.AlchemyReader(engine)):
            (row,) = reader.rows(reads.FINDING_BY_ID, {"id": fid})
            assert (row.id, row.inspector, row.points, row.ref) == (fid, "测试督查", -1.0, row[10])
            (streamed,) = reader.iter_rows(reads.FINDINGS_OF_HALL, november)
            assert streamed == row and streamed.note == ""
            with reads.snapshot(reader) as snap:
                assert [w.code for w in snap.rows(reads.WINDOWS, {"hall": service.hall.id})][:2] == ["1", "2"]
    finally:
        engine.dispose()


def test_a_finding_outside_the_period_changes_nothing(service: HallService) -> None:
    period = Period.parse("2026-11")
    log_at(service, "1", "魏敏", "迟到", "2026-11-03 09:00")
    before = service.standings.ranking(period, with_change=False)
    log_at(service, "1", "曾伟", "睡岗", "2026-10-31 23:59")  # the evening before, local time
    after = service.standings.ranking(period, with_change=False)
    assert [(r.id, r.rank, r.score) for r in before.staff] == [(r.id, r.rank, r.score) for r in after.staff]


def test_undo_is_a_correction_not_a_delete(service: HallService, hall_url: str) -> None:
    log_at(service, "2", "郑晓燕", "玩手机", "2026-11-18 09:30")
    undone = service.findings.undo_last()
    assert undone is not None and undone.type_name == "玩手机"
    path = hall_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM finding").fetchone()[0] == 1
        assert conn.execute("SELECT reason FROM correction").fetchone()[0].startswith("撤销")
    ranking = service.standings.ranking(Period.parse("2026-11"))
    assert all(r.score == 100 for r in ranking.staff)
    assert service.findings.undo_last() is None  # nothing left to take back


def test_a_note_amends_by_replacement(service: HallService) -> None:
    fid = log_at(service, "4", "张梅", "迟到", "2026-11-18 09:01")
    amended = service.findings.add_note(fid, "9:01 到岗，已提醒")
    assert amended.id != fid and amended.note == "9:01 到岗，已提醒"
    findings = service.records.findings(Period.parse("2026-11"))
    assert [f.id for f in findings] == [amended.id]
    with pytest.raises(UserError, match="已被更正"):
        service.findings.add_note(fid, "again")


def test_staff_moved_and_left_keep_their_history(service: HallService) -> None:
    log_at(service, "4", "张梅", "迟到", "2026-11-05 09:00")
    person = service.lookup.resolve_staff("张梅", None)
    service.edits.move_staff(person, service.lookup.window("1"), date(2026, 11, 10))
    record = service.records.record("staff", person.id, Period.parse("2026-11"))
    assert record.findings[0].window_code == "4"
    service.edits.leave(service.staff_by_id[person.id], date(2026, 12, 1))
    november = service.standings.ranking(Period.parse("2026-11"))
    row = november.staff_row(person.id)
    assert row is not None and row.score == 99.0  # she worked in November: her −1 stays in it
    assert service.standings.ranking(Period.parse("2026-12")).staff_row(person.id) is None  # gone from December
    assert service.records.record("staff", person.id, Period.parse("2026-11")).findings  # still there


def test_record_counts_and_history(service: HallService) -> None:
    log_at(service, "1", "曾伟", "迟到", "2026-11-02 09:00")
    log_at(service, "1", "曾伟", "迟到", "2026-11-09 09:00")
    log_at(service, "1", "曾伟", "上门服务", "2026-11-10 15:00")
    log_at(service, "1", "曾伟", "玩手机", "2026-10-12 10:00")
    person = service.lookup.resolve_staff("曾伟", None)
    record = service.records.record("staff", person.id, Period.parse("2026-11"))
    assert ("迟到", 2, -2.0) in record.counts
    assert record.standing is not None and record.standing.score == 98.5
    assert history_labels(record)[-2:] == [("10月", 99.0), ("11月", 98.5)]
    window = service.records.record("window", service.lookup.window("1").id, Period.parse("2026-11"))
    assert len(window.findings) == 3


def test_domain_and_storage_never_load_textual() -> None:
    code = (
        "import sys, patrol.cli, patrol.hall.opening, patrol.imports.roster, patrol.imports.findings, patrol.demo, "
        "patrol.hall.search, patrol.rules.scoring, storage.engine, storage.writes, storage.reads;"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_board_start_path_does_not_import_the_orm(hall_url: str) -> None:
    """Opening a current SQLite hall reads through sqlite3; SQLAlchemy waits for the first write."""
    code = (
        "import sys; from patrol.hall.opening import open_hall;"
        f"s = open_hall({hall_url!r}); s.standings.ranking(s.current_period()); s.standings.day_totals();"
        "bad = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'pypinyin', 'openpyxl') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
