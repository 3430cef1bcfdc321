"""``patrol roster import``: read a roster file, plan what changes, apply it in one transaction.

Columns: 窗口编号, 窗口名称, 单位, 姓名 (required), 岗位 and 区域 (optional); aliases accepted.
A row with an empty 姓名 declares a window without staff. A 综合窗口 may hold staff of several
units: each person keeps the 单位 of their row (on their posting), and the window's own unit is
the one most of its rows name (the first of them on a tie). Changes take effect from a date
(postings): earlier periods keep their people. People posted then but missing from the file are
listed; recording them as left is the user's decision (``leave_missing``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from patrol.errors import UserError
from patrol.hall.pinyin_keys import new_staff_row
from patrol.hall.roster import ROLES, staff_on
from patrol.hall.roster_changes import leave_steps
from patrol.hall.service import HallService
from patrol.imports.tabular import TableRow, read_table
from patrol.model import StaffInfo
from storage import reads

COLUMNS = {
    "窗口编号": ("窗口号", "编号", "窗口代码", "窗口编码"),
    "窗口名称": ("窗口", "窗口名"),
    "单位": ("部门", "进驻单位", "所属单位"),
    "姓名": ("名字", "人员", "工作人员", "人员姓名"),
    "岗位": ("角色", "岗位类型", "岗别"),
    "区域": ("分区", "区", "楼层区域"),
}
REQUIRED = ("窗口编号", "窗口名称", "单位", "姓名")


@dataclass
class RosterPlan:
    """What an import would change."""

    units: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    window_updates: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)
    staff_updates: list[dict[str, Any]] = field(default_factory=list)
    postings: list[dict[str, Any]] = field(default_factory=list)
    starts: date | None = None  # the day the changes take effect (None: from the beginning)
    lines: list[str] = field(default_factory=list)  # what a person reads
    missing: list[StaffInfo] = field(default_factory=list)  # posted then, not in the file
    missing_codes: list[str] = field(default_factory=list)  # the window code of each
    leaving: int = 0  # of the missing, how many the plan records as left

    @property
    def absent(self) -> list[str]:
        """The missing people as a list names them: 王芳（5 号窗口）."""
        return [f"{s.name}（{code} 号窗口）" for s, code in zip(self.missing, self.missing_codes, strict=True)]

    @property
    def empty(self) -> bool:
        return not (self.units or self.windows or self.window_updates or self.staff or self.postings)

    def summary(self) -> str:
        """One line that counts the changes."""
        adjusted = len(self.postings) - len(self.staff) - self.leaving
        left = f"，离岗 {self.leaving} 人" if self.leaving else ""
        return (
            f"新增单位 {len(self.units)} 个，新增窗口 {len(self.windows)} 个，更新窗口 {len(self.window_updates)} 个，"
            f"新增人员 {len(self.staff)} 人，调整人员 {adjusted} 人{left}。"
        )


def leave_missing(plan: RosterPlan) -> None:
    """Add to ``plan`` that everyone missing from the file left on the plan's date."""
    assert plan.starts is not None  # a hall's first roster has nobody missing
    plan.postings.extend(leave_steps(plan.missing, plan.starts))
    plan.leaving = len(plan.missing)
    for person, code in zip(plan.missing, plan.missing_codes, strict=True):
        plan.lines.append(f"离岗：{person.name} 离开 {code} 号窗口（自 {plan.starts:%Y-%m-%d} 起）")


