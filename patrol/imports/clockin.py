"""``patrol clockin import``: the punches of a clock-in machine or an office app, and the
findings they give (DESIGN: 打卡记录, 满勤).

Two layouts, told apart by the header:

- one row per punch: 姓名, 打卡时间 (aliases 日期时间, 时间; seconds allowed), optional 部门, 工号,
  设备;
- one row per person and day: 姓名, 日期, 上班打卡, 下班打卡 (aliases 上班1打卡时间, 下班1打卡时间;
  with four punches a day also 上班2打卡时间, 下班2打卡时间; an empty cell is no punch), optional
  部门, 工号.

Every row is checked before anything is written. New punches are stored (a punch already stored
is skipped, so a file imported twice adds nothing), then each working day the file covers is
judged for everyone posted that day (``patrol.rules.hours.judge_day``): 迟到, 早退 and 缺卡 become
findings with source ``clockin``, one per person, day and kind. A day with approved leave is
not judged. A patrol 迟到 (or 早退) of the same person and day stands for the punch one: the punch
finding is then not written, so the day counts once.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.hall.attendance import LocalTimes
from patrol.imports.people import People
from patrol.imports.tabular import read_table
from patrol.rules.hours import judge_day
from patrol.rules.postings import stints
from patrol.rules.workdays import beyond_calendar, days_between, is_working_day
from storage.reads import to_utc

if TYPE_CHECKING:
    from patrol.hall.service import HallService

COLUMNS = {
    "姓名": ("人员", "员工姓名", "名字"),
    "打卡时间": ("日期时间", "时间", "刷卡时间", "签到时间"),
    "日期": ("考勤日期", "工作日期"),
    "上班打卡": ("上班1打卡时间", "上班打卡时间", "上班时间", "上午上班"),
    "下班打卡": ("下班1打卡时间", "下班打卡时间", "下班时间", "上午下班"),
    "上班2打卡": ("上班2打卡时间", "下午上班"),
    "下班2打卡": ("下班2打卡时间", "下午下班"),
    "部门": ("单位", "所属部门", "部门名称"),
    "工号": ("员工编号", "考勤号", "编号"),
    "设备": ("考勤机", "打卡设备", "设备名称"),
}
DAY_COLUMNS = ("上班打卡", "下班打卡", "上班2打卡", "下班2打卡")
# A city's month of punches is 220,000 rows (5,000 staff × 22 days × 2).
MAX_PUNCH_ROWS = 1_000_000
LONGEST_SPAN = 93  # days one file may cover: a quarter

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")

LATE, EARLY, MISSING = "late", "early", "noclock"
KIND_NAMES = {LATE: "迟到", EARLY: "早退", MISSING: "缺卡"}


def parse_date(text: str) -> date:
    """2026-11-02, 2026/11/2, 2026.11.02 or 2026年11月2日 (a time after it is ignored)."""
    match = _DATE.match(text.strip().split(" ")[0].split("T")[0])
    if match is None:
        raise UserError(f"无法识别的日期“{text}”，请写作 YYYY-MM-DD，如 2026-11-02。")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise UserError(f"日期“{text}”不存在，请检查年月日。") from None


def parse_clock(text: str) -> time:
    """08:31 or 08:31:05 (a date before it is ignored)."""
    part = text.strip().split(" ")[-1].split("T")[-1]
    match = _TIME.match(part)
    if match is None:
        raise UserError(f"无法识别的时间“{text}”，请写作 HH:MM 或 HH:MM:SS，如 08:31:05。")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise UserError(f"时间“{text}”不是有效的时刻。")
    return time(hour, minute, second)


def parse_stamp(text: str) -> datetime:
    """A punch: a date and a time, as machines write them ("2026-11-02 08:31:05")."""
    if len(text) in (16, 19) and text[4] == "-" and text[10] == " ":
        try:  # the common form, read in C (a city's month is 220,000 of them)
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # the checks below say what is wrong
    text = text.strip().replace("T", " ")
    if " " not in text:
        raise UserError(f"打卡时间“{text}”缺少日期或时间，请写作 YYYY-MM-DD HH:MM:SS。")
    day_text, clock_text = text.split(None, 1)
    return datetime.combine(parse_date(day_text), parse_clock(clock_text))


@dataclass
class ClockinPlan:
    """What an import would write."""

    punches: list[tuple[str, datetime, str]] = field(default_factory=list)  # new: staff id, UTC time, machine
    read: int = 0  # punches in the file
    already: int = 0  # of them, stored before
    people: int = 0
    first: date | None = None
    last: date | None = None
    unknown: list[str] = field(default_factory=list)  # names skipped (--skip-unknown)
    findings: list[dict[str, Any]] = field(default_factory=list)
    voids: list[tuple[str, str]] = field(default_factory=list)  # punch findings the punches now contradict
    kinds: Counter[str] = field(default_factory=Counter)
    warning: str | None = None


def _rows(service: HallService, path: Path, skip_unknown: bool) -> tuple[list[tuple[str, datetime, str]], list[str]]:
    """The file's punches as (staff id, local time, machine); the unknown names skipped."""
    table = read_table(path, COLUMNS, ("姓名",), max_rows=MAX_PUNCH_ROWS)
    present = set(table[0].cells)
    by_day = "打卡时间" not in present
    if by_day and not ("日期" in present and "上班打卡" in present and "下班打卡" in present):
        raise UserError(
            f"{path.name} 的表头既不是“每次打卡一行”（姓名、打卡时间），也不是“每人每天一行”"
            "（姓名、日期、上班打卡、下班打卡）：请检查表头。"
        )
    people = People.of(service)
    # A punch after now is a typo or a wrong clock (minutes of slack for a machine's clock).
    latest = (service.clock() + timedelta(minutes=5)).astimezone(service.hall.tz).replace(tzinfo=None)
    found: dict[tuple[str, str], str] = {}
    unknown: dict[str, int] = {}
    out: list[tuple[str, datetime, str]] = []
    for row in table:
        cells = row.cells
        where = f"{path.name} 第{row.number}行"
        name = cells["姓名"].strip()
        if not name:
            raise UserError(f"{where}“姓名”列为空：每一行都要写明打卡人的姓名。")
        unit = cells.get("部门", "")
        key = (name, unit)
        if key not in found:
            try:
                person = people.find(name, unit)
            except UserError as exc:
                raise UserError(f"{where}“姓名”列：{exc}") from None
            found[key] = person.id if person else ""
        staff_id = found[key]
        if not staff_id:
            unknown.setdefault(name, row.number)
            continue
        machine = cells.get("设备", "")[:64]
        if not by_day:
            try:
                stamp = parse_stamp(cells["打卡时间"])
                if stamp > latest:
                    raise UserError(f"打卡时间 {stamp:%Y-%m-%d %H:%M:%S} 在未来，请检查年份或考勤机的时钟。")
            except UserError as exc:
                raise UserError(f"{where}“打卡时间”列：{exc}") from None
            out.append((staff_id, stamp, machine))
            continue
        try:
            day = parse_date(cells["日期"])
        except UserError as exc:
            raise UserError(f"{where}“日期”列：{exc}") from None
        earlier: tuple[str, datetime] | None = None  # the punch of the column before, in the day's order
        for column in DAY_COLUMNS:
            value = cells.get(column, "").strip()
            if not value or value in ("-", "--", "未打卡", "缺卡"):
                continue
            try:
                stamp = datetime.combine(day, parse_clock(value))
                if stamp > latest:
                    raise UserError(f"打卡时间 {stamp:%Y-%m-%d %H:%M:%S} 在未来，请检查年份或考勤机的时钟。")
                if earlier is not None and stamp < earlier[1]:
                    # Swapped cells would read as on time both ways: a late arrival would vanish.
                    raise UserError(f"{stamp:%H:%M} 早于“{earlier[0]}”的 {earlier[1]:%H:%M}，请检查是否填反了列。")
            except UserError as exc:
                raise UserError(f"{where}“{column}”列：{exc}") from None
            earlier = (column, stamp)
            out.append((staff_id, stamp, machine))
    if unknown and not skip_unknown:
        names = sorted(unknown, key=unknown.__getitem__)
        listed = "、".join(f"{n}（第{unknown[n]}行）" for n in names[:10]) + ("等" if len(names) > 10 else "")
        raise UserError(
            f"{path.name} 中有 {len(names)} 人不在名册中：{listed}。请核对姓名或先导入名册；"
            "确认无关的人员可加 --skip-unknown 跳过。未导入。"
        )
    return out, sorted(unknown)


