"""argparse, speaking Chinese in its own words too (usage, headings, -h, its error messages)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any


class Formatter(argparse.HelpFormatter):
    """Help text with 用法： in place of usage:."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class RawFormatter(Formatter, argparse.RawDescriptionHelpFormatter):
    """The same, keeping the line breaks of the description and the examples."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage, headings, -h and errors are in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        kwargs["add_help"] = False  # our own -h below, with a Chinese help line
        super().__init__(*args, **kwargs)
        self._positionals.title = "命令与参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{in_chinese(message)}（用 {self.prog} --help 查看用法）\n")


# argparse's own messages, as the user should read them.
ARGPARSE_MESSAGES = (
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", "参数 {0} 的取值“{1}”无效，可选：{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 需要一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能与 {1} 同时使用"),
    (r"argument (\S+): invalid (\w+) value: '(.*)'", "参数 {0} 的值“{2}”无效"),
)


def in_chinese(message: str) -> str:
    """argparse's English message in Chinese (unchanged when it is not one we know)."""
    for pattern, text in ARGPARSE_MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return text.format(*(group.replace("'", "") for group in found.groups()))
    return message
