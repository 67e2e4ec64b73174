"""The critical number of parameters: the first M at which something is reached.

Every page and table that reports a critical M (the first M at which the QFIM rank saturates, at
which it reaches the orbit bound, or at which training succeeds often enough) computes it here.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, TypeVar

V = TypeVar("V")


def first_m(by_m: Mapping[int, V] | Iterable[tuple[int, V]], reached: Callable[[V], bool] | None = None) -> int | None:
    """The smallest M whose value satisfies ``reached``, or ``None`` if none does.

    ``by_m`` maps M to a value (a rank, a success fraction, a list of ranks over points); without
    ``reached`` a value counts when it equals the largest value, i.e. the first M at which a rank
    saturates.
    """
    pairs = sorted(by_m.items() if isinstance(by_m, Mapping) else by_m, key=lambda pair: pair[0])
    if reached is None:
        top = max((value for _, value in pairs), default=None)
        reached = lambda value: value == top  # noqa: E731
    return next((m for m, value in pairs if reached(value)), None)


def first_m_at(fractions: Iterable[tuple[int, float]], level: float = 0.9) -> int | str:
    """The smallest M whose success fraction is at least ``level``, or ``"not reached"``."""
    m = first_m(fractions, lambda fraction: fraction >= level)
    return "not reached" if m is None else m