def plan_clockin(service: HallService, path: Path, skip_unknown: bool = False) -> ClockinPlan:
    """Check every row of ``path`` and work out what importing it would write."""
    attendance = service.attendance
    rows, unknown = _rows(service, path, skip_unknown)
    plan = ClockinPlan(unknown=unknown, read=len(rows))
    if not rows:
        return plan
    utc_of = LocalTimes(service.hall.tz).to_utc
    plan.first = min(r[1] for r in rows).date()
    plan.last = max(r[1] for r in rows).date()
    if (plan.last - plan.first).days >= LONGEST_SPAN:
        # Every day of the span is judged for everyone posted: a year typed wrong in one row
        # would write years of 缺卡.
        raise UserError(
            f"{path.name} 中的打卡日期从 {plan.first:%Y-%m-%d} 到 {plan.last:%Y-%m-%d}，跨度超过 {LONGEST_SPAN} 天："
            "请检查是否有年份写错的行，或按月分开导入。未导入。"
        )
    if not attendance.hours_versions():
        raise UserError("尚未设置作息时间，无法判断迟到早退：请先用 patrol hours set --from 日期 --am … --pm … 设置。")
    end = plan.last + timedelta(days=1)
    stored = attendance.punches(plan.first, end)
    seen = {(staff_id, t) for staff_id, days in stored.items() for times in days.values() for t in times}
    for staff_id, local, machine in rows:
        if (staff_id, local) in seen:
            plan.already += 1
            continue
        at = utc_of(local)
        seen.add((staff_id, local))
        plan.punches.append((staff_id, at, machine))
        stored.setdefault(staff_id, {}).setdefault(local.date(), []).append(local)
    plan.people = len({r[0] for r in rows})
    plan.findings, plan.voids = derive_findings(service, plan.first, end, stored)
    plan.kinds = Counter(f["_kind"] for f in plan.findings)
    plan.warning = beyond_calendar(plan.first, end)
    return plan


