"""The figure of a user study: QFIM rank versus M against the Lie bounds, and training success versus M.

Left: per size, the maximal QFIM rank at random points (markers) and the orbit dimension (dashed,
same colour). Right: the fraction of training runs whose final loss is below the threshold, with
the critical M read off the left panel as a vertical dotted line.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.report.study import summarize


def draw(dla_csv: str | Path, qfim_csv: str | Path, train_csv: str | Path, out_stem: str | Path, title: str = "") -> list[Path]:
    """Draw the study figure (``out_stem``.png and .pdf) from its three tables."""
    setup()
    summary, settings = summarize(dla_csv, qfim_csv, train_csv)
    fig, (ax_r, ax_s) = plt.subplots(1, 2, figsize=(7.0, 2.9))
    for k, s in enumerate(summary):
        colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
        if s.ranks:
            ms = sorted(s.ranks)
            ax_r.plot(ms, [s.ranks[m][1] for m in ms], marker=marker, color=colour, ms=4, label=f"n = {s.n}: max rank")
        if s.orbit_dim is not None:
            ax_r.axhline(s.orbit_dim, color=colour, ls="--", lw=1, label=f"n = {s.n}: orbit bound {s.orbit_dim}")
        if s.success:
            ms = sorted(s.success)
            frac = [s.success[m][0] / s.success[m][1] for m in ms]
            ax_s.plot(ms, frac, marker=marker, color=colour, ms=4, label=f"n = {s.n}")
            if s.critical_m is not None:
                ax_s.axvline(s.critical_m, color=colour, ls=":", lw=1.2, label=f"n = {s.n}: critical M = {s.critical_m}")
    for ax in (ax_r, ax_s):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("number of parameters M")
    ax_r.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax_r.set_ylabel("QFIM rank at random points")
    ax_r.set_ylim(bottom=0)
    ax_s.set_ylabel(f"fraction of runs with loss < {settings.get('threshold', 0):g}")
    ax_s.set_ylim(-0.05, 1.05)
    ax_r.set_title("QFIM rank vs M")
    ax_s.set_title("training success vs M")
    ax_r.legend(frameon=False, loc="lower right", fontsize=7)
    ax_s.legend(frameon=False, loc="lower right", fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save(fig, out_stem)
