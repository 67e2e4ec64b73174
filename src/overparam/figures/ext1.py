"""ext1: SLD QFIM spectra and ranks versus depth under local and global depolarizing noise."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from overparam.figures.style import MARKERS, PALETTE, save, setup
from overparam.results.tables import read_csv

# Eigenvalues at or below zero (roundoff of exact zeros) are drawn on this floor of the log axis.
FLOOR = 1e-18


def _settings(rows: list[dict], kind: str) -> list[str]:
    strengths = {r["strength"] for r in rows if r["noise"] == kind}
    return sorted(strengths, key=float, reverse=(kind == "global"))


def _spectra(rows: list[dict], kind: str, strength: str | None) -> dict[int, list[tuple[np.ndarray, int]]]:
    """``layers -> [(eigenvalues, rank), ...]`` of one setting (all samples)."""
    out: dict[int, list[tuple[np.ndarray, int]]] = defaultdict(list)
    for r in rows:
        if r["noise"] == kind and (strength is None or r["strength"] == strength):
            vals = np.array([float(v) for v in r["spectrum"].split()])
            out[int(r["layers"])].append((vals, int(r["rank"])))
    return dict(sorted(out.items()))


def _spectrum_panel(ax: plt.Axes, spectra: dict, colour: str, title: str, reference: dict | None) -> None:
    for p, samples in spectra.items():
        for k, (vals, rank) in enumerate(samples):
            # Spread the samples of one depth a little so their eigenvalues do not hide each other.
            x = p + (k - (len(samples) - 1) / 2) * 0.08
            shown = np.clip(vals, FLOOR, None)
            ax.scatter(np.full(rank, x), shown[:rank], s=9, color=colour, linewidths=0, zorder=3)
            if rank < vals.size:
                ax.scatter(np.full(vals.size - rank, x), shown[rank:], s=9, facecolors="none",
                           edgecolors="0.55", linewidths=0.6, zorder=2)
    if reference:
        ps = list(reference)
        top = [max(v[0] for v, _ in reference[p]) for p in ps]
        ax.plot(ps, top, color="black", ls="--", lw=0.8, label="noiseless largest")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, None)
    ax.set_title(title)
    ax.set_xlabel("layers p")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _rank_panel(ax: plt.Axes, rows: list[dict], kind: str, strengths: list[str], clean: dict, label_fmt: str) -> None:
    ps = list(clean)
    ax.plot(ps, [2 * p for p in ps], color="0.6", ls=":", lw=1, label="M = 2p")
    ax.plot(ps, [max(r for _, r in clean[p]) for p in ps], color="black", ls="--", lw=1.4,
            marker="o", ms=5, mfc="none", label="noiseless", zorder=4)
    for k, strength in enumerate(strengths):
        spec = _spectra(rows, kind, strength)
        colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
        ax.plot(list(spec), [max(r for _, r in spec[p]) for p in spec], color=colour, marker=marker, ms=4,
                lw=1, label=label_fmt.format(float(strength)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("layers p")
    ax.set_ylabel("SLD QFIM rank (max over points)")
    ax.legend(frameon=False, fontsize=7)


def draw(table: str | Path, out_stem: str | Path, bounds: dict | None = None) -> list[Path]:
    """Spectrum panels (noiseless, each local p, each global q) and two rank-versus-depth panels.

    Filled dots: eigenvalues counted in the rank; open grey circles: eigenvalues below the cut.
    ``bounds`` (``(model, n) -> orbit dimension``), when given, is drawn on the rank panels.
    """
    setup()
    rows = read_csv(table)
    model, n = rows[0]["model"], int(rows[0]["n"])
    local, glob = _settings(rows, "local"), _settings(rows, "global")
    clean = _spectra(rows, "none", None)
    panels = [("none", None)] + [("local", s) for s in local] + [("global", s) for s in glob]
    # At most three panels a row, so that the page shows the text at a readable size.
    n_cols = min(3, len(panels) + 2)
    n_rows = int(np.ceil((len(panels) + 2) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.6 * n_cols, 3.1 * n_rows), squeeze=False)
    flat = list(axes.flat)
    for k, (kind, strength) in enumerate(panels):
        ax = flat[k]
        if kind == "none":
            _spectrum_panel(ax, clean, "black", "noiseless", None)
        else:
            idx = (local if kind == "local" else glob).index(strength)
            colour = PALETTE[idx % len(PALETTE)]
            title = f"local p = {float(strength):g}" if kind == "local" else f"global q = {float(strength):g}"
            _spectrum_panel(ax, _spectra(rows, kind, strength), colour, title, clean)
        if k % n_cols == 0:
            ax.set_ylabel("SLD QFIM eigenvalue")
    ax_local, ax_global = flat[len(panels)], flat[len(panels) + 1]
    _rank_panel(ax_local, rows, "local", local, clean, "p = {:g}")
    ax_local.set_title("rank, local noise")
    _rank_panel(ax_global, rows, "global", glob, clean, "q = {:g}")
    ax_global.set_title("rank, global noise")
    if bounds and (model, n) in bounds:
        for ax in (ax_local, ax_global):
            ax.axhline(bounds[(model, n)], color="0.3", lw=0.8, ls="-.", label="orbit bound")
            ax.legend(frameon=False, fontsize=7)
    for ax in flat[len(panels) + 2:]:
        ax.set_visible(False)
    fig.suptitle(f"{model}, n = {n}: SLD quantum Fisher information under depolarizing noise", fontsize=11)
    fig.tight_layout()
    return save(fig, out_stem)
