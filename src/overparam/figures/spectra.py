"""Eigenvalue-spectrum panels shared by fig4 and supp1 (experiment 2).

Each panel shows the sorted spectra of one matrix (QFIM or Hessian) of one model, size and depth, at
random points and at converged solutions, on a log scale (the Hessian as ``|lambda|``, negative
eigenvalues drawn hollow), with the orbit bound as a vertical line: eigenvalues past that index must
vanish, so the drop of the QFIM spectrum should sit on it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv

FLOOR = 1e-18
KIND_STYLE = {"random": (PALETTE[0], MARKERS[0]), "converged": (PALETTE[1], MARKERS[1])}


def load(table: str | Path) -> dict[tuple[str, int], list[dict]]:
    """Rows of a fig4/supp1 table grouped by ``(model, n)``."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in read_csv(table):
        groups[(r["model"], int(r["n"]))].append(r)
    return groups


def draw_panel(ax: plt.Axes, rows: list[dict], matrix: str) -> None:
    """One matrix (``qfim`` or ``hessian``) of one group: every point's sorted spectrum."""
    sel = [r for r in rows if (r["matrix"] == "hessian") == (matrix == "hessian")]
    curves: dict[tuple[str, str, str], list[tuple[int, float]]] = defaultdict(list)
    for r in sel:
        curves[(r["point"], r["run"], r["matrix"])].append((int(r["index"]), float(r["eigenvalue"])))
    seen = set()
    for (kind, _run, _m), pts in sorted(curves.items()):
        colour, marker = KIND_STYLE.get(kind, ("0.3", "o"))
        vals = np.array([v for _, v in sorted(pts)])
        if matrix == "hessian":  # sort by magnitude so the log-scale curve is monotone
            order = np.argsort(-np.abs(vals))
            vals = vals[order]
        idx = np.arange(1, len(vals) + 1)
        mag = np.clip(np.abs(vals), FLOOR, None)
        label = f"{kind} points" if kind not in seen else None
        seen.add(kind)
        ax.plot(idx, mag, color=colour, lw=0.7, alpha=0.6, label=label)
        pos, neg = vals >= 0, vals < 0
        ax.scatter(idx[pos], mag[pos], s=7, color=colour, marker=marker, zorder=3)
        if neg.any():
            ax.scatter(idx[neg], mag[neg], s=9, facecolors="none", edgecolors=colour, marker=marker, lw=0.7,
                       zorder=3, label="negative (|λ| shown)" if ("neg", kind) not in seen else None)
            seen.add(("neg", kind))
    if sel and sel[0]["orbit_dim"]:
        bound = int(sel[0]["orbit_dim"])
        ax.axvline(bound + 0.5, color="black", ls=":", lw=1.1, label=f"orbit bound = {bound}")
    ax.set_yscale("log")
    ax.set_xlabel("eigenvalue index (descending)")
    ax.set_ylabel("QFIM eigenvalue" if matrix == "qfim" else "|Hessian eigenvalue|")
    ax.legend(frameon=False, fontsize=6.5, loc="lower left")


def draw_grid(table: str | Path, out_stem: str | Path, layout: list[list[tuple[str, int, str] | None]]) -> list[Path]:
    """Panels laid out as ``layout[row][col] = (model, n, matrix)`` (``None`` leaves a hole)."""
    setup()
    groups = load(table)
    nrows, ncols = len(layout), max(len(r) for r in layout)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.6 * nrows), squeeze=False)
    for i, row in enumerate(layout):
        for j in range(ncols):
            ax = axes[i][j]
            cell = row[j] if j < len(row) else None
            if cell is None or (cell[0], cell[1]) not in groups:
                ax.set_visible(False)
                continue
            model, n, matrix = cell
            rows = groups[(model, n)]
            draw_panel(ax, rows, matrix)
            r0 = rows[0]
            ax.set_title(f"{model}, n = {n}, p = {r0['layers']} (M = {r0['n_params']}): "
                         f"{'QFIM' if matrix == 'qfim' else 'Hessian'}", fontsize=7.5)
    fig.tight_layout()
    return save(fig, out_stem)
