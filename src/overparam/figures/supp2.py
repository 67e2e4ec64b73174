"""supp2: QFIM rank versus number of parameters at random points (experiment 3)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """One panel per model; per size the ranks of every sample (dots) and their maximum (line).

    The orbit dimension of each (model, size), from the table's ``orbit_dim`` column, is drawn as a
    dashed horizontal line in the size's colour.
    """
    setup()
    rows = read_csv(table)
    bounds = {(r["model"], int(r["n"])): int(r["orbit_dim"]) for r in rows if r.get("orbit_dim")}
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(models), figsize=(3.4 * len(models), 2.9), squeeze=False)
    for ax, model in zip(axes[0], models):
        sizes = sorted({int(r["n"]) for r in rows if r["model"] == model})
        for k, n in enumerate(sizes):
            colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
            by_m: dict[int, list[int]] = defaultdict(list)
            for r in rows:
                if r["model"] == model and int(r["n"]) == n:
                    by_m[int(r["n_params"])].append(int(r["rank"]))
            ms = np.array(sorted(by_m))
            ax.scatter(
                np.repeat(ms, [len(by_m[m]) for m in ms]),
                np.concatenate([by_m[m] for m in ms]),
                s=10, color=colour, alpha=0.35, marker=marker, linewidths=0,
            )
            ax.plot(ms, [max(by_m[m]) for m in ms], color=colour, marker=marker, ms=4, label=f"n = {n}")
            if bounds and (model, n) in bounds:
                ax.axhline(bounds[(model, n)], color=colour, ls="--", lw=1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.set_title(model)
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("QFIM rank (random points)")
        ax.legend(frameon=False, title="max over samples" if not bounds else "max; dashed: orbit bound")
    fig.tight_layout()
    return save(fig, out_stem)
