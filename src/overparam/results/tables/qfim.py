"""Tables of the QFIM-rank sweeps and the Lie algebra: dla, supp2 (every random point), fig2 (per depth)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.results.tables.base import gap_text, lie_bounds, options_label, split_outputs


DLA_HEADER = ("model", "ansatz", "n", "options", "dim", "orbit_dim", "method", "orbit_method", "n_qubits", "seconds")


def dla_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per model and size: exact DLA dimension and orbit dimension."""
    _, dla = split_outputs(files)
    return [
        [model, d["ansatz"], n, options_label(d["options"]), d["dim"], d["orbit_dim"], d["method"],
         d["orbit_method"], d["n_qubits"], f"{d['seconds']:.4g}"]
        for (model, n), d in dla.items()
    ]


SWEEP_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "sample", "rank", "tolerance", "gap",
    "dla_dim", "orbit_dim", "spectrum",
)


def sweep_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per random point: its QFIM rank, the cut, the Lie bounds and the whole spectrum."""
    rows = []
    data, dla = split_outputs(files)
    for sweep in data:
        label = sweep.get("model") or sweep["ansatz"]
        bounds = lie_bounds(dla, label, sweep["n"])
        for rec in sweep["records"]:
            for k, (rank, gap, spec) in enumerate(zip(rec["ranks"], rec["gaps"], rec["spectra"])):
                rows.append(
                    [
                        label, sweep["ansatz"], options_label(sweep["options"]), sweep["n"], rec["layers"],
                        rec["n_params"], k, rank, rec["tolerance"], gap_text(gap), *bounds,
                        " ".join(f"{v:.12g}" for v in spec),
                    ]
                )
    return rows


FIG2_HEADER = ("model", "ansatz", "options", "n", "layers", "n_params", "samples", "min_rank", "max_rank",
               "dla_dim", "orbit_dim")


def fig2_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per model, size and depth: the range of QFIM ranks and the Lie bounds."""
    rows = []
    data, dla = split_outputs(files)
    for sweep in data:
        label = sweep.get("model") or sweep["ansatz"]
        for rec in sweep["records"]:
            rows.append(
                [label, sweep["ansatz"], options_label(sweep["options"]), sweep["n"], rec["layers"],
                 rec["n_params"], len(rec["ranks"]), min(rec["ranks"]), max(rec["ranks"]),
                 *lie_bounds(dla, label, sweep["n"])]
            )
    return rows

