"""fig2: QFIM rank versus M against the Lie-algebraic bounds (computed counterpart of the schematic).

Per model: the maximal QFIM rank over random points at each M (markers), the orbit dimension of the
input state (dashed: the tight bound on the rank) and the dimension of the dynamical Lie algebra
(dotted: the bound on the critical number of parameters, drawn as a vertical line at M = dim g
when it falls inside the plotted range, else named at the edge of the axes it lies beyond).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Draw fig2 from ``results/tables/fig2.csv`` (one row per model, size and depth)."""
    setup()
    rows = read_csv(table)
    keys = list(dict.fromkeys((r["model"], int(r["n"])) for r in rows))
    # At most two panels a row, so that the page shows the text at a readable size.
    n_cols = min(2, len(keys))
    n_rows = -(-len(keys) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 3.4 * n_rows), squeeze=False)
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)
    for k, (ax, (model, n)) in enumerate(zip(axes.flat, keys)):
        sel = [r for r in rows if r["model"] == model and int(r["n"]) == n]
        by_m = defaultdict(int)
        for r in sel:
            by_m[int(r["n_params"])] = max(by_m[int(r["n_params"])], int(r["max_rank"]))
        ms = sorted(by_m)
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(ms, [by_m[m] for m in ms], marker=MARKERS[k % len(MARKERS)], color=colour, ms=4,
                label="max QFIM rank")
        orbit, dim = int(sel[0]["orbit_dim"]), int(sel[0]["dla_dim"])
        ax.axhline(orbit, color="black", ls="--", lw=1, label=f"orbit bound = {orbit}")
        if ms[0] <= dim <= ms[-1]:
            ax.axvline(dim, color="0.4", ls=":", lw=1.2, label=rf"$M = \dim\mathfrak{{g}} = {dim}$")
        else:
            # dim g lies outside the swept M: say where, on the axes, instead of a legend entry
            # for a line that is not drawn.
            right = dim > ms[-1]
            text = rf"$\dim\mathfrak{{g}} = {dim}$ →" if right else rf"← $\dim\mathfrak{{g}} = {dim}$"
            ax.text(0.98 if right else 0.02, 0.94, text, transform=ax.transAxes, ha="right" if right else "left",
                    va="center", color="0.3", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, orbit * 1.15 + 1)
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("QFIM rank")
        ax.set_title(f"{model}, n = {n}")
        ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return save(fig, out_stem)
