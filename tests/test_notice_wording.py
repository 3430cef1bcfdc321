"""The notice (通报) word by word: its structure as published notices have it, and each wording
that drafts got wrong (issue 11, points 4–5)."""

from __future__ import annotations

import re


def body_of(notice: list[str], title: str) -> str:
    """The paragraph under a numbered subsection (考勤情况 → the text after "1、考勤情况"), or
    "" when the notice has no such subsection."""
    for index, paragraph in enumerate(notice[:-1]):
        if re.fullmatch(rf"\d+、{title}", paragraph):
            return notice[index + 1]
    return ""
