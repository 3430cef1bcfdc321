"""Hypothesis, stateful, over a real SQLite file: whatever an inspector does — log, import a file
(from another laptop, whose first write may be that batch), void, amend, undo, purge — the
effective view equals replaying the corrections, a purged finding cannot be corrected, and the
chain verifies."""

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
from patrol.errors import UserError
from patrol.hall.opening import open_hall
from patrol.hall.purge import carry_out, earliest_allowed, plan_purge
from patrol.hall.views import SUBSTITUTE
from patrol.rules.periods import Period
from storage.errors import StorageError
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
        self.purged: set[str] = set()  # findings whose personal content a purge removed
        self.imports = 0

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
        window, rule_item = self.service.lookup.window(code), self.service.lookup.rule(item)
        substitute = name == SUBSTITUTE and not rule_item.is_window_level
        staff = (
            None if name == SUBSTITUTE or rule_item.is_window_level else self.service.lookup.resolve_staff(name, window)
        )
        at = FIXED_NOW - timedelta(days=days_ago)
        self._remember(
            self.service.findings.log(window, staff, rule_item, substitute=substitute, at=at, note="备注"), at
        )

    @rule(
        rows=st.lists(
            st.tuples(
                st.sampled_from([p for p in PEOPLE if p[1] != SUBSTITUTE]),
                st.sampled_from(["迟到", "玩手机", "上门服务"]),
                st.integers(0, 1800),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def import_file(self, rows: list[tuple[tuple[str, str], str, int]]) -> None:
        """`patrol findings import` on the command line (its own device id): all rows or none."""
        self.imports += 1
        path = self.folder / f"记录{self.imports}.csv"
        lines = ["时间,窗口编号,姓名,巡查项,备注"]
        expected = []
        for (code, name), item, days_ago in rows:
            at = FIXED_NOW - timedelta(days=days_ago, minutes=self.imports)
            local = at.astimezone(self.service.hall.tz)
            lines.append(f"{local:%Y-%m-%d %H:%M},{code},{name},{item},导入")
            expected.append(((code, name, item, "导入"), at.replace(second=0, microsecond=0)))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        before = {f.id for f in self.service.records.iter_findings(EVERYTHING)}
        assert main(["--db", f"sqlite:///{self.path}", "findings", "import", str(path)]) == 0
        self.service.reload()
        added = [f for f in self.service.records.iter_findings(EVERYTHING) if f.id not in before]
        got = sorted(((f.window_code, f.person, f.type_name, f.note), f.at) for f in added)
        assert [view for view, _at in got] == sorted(view for view, _at in expected)
        for f in added:
            self.effective[f.id] = (f.window_code, f.person, f.type_name, f.note)
            self.at[f.id] = f.at

    @precondition(lambda self: self.purged)
    @rule(data=st.data())
    def correct_purged(self, data: st.DataObject) -> None:
        """A finding past its retention period cannot be voided, amended or given a person."""
        finding_id = data.draw(st.sampled_from(sorted(self.purged)))
        for change in ({"void": True}, {"item": self.service.lookup.rule("早退")}):
            try:
                self.service.findings.correct(finding_id, "更正", **change)  # type: ignore[arg-type]
            except UserError as exc:
                assert "清除" in str(exc)
            else:
                raise AssertionError("a purged finding was corrected")

    @precondition(lambda self: set(self.effective) - self.purged)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        finding_id = data.draw(st.sampled_from(sorted(set(self.effective) - self.purged)))
        self.service.findings.correct(finding_id, "核实有误", void=True)
        del self.effective[finding_id]

    @precondition(lambda self: set(self.effective) - self.purged)
    @rule(data=st.data(), item=st.sampled_from(["迟到", "早退", "上门服务"]))
    def amend_type(self, data: st.DataObject, item: str) -> None:
        finding_id = data.draw(st.sampled_from(sorted(set(self.effective) - self.purged)))
        person = self.effective[finding_id][1]
        if person == "" and self.service.lookup.rule(item).level == "staff":
            return  # a window-level (or purged) finding has no person to put a staff item on
        replacement = self.service.findings.correct(finding_id, "巡查项录错", item=self.service.lookup.rule(item))
        assert replacement is not None
        del self.effective[finding_id]
        self._remember(replacement, self.at[finding_id])

    @rule()
    def undo(self) -> None:
        newest = next((i for i in reversed(self.written) if i in self.effective), None)
        if newest in self.purged:  # logged with a time years back, and purged since: it stays
            try:
                self.service.findings.undo_last()
            except StorageError as exc:
                assert "清除" in str(exc)
                return
            raise AssertionError("a purged finding was undone")
        undone = self.service.findings.undo_last()
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
                self.purged.add(finding_id)

    @invariant()
    def the_effective_view_is_the_replay(self) -> None:
        shown = {
            f.id: (f.window_code, f.person, f.type_name, f.note) for f in self.service.records.iter_findings(EVERYTHING)
        }
        assert shown == self.effective

    @invariant()
    def the_chain_verifies(self) -> None:
        verdict = verify(SqliteReader(self.path), workers=0)
        assert verdict.ok, verdict.problem


Inspector.TestCase.settings = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), stateful_step_count=12, deadline=None
)
TestInspector = Inspector.TestCase
