"""Table of the beyond page: QFIM rank for every prefix M of one deep circuit, at sizes past the paper's."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.results.tables.base import gap_text, lie_bounds, options_label, split_outputs


BEYOND_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "sample", "rank", "tight_rank", "tolerance",
    "tight_tolerance", "gap", "dla_dim", "orbit_dim", "backend", "device", "point_seconds", "compile_seconds",
    "spectrum",
)


def beyond_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per (model, size, random point, M): the rank at the standard and the tight cut, the
    Lie bounds, where and how fast the point's Jacobian was computed, and the whole spectrum."""
    rows = []
    data, dla = split_outputs(files)
    for run in data:
        label = run.get("model") or run["ansatz"]
        bounds = lie_bounds(dla, label, run["n"])
        for k, smp in enumerate(run["samples"]):
            for rec in smp["records"]:
                rows.append(
                    [label, run["ansatz"], options_label(run["options"]), run["n"], run["layers"], rec["n_params"], k,
                     rec["rank"], rec["tight_rank"], run["tolerance"], run["tight_tolerance"], gap_text(rec["gap"]),
                     *bounds, run["backend"], run["device"], f"{smp['seconds']:.4g}", f"{run['compile_seconds']:.4g}",
                     " ".join(f"{v:.8g}" for v in rec["spectrum"])]
                )
    return rows


