"""The monthly notice (通报) as a document: blocks in reading order, each with its role.

The notice is composed once (``patrol.reports.notice``) and written in three forms that must say
the same: plain paragraphs (the 通报草稿 sheet, ``patrol report``, the app's notice screen), and
the official Word document (``patrol.reports.notice_docx``). Only the Word writer needs the roles;
the text forms read ``Notice.paragraphs()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a block is, which decides how the official document sets it (GB/T 9704)."""

    TITLE = "title"  # 2号 方正小标宋简体, centred
    BODY = "body"  # 3号 仿宋, first-line indent of two characters
    HEADING = "heading"  # first level: 【办件情况】…, 黑体
    SUBHEADING = "subheading"  # second level: 1、考勤情况…, 楷体
    PLACEHOLDER = "placeholder"  # a place the office writes in (【本月重点】…), marked as such
    ATTACHMENTS = "attachments"  # 附件：1. … (one block per line)
    SIGNATURE = "signature"  # 落款: the office's name, at the right
    DATE = "date"  # 二〇二六年十一月三十日 / 2026年11月30日, at the right under the 落款


@dataclass(frozen=True)
class Block:
    """One paragraph of the notice. ``text`` is what a reader reads, complete (a heading's
    text includes its brackets or number: "【办件情况】", "1、考勤情况")."""

    role: Role
    text: str


@dataclass(frozen=True)
class Notice:
    """The notice: its blocks in reading order, the title first."""

    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        """The title's text ("" when the notice has none)."""
        return next((b.text for b in self.blocks if b.role is Role.TITLE), "")

    def paragraphs(self) -> list[str]:
        """The notice as plain paragraphs, as the 通报草稿 sheet and ``patrol report`` print it."""
        return [b.text for b in self.blocks]
