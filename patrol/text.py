"""User text that is safe to keep and safe to show: one place for names, notes and how either
reaches a screen, a terminal or a spreadsheet. Pure functions, no I/O.

Names (staff, windows, units, halls, inspectors) are what people search, rank and read aloud:
they are NFC-normalised and refused when they hold a character nobody can see or that steers the
terminal (C0/C1 controls, bidi overrides, zero-width and other format characters, unusual
spaces), so that no two names look alike and none of them repaints a screen.

Notes and reasons keep what was typed (within ``NOTE_LIMIT``); anything that would steer the
terminal is shown escaped (``shown``): ``\\x1b``, ``\\u202e``, ``\\n``.
"""

from __future__ import annotations

import unicodedata

from patrol.errors import UserError

NOTE_LIMIT = 500  # notes and correction reasons, wherever they are typed or imported

# Characters of other categories that draw nothing: Hangul fillers, the combining grapheme joiner.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u034f")
# Spaces a name may hold: the ordinary one and the ideographic (full-width) one.
_NAME_SPACES = frozenset(" \u3000")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def kind_of(ch: str) -> str | None:
    """What ``ch`` is, in the words of a message, when a name may not hold it; None when it may."""
    if ch in _NAME_SPACES:
        return None
    category = unicodedata.category(ch)
    if category == "Cc":
        return "控制字符"
    if ch in _BIDI:
        return "双向文字控制符"
    if ch in _ZERO_WIDTH:
        return "零宽字符"
    if category in ("Cf", "Zl", "Zp") or ch in _INVISIBLE:
        return "不可见字符"
    if category == "Zs":
        return "特殊空格"
    if category == "Cs":
        return "无法识别的字符"
    return None


def _escaped(ch: str) -> str:
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in named:
        return named[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _steers(ch: str) -> bool:
    """Whether ``ch`` must not reach a terminal or a screen as it is."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def shown(text: str, keep: str = "") -> str:
    """``text`` as a screen or a terminal may show it: controls, bidi and zero-width characters
    and line separators are written out (``\\x1b``, ``\\u202e``); the characters in ``keep``
    (such as ``\\n`` for text the program itself breaks into lines) stay."""
    # The common case, at C speed (every ASCII control and Cf is unprintable); a status line's
    # own line breaks (``keep``) do not send it the slow way.
    if text.isprintable() or (keep and text.translate(dict.fromkeys(map(ord, keep))).isprintable()):
        return text
    return "".join(_escaped(ch) if ch not in keep and _steers(ch) else ch for ch in text)


def unsafe_in(text: str) -> tuple[int, str, str] | None:
    """The first character a name may not hold: (position, the character, what it is)."""
    for index, ch in enumerate(text):
        kind = kind_of(ch)
        if kind is not None:
            return index, ch, kind
    return None


def clean_name(text: str, what: str = "姓名", limit: int | None = None) -> str:
    """``text`` as a name is kept: stripped and NFC-normalised. UserError when it holds a
    control, bidi, zero-width or other invisible character (naming it, ``U+200B``), or is longer
    than ``limit``. An empty name is returned empty (the caller says whether it may be)."""
    name = unicodedata.normalize("NFC", text.strip())
    found = unsafe_in(name)
    if found is not None:
        _, ch, kind = found
        raise UserError(f"{what}“{shown(name)}”含有{kind}（U+{ord(ch):04X}），请删除后重试：{what}只能是看得见的文字。")
    if limit is not None and len(name) > limit:
        raise UserError(f"{what}过长（最多 {limit} 个字）。")
    return name


def same_name(text: str) -> str:
    """A name as typed to find someone (stripped, NFC), so that a decomposed é still finds é."""
    return unicodedata.normalize("NFC", text.strip())


def check_note(text: str, what: str = "备注") -> str:
    """A note or a reason as it will be stored: kept as typed (stripped), at most NOTE_LIMIT
    characters; a NUL or an undecodable character (which no database keeps) is refused."""
    text = text.strip()
    if len(text) > NOTE_LIMIT:
        raise UserError(f"{what}过长：{len(text)} 字，最多 {NOTE_LIMIT} 字。")
    for ch in text:
        if ch == "\x00" or unicodedata.category(ch) == "Cs":
            raise UserError(f"{what}含有无法保存的字符（{_escaped(ch)}），请删除后重试。")
    return text


# A spreadsheet runs a cell that begins with one of these as a formula (or DDE): "=1+1",
# "@SUM(A1)", "-2+3", a tab or a carriage return first.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(value: str) -> str:
    """``value`` for a CSV cell: text a spreadsheet would run as a formula gets a leading quote,
    as the workbook keeps such cells text."""
    return "'" + value if value.startswith(FORMULA_LEADS) else value
