"""large: the trainability transition past the paper's sizes, success fraction against M.

One panel per model; per size n one colour: the published protocol's success fraction (filled
markers, 95 % Wilson intervals as bars) and the fixed protocol's (open markers, dashed), against
M on a logarithmic axis. The orbit dimension (dashed) and dim g (dotted) of each size are vertical
lines in its colour.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """Success fraction against M per model (panels) and size (colours) from ``results/tables/large.csv``."""
    setup()
    rows = read_csv(table)
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(models), figsize=(4.2 * len(models), 3.3), squeeze=False)
    for ax, model in zip(axes[0], models):
        sizes: dict[int, list[dict]] = defaultdict(list)
        for r in rows:
            if r["model"] == model:
                sizes[int(r["n"])].append(r)
        handles = []
        for k, n in enumerate(sorted(sizes)):
            colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
            rs = sorted(sizes[n], key=lambda r: int(r["n_params"]))
            m = np.array([int(r["n_params"]) for r in rs])
            runs = np.array([int(r["runs"]) for r in rs])
            frac = np.array([int(r["successes"]) for r in rs]) / runs
            lo = np.array([float(r["success_lo"]) for r in rs])
            hi = np.array([float(r["success_hi"]) for r in rs])
            ax.errorbar(m, frac, yerr=[np.clip(frac - lo, 0, None), np.clip(hi - frac, 0, None)], color=colour,
                        marker=marker, ms=4.5, lw=1.3, capsize=2.5)
            if all(r["fixed_successes"] != "" for r in rs):
                fixed = np.array([int(r["fixed_successes"]) for r in rs]) / runs
                ax.plot(m, fixed, color=colour, marker=marker, ms=4.5, mfc="white", ls="--", lw=0.9)
            if rs[0]["orbit_dim"]:
                ax.axvline(int(rs[0]["orbit_dim"]), color=colour, ls="--", lw=0.8, alpha=0.8)
            if rs[0]["dla_dim"]:
                ax.axvline(int(rs[0]["dla_dim"]), color=colour, ls=":", lw=1.0, alpha=0.9)
            handles.append(Line2D([], [], color=colour, marker=marker, ms=4.5, label=f"n = {n} ({rs[0]['runs']} runs)"))
        handles += [
            Line2D([], [], color="grey", marker="o", mfc="white", ls="--", lw=0.9, label="fixed protocol"),
            Line2D([], [], color="grey", ls="--", lw=0.8, label="orbit dimension"),
            Line2D([], [], color="grey", ls=":", lw=1.0, label="dim g"),
        ]
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(model)
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("success fraction (final loss < threshold)")
        ax.legend(handles=handles, frameon=False, loc="upper left", fontsize=7)
    fig.tight_layout()
    return save(fig, out_stem)
