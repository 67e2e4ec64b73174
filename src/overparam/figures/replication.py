"""Replication figures: published results beside the regenerated ones (the book's Replication chapter).

``draw_training`` draws one training experiment (fig3, supp4 or supp5) from its
``replication_<experiment>`` table: per model and size, the published and regenerated success fractions with 95 % Wilson
intervals against M, the orbit dimension (the QFIM-rank saturation M_c) and dim g as vertical lines.
``draw_ranks`` draws the published and regenerated maximal QFIM ranks of the rank sweeps (supp2)
against M from the ``replication_ranks`` table.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from overparam.figures.style import PALETTE, save, setup
from overparam.results.tables import read_csv

PUBLISHED, REGENERATED, FIXED = PALETTE[0], PALETTE[1], PALETTE[3]
ORBIT, DLA = PALETTE[2], PALETTE[7]


def _panel_grid(count: int):
    """A figure of ``count`` panels, four to a row; panels past ``count`` are switched off."""
    cols = min(4, max(1, count))
    nrows = max(1, -(-count // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(3.1 * cols, 2.6 * nrows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_axis_off()
    return fig, axes


def _fraction(k: str, runs: str, lo: str, hi: str) -> tuple[float, float, float] | None:
    if not k or not runs:
        return None
    f = int(k) / int(runs)
    return f, f - float(lo), float(hi) - f


def _side_fraction(row: dict, side: str) -> tuple[float, float, float] | None:
    """(fraction, minus, plus) of one side of a row: published, regenerated or the fixed protocol's."""
    if side == "fixed":
        return _fraction(row.get("regenerated_fixed", ""), row["regenerated_runs"], row.get("fixed_lo", ""),
                         row.get("fixed_hi", ""))
    return _fraction(row[f"{side}_k"], row[f"{side}_runs"], row[f"{side}_lo"], row[f"{side}_hi"])


def _primary_source(rows: list[dict]) -> str | None:
    """The regenerated source drawn: a committed paper-scale record if present, else the build."""
    sources = list(dict.fromkeys(r["source"] for r in rows if r["source"]))
    records = [s for s in sources if s.startswith("record")]
    return (records or sources or [None])[0]


def _bound_lines(ax: plt.Axes, row: dict, labelled: bool) -> None:
    for column, colour, style, label in (("orbit_dim", ORBIT, "--", "orbit dim = $M_c$"),
                                         ("dla_dim", DLA, ":", "dim $\\mathfrak{g}$")):
        if row.get(column):
            ax.axvline(int(row[column]), color=colour, ls=style, lw=1.1, label=label if labelled else None)


