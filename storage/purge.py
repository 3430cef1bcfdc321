"""A purge: the personal content of old findings, corrections and access-log lines goes, their
hashes stay.

Each purged row keeps its payload hash and its place in its chain, so the chain still verifies;
the content that hash was made of can no longer be read back, and since every payload was hashed
with a random salt, which the purge deletes too, it cannot be guessed back from the hash by trying
every staff member either. What a purge keeps of each row
(window, type, points, times) is hashed into the redaction record, which joins the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import models
from storage.chain import kept_digest
from storage.ids import new_id
from storage.models import utcnow
from storage.reads import kept_rows
from storage.writes import _chained, _write_failed, access_row, writing


@dataclass(frozen=True)
class PurgeCount:
    """What a purge would touch, or touched."""

    findings: int
    corrections: int
    access_entries: int


def _due_findings(before: datetime, hall_id: str) -> Any:
    return select(models.finding.c.id).where(
        models.finding.c.hall_id == hall_id,
        models.finding.c.at < before,
        models.finding.c.redaction_id.is_(None),
    )


def _due_entries(before: datetime) -> Any:
    """Access-log lines written before ``before``, and those about a period that ended by then
    (an appendix of 2022 exported in 2026 names the people of 2022), not purged yet."""
    return and_(
        or_(models.access_log.c.at < before, models.access_log.c.about_until <= before),
        models.access_log.c.redaction_id.is_(None),
    )


def count_due(engine: Engine, hall_id: str, before: datetime) -> PurgeCount:
    """How many rows a purge before ``before`` would redact (for the confirmation)."""
    due = _due_findings(before, hall_id)
    corrections = select(models.correction.c.id).where(
        models.correction.c.finding_id.in_(due),
        models.correction.c.redaction_id.is_(None),
    )
    entries = select(models.access_log.c.id).where(_due_entries(before))
    with engine.connect() as conn:
        counts = [
            conn.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            for q in (due, corrections, entries)
        ]
    return PurgeCount(*counts)


def redact(
    engine: Engine, hall_id: str, before: datetime, inspector_id: str | None, device: str, who: str, label: str
) -> PurgeCount:
    """Remove the personal content of every finding of the hall before ``before`` (and of the
    corrections of those findings) and the access log before it or about the time before it, in
    one transaction."""
    redaction_id = new_id()
    try:
        with writing(engine) as conn:
            due = _due_findings(before, hall_id)
            corrections = conn.execute(
                update(models.correction)
                .where(models.correction.c.finding_id.in_(due), models.correction.c.redaction_id.is_(None))
                .values(reason="", salt=None, redaction_id=redaction_id)
            ).rowcount
            findings = conn.execute(
                update(models.finding)
                .where(models.finding.c.id.in_(due))
                .values(staff_id=None, note="", salt=None, redaction_id=redaction_id)
            ).rowcount
            entries = conn.execute(
                update(models.access_log)
                .where(_due_entries(before))
                .values(who="", subject="", salt=None, redaction_id=redaction_id)
            ).rowcount
            if findings == 0 and corrections == 0 and entries == 0:
                return PurgeCount(0, 0, 0)  # nothing changed: no redaction record either
            row = {
                "id": redaction_id,
                "hall_id": hall_id,
                "before": before,
                "findings": findings,
                "corrections": corrections,
                "kept_digest": kept_digest(
                    kept_rows(lambda sql, params: conn.execute(text(sql), params), redaction_id)
                ),
                "inspector_id": inspector_id,
                "device": device,
                "at": utcnow(),
            }
            conn.execute(insert(models.redaction), _chained(conn, "redaction", [row]))
            # The purge itself is on record, with no name of anyone it was about.
            said = f"{label} 之前：巡查记录 {findings} 条，更正记录 {corrections} 条，查阅日志 {entries} 条"
            line = access_row(who, "清除", said, None, device, row["at"])
            conn.execute(insert(models.access_log), _chained(conn, "access", [line]))
    except (OperationalError, IntegrityError) as exc:
        raise _write_failed(exc) from exc
    return PurgeCount(findings, corrections, entries)
