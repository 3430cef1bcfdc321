"""Service figures weighed into a window's 量化考评 score (issue 11; off by default). Pure.

With the hall's weights set (``HallRules.on_time_weight``, ``good_rate_weight``, in percent), a
window's score is its patrol score × (100 − both)% + 按时办结率 × 100 × on_time% + 好评率 × 100 ×
good%. A component the window lacks (no figures, nothing completed, no review) leaves the score:
the others keep their proportions (their weights are divided by what is left), so a window whose
business system counts no reviews is neither rewarded nor punished for it. With no weight set the
score is the patrol score, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from patrol.rules.figures import Counts
from patrol.rules.settings import HallRules

HUNDRED = Decimal(100)


def _points(share: Fraction) -> Decimal:
    """A share on the 100-point scale, as a decimal of 28 digits."""
    return Decimal(share.numerator) * HUNDRED / Decimal(share.denominator)


def components(counts: Counts | None, settings: HallRules) -> tuple[Fraction | None, Fraction | None]:
    """The 按时办结率 and 好评率 that count for a window (None: not weighed, or not there)."""
    if counts is None:
        return None, None
    on_time = counts.on_time_rate if settings.on_time_weight else None
    good = counts.good_rate if settings.good_rate_weight else None
    return on_time, good


def weighted(patrol: Decimal, counts: Counts | None, settings: HallRules) -> Decimal:
    """The window's 量化考评 score from its patrol score and its period's figures."""
    on_time, good = components(counts, settings)
    if on_time is None and good is None:
        return patrol  # exactly the patrol score: no weight to divide by and back
    parts = [(Decimal(100 - settings.on_time_weight - settings.good_rate_weight), patrol)]
    if on_time is not None:
        parts.append((Decimal(settings.on_time_weight), _points(on_time)))
    if good is not None:
        parts.append((Decimal(settings.good_rate_weight), _points(good)))
    return sum((w * x for w, x in parts), Decimal(0)) / sum((w for w, _x in parts), Decimal(0))


def formula(settings: HallRules) -> str:
    """How 附表2 explains the score: 量化考评得分＝巡查得分×70%＋按时办结率×20%＋好评率×10%."""
    parts = [f"巡查得分×{100 - settings.on_time_weight - settings.good_rate_weight}%"]
    if settings.on_time_weight:
        parts.append(f"按时办结率×{settings.on_time_weight}%")
    if settings.good_rate_weight:
        parts.append(f"好评率×{settings.good_rate_weight}%")
    return "量化考评得分＝" + "＋".join(parts)


WindowCounts = Mapping[str, Counts]  # window id -> the period's figures
