"""Loss-versus-step panels shared by fig3, supp4 and supp5.

Each training shard (``results/data/train/<experiment>/<run>.npz``) holds ``curves`` (runs x
steps+1 losses) and the metadata ``n``, ``layers``, ``n_params``, ``model``; the figure draws every
run thinly, coloured by its number of parameters M (viridis: ordered and colour-blind safe), and
the median over runs thickly.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from overparam.fileio import read_npz
from overparam.figures.style import save, setup


def load_shards(files: Iterable[str | Path]) -> list[dict]:
    """Read training shards (``.npz`` with curves and scalar metadata)."""
    shards = []
    for f in files:
        arrays = read_npz(f, "training shard")
        shards.append({k: (v if v.ndim else v.item()) for k, v in arrays.items()})
    return shards


def draw_panel(ax: plt.Axes, shards: list[dict], floor: float = 1e-14, label: str = "loss") -> mpl.cm.ScalarMappable:
    """Loss curves of one panel, one colour per M; returns the colour mapping for a colour bar."""
    ms = sorted({int(s["n_params"]) for s in shards})
    norm = mpl.colors.Normalize(vmin=min(ms), vmax=max(ms) if max(ms) > min(ms) else min(ms) + 1)
    cmap = mpl.colormaps["viridis"]
    by_m: dict[int, list[np.ndarray]] = defaultdict(list)
    for s in shards:
        by_m[int(s["n_params"])].append(np.asarray(s["curves"]))
    for m in ms:
        curves = np.clip(np.concatenate(by_m[m], axis=0), floor, None)
        steps = np.arange(curves.shape[1])
        colour = cmap(norm(m))
        ax.plot(steps, curves.T, color=colour, lw=0.3, alpha=0.25, rasterized=True)
        ax.plot(steps, np.median(curves, axis=0), color=colour, lw=1.4)
    ax.set_yscale("log")
    ax.set_xlabel("optimisation step")
    ax.set_ylabel(label)
    return mpl.cm.ScalarMappable(norm=norm, cmap=cmap)


def draw_grid(
    panels: dict[tuple[str, int], list[dict]], out_stem: str | Path, label: str, title_fmt: str = "{model}, n = {n}"
) -> list[Path]:
    """A grid of loss panels keyed by (row label, n): one row per model, one column per size."""
    setup()
    rows = list(dict.fromkeys(k[0] for k in panels))
    cols = max(sum(1 for k in panels if k[0] == r) for r in rows)
    fig, axes = plt.subplots(len(rows), cols, figsize=(2.9 * cols + 0.6, 2.5 * len(rows)), squeeze=False)
    for i, row in enumerate(rows):
        keys = sorted((k for k in panels if k[0] == row), key=lambda k: k[1])
        for j in range(cols):
            ax = axes[i][j]
            if j >= len(keys):
                ax.set_visible(False)
                continue
            mappable = draw_panel(ax, panels[keys[j]], label=label)
            ax.set_title(title_fmt.format(model=row, n=keys[j][1]))
            fig.colorbar(mappable, ax=ax, label="parameters M", fraction=0.05, pad=0.02)
    fig.tight_layout()
    return save(fig, out_stem)


def orbit_bounds(table_rows: list[dict]) -> dict[tuple[str, int], int]:
    """``(model, n) -> orbit_dim`` from a training table (rows without a bound are skipped)."""
    return {(r["model"], int(r["n"])): int(r["orbit_dim"]) for r in table_rows if r.get("orbit_dim")}


def draw_spectra_panel(ax: plt.Axes, shard: dict, bound: int | None, floor: float = 1e-16) -> None:
    """Sorted QFIM (per input state) and |Hessian| spectra at the trained solutions of one shard."""
    qfim = np.asarray(shard["qfim_spectra"])  # (runs, states, M)
    hess = np.asarray(shard["hessian_spectra"])  # (runs, M)
    index = np.arange(1, qfim.shape[-1] + 1)
    for s in range(qfim.shape[1]):
        colour = PALETTE_STATES[s % len(PALETTE_STATES)]
        label = "QFIM" if qfim.shape[1] == 1 else f"QFIM, state {s + 1}"
        for r in range(qfim.shape[0]):
            ax.plot(index, np.clip(qfim[r, s], floor, None), color=colour, lw=0.8, alpha=0.7,
                    label=label if r == 0 else None)
    for r in range(hess.shape[0]):
        ax.plot(index, np.clip(np.sort(np.abs(hess[r]))[::-1], floor, None), color="black", lw=0.8, ls="--",
                alpha=0.7, label="|Hessian|" if r == 0 else None)
    if bound:
        ax.axvline(bound, color="0.4", ls=":", lw=1.2, label=f"orbit bound = {bound}")
    ax.set_yscale("log")
    ax.set_xlabel("eigenvalue index")
    ax.set_ylabel("eigenvalue")
    ax.legend(frameon=False, fontsize=7)


PALETTE_STATES = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
