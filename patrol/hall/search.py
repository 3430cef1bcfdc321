"""Search over window codes and names, unit names and staff names: Chinese, full pinyin and
pinyin initials. The keys are precomputed (``patrol.hall.pinyin_keys``); matching is plain string
work so results come back as fast as a person types."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from patrol.model import StaffInfo, WindowInfo


@dataclass(frozen=True)
class SearchHit:
    """One result: what it is, its id and how to show it."""

    kind: str  # window | staff | unit
    id: str
    title: str
    detail: str


@dataclass(frozen=True)
class _Entry:
    hit: SearchHit
    text: str  # Chinese text and codes, lowercased
    keys: tuple[str, ...]  # pinyin keys


class SearchIndex:
    """An in-memory index built from the roster."""

    def __init__(self, windows: Iterable[WindowInfo], staff: Iterable[StaffInfo]) -> None:
        windows = list(windows)
        by_id = {w.id: w for w in windows}
        entries: list[_Entry] = []
        units: dict[str, _Entry] = {}
        for w in windows:
            hit = SearchHit("window", w.id, f"{w.code} {w.name}", w.unit)
            entries.append(_Entry(hit, f"{w.code} {w.name}".lower(), tuple(w.search_keys.split())))
            if w.unit and w.unit not in units:
                unit_hit = SearchHit("unit", w.id, w.unit, f"窗口 {w.code} {w.name}")
                units[w.unit] = _Entry(unit_hit, w.unit.lower(), tuple(w.unit_keys.split()))
        for s in staff:
            window = by_id.get(s.window_id)
            where = f"{window.code} {window.name}" if window else ""
            detail = where if s.active else f"{where}（不在岗）"
            hit = SearchHit("staff", s.id, s.name, detail)
            entries.append(_Entry(hit, s.name.lower(), tuple(s.search_keys.split())))
        entries.extend(units.values())
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Hits for ``query``, best first: exact code or name, then prefixes, then the rest."""
        q = unicodedata.normalize("NFC", query).strip().lower().replace(" ", "")
        if not q:
            return []
        scored: list[tuple[int, int, SearchHit]] = []
        for order, entry in enumerate(self._entries):
            rank = _match(q, entry)
            if rank is not None:
                scored.append((rank, order, entry.hit))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [hit for _, _, hit in scored[:limit]]


def _match(q: str, entry: _Entry) -> int | None:
    text = entry.text
    if entry.hit.kind == "window" and (text.split(" ", 1)[0] == q or text == q):
        return 0  # a window code typed in full
    if text.startswith(q) or q in text.split():
        return 1
    if q in text:
        return 3
    if not q.isascii():
        return None
    best: int | None = None
    for key in entry.keys:
        if key.startswith(q):
            return 2
        if q in key:
            best = 4
    return best
