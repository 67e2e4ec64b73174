"""Book pages of the geometry figures: fig1 (landscape), fig4 and supp1 (spectra), with the critical-M table.

Every number on these pages is read from the tables at render time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from overparam.report.blocks import provenance_block, render
from overparam.results.tables import read_csv


def _spectra_summary(rows: list[dict]) -> tuple[list[list], dict]:
    """Per (model, n) and point kind: ranks against the bound, the drop at the bound, losses."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], int(r["n"]))].append(r)
    table, stats = [], {"points": 0, "above": 0, "qfim_at_bound": 0, "qfim_total": 0}
    for (model, n), sel in sorted(groups.items()):
        r0 = sel[0]
        orbit = int(r0["orbit_dim"]) if r0["orbit_dim"] else None
        for kind in ("random", "converged"):
            pts = defaultdict(lambda: defaultdict(list))
            for r in sel:
                if r["point"] == kind:
                    pts[r["run"]][r["matrix"]].append(r)
            if not pts:
                continue
            q_ranks, h_ranks, h_index, losses, drop = [], [], [], [], []
            for run, mats in pts.items():
                for name, eig in mats.items():
                    if name.startswith("qfim"):
                        rank = int(eig[0]["rank"])
                        q_ranks.append(rank)
                        stats["qfim_total"] += 1
                        stats["qfim_at_bound"] += int(orbit is not None and rank == orbit)
                        vals = sorted((float(e["eigenvalue"]) for e in eig), reverse=True)
                        if orbit is not None and orbit < len(vals):
                            drop.append(max(vals[orbit], 0.0) / vals[0])
                    else:
                        h_ranks.append(int(eig[0]["rank"]))
                        h_index.append(int(eig[0]["hessian_index"] or 0))
                        losses.append(float(eig[0]["loss"]))
                stats["points"] += 1
            # Bounded by the orbit: every QFIM rank and the Hessian rank at a solution (at a random
            # point the Hessian is indefinite and its rank is not bounded that way).
            bounded = q_ranks + (h_ranks if kind == "converged" else [])
            above = sum(1 for v in bounded if orbit is not None and v > orbit)
            stats["above"] += above
            rng = lambda v: f"{min(v)}–{max(v)}" if min(v) != max(v) else f"{v[0]}"  # noqa: E731
            table.append([
                model, n, r0["layers"], r0["n_params"], r0["dla_dim"], orbit if orbit is not None else "", kind,
                len(pts), rng(q_ranks), rng(h_ranks), rng(h_index), f"{max(losses):.2g}",
                f"{max(drop):.1e}" if drop else "n/a",
            ])
    return table, stats


def _critical_block(table: Path) -> str:
    """The critical-M section of the fig4 page, from ``critical.csv`` beside ``table`` (empty if absent)."""
    path = table.parent / "critical.csv"
    if not path.exists():
        return ""
    rows = read_csv(path)
    body = [[r["model"], r["n"], r["source"], r["samples"], f"{r['m_min']}–{r['m_max']}", r["max_rank"],
             r["m_critical"], r["m_before"] or "-", r["dla_dim"], r["orbit_dim"],
             "yes" if r["saturated"] == "1" else "no", "yes" if r["within_dim_g"] == "1" else "no"] for r in rows]
    sat = [r for r in rows if r["saturated"] == "1"]
    return render(
        "critical.md.j2", body=body, sweeps=len(rows), saturated=len(sat),
        below=sum(1 for r in sat if int(r["m_critical"]) <= int(r["orbit_dim"])),
        within=sum(1 for r in rows if r["within_dim_g"] == "1"),
    )


def spectra_page(fig: str, title: str):
    """fig4 / supp1 page: spectra at random and converged points against the orbit bound."""

    def page(table: Path, prov: dict, wall: dict[str, float]) -> str:
        rows = read_csv(table)
        summary, stats = _spectra_summary(rows)
        qtol = next((r["tolerance"] for r in rows if r["matrix"].startswith("qfim")), "n/a")
        htol = next((r["tolerance"] for r in rows if r["matrix"] == "hessian"), "n/a")
        sizes = ", ".join(f"{m} n = {n}" for m, n in sorted({(r["model"], int(r["n"])) for r in rows}))
        return render(
            "spectra.md.j2", fig=fig, title=title, summary=summary, stats=stats, qtol=qtol, htol=htol, sizes=sizes,
            critical=_critical_block(table) if fig == "fig4" else "", provenance=provenance_block(prov, wall),
        )

    return page


def fig1_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """fig1 page: critical points of a shallow and a deep model, and what carried minima become."""
    rows = read_csv(table)
    model, n, options = rows[0]["model"], rows[0]["n"], rows[0]["options"]
    endpoints = defaultdict(list)
    for r in rows:
        if r["item"] == "endpoint":
            endpoints[int(r["layers"])].append(r)
    depths = sorted(endpoints)
    counts = []
    for p in depths:
        c = Counter(r["kind"] for r in endpoints[p])
        losses = sorted({round(float(r["loss"]), 9) for r in endpoints[p] if r["kind"].endswith("minimum")})
        best = min(float(r["loss"]) for r in endpoints[p])
        counts.append([p, endpoints[p][0]["n_params"], len(endpoints[p]), c["global minimum"], c["spurious minimum"],
                       c["saddle"], c["not converged"], len(losses), f"{best:.3g}"])
    carried = [r for r in rows if r["item"] == "carried"]
    idx = Counter((r["label"], r["kind"], r["hessian_index"]) for r in carried)
    carried_rows = [[lab, kind, i, k] for (lab, kind, i), k in sorted(idx.items())]
    min_eigs = [float(r["hessian_min"]) for r in carried]
    markers = [[r["layers"], r["label"], r["kind"], f"{float(r['loss']):.3g}", f"{float(r['grad_norm']):.1e}",
                r["hessian_index"], r["zero_modes"], r["hessian_min"], r["alpha"], r["beta"]]
               for r in rows if r["item"] == "marker"]
    shallow, deep = depths[0], depths[-1]
    n_spur = sum(1 for r in endpoints[shallow] if r["kind"] == "spurious minimum")
    saddles = sum(1 for r in carried if r["kind"] == "saddle")
    return render(
        "fig1.md.j2", model=model, n=n, options=options, shallow=shallow, deep=deep, inits=len(endpoints[shallow]),
        counts=counts, carried=len(carried), carried_rows=carried_rows, n_spur=n_spur, saddles=saddles,
        min_eigs=min_eigs, markers=markers, provenance=provenance_block(prov, wall),
    )
