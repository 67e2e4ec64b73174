"""supp4: quantum-assisted compiling (experiment 4): loss curves per size, spectra at the solutions."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt

from overparam.figures.style import save, setup
from overparam.figures.training import draw_panel, draw_spectra_panel, load_shards, orbit_bounds
from overparam.results.tables import read_csv


def draw(table: str | Path, out_stem: str | Path, data: list | None = None, label: str = "loss 1 − |⟨0|ψ⟩|²") -> list[Path]:
    """Top row: loss versus step per size; bottom row: QFIM and Hessian spectra where computed."""
    setup()
    shards = load_shards(data or [])
    bounds = orbit_bounds(read_csv(table))
    by_n: dict[int, list[dict]] = defaultdict(list)
    for s in shards:
        by_n[int(s["n"])].append(s)
    sizes = sorted(by_n)
    spectral = [s for s in shards if "qfim_spectra" in s]
    rows = 2 if spectral else 1
    cols = max(len(sizes), len(spectral))
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols + 0.6, 2.6 * rows), squeeze=False)
    for j, n in enumerate(sizes):
        mappable = draw_panel(axes[0][j], by_n[n], label=label)
        axes[0][j].set_title(f"{by_n[n][0]['model']}, n = {n}")
        fig.colorbar(mappable, ax=axes[0][j], label="parameters M", fraction=0.05, pad=0.02)
    for j in range(len(sizes), cols):
        axes[0][j].set_visible(False)
    if spectral:
        for j, s in enumerate(sorted(spectral, key=lambda s: (int(s["n"]), int(s["layers"])))):
            bound = bounds.get((str(s["model"]), int(s["n"])))
            draw_spectra_panel(axes[1][j], s, bound)
            axes[1][j].set_title(f"n = {int(s['n'])}, L = {int(s['layers'])}, M = {int(s['n_params'])}")
        for j in range(len(spectral), cols):
            axes[1][j].set_visible(False)
    fig.tight_layout()
    return save(fig, out_stem)
