"""failures: what stopped the failed training runs, against M, and the success fraction under larger budgets.

Top rows, one panel per (experiment, model, n), at most four a row: the fraction of all runs in each
class (a success of the training itself, then the labels of the failures' continuations), stacked bars
against M, with the orbit dimension (dotted) and dim g (dashed) marked; hatched, the failed runs that
had reached the round-off floor before Adam threw them back out. Bottom row (when budget results are
given): the success fraction against M of the same initialisations under each optimisation budget
(solid: final loss below 1e-4; dotted, where it differs: counting the runs that reached the floor).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from overparam.errors import BadInput
from overparam.figures.style import MARKERS, PALETTE, plt, save, setup
from overparam.results.tables import read_csv
from overparam.results.tables.failures import SUMMARY_HEADER

#: An empty table is a result here (nothing to compare in this build): the figure says so.
EMPTY_TABLE_OK = True

CLASSES = ("success", "converges", "local-minimum", "saddle", "unresolved")
CLASS_LABELS = {"success": "success (3000 Adam steps)", "converges": "failed: continuation converges",
                "local-minimum": "failed: local minimum", "saddle": "failed: saddle",
                "unresolved": "failed: unresolved"}
COLOURS = dict(zip(CLASSES, (PALETTE[2], PALETTE[5], PALETTE[1], PALETTE[4], PALETTE[7])))
THROWN_LABEL = "failed after reaching the floor (thrown back by Adam)"
MAX_COLUMNS = 4
BUDGET_LABELS = {"adam3000": "Adam, 3000 steps", "adam30000": "Adam, 30000 steps",
                 "adam-decay": "Adam, rate 0.01 → 1e-4", "bfgs": "BFGS + Newton to convergence",
                 "adam3000+continuation": "3000 Adam steps + continuation"}


def _summary_confs(path: str | Path) -> list[dict]:
    """The configurations of a failures_summary.csv, in the layout of the classification JSONs.

    The per-run JSONs of a long sweep need not outlive it: its summary table keeps every count the
    figure draws, so a record can be extended one configuration at a time and redrawn from the table.
    """
    rows = read_csv(path)
    missing = [c for c in SUMMARY_HEADER if rows and c not in rows[0]]
    if missing:
        raise BadInput(f"--data {str(path)!r} has no column {', '.join(missing)}; a .csv given as --data is read "
                       "as failures_summary.csv")
    return [{"experiment": r["experiment"], "model": r["model"], "n": int(r["n"]), "n_params": int(r["n_params"]),
             "runs": int(r["runs"]), "failed": int(r["failed"]),
             "counts": {k: int(r[k]) for k in CLASSES[1:]},
             "reached_floor": int(r["reached_floor"]) if r["reached_floor"] not in ("", None) else None}
            for r in rows]


def _load(data: list) -> tuple[list[dict], list[dict]]:
    confs, budget = [], []
    for path in data or []:
        if str(path).endswith(".csv"):
            confs.extend(_summary_confs(path))
            continue
        obj = json.loads(Path(path).read_text())
        if "mode" in obj:
            budget.append(obj)
        elif "results" in obj and "counts" in obj:
            confs.append(obj)
    return confs, budget


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Draw the label fractions from the classification JSONs in ``data`` (and budget results, if any).

    A ``.csv`` in ``data`` is read as a failures_summary table, one configuration per row.

    ``table`` is failures.csv; its ``dla_dim`` / ``orbit_dim`` columns give the marked bounds.
    """
    setup()
    rows = read_csv(table)
    bounds = {(r["model"], int(r["n"])): (r["orbit_dim"], r["dla_dim"]) for r in rows if r.get("dla_dim")}
    confs, budget = _load(data or [])
    panels: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
    for c in confs:
        panels[(c["experiment"], c["model"], int(c["n"]))].append(c)
    keys = sorted(panels)
    budget_sizes = sorted({int(b["n"]) for b in budget})
    ncols = max(min(len(keys), MAX_COLUMNS), len(budget_sizes), 1)
    label_rows = max(-(-len(keys) // ncols), 1)
    nrows = label_rows + (1 if budget else 0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.0 * nrows), squeeze=False)
    label_axes = [ax for row in axes[:label_rows] for ax in row]
    for ax, key in zip(label_axes, keys):
        confs_k = sorted(panels[key], key=lambda c: c["n_params"])
        ms = np.array([c["n_params"] for c in confs_k])
        fractions = {
            "success": np.array([(c["runs"] - c["failed"]) / c["runs"] for c in confs_k]),
            **{label: np.array([c["counts"].get(label, 0) / c["runs"] for c in confs_k]) for label in CLASSES[1:]},
        }
        # Stacked bars (one per configuration): a lone configuration stays visible.
        width = 0.8 * (float(np.min(np.diff(ms))) if len(ms) > 1 else 2.0)
        bottom = np.zeros(len(ms))
        for label in CLASSES:
            ax.bar(ms, fractions[label], width=width, bottom=bottom, color=COLOURS[label],
                   label=CLASS_LABELS[label], edgecolor="white", linewidth=0.3)
            bottom += fractions[label]
        thrown = np.array([(c.get("reached_floor") or 0) / c["runs"] for c in confs_k])
        if np.any(thrown > 0):
            ax.bar(ms, thrown, width=width, bottom=fractions["success"], facecolor="none", edgecolor="k",
                   hatch="////", linewidth=0.3, label=THROWN_LABEL)
        _mark_bounds(ax, bounds.get(key[1:]))
        ax.set_title(f"{key[0]}: {key[1]}, n = {key[2]}")
        ax.set_xlabel("number of parameters M")
        ax.set_ylabel("fraction of runs")
        ax.set_ylim(0, 1)
    if keys:
        seen: dict[str, object] = {}
        for ax in label_axes[: len(keys)]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                seen.setdefault(label, handle)
        top = 1.0 - 0.07 / nrows if budget else 1.0
        fig.legend(list(seen.values()), list(seen), loc="lower center", bbox_to_anchor=(0.5, top), ncol=4,
                   fontsize=7, frameon=False)
    for ax in label_axes[len(keys):]:
        ax.set_axis_off()
    if budget:
        for ax, n in zip(axes[-1], budget_sizes):
            modes = sorted({b["mode"] for b in budget if int(b["n"]) == n}, key=lambda m: list(BUDGET_LABELS).index(m)
                           if m in BUDGET_LABELS else 99)
            for mode in modes:
                # One colour and marker per optimiser across the panels.
                k = list(BUDGET_LABELS).index(mode) if mode in BUDGET_LABELS else len(BUDGET_LABELS)
                pts = sorted((b["n_params"], b["successes"] / b["runs"]) for b in budget
                             if int(b["n"]) == n and b["mode"] == mode)
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=MARKERS[k % len(MARKERS)], ms=4,
                        color=PALETTE[k % len(PALETTE)], label=BUDGET_LABELS.get(mode, mode))
                fixed = sorted((b["n_params"], (b.get("fixed_successes") if b.get("fixed_successes") is not None
                                                else b["successes"]) / b["runs"]) for b in budget
                               if int(b["n"]) == n and b["mode"] == mode)
                if any(abs(f[1] - p[1]) > 0 for f, p in zip(fixed, pts)):
                    ax.plot([p[0] for p in fixed], [p[1] for p in fixed], ls=":", lw=1,
                            color=PALETTE[k % len(PALETTE)])
            model = next((b.get("model", "tfim-open") for b in budget if int(b["n"]) == n), "tfim-open")
            _mark_bounds(ax, bounds.get((model, n)))
            ax.set_title(f"success fraction vs budget: {model}, n = {n}")
            ax.set_xlabel("number of parameters M")
            ax.set_ylabel("success fraction (loss < 1e-4)")
            ax.set_ylim(-0.03, 1.03)
        # One legend for the row, below it (one per panel would overlap its neighbours' axis labels).
        budget_seen: dict[str, object] = {}
        for ax in axes[-1][: len(budget_sizes)]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                budget_seen.setdefault(label, handle)
        if any(line.get_linestyle() == ":" and line.get_label().startswith("_") for ax in axes[-1]
               for line in ax.get_lines()):
            budget_seen["dotted: the same runs, counting those that reached the floor 1e-11"] = plt.Line2D(
                [], [], color="0.4", ls=":", lw=1)
        fig.legend(list(budget_seen.values()), list(budget_seen), loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=4, fontsize=7, frameon=False)
        for ax in axes[-1][len(budget_sizes):]:
            ax.set_axis_off()
    # Not tight_layout: it would shrink the axes to make room for the legends below them; the saved
    # figure is cropped to everything drawn (bbox_inches="tight").
    fig.subplots_adjust(wspace=0.3, hspace=0.75 if budget else 0.3)
    return save(fig, out_stem)


def _mark_bounds(ax, bound: tuple[str, str] | None) -> None:
    if not bound:
        return
    orbit, dim = bound
    if orbit:
        ax.axvline(float(orbit), color="k", ls=":", lw=1, label="orbit dimension")
    if dim:
        ax.axvline(float(dim), color="k", ls="--", lw=1, label="dim g")
