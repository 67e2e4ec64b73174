"""fig1: the computed counterpart of the paper's landscape schematic.

Top, left and right: the loss on a 2-D slice of parameter space of an underparametrized and an
overparametrized version of one model (log colour scale). The shallow slice passes through a
spurious local minimum (origin) and the lowest minimum found (at ``(1, 0)``); the second axis is the
origin's softest Hessian direction. The deep slice passes through the same spurious minimum carried
into the deeper circuit by zero-angle layers, where it is a saddle, and through the minimum that
descent from it reaches. Below: what the polished end points of every initialisation are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from overparam.figures.style import PALETTE, save, setup
from overparam.results.tables import read_csv

FLOOR = 1e-8
MARKER_STYLE = {
    "spurious minimum": ("v", PALETTE[1]),
    "global minimum": ("*", PALETTE[2]),
    "saddle": ("X", PALETTE[3]),
    "not converged": ("o", "0.5"),
}
KINDS = ("global minimum", "spurious minimum", "saddle", "not converged")


def _grid(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    alphas = sorted({float(r["alpha"]) for r in rows})
    betas = sorted({float(r["beta"]) for r in rows})
    z = np.full((len(betas), len(alphas)), np.nan)
    ia = {a: i for i, a in enumerate(alphas)}
    ib = {b: j for j, b in enumerate(betas)}
    for r in rows:
        z[ib[float(r["beta"])], ia[float(r["alpha"])]] = float(r["loss"])
    return np.array(alphas), np.array(betas), z


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Draw fig1 from ``results/tables/fig1.csv``."""
    setup()
    rows = read_csv(table)
    by_layers: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_layers[int(r["layers"])][r["item"]].append(r)
    depths = sorted(by_layers)
    # Two rows so that the page shows the text at a readable size: the two slices side by side,
    # the end-point counts below with their legend beside the bars (not over them).
    fig, grid = plt.subplots(2, 2, figsize=(9.6, 8.4), gridspec_kw={"height_ratios": [1.25, 1]})
    grid[1, 1].set_visible(False)
    axes = [grid[0, 0], grid[0, 1], grid[1, 0]]
    lo = max(FLOOR, min(float(r["loss"]) for d in depths for r in by_layers[d]["grid"]))
    hi = max(float(r["loss"]) for d in depths for r in by_layers[d]["grid"])
    norm = LogNorm(vmin=lo, vmax=hi)
    model, n = rows[0]["model"], rows[0]["n"]
    for ax, p, role in zip(axes[:2], depths, ("underparametrized", "overparametrized")):
        items = by_layers[p]
        a, b, z = _grid(items["grid"])
        mesh = ax.pcolormesh(a, b, np.clip(z, lo, None), norm=norm, cmap="viridis", shading="gouraud", rasterized=True)
        ax.contour(a, b, np.clip(z, lo, None), levels=np.geomspace(lo, hi, 14), colors="white", linewidths=0.3)
        # Only the points that lie in the plane (the table also lists projections of off-plane points).
        for m in items["marker"]:
            if abs(float(m["alpha"])) > 1.6 or abs(float(m["beta"])) > 1.0 or m["label"] == "carried lowest minimum":
                continue
            marker, colour = MARKER_STYLE.get(m["kind"], ("o", "0.5"))
            extra = f", index {m['hessian_index']}" if m["kind"] == "saddle" else ""
            kind = "" if m["label"] == m["kind"] else f" ({m['kind']}{extra})"
            ax.scatter(float(m["alpha"]), float(m["beta"]), marker=marker, s=110, color=colour, edgecolors="white",
                       linewidths=0.8, zorder=4, label=f"{m['label']}{kind}, loss {float(m['loss']):.2g}")
        m_params = items["grid"][0]["n_params"]
        ax.set_title(f"{role}: p = {p} (M = {m_params})")
        ax.set_xlabel("α (along the segment to the marked minimum)")
        ax.set_ylabel("β (softest Hessian direction)")
        ax.legend(frameon=True, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1)
    fig.colorbar(mesh, ax=axes[1], label="loss  E(θ) − E₀", fraction=0.05, pad=0.02)
    ax = axes[2]
    width = 0.8 / len(KINDS)
    x = np.arange(len(depths))
    for k, kind in enumerate(KINDS):
        counts = [Counter(r["kind"] for r in by_layers[p]["endpoint"])[kind] for p in depths]
        ax.bar(x + (k - (len(KINDS) - 1) / 2) * width, counts, width, color=MARKER_STYLE[kind][1],
               label=kind if kind != "global minimum" else "lowest / global minimum")
    carried = by_layers[depths[-1]]["carried"]
    saddles = sum(1 for r in carried if r["kind"] == "saddle")
    ax.set_xticks(x, [f"p = {p}\nM = {by_layers[p]['endpoint'][0]['n_params']}" for p in depths])
    ax.set_ylabel("initialisations")
    ax.set_title(f"end points ({len(by_layers[depths[0]]['endpoint'])} inits);\n"
                 f"carried minima: {saddles}/{len(carried)} are saddles at p = {depths[-1]}", fontsize=9)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.03, 1.0))
    fig.suptitle(f"{model}, n = {n}: spurious minima of the shallow model are saddles of the deep one", fontsize=10)
    fig.tight_layout()
    return save(fig, out_stem)
