"""The command palette (ctrl+p): every action of the app by name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from textual.app import App, SystemCommand

from screens.board import BoardScreen

if TYPE_CHECKING:
    from screens.base import Patrol

PERIOD_KINDS = (("month", "本月"), ("quarter", "本季度"), ("half", "本半年"), ("year", "本年"))


def system_commands(textual_app: App[Any]) -> Iterable[SystemCommand]:
    """The palette's commands, in the order the help lists them."""
    app = cast("Patrol", textual_app)
    yield SystemCommand("搜索 (/)", "搜索窗口、单位、人员", app.action_search)
    yield SystemCommand("排名 (r)", "人员与窗口排名", app.action_ranking)
    yield SystemCommand("名册 (F3)", "窗口与人员名册", app.action_roster)
    yield SystemCommand("评定规则 (F6)", "巡查项和评定规则：查看与修改", app.action_rules)
    yield SystemCommand("导出 (x)", "导出巡查考核附表与通报草稿", app.action_export)
    yield SystemCommand("通报草稿", "查看并复制本期通报草稿", app.action_notice)
    yield SystemCommand("帮助 (?)", "本页全部按键", app.action_help)
    service = app.service
    board = next((s for s in textual_app.screen_stack if isinstance(s, BoardScreen)), None)
    if service is not None and board is not None:
        yield SystemCommand("撤销 (u)", "撤回本机最后一条记录", board.action_undo)
        yield SystemCommand("备注 (n)", "给刚保存的记录补充备注", board.action_note)
        for kind, label in PERIOD_KINDS:
            yield SystemCommand(
                f"统计周期：{label}",
                f"排名按{label}统计",
                lambda kind=kind: app.set_period(service.current_period(kind)),
            )
    yield SystemCommand("锁屏 (ctrl+l)", "立即锁屏，督查员 PIN 解锁", app.action_lock)
    yield SystemCommand("设置 PIN", "为当前督查员设置解锁 PIN", app.action_set_pin)
    yield SystemCommand("退出", "退出巡查", app.action_quit)