def plan_roster(service: HallService, path: Path, starts: date | None = None) -> RosterPlan:
    """Read ``path`` and work out the changes against the hall's current roster. Changes take
    effect from ``starts``: by default today, or, for the first roster of a hall, from the
    beginning (the people were there before the hall started using patrol)."""
    from patrol.hall.pinyin_keys import search_keys, sort_key
    from storage.ids import new_id

    rows = [_clean(path, row) for row in read_table(path, COLUMNS, REQUIRED)]
    plan = RosterPlan()
    if starts is None and service.staff:
        starts = service.today()
    plan.starts = starts
    roster = staff_on(service, starts) if starts else service.staff  # who sat where on that day
    since = f"（自 {starts:%Y-%m-%d} 起）" if starts else ""
    unit_ids: dict[str, str] = {}
    existing_units = {w.unit for w in service.windows if w.unit}
    known_unit_ids = _unit_ids(service)
    windows: dict[str, dict[str, Any]] = {}  # code -> values (new or as updated)
    window_ids: dict[str, str] = {w.code.upper(): w.id for w in service.windows}
    seen_people: set[tuple[str, str]] = set()
    window_unit = _window_units(rows)
    next_position = max((w.position for w in service.windows), default=0)
    staff_position = max((s.position for s in roster), default=0)

    for row in rows:
        where = f"{path.name} 第{row.number}行"
        code = row.cells["窗口编号"].strip()
        name = row.cells["窗口名称"].strip()
        unit = row.cells["单位"].strip()
        person = row.cells["姓名"].strip()
        role = row.cells.get("岗位", "").strip()
        zone = row.cells.get("区域", "").strip()
        if not code:
            raise UserError(f"{where}“窗口编号”列为空：每行都要写窗口编号。")
        if len(code) > 20 or any(ch.isspace() for ch in code):
            raise UserError(f"{where}“窗口编号”列的“{code}”无效：最多 20 个字符，不能含空格。")
        if not name:
            raise UserError(f"{where}“窗口名称”列为空。")
        if len(person) > 50 or len(name) > 100 or len(unit) > 100:
            raise UserError(f"{where}内容过长（姓名最多 50 字，窗口名称和单位最多 100 字）。")
        if role and role not in ROLES:
            raise UserError(f"{where}“岗位”列的“{role}”无法识别，可写：{'、'.join(ROLES)}。")

        unit_id = None
        if unit:
            unit_id = known_unit_ids.get(unit) or unit_ids.get(unit)
            if unit_id is None:
                unit_id = unit_ids[unit] = new_id()
                plan.units.append({"id": unit_id, "name": unit, "search_keys": search_keys(unit)})
                plan.lines.append(f"新增单位：{unit}")
        key = code.upper()
        # The person's own unit: None when it is the window's (so they follow the window's unit,
        # as everyone did before units were kept per person).
        person_unit_id = unit_id if unit and unit != window_unit[key] else None
        unit = window_unit[key]
        unit_id = (known_unit_ids.get(unit) or unit_ids.get(unit)) if unit else None
        if unit and unit_id is None:
            unit_id = unit_ids[unit] = new_id()
            plan.units.append({"id": unit_id, "name": unit, "search_keys": search_keys(unit)})
            plan.lines.append(f"新增单位：{unit}")
        declared = windows.get(key)
        if declared is not None:
            if declared["name"] != name:
                raise UserError(f"{where}：窗口 {code} 的名称与前面的行不一致（{declared['name']}）。")
        else:
            windows[key] = {"name": name, "unit": unit}
            current = service.window_by_code.get(key)
            values = {
                "name": name,
                "unit_id": unit_id,
                "zone": zone,
                "search_keys": search_keys(f"{name}"),
                "sort_key": sort_key(name),
            }
            if current is None:
                next_position += 1
                window_ids[key] = new_id()
                plan.windows.append(
                    {"id": window_ids[key], "code": code, "position": next_position, "starts": starts, **values}
                )
                plan.lines.append(f"新增窗口：{code} {name}（{unit or '无单位'}）")
            elif (current.name, current.unit, current.zone) != (name, unit, zone or current.zone):
                if not zone:
                    values["zone"] = current.zone
                plan.window_updates.append({"id": current.id, **values})
                plan.lines.append(f"更新窗口：{code} {current.name} → {name}（{unit or '无单位'}）")
        if not person:
            continue
        if (key, person) in seen_people:
            raise UserError(f"{where}：{person} 在窗口 {code} 出现了两次。")
        seen_people.add((key, person))
        window_id = window_ids[key]
        here = [s for s in roster if s.name == person and s.window_id == window_id]
        here.sort(key=lambda s: not s.active)  # of namesakes, the one posted here first
        if here:
            current_staff = here[0]
            new_role = role or current_staff.role
            role_change = ""
            if new_role != current_staff.role:
                role_change = f"岗位 {current_staff.role or '（无）'} → {new_role}"
            now_unit_id = _own_unit(service, current_staff, starts)
            if current_staff.active and now_unit_id != person_unit_id:
                names = {**{v: k for k, v in known_unit_ids.items()}, **{v: k for k, v in unit_ids.items()}}
                before = names.get(now_unit_id, "") if now_unit_id else "窗口所属单位"
                after = names.get(person_unit_id, "") if person_unit_id else f"窗口所属单位（{unit or '无单位'}）"
                role_change += ("，" if role_change else "") + f"单位 {before} → {after}"
            if not current_staff.active:
                plan.lines.append(
                    f"回岗：{person} 回到 {code} 号窗口{'，' + role_change if role_change else ''}{since}"
                )
            elif role_change:
                plan.lines.append(f"更新人员：{person}（{code} 号窗口）{role_change}{since}")
            else:
                continue
            plan.postings.append(
                {
                    "staff_id": current_staff.id,
                    "window_id": window_id,
                    "role": new_role,
                    "starts": starts,
                    "unit_id": person_unit_id,
                }
            )
            continue
        # Someone of this name posted at another window whom the file does not list there moved.
        elsewhere = [
            s
            for s in roster
            if s.name == person and s.window_id != window_id and s.active and not _listed_at(rows, s, service)
        ]
        if len(elsewhere) == 1:
            moving = elsewhere[0]
            plan.postings.append(
                {
                    "staff_id": moving.id,
                    "window_id": window_id,
                    "role": role or moving.role,
                    "starts": starts,
                    "unit_id": person_unit_id,
                }
            )
            old = service.window_by_id[moving.window_id].code
            plan.lines.append(f"调岗：{person} 从 {old} 号窗口调到 {code} 号窗口{since}")
            continue
        staff_position += 1
        staff_id = new_id()
        plan.staff.append({"id": staff_id, **new_staff_row(person, window_id, role, staff_position)})
        plan.postings.append(
            {"staff_id": staff_id, "window_id": window_id, "role": role, "starts": starts, "unit_id": person_unit_id}
        )
        own = f"，单位 {row.cells['单位'].strip()}" if person_unit_id else ""
        plan.lines.append(f"新增人员：{person}（{code} {name}{'，' + role if role else ''}{own}）{since}")

    listed = {(window_ids.get(k), p) for k, p in seen_people}
    for s in roster:
        if s.active and (s.window_id, s.name) not in listed and not _moved(plan, s.id):
            window = service.window_by_id.get(s.window_id)
            plan.missing.append(s)
            plan.missing_codes.append(window.code if window else "?")
    if not existing_units and not plan.units and not plan.windows and not service.windows:
        raise UserError(f"{path.name} 没有可导入的窗口。")
    return plan


