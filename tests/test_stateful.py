"""Hypothesis, stateful, over a real SQLite file: whatever an inspector does — log, void, amend,
undo, purge — the effective view equals replaying the corrections, and the chain verifies."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from patrol.cli import main
from patrol.hall.purge import carry_out, earliest_allowed, plan_purge
from patrol.hall.service import SUBSTITUTE, open_hall
from patrol.rules.periods import Period
from storage.reads import SqliteReader
from storage.verify import verify
from tests.conftest import FIXED_NOW, ROSTER_CSV, fixed_clock

ITEMS = ["迟到", "玩手机", "上门服务", "窗口摆放不规范"]
PEOPLE = [("1", "魏敏"), ("1", "曾伟"), ("3", "单雄"), ("3", SUBSTITUTE), ("4", "张梅")]
EVERYTHING = Period.parse("2021-01-01..2026-12-31")
TODAY = FIXED_NOW.date()


class Inspector(RuleBasedStateMachine):
    """One device's inspector against a model: finding id -> (window, person, type, note)."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="patrol-stateful-"))
        roster = self.folder / "名册.csv"
        roster.write_text(ROSTER_CSV, encoding="utf-8")
        self.path = self.folder / "patrol.db"
        url = f"sqlite:///{self.path}"
        assert main(["--db", url, "--hall", "测试大厅", "roster", "import", str(roster)]) == 0
        self.service = open_hall(url, inspector="测试督查", device="machine", clock=fixed_clock)
        self.effective: dict[str, tuple[str, str, str, str]] = {}
        self.at: dict[str, object] = {}
        self.written: list[str] = []  # this device's findings, oldest first (undo takes the newest)
        self.purged_before = None

    def teardown(self) -> None:
        self.service.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _remember(self, found, at) -> None:  # type: ignore[no-untyped-def]
        self.effective[found.id] = (found.window_code, found.person, found.type_name, found.note)
        self.at[found.id] = at
        self.written.append(found.id)

    @rule(who=st.sampled_from(PEOPLE), item=st.sampled_from(ITEMS), days_ago=st.integers(0, 1800))
    def log(self, who: tuple[str, str], item: str, days_ago: int) -> None:
        code, name = who
        window, rule_item = self.service.window(code), self.service.rule(item)
        substitute = name == SUBSTITUTE and not rule_item.is_window_level
        staff = None if name == SUBSTITUTE or rule_item.is_window_level else self.service.resolve_staff(name, window)
        at = FIXED_NOW - timedelta(days=days_ago)
        self._remember(self.service.log(window, staff, rule_item, substitute=substitute, at=at, note="备注"), at)

    @precondition(lambda self: self.effective)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        finding_id = data.draw(st.sampled_from(sorted(self.effective)))
        self.service.correct(finding_id, "核实有误", void=True)
        del self.effective[finding_id]

    @precondition(lambda self: self.effective)
    @rule(data=st.data(), item=st.sampled_from(["迟到", "早退", "上门服务"]))
    def amend_type(self, data: st.DataObject, item: str) -> None:
        finding_id = data.draw(st.sampled_from(sorted(self.effective)))
        person = self.effective[finding_id][1]
        if person == "" and self.service.rule(item).level == "staff":
            return  # a window-level (or purged) finding has no person to put a staff item on
        replacement = self.service.correct(finding_id, "巡查项录错", item=self.service.rule(item))
        assert replacement is not None
        del self.effective[finding_id]
        self._remember(replacement, self.at[finding_id])

    @rule()
    def undo(self) -> None:
        undone = self.service.undo_last()
        newest = next((i for i in reversed(self.written) if i in self.effective), None)
        assert (undone.id if undone else None) == newest
        if newest is not None:
            del self.effective[newest]

    @rule(extra_days=st.integers(0, 500))
    def purge(self, extra_days: int) -> None:
        day = earliest_allowed(TODAY) - timedelta(days=extra_days)
        plan = plan_purge(self.service, f"{day:%Y-%m-%d}")
        carry_out(self.service, plan)
        for finding_id, (code, person, item, _note) in list(self.effective.items()):
            if self.at[finding_id] < plan.before:
                self.effective[finding_id] = (code, person if person == SUBSTITUTE else "", item, "")

    @invariant()
    def the_effective_view_is_the_replay(self) -> None:
        shown = {f.id: (f.window_code, f.person, f.type_name, f.note) for f in self.service.iter_findings(EVERYTHING)}
        assert shown == self.effective

    @invariant()
    def the_chain_verifies(self) -> None:
        verdict = verify(SqliteReader(self.path), workers=0)
        assert verdict.ok, verdict.problem


Inspector.TestCase.settings = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), stateful_step_count=12, deadline=None
)
TestInspector = Inspector.TestCase
