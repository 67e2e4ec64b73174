"""Tables of the geometry figures: fig4 and supp1 (QFIM and Hessian spectra), fig1 (the landscape)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.fileio import read_json_object as read_json
from overparam.results.tables.base import lie_bounds, options_label, split_outputs

SPECTRA_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "point", "run", "loss", "grad_norm", "matrix",
    "index", "eigenvalue", "rank", "hessian_index", "tolerance", "dla_dim", "orbit_dim",
)


def spectra_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per eigenvalue: QFIM (per input state) and Hessian at random and converged points.

    ``point`` is ``random`` or ``converged``; ``index`` counts from 1 in descending order (the
    Hessian's negative eigenvalues come last); ``rank`` is that matrix's numerical rank.
    """
    rows = []
    data, dla = split_outputs(files)
    for d in data:
        label = d.get("model") or d["ansatz"]
        head = [label, d["ansatz"], options_label(d["options"]), d["n"], d["layers"], d["n_params"]]
        bounds = lie_bounds(dla, label, d["n"])
        for p in d["points"]:
            point = [p["kind"], p["run"], f"{p['loss']:.10g}", f"{p['grad_norm']:.4g}"]
            for s, (spec, rank) in enumerate(zip(p["qfim"], p["qfim_rank"])):
                name = "qfim" if len(p["qfim"]) == 1 else f"qfim_state{s}"
                rows += [head + point + [name, i + 1, f"{v:.12g}", rank, "", d["qfim_tolerance"], *bounds]
                         for i, v in enumerate(spec)]
            rows += [head + point + ["hessian", i + 1, f"{v:.12g}", p["hessian_rank"], p["hessian_index"],
                                     d["hessian_tolerance"], *bounds] for i, v in enumerate(p["hessian"])]
    return rows


FIG1_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "item", "label", "init", "alpha", "beta", "loss",
    "grad_norm", "kind", "hessian_index", "zero_modes", "hessian_min", "hessian_max",
)


def fig1_rows(files: Iterable[str | Path]) -> list[list]:
    """Landscape table: every polished end point (``endpoint``), every minimum of the shallow model
    carried into the deep one (``carried``), the marked points of each slice (``marker``) and the loss
    on each slice's grid (``grid``, one row per grid point)."""
    rows = []

    def point(head, item, label, p, alpha="", beta=""):
        return head + [item, label, p["init"], alpha, beta, f"{p['loss']:.12g}", f"{p['grad_norm']:.3g}", p["kind"],
                       p["hessian_index"], p["zero_modes"], f"{p['hessian_min']:.6g}", f"{p['hessian_max']:.6g}"]

    for path in files:
        d = read_json(path)
        label = d.get("model") or d["ansatz"]
        base = [label, d["ansatz"], options_label(d["options"]), d["n"]]
        n_params = {x["layers"]: x["n_params"] for x in d["depths"]}
        for dep in d["depths"]:
            head = base + [dep["layers"], dep["n_params"]]
            rows += [point(head, "endpoint", "", p) for p in dep["points"]]
        head = base + [d["over"], n_params[d["over"]]]
        rows += [point(head, "carried", f"from {p['from_kind']}", p) for p in d["carried"]]
        for sl in d["slices"]:
            head = base + [sl["layers"], sl["n_params"]]
            rows += [point(head, "marker", m["label"], m, f"{m['alpha']:.6g}", f"{m['beta']:.6g}") for m in sl["markers"]]
            for j, b in enumerate(sl["betas"]):
                for i, a in enumerate(sl["alphas"]):
                    rows.append(head + ["grid", "", "", f"{a:.6g}", f"{b:.6g}", f"{sl['losses'][j][i]:.10g}"]
                                + [""] * 6)
    return rows