_RECORDED = (
    "SELECT f.id, f.staff_id, f.at, t.code, f.source, f.count, f.minutes "
    "FROM finding f JOIN finding_type t ON t.id = f.type_id "
    "WHERE f.hall_id = :hall AND f.at >= :start AND f.at < :end AND f.staff_id IS NOT NULL "
    "AND t.code IN ('late', 'early', 'noclock') "
    "AND NOT EXISTS (SELECT 1 FROM correction c WHERE c.finding_id = f.id)"
)


REJUDGED = "补充打卡记录后重新判断"


def derive_findings(
    service: HallService, start: date, end: date, punches: dict[str, dict[date, list[datetime]]]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The punch findings of the working days in [start, end) not yet recorded, for everyone
    posted on each day, without leave, with hours set; and the punch findings recorded before
    that the punches now say otherwise about (a missing evening punch that a later file brings),
    to void as (finding id, reason). Days not over yet are left for a later import (a 16:00
    import must not call the evening's punch missing)."""
    attendance = service.attendance
    tz = service.hall.tz
    today = service.today()
    own = attendance.own_days()
    leave = attendance.leave_days(start, end)
    recorded: set[tuple[str, date, str]] = set()  # by a patrol (or an import of findings): never replaced
    by_punch: dict[tuple[str, date, str], tuple[str, datetime, int, int | None]] = {}
    for finding_id, staff_id, at, code, source, number, minutes in service.reader.iter_rows(
        _RECORDED, attendance.bounds(start, end)
    ):
        when = to_utc(at)
        key = (str(staff_id), when.astimezone(tz).date(), str(code))
        if source == "clockin":
            by_punch[key] = (str(finding_id), when, int(number), minutes)
        else:
            recorded.add(key)
    voids: list[tuple[str, str]] = []
    items = {code: service.rules.find(code) for code in KIND_NAMES}
    out: list[dict[str, Any]] = []
    windows = service.window_by_id
    seats = {person.id: stints(service.postings.get(person.id, [])) for person in service.staff}
    for day in days_between(start, min(end, today)):
        hours = attendance.hours_on(day)
        if hours is None or not is_working_day(day, own):
            continue
        for person in service.staff:
            seat = next((s for s in seats[person.id] if s.covers(day)), None)
            if seat is None or day in leave.get(person.id, ()):
                continue
            window = windows.get(seat.window_id)
            if window is None:
                continue
            verdict = judge_day(hours, day, punches.get(person.id, {}).get(day, []))
            found: list[tuple[str, datetime, int | None, int, str]] = []
            if verdict.late_minutes is not None and verdict.late_at is not None:
                note = f"打卡 {verdict.late_at:%H:%M:%S}，迟到 {verdict.late_minutes} 分钟"
                found.append((LATE, verdict.late_at, verdict.late_minutes, 1, note))
            if verdict.early_minutes is not None and verdict.early_at is not None:
                note = f"打卡 {verdict.early_at:%H:%M:%S}，早退 {verdict.early_minutes} 分钟"
                found.append((EARLY, verdict.early_at, verdict.early_minutes, 1, note))
            if verdict.missing:
                note = f"缺卡 {verdict.missing} 次（应打卡 {hours.punches} 次）"
                found.append((MISSING, datetime.combine(day, hours.am[0]), None, verdict.missing, note))
            kinds = {kind for kind, *_rest in found}
            for kind in KIND_NAMES:
                before = by_punch.get((person.id, day, kind))
                if before is not None and kind not in kinds:
                    voids.append((before[0], REJUDGED))
            for kind, local, minutes, count, note in found:
                item = items[kind]
                key = (person.id, day, kind)
                if item is None or key in recorded:
                    continue
                recorded.add(key)
                at = local.replace(tzinfo=tz).astimezone(UTC)
                before = by_punch.get(key)
                if before is not None:
                    if before[1:] == (at, count, minutes):
                        continue  # the same punches said the same before
                    voids.append((before[0], REJUDGED))
                out.append(
                    {
                        "hall_id": service.hall.id,
                        "window_id": window.id,
                        "staff_id": person.id,
                        "substitute": False,
                        "type_id": item.id,
                        "category": item.category,
                        "points": item.points,
                        "at": at,
                        "note": note,
                        "device": service.device,
                        "source": "clockin",
                        "count": count,
                        "minutes": minutes,
                        "_kind": kind,
                    }
                )
    return out, voids


def apply_clockin(service: HallService, plan: ClockinPlan) -> None:
    """Write the plan's punches and findings in one transaction."""
    from storage.writes import record_attendance

    findings = [{k: v for k, v in f.items() if k != "_kind"} for f in plan.findings]
    record_attendance(
        service.engine,
        hall_id=service.hall.id,
        punches=plan.punches,
        findings=findings,
        voids=plan.voids,
        inspector_id=service.inspector_id(),
        device=service.device,
    )
    service.attendance.forget()


def summary(plan: ClockinPlan) -> str:
    """What the import found, in one line."""
    kinds = "、".join(f"{KIND_NAMES[k]} {plan.kinds.get(k, 0)} 条" for k in KIND_NAMES)
    span = f"{plan.first:%Y-%m-%d} 至 {plan.last:%Y-%m-%d}，" if plan.first and plan.last else ""
    redone = f"；按补充的打卡记录更正 {len(plan.voids)} 条" if plan.voids else ""
    skipped = f"；跳过名册外 {len(plan.unknown)} 人：{'、'.join(plan.unknown[:10])}" if plan.unknown else ""
    return (
        f"打卡记录 {plan.read} 条（{span}{plan.people} 人；新 {len(plan.punches)} 条，已导入过 {plan.already} 条），"
        f"生成巡查记录：{kinds}{redone}{skipped}。"
    )
