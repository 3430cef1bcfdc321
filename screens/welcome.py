"""What a first start shows when the database has no hall yet, or cannot be opened."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Static

from screens.base import SCREENS_CSS
from screens.keybar import KeyBar
from screens.text import plain

FIRST_STEPS = """[b]欢迎使用巡查[/b]

数据库里还没有大厅。接下来可以：

  1. 导入名册（自动新建大厅）：
       patrol roster import 名册.xlsx
     名册表头：窗口编号、窗口名称、单位、姓名（可选：岗位、区域）
  2. 或先给大厅起名：patrol init --hall 高新区政务服务中心
  3. 想先看看效果：patrol demo（演示大厅，不影响你的数据）
  4. 设置督查员 PIN（离开时锁屏，凭 PIN 解锁）：patrol pin

数据库：{url}

按 q 退出。"""


class WelcomeScreen(Screen[None]):
    """First steps, or the reason the database could not be opened."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("q", "app.quit", "退出", id="quit")]

    def __init__(self, url: str, problem: str | None = None) -> None:
        super().__init__()
        self.url = url
        self.problem = problem

    def compose(self) -> ComposeResult:
        # The address and the problem are data (a path may hold "[2J"): Text, never markup.
        before, after = FIRST_STEPS.split("{url}")
        text = Text.from_markup(before) + plain(self.url) + Text.from_markup(after)
        if self.problem:
            text = Text.assemble(
                ("无法打开数据库", "bold"),
                "\n\n",
                plain(self.problem),
                "\n\n数据库：",
                plain(self.url),
                "\n\n按 q 退出。",
            )
        with Center(), Vertical(id="welcome"):
            yield Static(text)
        yield KeyBar()
