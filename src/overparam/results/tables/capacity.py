"""The capacity table: effective dimensions from the QFIM spectra of the rank sweeps (fig2, supp2)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

from overparam.results.capacity import GAMMA, N_DATA, abbas_effective_dimension, quantum_dimension
from overparam.results.tables.base import lie_bounds, split_outputs

CAPACITY_HEADER = (
    "model", "n", "layers", "n_params", "samples", "quantum_dimension", "mean_rank", "abbas_ed", "abbas_ed_per_param",
    "n_data", "gamma", "tolerance", "dla_dim", "orbit_dim",
)


def capacity_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per model, size and depth, pooling the random points of every sweep shard given.

    ``quantum_dimension`` is the largest QFIM rank over the points (Haug et al.); ``abbas_ed`` is
    Abbas et al.'s effective dimension with ``N = n_data`` and ``γ = gamma``
    (:mod:`overparam.results.capacity`).
    """
    data, dla = split_outputs(files)
    pooled: dict[tuple[str, int, int, int], dict] = defaultdict(lambda: {"spectra": [], "ranks": [], "tol": set()})
    for sweep in data:
        label = sweep.get("model") or sweep["ansatz"]
        for rec in sweep["records"]:
            entry = pooled[(label, int(sweep["n"]), int(rec["layers"]), int(rec["n_params"]))]
            entry["spectra"] += [list(s) for s in rec["spectra"]]
            entry["ranks"] += list(rec["ranks"])
            entry["tol"].add(str(rec["tolerance"]))
    rows = []
    for (model, n, layers, m), entry in sorted(pooled.items()):
        ed = abbas_effective_dimension(entry["spectra"])
        rows.append([
            model, n, layers, m, len(entry["ranks"]), quantum_dimension(entry["ranks"]),
            f"{sum(entry['ranks']) / len(entry['ranks']):.4g}", f"{ed:.4f}", f"{ed / m:.4f}", N_DATA, GAMMA,
            ";".join(sorted(entry["tol"])), *lie_bounds(dla, model, n),
        ])
    return rows
