"""Tables of the geometry figures: fig4/supp1 (spectra), critical (critical M), fig1 (landscape)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

from overparam.fileio import read_json

# tables.py registers these tables at its end, so the helpers below are imported from it lazily
# (inside each function): importing either module first then works.

SPECTRA_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "point", "run", "loss", "grad_norm", "matrix",
    "index", "eigenvalue", "rank", "hessian_index", "tolerance", "dla_dim", "orbit_dim",
)


def spectra_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per eigenvalue: QFIM (per input state) and Hessian at random and converged points.

    ``point`` is ``random`` or ``converged``; ``index`` counts from 1 in descending order (the
    Hessian's negative eigenvalues come last); ``rank`` is that matrix's numerical rank.
    """
    from overparam.results.tables import _bounds, _split, options_label

    rows = []
    data, dla = _split(files)
    for d in data:
        label = d.get("model") or d["ansatz"]
        head = [label, d["ansatz"], options_label(d["options"]), d["n"], d["layers"], d["n_params"]]
        bounds = _bounds(dla, label, d["n"])
        for p in d["points"]:
            point = [p["kind"], p["run"], f"{p['loss']:.10g}", f"{p['grad_norm']:.4g}"]
            for s, (spec, rank) in enumerate(zip(p["qfim"], p["qfim_rank"])):
                name = "qfim" if len(p["qfim"]) == 1 else f"qfim_state{s}"
                rows += [head + point + [name, i + 1, f"{v:.12g}", rank, "", d["qfim_tolerance"], *bounds]
                         for i, v in enumerate(spec)]
            rows += [head + point + ["hessian", i + 1, f"{v:.12g}", p["hessian_rank"], p["hessian_index"],
                                     d["hessian_tolerance"], *bounds] for i, v in enumerate(p["hessian"])]
    return rows


CRITICAL_HEADER = (
    "model", "ansatz", "options", "n", "source", "samples", "m_min", "m_max", "max_rank", "m_critical",
    "layers_critical", "m_before", "dla_dim", "orbit_dim", "saturated", "within_dim_g",
)


def critical_rows(files: Iterable[str | Path]) -> list[list]:
    """Smallest M at which the QFIM rank at random points reaches its maximum, per model and sweep.

    Reads ``fig2.csv`` (column ``max_rank``), ``supp2.csv`` (``rank`` per point) and ``dla.csv``
    (``dim``, ``orbit_dim``). ``saturated`` says whether that maximum equals the orbit bound, i.e.
    whether the sweep went deep enough for ``m_critical`` to be the critical number ``M_c``.
    ``m_before`` is the largest swept M below ``m_critical``; ``within_dim_g`` is 1 when the rank
    saturated no later than the first swept M at or above ``dim g`` (``M_c <= dim g`` up to the
    sweep's step: M grows by a whole layer at a time).
    """
    from overparam.results.tables import read_csv

    tables = {Path(f).stem: read_csv(f) for f in files}
    dla = {(r["model"], r["n"]): r for r in tables.pop("dla", [])}
    rows = []
    for source in sorted(tables):
        groups: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
        meta, samples = {}, defaultdict(set)
        for r in tables[source]:
            key = (r["model"], r["n"])
            rank = int(r["max_rank"] if "max_rank" in r else r["rank"])
            m = int(r["n_params"])
            cell = groups[key].setdefault(m, {"rank": 0, "layers": int(r["layers"])})
            cell["rank"] = max(cell["rank"], rank)
            meta[key] = r
            samples[key].add(r.get("samples") or r.get("sample"))
        for key, by_m in groups.items():
            top = max(c["rank"] for c in by_m.values())
            m_c = min(m for m, c in by_m.items() if c["rank"] == top)
            r = meta[key]
            bound = dla.get(key, {})
            dim, orbit = bound.get("dim", r.get("dla_dim", "")), bound.get("orbit_dim", r.get("orbit_dim", ""))
            n_samples = int(r["samples"]) if "samples" in r else len(samples[key])
            before = max((m for m in by_m if m < m_c), default=None)
            within = "" if dim == "" else int(m_c <= int(dim) or (before is not None and before < int(dim)))
            rows.append([
                key[0], r["ansatz"], r["options"], key[1], source, n_samples, min(by_m), max(by_m), top, m_c,
                by_m[m_c]["layers"], "" if before is None else before, dim, orbit,
                int(orbit != "" and top == int(orbit)), within,
            ])
    return rows


FIG1_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "item", "label", "init", "alpha", "beta", "loss",
    "grad_norm", "kind", "hessian_index", "zero_modes", "hessian_min", "hessian_max",
)


def fig1_rows(files: Iterable[str | Path]) -> list[list]:
    """Landscape table: every polished end point (``endpoint``), every minimum of the shallow model
    carried into the deep one (``carried``), the marked points of each slice (``marker``) and the loss
    on each slice's grid (``grid``, one row per grid point)."""
    from overparam.results.tables import options_label

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


GEOMETRY_TABLES = {
    "fig4": (SPECTRA_HEADER, spectra_rows),
    "supp1": (SPECTRA_HEADER, spectra_rows),
    "critical": (CRITICAL_HEADER, critical_rows),
    "fig1": (FIG1_HEADER, fig1_rows),
}
