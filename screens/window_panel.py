"""The board's side panel: on the hall, where the cursor is and what to type; with a window open,
who sits there and the keys that log a finding.

The panel holds the board's focus, so its bindings are always in the chain; the board enables
them (``check_action``) only while a window is open: digits pick a person and each item's hotkey
logs it. They are bindings with ids (``pick-1``, ``log-late``), so the footer, `?` and a keymap
all see the same keys; on the hall they are off and the same keys do what the hall board says.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding, BindingsMap
from textual.widgets import Static

from patrol.model import SUBSTITUTE, StaffInfo, WindowInfo
from patrol.rules.items import CATEGORIES, RuleItem
from screens.text import plain

MAX_STAFF_KEYS = 9
PICK = "选人员"  # one description for 1-9, so the help lists them as one row


class WindowPanel(Static, can_focus=True):
    """The hall or the window opened for logging. The board does the work; this widget holds the keys."""

    BINDINGS = [
        # Priority bindings, as the board's: each key is handled in the order typed, before the
        # next one is handed on (a burst typed right after a save must not reach the wrong state).
        Binding(
            "escape", "screen.close_window", "返回大厅", priority=True, id="window-back", tooltip="不记录，回到大厅"
        ),
        *(
            Binding(str(n), f"screen.pick({n})", PICK, show=False, priority=True, id=f"pick-{n}")
            for n in range(1, MAX_STAFF_KEYS + 1)
        ),
        Binding(
            "enter",
            "screen.seen",
            "无异常",
            priority=True,
            id="window-seen",
            tooltip="本窗口巡查无异常：记下已巡查，返回大厅",
        ),
        Binding(
            "asterisk",
            "screen.count",
            "次数",
            show=False,
            priority=True,
            id="count",
            tooltip="输入次数（无人在岗为分钟数）：按 * 再按数字，然后按巡查项，如 * 2 8 d",
        ),
        Binding(
            "0",
            "screen.pick(0)",
            SUBSTITUTE,
            show=False,
            priority=True,
            id="pick-0",
            tooltip="针对替岗人员（只计入窗口）",
        ),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__("正在打开数据库…", **kwargs)  # type: ignore[arg-type]
        self.items: tuple[RuleItem, ...] = ()
        self._text = Text()  # shown, without the blank lines that hold the height
        self._held: int | None = None  # lines kept while the board holds the height

    def show_text(self, text: Text) -> None:
        """Show ``text`` (the hall's or the open window's): a Text, so that names are never markup."""
        self._text = text
        # A text that keeps the panel's height repaints the panel alone. A layout pass would
        # redraw the whole side panel and the ranking below it (the longest part of the frame
        # after a finding's key), and slow the commit running beside it on the worker thread.
        width, height = self.content_region.width, self.content_region.height
        lines = len(text.wrap(self.app.console, width)) if width > 0 else -1
        if self._held is not None and 0 <= lines < self._held:
            text = Text.assemble(text, "\n" * (self._held - lines))  # blank lines keep the height
            lines = self._held
        self.update(text, layout=lines != height)

    def hold_height(self) -> None:
        """Keep the panel's height for the texts that follow, shorter ones padded with blank
        lines, until ``release_height``: the ranking below stays where it is, unredrawn. (A style
        such as min-height would do it too, but setting one lays out the whole screen again.)"""
        if self.content_region.height > 0:
            self._held = self.content_region.height

    def release_height(self, redraw: bool = True) -> None:
        """Let the panel take the height of its text again (``redraw``: now, rather than with
        the next ``show_text``)."""
        if self._held is not None:
            self._held = None
            if redraw:
                self.show_text(self._text)

    def set_items(self, items: Sequence[RuleItem]) -> None:
        """Bind each active item's hotkey (and its capital, for a Caps Lock left on) to logging it.
        An item without a hotkey (a hall's own, when the letters ran out) is logged elsewhere."""
        self.items = tuple(i for i in items if i.active and i.hotkey)
        extra = []
        for item in self.items:
            level = "（窗口级）" if item.is_window_level else "（可记在窗口）" if item.may_credit_window else ""
            tooltip = f"{item.points:+g} 分{level}"
            action = f"screen.log('{item.code}')"
            extra.append(
                Binding(item.hotkey, action, item.name, False, priority=True, id=f"log-{item.code}", tooltip=tooltip)
            )
            if item.hotkey.isalpha():  # Caps Lock left on: the same item, not listed twice in the help
                extra.append(Binding(item.hotkey.upper(), action, "", False, priority=True))
        self._bindings = BindingsMap.merge([self._merge_bindings(), BindingsMap(extra)])
        if self.is_attached:
            self.screen.refresh_bindings()

    def show(
        self,
        window: WindowInfo,
        staff: Sequence[StaffInfo],
        person: StaffInfo | None,
        substitute: bool,
        names: dict[str, str],
        count: str | None = None,
    ) -> None:
        """Draw the window, its people with their numbers, and the hotkeys by category; ``count``:
        the number typed after ``*`` so far ("" just after it, None when none is being typed)."""
        # Built as Text, never as markup: names are data ("[/]" and "[2J" are names too).
        people = []
        for number, s in enumerate(staff[:MAX_STAFF_KEYS], start=1):
            chosen = person is not None and s.id == person.id
            name = plain(names.get(s.id, s.name), style="reverse" if chosen else "")
            people.append(Text.assemble((str(number), "bold"), " ", name))
        sub = Text(SUBSTITUTE, style="reverse" if substitute else "")
        if person is not None:
            who = plain(person.name)
        elif substitute:
            who = Text(SUBSTITUTE)
        else:
            who = Text("未选（按 1-9 选人员；窗口级项、加分、投诉、差评可直接按，记在窗口上）")
        lines = [
            Text.assemble(plain(f"{window.code} {window.name}", style="bold"), "  ", plain(window.unit)),
            Text.assemble(Text("  ").join(people) or "（暂无在岗人员）", "  ", ("0", "bold"), " ", sub),
            Text.assemble("人员：", who),
        ]
        if count is not None:
            lines.append(
                Text.assemble(
                    "次数：", (f"×{count}" if count else "请输入数字", "bold"), "  再按巡查项记录（无人在岗为分钟数）"
                )
            )
        for category in CATEGORIES:
            keys = [Text.assemble((i.hotkey, "bold"), plain(i.name)) for i in self.items if i.category == category]
            if keys:
                lines.append(Text.assemble(f"{category[:2]} ", Text(" ").join(keys)))
        lines.append(Text("Enter 无异常  Esc 返回大厅  F4 查看记录"))
        self.show_text(Text("\n").join(lines))
