"""Pinyin keys for search and for sorting names, computed when the roster changes.

pypinyin is imported here only, and without its phrase dictionary (measured: ~70 ms and 22 MB
instead of ~270 ms and 65 MB). Names are not phrases, and every reading of a polyphonic
character is indexed anyway, so 曾伟 is found by both ``zw`` and ``cw``. Sorting reads a
surname as a surname (曾 zeng, 单 shan), which pypinyin alone does not know.
"""

from __future__ import annotations

import os
from functools import cache
from itertools import islice, product
from types import ModuleType

MAX_KEYS_LENGTH = 2000  # the column's size
MAX_READINGS = 64  # combinations indexed per text; plenty for names, bounded for long ones

# Surnames whose reading differs from the character's most common one.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "召": "shao",
    "乐": "yue",
    "覃": "qin",
    "员": "yun",
    "种": "chong",
    "秘": "bi",
    "繁": "po",
    "黑": "he",
    "翟": "zhai",
    "重": "chong",
    "折": "she",
    "藏": "zang",
    "贲": "ben",
    "牟": "mou",
    "隗": "wei",
    "能": "nai",
    "宓": "mi",
    "尉": "wei",
    "长": "chang",
    "万": "wan",
    "华": "hua",
    "任": "ren",
    "沈": "shen",
    "曲": "qu",
    "葛": "ge",
    "纪": "ji",
    "褚": "chu",
}
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "令狐": ("ling", "hu"),
    "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
}


@cache
def _pypinyin() -> ModuleType:
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    import pypinyin

    return pypinyin


def _readings(text: str) -> list[list[str]]:
    """Every reading of each character, ASCII letters and digits kept as they are."""
    pypinyin = _pypinyin()
    found = pypinyin.pinyin(text, style=pypinyin.Style.NORMAL, heteronym=True, errors=lambda chars: list(chars))
    out: list[list[str]] = []
    for options in found:
        clean = [o.lower() for o in options if o.strip()]
        seen: list[str] = []
        for option in clean:
            if option not in seen and option.isalnum():
                seen.append(option)
        if seen:
            out.append(seen)
    return out


def _person_readings(name: str) -> list[list[str]]:
    readings = _readings(name)
    for compound, syllables in COMPOUND_SURNAMES.items():
        if name.startswith(compound) and len(readings) >= 2:
            for i, syllable in enumerate(syllables):
                readings[i] = [syllable, *[r for r in readings[i] if r != syllable]]
            return readings
    if name and name[0] in SURNAME_READINGS and readings:
        first = SURNAME_READINGS[name[0]]
        readings[0] = [first, *[r for r in readings[0] if r != first]]
    return readings


def _keys_from(readings: list[list[str]]) -> str:
    full: list[str] = []
    initials: list[str] = []
    for combo in islice(product(*readings), MAX_READINGS):
        joined = "".join(combo)
        if joined not in full:
            full.append(joined)
        short = "".join(s[0] for s in combo)
        if short not in initials:
            initials.append(short)
    # Initials first: they are the keys people type most, and must survive the length cap.
    keys = ""
    for token in initials + full:
        if len(keys) + len(token) + 1 > MAX_KEYS_LENGTH:
            break
        keys = f"{keys} {token}" if keys else token
    return keys


def search_keys(text: str, person: bool = False) -> str:
    """Space-separated full-pinyin and initials keys for every reading of ``text``."""
    readings = _person_readings(text) if person else _readings(text)
    return _keys_from(readings)


def sort_key(text: str, person: bool = False) -> str:
    """A key that sorts ``text`` in pinyin order, surnames read as surnames."""
    readings = _person_readings(text) if person else _readings(text)
    return " ".join(options[0] for options in readings)


def new_staff_row(name: str, window_id: str, role: str, position: int) -> dict[str, object]:
    """The values of a new person's row, with their pinyin keys (``window_id``, ``role`` and
    ``active`` are the table's old columns; who sits where is in the postings)."""
    return {
        "window_id": window_id,
        "name": name,
        "role": role,
        "active": True,
        "position": position,
        "search_keys": search_keys(name, person=True),
        "sort_key": sort_key(name, person=True),
    }
