"""Where training success crosses a level as the number of parameters M grows, with an interval.

For one model and size, success counts ``k`` of ``runs`` at each swept ``M``. The crossing of a
level ``t`` (50 % or 90 %) is reported three ways:

* ``m``: the first swept M whose observed fraction ``k / runs`` is at least ``t``;
* ``lo``: the first swept M whose 95 % Wilson interval reaches ``t`` (upper end >= t): below it every
  fraction is significantly below ``t``, so the crossing cannot sit lower;
* ``hi``: the first swept M whose 95 % Wilson interval lies at or above ``t`` (lower end >= t): from
  there the fraction is significantly at least ``t``; ``None`` when no swept M gets there.

``[lo, hi]`` is the range of swept M over which the data cannot place the crossing more precisely.
Knows no physics engine: only counts.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from overparam.results.replication import CONFIDENCE, wilson_interval

LEVELS = (0.5, 0.9)


@dataclasses.dataclass(frozen=True)
class Crossing:
    """The crossing of ``level``: observed first M, and the range ``[lo, hi]`` the intervals allow."""

    level: float
    m: int | None
    lo: int | None
    hi: int | None

    def text(self) -> str:
        """``"12 [8, 16]"``; ``"not reached"``; an open upper end is written ``> max M swept``."""
        if self.m is None and self.lo is None:
            return "not reached"
        m = "not reached" if self.m is None else str(self.m)
        hi = "beyond the sweep" if self.hi is None else str(self.hi)
        return f"{m} [{self.lo}, {hi}]"


def crossing(counts: Iterable[tuple[int, int, int]], level: float, confidence: float = CONFIDENCE) -> Crossing:
    """The crossing of ``level`` by ``(M, successes, runs)`` triples (any order; M distinct)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    points = sorted(counts)
    m = lo = hi = None
    for n_params, k, runs in points:
        low, high = wilson_interval(k, runs, confidence)
        if m is None and k / runs >= level:
            m = n_params
        if lo is None and high >= level:
            lo = n_params
        if hi is None and low >= level:
            hi = n_params
    return Crossing(level, m, lo, hi)


def fraction_at_first(counts: Iterable[tuple[int, int, int]], at_least: int) -> tuple[int, int, int] | None:
    """``(M, k, runs)`` of the first swept M with ``M >= at_least``, or ``None`` if none was swept."""
    return next((c for c in sorted(counts) if c[0] >= at_least), None)
