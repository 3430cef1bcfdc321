"""``patrol roster import``: read a roster file, plan what changes, apply it in one transaction.

Columns: 窗口编号, 窗口名称, 单位, 姓名 (required), 岗位 and 区域 (optional); aliases accepted.
A row with an empty 姓名 declares a window without staff. People missing from the file are
listed but not changed: marking someone inactive is a decision for the roster screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.imports.tabular import read_table
from patrol.model import new_staff_row
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
ROLES = ("A岗", "B岗", "首席代表", "购岗人员", "")


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
    absent: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.units or self.windows or self.window_updates or self.staff or self.postings)

    def summary(self) -> str:
        """One line that counts the changes."""
        return (
            f"新增单位 {len(self.units)} 个，新增窗口 {len(self.windows)} 个，更新窗口 {len(self.window_updates)} 个，"
            f"新增人员 {len(self.staff)} 人，调整人员 {len(self.postings) - len(self.staff)} 人。"
        )


def plan_roster(service: HallService, path: Path, starts: date | None = None) -> RosterPlan:
    """Read ``path`` and work out the changes against the hall's current roster. Changes take
    effect from ``starts``: by default today, or, for the first roster of a hall, from the
    beginning (the people were there before the hall started using patrol)."""
    from patrol.hall.pinyin_keys import search_keys, sort_key
    from storage.ids import new_id

    rows = read_table(path, COLUMNS, REQUIRED)
    plan = RosterPlan()
    if starts is None and service.staff:
        starts = service.today()
    plan.starts = starts
    since = f"（自 {starts:%Y-%m-%d} 起）" if starts else ""
    unit_ids: dict[str, str] = {}
    existing_units = {w.unit for w in service.windows if w.unit}
    known_unit_ids = _unit_ids(service)
    windows: dict[str, dict[str, Any]] = {}  # code -> values (new or as updated)
    window_ids: dict[str, str] = {w.code.upper(): w.id for w in service.windows}
    seen_people: set[tuple[str, str]] = set()
    next_position = max((w.position for w in service.windows), default=0)
    staff_position = max((s.position for s in service.staff), default=0)

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
        if role not in ROLES:
            raise UserError(f"{where}“岗位”列的“{role}”无法识别，可写：{'、'.join(r for r in ROLES if r)}。")

        unit_id = None
        if unit:
            unit_id = known_unit_ids.get(unit) or unit_ids.get(unit)
            if unit_id is None:
                unit_id = unit_ids[unit] = new_id()
                plan.units.append({"id": unit_id, "name": unit, "search_keys": search_keys(unit)})
                plan.lines.append(f"新增单位：{unit}")
        key = code.upper()
        declared = windows.get(key)
        if declared is not None:
            if declared["name"] != name or declared["unit"] != unit:
                raise UserError(
                    f"{where}：窗口 {code} 的名称或单位与前面的行不一致（{declared['name']}/{declared['unit']}）。"
                )
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
                plan.windows.append({"id": window_ids[key], "code": code, "position": next_position, **values})
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
        here = [s for s in service.staff if s.name == person and s.window_id == window_id]
        if here:
            current_staff = here[0]
            new_role = role or current_staff.role
            said = []
            if not current_staff.active:
                said.append("重新在岗")
            if new_role != current_staff.role:
                said.append(f"岗位 {current_staff.role or '（无）'} → {new_role}")
            if said:
                plan.postings.append(
                    {"staff_id": current_staff.id, "window_id": window_id, "role": new_role, "starts": starts}
                )
                plan.lines.append(f"更新人员：{person}（{code} 号窗口）{'，'.join(said)}{since}")
            continue
        elsewhere = [s for s in service.staff if s.name == person and s.window_id != window_id and s.active]
        if len(elsewhere) == 1 and not _listed_elsewhere(rows, person, elsewhere[0], service):
            moving = elsewhere[0]
            plan.postings.append(
                {"staff_id": moving.id, "window_id": window_id, "role": role or moving.role, "starts": starts}
            )
            old = service.window_by_id[moving.window_id].code
            plan.lines.append(f"调岗：{person} 从 {old} 号窗口调到 {code} 号窗口{since}")
            continue
        staff_position += 1
        staff_id = new_id()
        plan.staff.append({"id": staff_id, **new_staff_row(person, window_id, role, staff_position)})
        plan.postings.append({"staff_id": staff_id, "window_id": window_id, "role": role, "starts": starts})
        plan.lines.append(f"新增人员：{person}（{code} {name}{'，' + role if role else ''}）{since}")

    listed = {(window_ids.get(k), p) for k, p in seen_people}
    for s in service.staff:
        if s.active and (s.window_id, s.name) not in listed and not _moved(plan, s.id):
            window = service.window_by_id.get(s.window_id)
            plan.absent.append(f"{s.name}（{window.code if window else '?'}）")
    if not existing_units and not plan.units and not plan.windows and not service.windows:
        raise UserError(f"{path.name} 没有可导入的窗口。")
    return plan


def _moved(plan: RosterPlan, staff_id: str) -> bool:
    return any(p["staff_id"] == staff_id for p in plan.postings)


def _listed_elsewhere(rows: list[Any], person: str, staff: Any, service: HallService) -> bool:
    """Whether the file also lists ``person`` at the window they are at now (then it is a new namesake)."""
    code = service.window_by_id[staff.window_id].code.upper()
    return any(r.cells["姓名"].strip() == person and r.cells["窗口编号"].strip().upper() == code for r in rows)


def _unit_ids(service: HallService) -> dict[str, str]:
    return {name: unit_id for unit_id, name in service.reader.rows(reads.UNITS, {"hall": service.hall.id})}


def apply_plan(service: HallService, plan: RosterPlan, new_hall: str | None = None) -> str:
    """Write the plan in one transaction (creating the hall ``new_hall`` in it, for a database
    that has none yet); reload the roster and return the hall's id."""
    from patrol.rules.items import DEFAULT_RULES
    from patrol.rules.settings import DEFAULT_SETTINGS
    from storage.writes import apply_roster

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
    )
    if not new_hall:
        service.reload()
    return hall_id
