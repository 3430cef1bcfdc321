"""What the command line writes reaches a terminal: nothing in it may steer that terminal.

Names and notes come from files and from other people's keyboards. Every command's stdout and
stderr pass through ``SafeStream``, which writes out the characters that would move the cursor,
clear the screen, set the window title or reverse the text (``\\x1b``, ``\\u202e``) instead of
sending them; only the line breaks the program writes stay. Rich, which styles the ranking
table with escape sequences of its own, writes to the stream beneath (``unguarded``) and is
handed only text that went through ``patrol.text.shown``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from patrol.text import shown


class SafeStream:
    """A text stream that shows user text escaped (``patrol.text.shown``), keeping ``keep``."""

    def __init__(self, stream: IO[str], keep: str = "\n") -> None:
        self.unguarded = stream
        self._keep = keep

    def write(self, text: str) -> int:
        self.unguarded.write(shown(text, self._keep))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding…
        return getattr(self.unguarded, name)


def unguarded(stream: IO[str]) -> IO[str]:
    """The stream beneath a SafeStream (for output that carries its own escape sequences)."""
    return getattr(stream, "unguarded", stream)


@contextmanager
def guarded() -> Iterator[None]:
    """stdout and stderr through SafeStream for the time of the block."""
    saved = sys.stdout, sys.stderr
    sys.stdout = SafeStream(saved[0])
    sys.stderr = SafeStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def json_text(value: object) -> str:
    """``value`` as JSON that keeps every character of the data and steers no terminal: what
    would (C1 controls, bidi, zero-width, line separators) is written as a JSON escape."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    if shown(text, "\n") == text:
        return text
    out = []
    for ch in text:
        if ch != "\n" and shown(ch) != ch:
            out.append(json.dumps(ch)[1:-1])  # JSON's own escape, surrogate pairs included
        else:
            out.append(ch)
    return "".join(out)
