"""large_qfim: QFIM rank against M at random points up to n = 50, against the orbit dimension.

Top row, one panel per model: per size n the largest and smallest rank over the random points
against M / orbit dimension (so every size saturates at 1 on both axes), with ``rank = M`` in grey.
Bottom row: the spectral gap (smallest kept over largest dropped eigenvalue; worst point) at each M,
on a logarithmic axis: past saturation it says how cleanly the rank is separated from the null space.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """Rank and gap against M per model (columns) and size (colours) from ``results/tables/large_qfim.csv``."""
    setup()
    rows = read_csv(table)
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(2, len(models), figsize=(4.2 * len(models), 5.4), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 2]}, sharex="col")
    for col, model in enumerate(models):
        top, bottom = axes[0][col], axes[1][col]
        sizes = sorted({int(r["n"]) for r in rows if r["model"] == model})
        for k, n in enumerate(sizes):
            colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
            ranks: dict[int, list[int]] = defaultdict(list)
            gaps: dict[int, list[float]] = defaultdict(list)
            orbit = None
            for r in rows:
                if r["model"] == model and int(r["n"]) == n:
                    ranks[int(r["n_params"])].append(int(r["rank"]))
                    gaps[int(r["n_params"])].append(float(r["gap"]))
                    orbit = int(r["orbit_dim"]) if r["orbit_dim"] else orbit
            scale = orbit or max(max(v) for v in ranks.values())
            ms = np.array(sorted(ranks))
            label = f"n = {n} (orbit dim {orbit})" if orbit else f"n = {n}"
            top.plot(ms / scale, [max(ranks[m]) / scale for m in ms], color=colour, marker=marker, ms=4.5, lw=1.3,
                     label=label)
            top.plot(ms / scale, [min(ranks[m]) / scale for m in ms], color=colour, marker=marker, ms=3, lw=0.6,
                     ls=":", mfc="white")
            finite = [(m / scale, min(gaps[m])) for m in ms if math.isfinite(min(gaps[m]))]
            if finite:
                x, g = zip(*finite)
                bottom.plot(x, g, color=colour, marker=marker, ms=4.5, lw=1.1)
        top.axhline(1.0, color="black", ls="--", lw=0.8, label="orbit dimension")
        top.plot([0, 1], [0, 1], color="grey", lw=0.7, alpha=0.6, label="rank = M")
        top.set_ylim(0, 1.12)
        top.set_title(model)
        top.set_ylabel("QFIM rank / orbit dimension")
        top.legend(frameon=False, loc="lower right", fontsize=7,
                   title="solid: max over points, dotted: min", title_fontsize=7)
        bottom.axvline(1.0, color="black", ls="--", lw=0.8)
        bottom.set_yscale("log")
        bottom.set_xlabel("M / orbit dimension")
        bottom.set_ylabel("spectral gap at the cut\n(worst point)")
    fig.tight_layout()
    return save(fig, out_stem)
