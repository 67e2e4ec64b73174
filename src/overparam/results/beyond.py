"""Summary of the ``beyond`` table: saturation rank and critical M per model and size."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from overparam.results.critical import first_m


@dataclasses.dataclass(frozen=True)
class BeyondSummary:
    """One (model, n) of ``results/tables/beyond.csv``.

    ``m_c``: the smallest M at which the largest rank over the points reaches the orbit dimension
    (``None`` if it never does); ``m_c_all``: the smallest M at which *every* point does;
    ``m_c_tight``: as ``m_c`` at the tight cut; ``saturated_gap``: the smallest ratio, over the
    points, of the last kept to the first dropped eigenvalue at the largest M.
    """

    model: str
    n: int
    dla_dim: int | None
    orbit_dim: int | None
    samples: int
    max_m: int
    top_rank: int
    top_tight_rank: int
    m_c: int | None
    m_c_all: int | None
    m_c_tight: int | None
    saturated_gap: float
    compile_seconds: float
    point_seconds: float
    device: str

    @property
    def within_bound(self) -> bool:
        """No rank at any M exceeds the orbit dimension (the Lie-algebraic bound)."""
        return self.orbit_dim is None or max(self.top_rank, self.top_tight_rank) <= self.orbit_dim


def summarize(rows: list[dict[str, str]]) -> list[BeyondSummary]:
    """One :class:`BeyondSummary` per (model, n), in table order."""
    groups: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], int(r["n"]))].append(r)
    out = []
    for (model, n), rs in groups.items():
        rank: dict[int, list[int]] = defaultdict(list)
        tight: dict[int, list[int]] = defaultdict(list)
        seconds: dict[str, float] = {}
        gaps: dict[int, list[float]] = defaultdict(list)
        for r in rs:
            rank[int(r["n_params"])].append(int(r["rank"]))
            tight[int(r["n_params"])].append(int(r["tight_rank"]))
            seconds[r["sample"]] = float(r["point_seconds"])
            gaps[int(r["n_params"])].append(float(r["gap"]))
        ms = sorted(rank)
        orbit = int(rs[0]["orbit_dim"]) if rs[0].get("orbit_dim") else None
        dla = int(rs[0]["dla_dim"]) if rs[0].get("dla_dim") else None
        out.append(
            BeyondSummary(
                model=model, n=n, dla_dim=dla, orbit_dim=orbit, samples=len(seconds), max_m=ms[-1],
                top_rank=max(max(v) for v in rank.values()), top_tight_rank=max(max(v) for v in tight.values()),
                m_c=first_m(rank, lambda ranks: orbit is not None and max(ranks) == orbit),
                m_c_all=first_m(rank, lambda ranks: orbit is not None and min(ranks) == orbit),
                m_c_tight=first_m(tight, lambda ranks: orbit is not None and max(ranks) == orbit),
                saturated_gap=min(gaps[ms[-1]]),
                compile_seconds=float(rs[0]["compile_seconds"]),
                point_seconds=sum(seconds.values()) / len(seconds),
                device=rs[0]["device"],
            )
        )
    return out
