"""How keys are named on screen: plain words, since Textual's symbols (⏎, arrows) are ambiguous
width in many Chinese terminal fonts."""

from __future__ import annotations

ARROW_KEYS = ("left", "right", "up", "down")
KEY_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "backspace": "Backspace",
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "space": "空格",
    "minus": "-",
}


def key_label(key: str) -> str:
    """How the help names a key: Enter, Esc, Ctrl+Q, F3, a."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    *modifiers, last = key.split("+")
    return "+".join([*(m.capitalize() for m in modifiers), last.upper() if modifiers or len(last) > 1 else last])
