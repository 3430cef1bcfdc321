"""A correction as people write it (names, codes, local times), resolved against the hall and
applied. The command line and the app's correction dialog both come through here."""

from __future__ import annotations

from dataclasses import dataclass

from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.hall.views import SUBSTITUTE, FindingView
from patrol.rules.periods import parse_local_time


@dataclass(frozen=True)
class CorrectionText:
    """What to change, as typed; None leaves a field as it is."""

    reason: str
    void: bool = False
    type_name: str | None = None
    window_code: str | None = None
    person: str | None = None  # a staff name, 替岗人员, or "" for the window itself
    count: int | None = None  # how many times, when the correction changes it
    minutes: int | None = None  # how long (无人在岗), when the correction changes it
    at: str | None = None  # YYYY-MM-DD HH:MM, hall time
    note: str | None = None


def apply_correction(service: HallService, finding: FindingView, text: CorrectionText) -> FindingView | None:
    """Check the correction and apply it; returns the amended finding (None when voided)."""
    service.findings.refuse_purged(finding.id)  # before the person typed is looked up: the answer is no either way
    changes = (text.type_name, text.window_code, text.person, text.at, text.note, text.count, text.minutes)
    if text.void and any(c is not None for c in changes):
        raise UserError("作废不能与其他修改同时进行：作废就是整条不算。")
    window = service.lookup.window(text.window_code) if text.window_code is not None else None
    at = parse_local_time(text.at, service.hall.tz) if text.at is not None else None
    staff = None
    substitute = None
    if text.person is not None:
        if text.person.strip() == SUBSTITUTE:
            substitute = True
        elif text.person.strip():
            # Who sat at the window at the finding's time, even if they have moved or left since.
            staff = service.lookup.resolve_staff(
                text.person, window or service.lookup.window(finding.window_code), at or finding.at
            )
    return service.findings.correct(
        finding.id,
        text.reason,
        void=text.void,
        window=window,
        staff=staff,
        substitute=substitute,
        item=service.lookup.rule(text.type_name) if text.type_name is not None else None,
        at=at,
        note=text.note,
        count=text.count,
        minutes=text.minutes,
    )
