"""Finding a person of the roster by the name (and 部门) an attendance file or a leave register
gives: the roster has no 工号 today, so a name decides, and the unit (部门) decides between two
people of one name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from patrol.errors import UserError
from patrol.model import StaffInfo
from patrol.rules.postings import stints
from patrol.text import same_name

if TYPE_CHECKING:
    from patrol.hall.service import HallService


@dataclass
class People:
    """The hall's staff by name, each with the units and windows they sat at."""

    by_name: dict[str, list[StaffInfo]] = field(default_factory=dict)
    places: dict[str, set[str]] = field(default_factory=dict)  # staff id -> unit names, window codes and names

    @classmethod
    def of(cls, service: HallService) -> People:
        """Everyone the hall ever had, with every place they sat."""
        people = cls()
        windows = service.window_by_id
        for person in service.staff:
            people.by_name.setdefault(same_name(person.name), []).append(person)
            seats = {s.window_id for s in stints(service.postings.get(person.id, []))} | {person.window_id}
            places: set[str] = set()
            for window_id in seats:
                window = windows.get(window_id)
                if window is not None:
                    places |= {same_name(window.unit), same_name(window.code), same_name(window.name)} - {""}
            people.places[person.id] = places
        return people

    def find(self, name: str, unit: str = "") -> StaffInfo | None:
        """The person called ``name`` (in ``unit``, a window code or name, when given); None when
        the roster has nobody of that name; UserError when two or more fit."""
        found = self.by_name.get(same_name(name), [])
        if unit.strip() and len(found) > 1:
            found = [p for p in found if same_name(unit) in self.places.get(p.id, set())]
            if not found:
                raise UserError(f"名册中有多位“{name}”，但没有一位在“{unit}”：请核对部门（单位）名称。")
        if len(found) > 1:
            raise UserError(f"名册中有 {len(found)} 位“{name}”：请在“部门”列写明其单位（或窗口编号），以区分同名人员。")
        return found[0] if found else None
