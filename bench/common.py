"""Timing helpers: medians, and ratio lines against a baseline measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

CACHE = Path(__file__).with_name(".cache")
# The city's halls the benchmarks open (bench/city.py names them so, in a tiny city too).
CENTRE = "市政务服务中心"
TOWN_HALL = "第1镇便民服务中心"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(name: str, samples: list[float], baseline: list[float], baseline_name: str, budget: str, ok: bool) -> bool:
    """Print one result line: medians, the ratio to the baseline, and whether the budget holds."""
    median = statistics.median(samples)
    base = statistics.median(baseline)
    print(
        f"{name}: median {median * 1000:.1f} ms (n={len(samples)}); baseline {baseline_name} "
        f"{base * 1000:.1f} ms; ratio {median / base:.2f}x; budget {budget}: {'OK' if ok else 'OVER'}"
    )
    return ok
