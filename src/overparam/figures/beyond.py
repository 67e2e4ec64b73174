"""beyond: QFIM rank versus M of the TFIM models at sizes the paper did not reach, against the orbit bound.

One panel per model; per size the largest rank over the random points at the standard cut (solid)
and at the tight cut (dotted), the orbit dimension (dashed) and the critical M (a marker on the
bound). The identity ``rank = M`` is drawn in grey: below saturation every parameter adds a
direction.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.beyond import summarize
from overparam.results.tables import read_csv


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Rank vs M per model (panels) and size (colours) from ``results/tables/beyond.csv``."""
    setup()
    rows = read_csv(table)
    summary = {(s.model, s.n): s for s in summarize(rows)}
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(models), figsize=(3.5 * len(models), 3.0), squeeze=False)
    for ax, model in zip(axes[0], models):
        sizes = sorted({int(r["n"]) for r in rows if r["model"] == model})
        top_m = 1
        for k, n in enumerate(sizes):
            colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
            rank: dict[int, list[int]] = defaultdict(list)
            tight: dict[int, list[int]] = defaultdict(list)
            for r in rows:
                if r["model"] == model and int(r["n"]) == n:
                    rank[int(r["n_params"])].append(int(r["rank"]))
                    tight[int(r["n_params"])].append(int(r["tight_rank"]))
            ms = np.array(sorted(rank))
            top_m = max(top_m, int(ms[-1]))
            ax.plot(ms, [max(rank[m]) for m in ms], color=colour, lw=1.4, label=f"n = {n}")
            ax.plot(ms, [max(tight[m]) for m in ms], color=colour, lw=1.0, ls=":")
            s = summary[(model, n)]
            if s.orbit_dim is not None:
                ax.axhline(s.orbit_dim, color=colour, ls="--", lw=0.9)
            if s.m_c is not None:
                ax.plot([s.m_c], [s.orbit_dim], marker=marker, color=colour, ms=6, ls="none")
        ax.plot([0, top_m], [0, top_m], color="grey", lw=0.7, alpha=0.6)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, top_m + 1)
        ax.set_ylim(0, max((summary[(model, n)].orbit_dim or 0) for n in sizes) * 1.15 + 1)
        ax.set_title(model)
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("QFIM rank (max over random points)")
        ax.legend(frameon=False, title="dashed: orbit bound\nmarker: critical M", loc="lower right")
    fig.tight_layout()
    return save(fig, out_stem)
