"""``patrol leave import`` and ``leave add``: approved leave (DESIGN: 请假登记).

Columns: 姓名, 开始日期, 结束日期, 类型, optional 审批人, 部门 (to tell two of one name apart).
Each working day of a leave becomes a 请假 finding (source ``leave``, 0 points by default; it
breaks 满勤): one finding per person and day, so a day is a day in 附表4. Punch findings
(迟到, 早退, 缺卡 from the clock-in import) already written for those days are voided as recorded
corrections that give the leave as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.imports.clockin import parse_date
from patrol.imports.people import People
from patrol.imports.tabular import read_table
from patrol.model import StaffInfo
from patrol.rules.postings import seat_on
from patrol.text import clean_name

if TYPE_CHECKING:
    from patrol.hall.service import HallService

COLUMNS = {
    "姓名": ("人员", "请假人"),
    "开始日期": ("开始时间", "起始日期", "请假开始"),
    "结束日期": ("结束时间", "截止日期", "请假结束"),
    "类型": ("请假类型", "假别", "类别"),
    "审批人": ("批准人", "审核人"),
    "部门": ("单位", "所属部门"),
}
REQUIRED = ("姓名", "开始日期", "结束日期", "类型")
LONGEST = 366  # days of one leave: a longer one is a typo in a year

_SAME_LEAVE = "SELECT 1 FROM leave WHERE staff_id = :staff AND starts = :starts AND ends = :ends AND kind = :kind"
_DAY_FINDINGS = (
    "SELECT f.id, f.staff_id, f.at, t.code, f.source FROM finding f JOIN finding_type t ON t.id = f.type_id "
    "WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end AND f.staff_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id)"
)


@dataclass
class LeavePlan:
    """What registering some leave would write."""

    leaves: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    voids: list[tuple[str, str]] = field(default_factory=list)
    days: int = 0


def check_leave(
    person: StaffInfo, first: date, last: date, kind: str, approver: str, today: date | None = None
) -> dict[str, Any]:
    """One leave's values; UserError when its dates or words make no sense (``today``: leave
    ending more than a year after it is a year typed wrong)."""
    if last < first:
        raise UserError(f"结束日期 {last:%Y-%m-%d} 早于开始日期 {first:%Y-%m-%d}。")
    if today is not None and (last - today).days > LONGEST:
        raise UserError(f"结束日期 {last:%Y-%m-%d} 在一年以后，请检查年份。")
    if (last - first).days >= LONGEST:
        raise UserError(f"请假从 {first:%Y-%m-%d} 到 {last:%Y-%m-%d} 超过一年，请检查年份。")
    kind = clean_name(kind, "请假类型", 20)
    if not kind:
        raise UserError("请写明请假类型，如 事假、病假、年休假、公出。")
    return {
        "staff_id": person.id,
        "starts": first,
        "ends": last,
        "kind": kind,
        "approver": clean_name(approver, "审批人", 50),
    }


def plan_leaves(service: HallService, leaves: list[dict[str, Any]]) -> LeavePlan:
    """The 请假 findings and the voids that ``leaves`` bring."""
    plan = LeavePlan()
    if not leaves:
        return plan
    item = service.rules.find("leave")
    if item is None:
        raise UserError("本大厅的规则中没有“请假”巡查项，无法登记请假：请在规则中恢复该项。")
    attendance = service.attendance
    tz = service.hall.tz
    start = min(v["starts"] for v in leaves)
    end = max(v["ends"] for v in leaves) + timedelta(days=1)
    working = set(attendance.working_days(start, end))
    taken: set[tuple[str, date]] = set()
    punch_findings: dict[tuple[str, date], list[str]] = {}
    for finding_id, staff_id, at, code, source in service.reader.iter_rows(
        _DAY_FINDINGS, attendance.bounds(start, end)
    ):
        day = _local_day(at, tz)
        if code == "leave":
            taken.add((str(staff_id), day))
        elif source == "clockin":
            punch_findings.setdefault((str(staff_id), day), []).append(str(finding_id))
    for values in leaves:
        if service.reader.rows(
            _SAME_LEAVE,
            {
                "staff": values["staff_id"],
                "starts": values["starts"].isoformat(),
                "ends": values["ends"].isoformat(),
                "kind": values["kind"],
            },
        ):
            continue  # registered before: the same register imported twice adds nothing
        plan.leaves.append({"hall_id": service.hall.id, **values})
        person = service.staff_by_id[values["staff_id"]]
        day = values["starts"]
        reason = f"请假（{values['kind']} {values['starts']:%Y-%m-%d} 至 {values['ends']:%Y-%m-%d}），当日打卡不计"
        while day <= values["ends"]:
            seat = seat_on(service.postings.get(person.id, []), day)
            if day in working and seat is not None and (person.id, day) not in taken:
                taken.add((person.id, day))
                hours = attendance.hours_on(day)
                local = datetime.combine(day, hours.am[0] if hours else time(9))
                plan.findings.append(
                    {
                        "hall_id": service.hall.id,
                        "window_id": seat.window_id,
                        "staff_id": person.id,
                        "substitute": False,
                        "type_id": item.id,
                        "category": item.category,
                        "points": item.points,
                        "at": local.replace(tzinfo=tz).astimezone(UTC),
                        "note": f"{values['kind']}"
                        + (f"（审批人 {values['approver']}）" if values["approver"] else ""),
                        "device": service.device,
                        "source": "leave",
                    }
                )
                plan.days += 1
                plan.voids.extend((fid, reason) for fid in punch_findings.pop((person.id, day), []))
            day += timedelta(days=1)
    return plan


def _local_day(at: Any, tz: Any) -> date:
    from storage.reads import to_utc

    return to_utc(at).astimezone(tz).date()


def read_leaves(service: HallService, path: Path) -> list[dict[str, Any]]:
    """Check every row of a leave register; UserError at the first bad one, naming row and column."""
    people = People.of(service)
    today = service.today()
    out = []
    for row in read_table(path, COLUMNS, REQUIRED):
        cells = row.cells
        where = f"{path.name} 第{row.number}行"
        column = "姓名"
        try:
            person = people.find(cells["姓名"], cells.get("部门", ""))
            if person is None:
                raise UserError(f"名册中没有“{cells['姓名']}”，请核对姓名或先导入名册。")
            column = "开始日期"
            first = parse_date(cells["开始日期"])
            column = "结束日期"
            last = parse_date(cells["结束日期"])
            if last < first or (last - today).days > LONGEST:
                check_leave(person, first, last, "事假", "", today)  # says which
            column = "类型"
            values = check_leave(person, first, last, cells["类型"], "")
            column = "审批人"
            values["approver"] = clean_name(cells.get("审批人", ""), "审批人", 50)
        except UserError as exc:
            raise UserError(f"{where}“{column}”列：{exc}") from None
        out.append(values)
    return out


def apply_leaves(service: HallService, plan: LeavePlan) -> None:
    """Write the plan in one transaction."""
    from storage.writes import record_attendance

    record_attendance(
        service.engine,
        leaves=plan.leaves,
        findings=plan.findings,
        voids=plan.voids,
        inspector_id=service.inspector_id(),
        device=service.device,
    )
    service.attendance.forget()
