"""hardware: QFIM rank versus M measured with shots on Google's virtual processors, beside exact.

Left: the rank per M (exact from state vectors; shot-based from the noiseless and the noisy
virtual engine, each cut at its own shot-noise tolerance). Right: the whole spectra, with each
backend's cut drawn as a short bar, so that the gap (or its absence) is visible.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv

ORDER = ("virtual-noiseless", "virtual-noisy", "engine")


def _floats(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split()]) if text else np.zeros(0)


def draw(table: str | Path, out_stem: str | Path, bounds: dict | None = None) -> list[Path]:
    """Rank vs M and spectra vs M from ``results/tables/hardware.csv``; ``bounds`` as in supp2
    (``(model, n) -> orbit dimension``, a dashed line)."""
    setup()
    rows = read_csv(table)
    backends = sorted({r["backend"] for r in rows}, key=lambda b: ORDER.index(b) if b in ORDER else len(ORDER))
    fig, (ax_rank, ax_spec) = plt.subplots(1, 2, figsize=(7.2, 3.0))
    exact: dict[int, list[int]] = defaultdict(list)
    exact_spec: dict[int, np.ndarray] = {}
    for r in rows:
        exact[int(r["n_params"])].append(int(r["exact_rank"]))
        exact_spec.setdefault(int(r["n_params"]), _floats(r["exact_spectrum"]))
    ms = np.array(sorted(exact))
    ax_rank.plot(ms, [max(exact[m]) for m in ms], color="black", lw=1.2, marker="o", mfc="none", ms=7,
                 label="exact (state vector)")
    width = 0.25
    for k, backend in enumerate(backends):
        colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
        by_m: dict[int, list[int]] = defaultdict(list)
        spectra: dict[int, list[tuple[np.ndarray, float]]] = defaultdict(list)
        for r in rows:
            if r["backend"] == backend:
                m = int(r["n_params"])
                by_m[m].append(int(r["rank"]))
                spectra[m].append((_floats(r["spectrum"]), float(r["tolerance"])))
        bm = np.array(sorted(by_m))
        offset = (k - (len(backends) - 1) / 2) * 0.15
        reps = next(r["repetitions"] for r in rows if r["backend"] == backend)
        ax_rank.plot(bm + offset, [max(by_m[m]) for m in bm], ls="none", marker=marker, color=colour, ms=5,
                     label=f"{backend} ({reps} shots)")
        for m in bm:
            for spec, tol in spectra[m]:
                x = m + offset
                ax_spec.scatter(np.full(spec.size, x), np.clip(np.abs(spec), 1e-4, None), s=9, color=colour,
                                marker=marker, linewidths=0, alpha=0.8)
                ax_spec.plot([x - width / 2, x + width / 2], [tol, tol], color=colour, lw=1.5)
    for m, spec in exact_spec.items():
        ax_spec.scatter(np.full(spec.size, m), np.clip(np.abs(spec), 1e-4, None), s=12, facecolors="none",
                        edgecolors="black", linewidths=0.6)
    if bounds:
        model_n = {(r["model"], int(r["n"])) for r in rows}
        for key in model_n:
            if key in bounds:
                ax_rank.axhline(bounds[key], color="grey", ls="--", lw=1, label="orbit bound")
    ax_rank.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_rank.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax_rank.set_ylim(bottom=0)
    ax_rank.set_xlabel("number of parameters M")
    ax_rank.set_ylabel("QFIM rank")
    ax_rank.legend(frameon=False)
    ax_spec.set_yscale("log")
    ax_spec.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_spec.set_xlabel("number of parameters M")
    ax_spec.set_ylabel("|QFIM eigenvalue| (bars: shot-noise cut)")
    ax_spec.set_title("open circles: exact; 1e-4 = zero", fontsize=8)
    title = rows[0]["model"] + f", n = {rows[0]['n']}, processor {rows[0]['processor']}" if rows else ""
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return save(fig, out_stem)
