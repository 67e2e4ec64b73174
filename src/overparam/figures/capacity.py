"""capacity: effective dimension of the paper's models against M, saturating with the QFIM rank."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv

#: An empty table is a result here (nothing to compare in this build): the figure says so.
EMPTY_TABLE_OK = True


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """One panel per model: per size, Abbas et al.'s effective dimension (filled) and the effective
    quantum dimension max rank (hollow) against M, both divided by the orbit dimension when known;
    the orbit dimension (capacity's maximum) is the dashed line at 1."""
    setup()
    rows = read_csv(table)
    groups: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        groups[r["model"]][int(r["n"])].append(r)
    models = list(groups)
    fig, axes = plt.subplots(1, max(1, len(models)), figsize=(3.3 * max(1, len(models)), 2.9), squeeze=False)
    if not models:
        axes[0][0].text(0.5, 0.5, "no QFIM sweep rows", ha="center", va="center")
    for ax, model in zip(axes[0], models):
        scaled = True
        for k, (n, sel) in enumerate(sorted(groups[model].items())):
            sel.sort(key=lambda r: int(r["n_params"]))
            orbit = int(sel[0]["orbit_dim"]) if sel[0]["orbit_dim"] else None
            scaled = scaled and orbit is not None
            norm = orbit or 1
            ms = [int(r["n_params"]) for r in sel]
            colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
            ax.plot(ms, [float(r["abbas_ed"]) / norm for r in sel], color=colour, marker=marker, ms=4,
                    label=f"n = {n}: $d_{{\\rm eff}}$ (Abbas)")
            ax.plot(ms, [int(r["quantum_dimension"]) / norm for r in sel], color=colour, marker=marker, ms=6,
                    mfc="none", ls=":", label=f"n = {n}: max rank")
        if scaled:
            ax.axhline(1.0, color="black", ls="--", lw=1, label="orbit dimension")
        ax.set_title(model)
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("capacity / orbit dimension" if scaled else "capacity")
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False, fontsize=6)
    fig.tight_layout()
    return save(fig, out_stem)
