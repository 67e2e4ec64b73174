"""The classification of failed training runs (``results/tables/failures.csv``): one row per failed run."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.results.tables.base import lie_bounds, options_label, split_outputs

FAILURES_HEADER = (
    "experiment", "model", "ansatz", "options", "n", "layers", "n_params", "dla_dim", "orbit_dim", "run",
    "final_loss", "label", "grad_norm", "n_movable", "n_negative", "n_negative_full", "min_positive",
    "continuation_loss", "continuation_grad_norm", "continuation_n_negative", "continuation_min_positive",
    "continuation_hessians", "eigenstate", "energy_variance", "eigen_level", "seconds", "lowest_loss",
    "reached_floor", "backend",
)

SUMMARY_HEADER = (
    "experiment", "model", "n", "layers", "n_params", "dla_dim", "orbit_dim", "runs", "failed", "converges",
    "local-minimum", "saddle", "unresolved", "reached_floor",
)


def _num(value, spec: str = ".6g") -> str:
    return "" if value is None else format(value, spec)


def _flag(value) -> str | int:
    return "" if value is None else int(bool(value))


def failures_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per failed run from the classification JSONs (and DLA results) in ``files``.

    ``grad_norm``, ``n_negative``, ``min_positive`` describe the training end point (Hessian on the
    QFIM's range); the ``continuation_*`` columns the point where the local continuation stopped, whose
    state decides ``label``. ``eigenstate`` / ``energy_variance`` / ``eigen_level`` are filled for
    local minima of energy losses. ``lowest_loss`` is the lowest loss of Adam's curve and
    ``reached_floor`` (1/0) says it got to the fixed protocol's floor before Adam threw the run back
    out (empty where the shard does not record it); ``backend`` is the engine that classified it.
    """
    rows = []
    data, dla = split_outputs(files)
    for conf in sorted(data, key=lambda c: (c["experiment"], c["model"], c["n"], c["n_params"])):
        bounds = lie_bounds(dla, conf["model"], conf["n"])
        for r in conf["results"]:
            end, stop, eig = r["end"], r["stop"], r.get("eigenstate") or {}
            rows.append([
                conf["experiment"], conf["model"], conf["ansatz"], options_label(conf["options"]), conf["n"],
                conf["layers"], conf["n_params"], *bounds, r["run"], _num(r["final_loss"], ".10g"), r["label"],
                _num(end["grad_norm"], ".4g"), end["n_movable"], end["n_negative"], end.get("n_negative_full", ""),
                _num(end["min_positive"], ".4g"), _num(r["continuation"]["loss"], ".10g"),
                _num(r["continuation"]["grad_norm"], ".3g"), stop["n_negative"], _num(stop["min_positive"], ".4g"),
                r["continuation"]["hessians"], "" if not eig else int(eig["eigenstate"]),
                _num(eig.get("energy_variance"), ".4g"), "" if eig.get("eigen_level") is None else eig["eigen_level"],
                f"{r['seconds']:.3f}", _num(r.get("lowest_loss"), ".6g"), _flag(r.get("reached_floor")),
                conf.get("backend", "jax"),
            ])
    return rows


def failures_summary_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per configuration: runs, failures, the count of each label, and how many of the failures
    had reached the fixed protocol's floor before Adam threw them back (empty where not recorded)."""
    data, dla = split_outputs(files)
    rows = []
    for conf in sorted(data, key=lambda c: (c["experiment"], c["model"], c["n"], c["n_params"])):
        counts = conf["counts"]
        rows.append([conf["experiment"], conf["model"], conf["n"], conf["layers"], conf["n_params"],
                     *lie_bounds(dla, conf["model"], conf["n"]), conf["runs"], conf["failed"],
                     *(counts.get(k, 0) for k in ("converges", "local-minimum", "saddle", "unresolved")),
                     "" if conf.get("reached_floor") is None else conf["reached_floor"]])
    return rows


BUDGET_HEADER = ("model", "n", "layers", "n_params", "mode", "runs", "successes", "success_threshold", "seconds",
                 "fixed_successes", "backend")


def budget_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per (optimiser budget, configuration) of the budget study's JSON results.

    ``successes``: final loss below the threshold; ``fixed_successes`` also counts the runs whose
    lowest loss reached the round-off floor (empty for results written before it was recorded).
    """
    from overparam.fileio import read_json

    rows = []
    for path in files:
        obj = read_json(path)
        rows.append([obj["model"], obj["n"], obj["layers"], obj["n_params"], obj["mode"], obj["runs"],
                     obj["successes"], obj["success_threshold"], f"{obj['seconds']:.1f}",
                     "" if obj.get("fixed_successes") is None else obj["fixed_successes"], obj.get("backend") or "jax"])
    order = {"adam3000": 0, "adam-decay": 1, "adam30000": 2, "adam3000+continuation": 3, "bfgs": 4}
    return sorted(rows, key=lambda r: (r[0], int(r[1]), int(r[3]), order.get(r[4], 9)))