def _window_units(rows: list[TableRow]) -> dict[str, str]:
    """Each window's own unit: the one most of its rows name, the first named of them on a tie
    ("" when no row names one)."""
    from collections import Counter

    named: dict[str, Counter[str]] = {}
    for row in rows:
        key = row.cells["窗口编号"].strip().upper()
        counts = named.setdefault(key, Counter())
        unit = row.cells["单位"].strip()
        if unit:
            counts[unit] += 1
    # Counter.most_common keeps first-seen order among equal counts.
    return {key: (counts.most_common(1)[0][0] if counts else "") for key, counts in named.items()}


def _own_unit(service: HallService, person: StaffInfo, day: date | None) -> str | None:
    """The unit ``person`` carries of their own on ``day`` (today when None); None: the window's."""
    from patrol.hall.roster import seat

    here = seat(service, person, day or service.today())
    return here.unit_id if here else None


def _clean(path: Path, row: TableRow) -> TableRow:
    """The row's names as they will be kept (``patrol.text.clean_name``: NFC, nothing invisible);
    UserError naming the row and the column of the first that holds a control, bidi or
    zero-width character."""
    from patrol.text import clean_name

    cells = {}
    for column, value in row.cells.items():
        try:
            cells[column] = clean_name(value, column)
        except UserError as exc:
            raise UserError(f"{path.name} 第{row.number}行“{column}”列：{exc}") from None
    return TableRow(row.number, cells)


def _moved(plan: RosterPlan, staff_id: str) -> bool:
    return any(p["staff_id"] == staff_id for p in plan.postings)


def _listed_at(rows: list[Any], staff: StaffInfo, service: HallService) -> bool:
    """Whether the file lists ``staff`` at the window they sit at (then a row of the same name
    elsewhere is a namesake, not a move)."""
    code = service.window_by_id[staff.window_id].code.upper()
    return any(r.cells["姓名"].strip() == staff.name and r.cells["窗口编号"].strip().upper() == code for r in rows)


def _unit_ids(service: HallService) -> dict[str, str]:
    return {row.name: row.id for row in service.reader.rows(reads.UNITS, {"hall": service.hall.id})}


def _check_departures(service: HallService, plan: RosterPlan) -> None:
    """A move or a departure cannot be dated before a finding that says the person was still at
    their window (the finding would count for nobody's window); say so before writing."""
    from patrol.hall.roster import seat
    from patrol.hall.roster_changes import no_later_findings

    for step in plan.postings:
        person = service.staff_by_id.get(step["staff_id"])
        day = step["starts"]
        if person is None or day is None:
            continue
        here = seat(service, person, day)
        if here is not None and here.window_id != step["window_id"]:
            what = "离岗" if step["window_id"] is None else "调岗"
            no_later_findings(service, person, service.window_by_id[here.window_id], day, what)


def apply_plan(service: HallService, plan: RosterPlan, new_hall: str | None = None) -> str:
    """Write the plan in one transaction (creating the hall ``new_hall`` in it, for a database
    that has none yet); reload the roster and return the hall's id."""
    from patrol.rules.items import DEFAULT_RULES
    from patrol.rules.settings import DEFAULT_SETTINGS
    from storage.writes import apply_roster

    _check_departures(service, plan)
    hall_id = apply_roster(
        service.engine,
        None if new_hall else service.hall.id,
        plan.units,
        plan.windows,
        plan.window_updates,
        plan.staff,
        plan.staff_updates,
        plan.postings,
        new_hall=(new_hall, [item.as_row() for item in DEFAULT_RULES], DEFAULT_SETTINGS.to_json())
        if new_hall
        else None,
        device=service.device,
    )
    if not new_hall:
        service.reload()
    return hall_id
