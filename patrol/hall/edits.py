"""Changes to the hall's roster and settings, each written as a new version from its day and
then read back (``patrol.hall.roster`` checks and writes the roster's)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from patrol.errors import UserError
from patrol.hall import roster, roster_changes
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.items import CLOCKIN_CODES, RuleItem
from patrol.rules.settings import HallRules

if TYPE_CHECKING:
    from patrol.hall.service import HallService


class Edits:
    """Posting people, moving them, their leaving and roles; new versions of the settings."""

    def __init__(self, service: HallService) -> None:
        self.service = service

    def add_staff(self, name: str, window: WindowInfo, role: str = "", starts: date | None = None) -> StaffInfo:
        """Post a new person at ``window`` from ``starts`` (today by default)."""
        return self._change(roster_changes.StaffAdd(name, window.code, role, starts))

    def move_staff(self, person: StaffInfo, window: WindowInfo, starts: date | None = None) -> StaffInfo:
        """From ``starts`` (today by default) ``person`` sits at ``window``; their past findings
        and their earlier periods keep the window they were at (a person who had left returns)."""
        day = starts or self.service.today()
        seat = roster.seat(self.service, person, day)
        if seat is None:
            return self._change(roster_changes.StaffReturn(person.id, window.code, day))
        from_code = self.service.window_by_id[seat.window_id].code
        return self._change(roster_changes.StaffMove(person.id, from_code, window.code, day))

    def leave(self, person: StaffInfo, starts: date | None = None) -> StaffInfo:
        """From ``starts`` (today by default) ``person`` is no longer posted; earlier periods keep
        them and their findings."""
        day = starts or self.service.today()
        seat = roster.seat(self.service, person, day)
        if seat is None:
            raise UserError(f"{person.name} 在 {day:%Y-%m-%d} 不在岗，无需登记离岗。")
        return self._change(roster_changes.StaffLeave(person.id, self.service.window_by_id[seat.window_id].code, day))

    def set_role(self, person: StaffInfo, role: str, starts: date | None = None) -> StaffInfo:
        """From ``starts`` (today by default) ``person`` holds ``role`` at their window."""
        return self._change(roster_changes.RoleChange(person.id, role, starts))

    def _change(self, request: roster_changes.Request) -> StaffInfo:
        change = roster_changes.apply_change(self.service, request)
        assert change.staff_id is not None
        return self.service.staff_by_id[change.staff_id]

    def change_settings(self, starts: date | None = None, **changes: Any) -> HallRules:
        """Record a new version of the hall's settings, in force from ``starts`` (None: from the
        beginning): the version in force then, with ``changes``. Returns the new settings."""
        from storage.writes import add_rules_version

        service = self.service
        service.closing.check_from(starts, "评定规则")
        settings = replace(service.settings_on(starts or date.max), **changes).checked()
        add_rules_version(service.engine, service.hall.id, starts, settings.to_json(), device=service.device)
        service.reload()
        return settings

    def record_settings(self, versions: list[tuple[date | None, HallRules]]) -> None:
        """Record several versions of the hall's settings (each in force from its date) in one
        transaction: all of them or none."""
        from storage.writes import add_rules_versions

        service = self.service
        for starts, _settings in versions:
            service.closing.check_from(starts, "评定规则")
        rows = [(starts, s.checked().to_json()) for starts, s in versions]
        add_rules_versions(service.engine, service.hall.id, rows, device=service.device)
        service.reload()

    def record_rules(
        self,
        added: list[RuleItem],
        changed: list[RuleItem],
        versions: list[tuple[date | None, HallRules]],
    ) -> None:
        """Add the hall's own items, change existing ones (matched by id) and record versions of
        the settings, in one transaction. An item change has no date: it applies to findings
        logged from now on, since each finding keeps the points it was logged with."""
        from storage.writes import save_rules

        service = self.service
        last = max((i.position for i in service.rules.items), default=-1)
        new_rows = [{**item.as_row(), "position": last + 1 + n} for n, item in enumerate(added)]
        changed_rows = [{"id": item.id, **item.as_row()} for item in changed]
        for starts, _settings in versions:
            service.closing.check_from(starts, "评定规则")
        rows = [(starts, s.checked().to_json()) for starts, s in versions]
        save_rules(service.engine, service.hall.id, new_rows, changed_rows, rows, device=service.device)
        service.reload()

    def change_item(self, code: str, points: float, active: bool) -> RuleItem:
        """Give the item ``code`` new points and switch it on or off, from now on: findings already
        logged keep the points they were logged with. Returns the item as changed."""
        service = self.service
        before = next((i for i in service.rules.items if i.code == code), None)
        if before is None:
            raise UserError(f"没有编码为“{code}”的巡查项。")
        if not active and code in CLOCKIN_CODES:
            raise UserError(f"“{before.name}”是考勤项（打卡和请假记录用它），不能停用；可以改分值。")
        after = replace(before, points=points, active=active)
        if after == before:
            return before
        if active and not before.active and before.hotkey:
            other = service.rules.by_hotkey.get(before.hotkey)
            if other is not None and other.code != code:
                raise UserError(
                    f"快捷键“{before.hotkey}”已由“{other.name}”使用：请先在规则表格中给“{before.name}”换一个快捷键。"
                )
        words = []
        if after.points != before.points:
            words.append(f"分值 {before.points:+g} → {after.points:+g}")
        if after.active != before.active:
            words.append("启用" if active else "停用")
        service.access.log("修改巡查项", f"{before.name}（{code}）：{'，'.join(words)}")
        self.record_rules([], [after], [])
        return after

    def set_setting(self, key: str, value: Any, starts: date) -> bool:
        """From ``starts`` on, the setting ``key`` has ``value`` (versions registered for later
        carry it along unless they set it themselves: ``change_from``), after a line in the
        access log. False when it already had that value (nothing is written)."""
        from patrol.rules.setting_words import BY_KEY, change_from, value_text

        service = self.service
        setting = BY_KEY[key]
        before = getattr(service.settings_on(starts), key)
        if before == value:
            return False
        versions = change_from(service.settings_on, [s for s, _ in service.settings_versions], starts, key, value)
        for _starts, settings in versions:
            settings.checked()  # refused before anything is written
        old, new = value_text(key, before), value_text(key, value)
        service.access.log("修改评定规则", f"{setting.label}（{key}）：{old} → {new}，自 {starts:%Y-%m-%d} 起")
        self.record_settings(list(versions))
        return True
