"""The changes a roster takes (a new person, a move, a departure, a return, a new 岗位, a new
window).

A change is asked for as a typed request (``StaffAdd``, ``StaffMove``, …), checked against the
hall by ``plan_change`` (which writes nothing and says in one sentence what would change), and
written by ``apply_change``. The command line (`patrol staff …`) and the roster screen (F3) both
come through here; every change is a new posting from its date, so earlier periods keep their
people, their windows and their scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.hall.pinyin_keys import new_staff_row
from patrol.hall.roster import check_role, first_day, history, seat, story, window_words
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.postings import Stint
from patrol.text import clean_name

if TYPE_CHECKING:
    from patrol.hall.service import HallService


@dataclass(frozen=True)
class StaffAdd:
    """A new person at ``window_code`` from ``day``; a person of that name who left this
    window comes back instead."""

    name: str
    window_code: str
    role: str = ""
    day: date | None = None


@dataclass(frozen=True)
class StaffMove:
    """``staff_id`` moves from ``from_code`` to ``to_code`` on ``day``."""

    staff_id: str
    from_code: str
    to_code: str
    day: date | None = None


@dataclass(frozen=True)
class StaffLeave:
    """``staff_id`` leaves ``window_code`` on ``day``."""

    staff_id: str
    window_code: str
    day: date | None = None


@dataclass(frozen=True)
class StaffReturn:
    """``staff_id``, who had left, is posted at ``window_code`` again from ``day``."""

    staff_id: str
    window_code: str
    day: date | None = None


@dataclass(frozen=True)
class RoleChange:
    """``staff_id`` holds ``role`` at their window from ``day``."""

    staff_id: str
    role: str
    day: date | None = None


@dataclass(frozen=True)
class WindowAdd:
    """A new window from ``day``: code, name, the unit stationed there (new units are created),
    zone. It counts in no period before that day."""

    code: str
    name: str
    unit: str = ""
    zone: str = ""
    day: date | None = None


Request = StaffAdd | StaffMove | StaffLeave | StaffReturn | RoleChange | WindowAdd


@dataclass
class RosterChange:
    """What a request changes, checked and ready to write: the question a confirmation asks,
    the line said once it is done, and the rows to add."""

    question: str  # 确认：王芳 自 2026-11-20 起离开 5 号窗口？
    done: str  # 已登记离岗：王芳 自 2026-11-20 起离开 5 号窗口（供电公司窗口）。
    staff_id: str | None = None  # the person concerned (None for a new window)
    new_staff: dict[str, Any] | None = None
    postings: list[dict[str, Any]] = field(default_factory=list)
    new_window: dict[str, Any] | None = None
    new_unit: dict[str, Any] | None = None


def plan_change(service: HallService, request: Request) -> RosterChange:
    """Check ``request`` against the hall and say what it would change; writes nothing."""
    day = request.day or service.today()
    if isinstance(request, WindowAdd):
        return _plan_window(service, request, day)
    if isinstance(request, StaffAdd):
        return _plan_add(service, request, day)
    person = service.staff_by_id.get(request.staff_id)
    if person is None:
        raise UserError("找不到这位人员，名册可能已被改动，请重新打开名册。")
    if isinstance(request, StaffMove):
        return _plan_move(service, person, request, day)
    if isinstance(request, StaffLeave):
        return _plan_leave(service, person, request, day)
    if isinstance(request, StaffReturn):
        return _plan_return(service, person, service.lookup.window(request.window_code), day)
    return _plan_role(service, person, request, day)


def _step(person: StaffInfo, window_id: str | None, role: str, day: date) -> dict[str, Any]:
    return {"staff_id": person.id, "window_id": window_id, "role": role, "starts": day}


def _not_before_start(service: HallService, person: StaffInfo, day: date, what: str) -> None:
    start = first_day(service, person)
    if start is not None and day < start:
        raise UserError(f"{person.name} 自 {start:%Y-%m-%d} 起才任职，不能登记 {day:%Y-%m-%d} 的{what}。")


def _plan_add(service: HallService, request: StaffAdd, day: date) -> RosterChange:
    name = clean_name(request.name, "姓名")
    if not name:
        raise UserError("姓名不能为空。")
    if len(name) > 50:
        raise UserError("姓名过长（最多 50 个字）。")
    window = service.lookup.window(request.window_code)
    role = check_role(request.role)
    named = [s for s in service.staff if s.name == name]
    for person in named:
        found = seat(service, person, day)
        if found is not None and found.window_id == window.id:
            raise UserError(f"{window.code} 号窗口在 {day:%Y-%m-%d} 已有“{name}”，不能再添加同名人员。")
    # Someone of this name who left this window comes back: their history goes on.
    returning = [
        s
        for s in named
        if seat(service, s, day) is None and (last := _last_before(service, s, day)) and last.window_id == window.id
    ]
    if len(returning) == 1:
        return _plan_return(service, returning[0], window, day, role)
    values = new_staff_row(name, window.id, role, max((s.position for s in service.staff), default=0) + 1)
    role_text = f"，{role}" if role else ""
    return RosterChange(
        question=f"确认：添加 {name}，自 {day:%Y-%m-%d} 起在 {window.code} 号窗口{role_text}？",
        done=f"已添加：{name} 自 {day:%Y-%m-%d} 起在 {window.code} 号窗口（{window.name}）{role_text}。",
        new_staff=values,
        postings=[{"window_id": window.id, "role": role, "starts": day}],
    )


def _last_before(service: HallService, person: StaffInfo, day: date) -> Stint | None:
    before = [s for s in history(service, person) if s.end is not None and s.end <= day]
    return before[-1] if before else None


def no_later_findings(service: HallService, person: StaffInfo, window: WindowInfo, day: date, what: str) -> None:
    """Refuse a move or a departure dated before a finding that names ``person`` at ``window``:
    the finding says they were still there (and would otherwise count for nobody's window)."""
    from datetime import datetime, time, timedelta

    from storage import reads

    since = datetime.combine(day, time(), service.hall.tz)
    rows = service.reader.rows(
        reads.LAST_FINDING_AT_WINDOW_SINCE, {"staff": person.id, "window": window.id, "since": since}
    )
    if rows:
        ref = rows[0].ref
        local = reads.to_utc(rows[0].at).astimezone(service.hall.tz).date()
        raise UserError(
            f"{person.name} 在 {local:%Y-%m-%d} 还有 {window.code} 号窗口的巡查记录（{ref}）：{what}日期最早为 "
            f"{local + timedelta(days=1):%Y-%m-%d}。如该记录有误，请先更正它。"
        )


def _plan_move(service: HallService, person: StaffInfo, request: StaffMove, day: date) -> RosterChange:
    source, target = service.lookup.window(request.from_code), service.lookup.window(request.to_code)
    if source.id == target.id:
        raise UserError(f"调出和调入都是 {source.code} 号窗口：调入的应是另一个窗口。")
    _not_before_start(service, person, day, "调岗")
    found = seat(service, person, day)
    if found is None or found.window_id != source.id:
        raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 不在 {source.code} 号窗口：{story(service, person, day)}。")
    for other in service.staff:
        there = seat(service, other, day)
        if other.id != person.id and other.name == person.name and there and there.window_id == target.id:
            raise UserError(
                f"{target.code} 号窗口在 {day:%Y-%m-%d} 已有“{person.name}”：两位同名人员在同一窗口将无法区分。"
            )
    no_later_findings(service, person, source, day, "调岗")
    return RosterChange(
        question=f"确认：{person.name} 自 {day:%Y-%m-%d} 起从 {source.code} 号窗口调到 {target.code} 号窗口？",
        done=f"已调岗：{person.name} 自 {day:%Y-%m-%d} 起从 {source.code} 号窗口（{source.name}）调到 "
        f"{target.code} 号窗口（{target.name}）。此前的记录和得分仍在 {source.code} 号窗口。",
        staff_id=person.id,
        postings=[_step(person, target.id, found.role, day)],
    )


def _plan_leave(service: HallService, person: StaffInfo, request: StaffLeave, day: date) -> RosterChange:
    window = service.lookup.window(request.window_code)
    _not_before_start(service, person, day, "离岗")
    found = seat(service, person, day)
    if found is None or found.window_id != window.id:
        raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 不在 {window.code} 号窗口：{story(service, person, day)}。")
    no_later_findings(service, person, window, day, "离岗")
    return RosterChange(
        question=f"确认：{person.name} 自 {day:%Y-%m-%d} 起离开 {window.code} 号窗口？",
        done=f"已登记离岗：{person.name} 自 {day:%Y-%m-%d} 起离开 {window.code} 号窗口（{window.name}）。"
        "此前的记录和得分保留。",
        staff_id=person.id,
        postings=[_step(person, None, "", day)],
    )


def _plan_return(
    service: HallService, person: StaffInfo, window: WindowInfo, day: date, role: str = ""
) -> RosterChange:
    _not_before_start(service, person, day, "回岗")
    found = seat(service, person, day)
    if found is not None:
        raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 在岗（{window_words(service, found.window_id)}），无需回岗。")
    last = _last_before(service, person, day)
    role = role or (last.role if last else person.role)
    since = f"（此前 {last.end:%Y-%m-%d} 起离岗）" if last is not None and last.end is not None else ""
    return RosterChange(
        question=f"确认：{person.name} 自 {day:%Y-%m-%d} 起回到 {window.code} 号窗口{since}？",
        done=f"已回岗：{person.name} 自 {day:%Y-%m-%d} 起回到 {window.code} 号窗口“{window.name}”{since}。",
        staff_id=person.id,
        postings=[_step(person, window.id, role, day)],
    )


def _plan_role(service: HallService, person: StaffInfo, request: RoleChange, day: date) -> RosterChange:
    role = check_role(request.role)
    _not_before_start(service, person, day, "岗位变更")
    found = seat(service, person, day)
    if found is None:
        raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 不在岗，不能设置岗位：{story(service, person, day)}。")
    if found.role == role:
        raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 已是{role or '（无岗位）'}。")
    code = window_words(service, found.window_id)
    change = f"岗位 {found.role or '（无）'} → {role or '（无）'}"
    return RosterChange(
        question=f"确认：{person.name}（{code}）自 {day:%Y-%m-%d} 起{change}？",
        done=f"已更新：{person.name}（{code}）自 {day:%Y-%m-%d} 起{change}。",
        staff_id=person.id,
        postings=[_step(person, found.window_id, role, day)],
    )


def _plan_window(service: HallService, request: WindowAdd, day: date) -> RosterChange:
    from patrol.hall.pinyin_keys import search_keys, sort_key
    from storage import reads
    from storage.ids import new_id

    code, name, unit, zone = (
        clean_name(request.code, "窗口编号"),
        clean_name(request.name, "窗口名称"),
        clean_name(request.unit, "单位"),
        clean_name(request.zone, "区域"),
    )
    if not code:
        raise UserError("窗口编号不能为空。")
    if len(code) > 20 or any(ch.isspace() for ch in code):
        raise UserError(f"窗口编号“{code}”无效：最多 20 个字符，不能含空格。")
    if code.upper() in service.window_by_code:
        raise UserError(f"窗口编号“{code}”已存在（{service.window_by_code[code.upper()].name}）。")
    if not name:
        raise UserError("窗口名称不能为空。")
    if len(name) > 100 or len(unit) > 100 or len(zone) > 50:
        raise UserError("内容过长（窗口名称和单位最多 100 字，区域最多 50 字）。")
    units = {row.name: row.id for row in service.reader.rows(reads.UNITS, {"hall": service.hall.id})}
    new_unit = None
    unit_id = units.get(unit) if unit else None
    if unit and unit_id is None:
        unit_id = new_id()
        new_unit = {"id": unit_id, "name": unit, "search_keys": search_keys(unit)}
    values = {
        "code": code,
        "name": name,
        "unit_id": unit_id,
        "zone": zone,
        "position": max((w.position for w in service.windows), default=0) + 1,
        "search_keys": search_keys(name),
        "sort_key": sort_key(name),
        "starts": day,
    }
    unit_text = f"（{unit}{'，新单位' if new_unit else ''}）" if unit else "（无单位）"
    return RosterChange(
        question=f"确认：自 {day:%Y-%m-%d} 起添加 {code} 号窗口“{name}”{unit_text}？",
        done=f"已添加窗口：{code} {name}{unit_text}，自 {day:%Y-%m-%d} 起参加排名。",
        new_window=values,
        new_unit=new_unit,
    )


def apply_change(service: HallService, request: Request) -> RosterChange:
    """Check ``request`` again against the roster as it is now, write it in one transaction and
    reload the roster; returns what changed."""
    from storage.writes import add_postings, add_staff, add_window

    change = plan_change(service, request)
    hall = service.hall.id
    if change.new_window is not None:
        add_window(service.engine, hall, change.new_window, change.new_unit, device=service.device)
    elif change.new_staff is not None:
        change.staff_id = add_staff(service.engine, hall, change.new_staff, change.postings[0], device=service.device)
    else:
        add_postings(service.engine, hall, change.postings, device=service.device)
    service.reload()
    return change


def leave_steps(people: Iterable[StaffInfo], day: date) -> list[dict[str, Any]]:
    """The postings that record ``people`` as left from ``day``."""
    return [_step(person, None, "", day) for person in people]