def draw_training(table: str | Path, out_stem: str | Path, experiment: str) -> list[Path]:
    """One panel per (model, n) of ``experiment``; a one-line panel if the table has none of its rows."""
    setup()
    rows = [r for r in read_csv(table) if r["experiment"] == experiment]
    source = _primary_source(rows)
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        if r["source"] in (source, ""):
            groups[(r["model"], int(r["n"]))].append(r)
    keys = sorted(groups)
    fig, axes = _panel_grid(len(keys))
    if not keys:
        axes[0][0].text(0.5, 0.5, f"no {experiment} rows in the table", ha="center", va="center")
    protocols = {r.get("regenerated_protocol", "") for r in rows if r["source"] == source and r["regenerated_k"]}
    published_protocol = protocols == {"published"}
    if published_protocol:
        regenerated_label = "regenerated, published protocol"
    elif protocols and all(p.startswith("stop below") for p in protocols):
        regenerated_label = "regenerated, fixed protocol (stop at the floor)"
    else:
        regenerated_label = "regenerated, protocol not recorded"
    series = [("published", PUBLISHED, "o", "published", -0.01),
              ("regenerated", REGENERATED, "s", regenerated_label, 0.01)]
    if published_protocol:
        series.append(("fixed", FIXED, "^", "regenerated, fixed protocol (same runs)", 0.03))
    for i, (ax, key) in enumerate(zip(axes.flat, keys)):
        sel = sorted(groups[key], key=lambda r: int(r["n_params"]))
        for side, colour, marker, label, dx in series:
            pts = [(int(r["n_params"]), _side_fraction(r, side)) for r in sel]
            pts = [(m, f) for m, f in pts if f is not None]
            if not pts:
                continue
            ms = [m * (1 + dx) for m, _ in pts]
            ax.errorbar(ms, [f[0] for _, f in pts], yerr=[[f[1] for _, f in pts], [f[2] for _, f in pts]],
                        color=colour, marker=marker, ms=3.5, lw=1, capsize=2, label=label if i == 0 else None)
        _bound_lines(ax, sel[0], i == 0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(-0.04, 1.04)
        ax.set_title(f"{key[0]}, n = {key[1]}")
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("success fraction")
    if keys:
        fig.legend(loc="lower center", ncol=5 if axes.shape[1] >= 3 else 2, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(f"{experiment}: published vs regenerated ({source or 'no regenerated source'}); "
                 "success = final loss < 1e-4; bars: 95 % Wilson", fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save(fig, out_stem)


def draw_ranks(table: str | Path, out_stem: str | Path, experiment: str = "supp2") -> list[Path]:
    """Published and regenerated maximal QFIM ranks at random points against M, one panel per (model, n)."""
    setup()
    rows = [r for r in read_csv(table) if r["experiment"] == experiment and r["kind"] == "qfim"
            and r["point"] == "random" and r["noise"] == "none"]
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], int(r["n"]))].append(r)
    keys = sorted(groups)
    fig, axes = plt.subplots(1, max(1, len(keys)), figsize=(3.1 * max(1, len(keys)), 2.7), squeeze=False)
    if not keys:
        axes[0][0].text(0.5, 0.5, f"no {experiment} rank rows in the table", ha="center", va="center")
    for i, (ax, key) in enumerate(zip(axes[0], keys)):
        sel = sorted(groups[key], key=lambda r: int(r["n_params"]))
        for column, colour, marker, label in (("published_ranks", PUBLISHED, "o", "published"),
                                              ("regenerated_ranks", REGENERATED, "s", "regenerated")):
            pts = [(int(r["n_params"]), int(r[column].split("–")[-1])) for r in sel if r[column]]
            if pts:
                ax.plot(*zip(*pts), color=colour, marker=marker, ms=3.5, lw=1, label=label if i == 0 else None)
        if sel[0]["orbit_dim"]:
            ax.axhline(int(sel[0]["orbit_dim"]), color=ORBIT, ls="--", lw=1, label="orbit dim" if i == 0 else None)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{key[0]}, n = {key[1]}")
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("max QFIM rank (random points)")
        ax.set_ylim(bottom=0)
    if keys:
        fig.legend(loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return save(fig, out_stem)


def draw_spectra(table: str | Path, out_stem: str | Path) -> list[Path]:
    """Published eigenvalues overlaid on regenerated ones: ``|λ| / max |λ|`` against the index, one panel
    per (experiment, model, n, M, matrix, point) that both sides have; one line if there is none."""
    setup()
    rows = [r for r in read_csv(table) if r["experiment"] != "all"]
    groups: dict[tuple, dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        key = (r["experiment"], r["model"], int(r["n"]), int(r["n_params"]), r["kind"], r["point"])
        groups[key][(r["side"], r["sample"])].append(abs(float(r["eigenvalue"])))
    keys = sorted(groups)
    fig, axes = _panel_grid(len(keys))
    if not keys:
        axes[0][0].set_axis_on()
        axes[0][0].text(0.5, 0.5, "no configuration with both published\nand regenerated spectra", ha="center",
                        va="center", transform=axes[0][0].transAxes)
    for i, (ax, key) in enumerate(zip(axes.flat, keys)):
        for (side, _), values in sorted(groups[key].items()):
            top = max(values) or 1.0
            colour, marker = (PUBLISHED, "o") if side == "published" else (REGENERATED, "s")
            ax.semilogy(range(1, len(values) + 1), [max(v / top, 1e-18) for v in values], color=colour, marker=marker,
                        ms=2.5, lw=0.6, alpha=0.7)
        ax.set_title(f"{key[1]} n = {key[2]}, M = {key[3]}: {key[4]} ({key[5]})", fontsize=7)
        ax.set_xlabel("eigenvalue index")
        ax.set_ylabel("|λ| / max |λ|")
    if keys:
        handles = [plt.Line2D([], [], color=PUBLISHED, marker="o", ms=3, label="published"),
                   plt.Line2D([], [], color=REGENERATED, marker="s", ms=3, label="regenerated")]
        fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save(fig, out_stem)
