"""Where the notice as a document (``Notice``) comes from: ONE place for every output of it.

Today the notice is drafted as paragraphs (``draft_notice``); ``notice_of`` gives them their
roles: the first is the title, a paragraph led by 【…】 is that heading followed by its body,
the rest is body. When the notice is composed as blocks in the first place, this function is
what changes, and the Word file, ``patrol report`` and the app's notice screen follow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from patrol.reports.notice import NoticeFindings, draft_notice
from patrol.reports.notice_model import Block, Notice, Role
from patrol.reports.period_report import PeriodReport

_LED = re.compile(r"^(【[^】]{1,20}】)(.*)$", re.DOTALL)


def notice_of(report: PeriodReport, seen: NoticeFindings | None = None) -> Notice:
    """The notice of ``report`` as a document (reading the findings unless ``seen`` has them)."""
    return blocks_of(draft_notice(report, seen))


def blocks_of(paragraphs: Sequence[str]) -> Notice:
    """Drafted paragraphs as blocks: the first the title, 【…】-led ones a heading and a body."""
    blocks: list[Block] = []
    for index, paragraph in enumerate(paragraphs):
        if index == 0:
            blocks.append(Block(Role.TITLE, paragraph))
            continue
        led = _LED.match(paragraph)
        if led is None:
            blocks.append(Block(Role.BODY, paragraph))
            continue
        heading, body = led.group(1), led.group(2).strip()
        blocks.append(Block(Role.HEADING, heading))
        if body:
            blocks.append(Block(Role.BODY, body))
    return Notice(tuple(blocks))
