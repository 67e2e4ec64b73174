"""Book pages of the geometry figures: fig1 (landscape), fig4 and supp1 (spectra), with the critical-M table.

Every number on these pages is read from the tables at render time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from overparam.report.pages import _figure_block, _md_table, _provenance_block
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


SPECTRA_COLUMNS = ["model", "n", "p", "M", "dim g", "orbit bound", "points", "count", "QFIM rank", "Hessian rank",
                   "Hessian index", "largest loss", "max λ_(R+1)/λ_1"]


def _critical_block(table: Path) -> str:
    path = table.parent / "critical.csv"
    if not path.exists():
        return ""
    rows = read_csv(path)
    body = [[r["model"], r["n"], r["source"], r["samples"], f"{r['m_min']}–{r['m_max']}", r["max_rank"],
             r["m_critical"], r["m_before"] or "-", r["dla_dim"], r["orbit_dim"],
             "yes" if r["saturated"] == "1" else "no", "yes" if r["within_dim_g"] == "1" else "no"] for r in rows]
    sat = [r for r in rows if r["saturated"] == "1"]
    below = sum(1 for r in sat if int(r["m_critical"]) <= int(r["orbit_dim"]))
    within = sum(1 for r in rows if r["within_dim_g"] == "1")
    return f"""## The critical number of parameters (`results/tables/critical.csv`)

For every model of the paper, from the QFIM rank sweeps at random points (fig2 and supp2): the
smallest M at which the rank reaches the largest value measured in the sweep, next to the dimension
of the dynamical Lie algebra and the orbit bound. Where the maximum equals the orbit bound
("saturated") this M is the critical $M_c$; the theory says $M_c \\le \\dim\\mathfrak g$. M grows by
a whole layer at a time, so the check is that the rank saturated no later than the first swept M at
or above $\\dim\\mathfrak g$ ("M before" is the previous swept M).
Of {len(rows)} sweeps, {len(sat)} saturate the orbit bound, in {below} of them at an M no larger
than the orbit bound itself; {within} of {len(rows)} satisfy the $\\dim\\mathfrak g$ check.

{_md_table(["model", "n", "sweep", "samples", "M range", "max rank", "M at max", "M before", "dim g", "orbit bound", "saturated", "M_c ≤ dim g (to the step)"], body)}
"""


def spectra_page(fig: str, title: str):
    """fig4 / supp1 page: spectra at random and converged points against the orbit bound."""

    def page(table: Path, prov: dict, wall: dict[str, float]) -> str:
        rows = read_csv(table)
        summary, stats = _spectra_summary(rows)
        qtol = next((r["tolerance"] for r in rows if r["matrix"].startswith("qfim")), "n/a")
        htol = next((r["tolerance"] for r in rows if r["matrix"] == "hessian"), "n/a")
        sizes = ", ".join(f"{m} n = {n}" for m, n in sorted({(r["model"], int(r["n"])) for r in rows}))
        verdict = ("no measured rank exceeds the orbit bound" if stats["above"] == 0
                   else f"{stats['above']} measured ranks EXCEED the orbit bound")
        return f"""# {fig}: {title}

{_figure_block(fig, "Sorted eigenvalues (log scale) of the QFIM (top of each pair) and of the Hessian of the loss (|λ|; hollow markers: negative eigenvalues) at random parameter points (blue) and at converged solutions (orange). Dotted line: the orbit bound R; every eigenvalue past index R must vanish.")}

## What is plotted

Experiment 2 of the paper for {sizes}: at an overparametrized depth of each model
(M at or above the orbit bound), the whole spectrum of the quantum Fisher information matrix and of
the Hessian of the residual energy, at random points and at converged solutions. The theory: the QFIM
rank is at most the dimension $R$ of the orbit of the input state, and so is the Hessian rank at a
solution (the Hessian there is the QFIM-like Gram matrix of the energy), while at random points the
Hessian is indefinite and not bounded that way.

## How it was computed

The points come from the training runs of fig3: random points are the first initial angles of that
depth's runs (uniform in $[0, \\pi)$); converged solutions are the runs whose final residual energy
is below the success threshold, lowest first, polished by trust-region Newton on the exact Hessian
when the config asks. QFIM: Gram matrix of the exact state Jacobian (forward-mode automatic
differentiation, float64), rank above {qtol} times the largest eigenvalue. Hessian: forward mode over
the adjoint gradient; rank counts $|\\lambda|$ above {htol} times the largest $|\\lambda|$, the index
counts eigenvalues below minus that cut. The last column is the largest ratio between the first
eigenvalue past the orbit bound and the largest one (the size of the drop at the bound).

## The numbers

{_md_table(SPECTRA_COLUMNS, summary)}

Over all {stats['qfim_total']} QFIM spectra, {stats['qfim_at_bound']} have rank exactly the orbit
bound; counting every QFIM rank and every Hessian rank at a converged solution, {verdict}.

{_critical_block(table) if fig == "fig4" else ""}
{_provenance_block(prov, wall)}
"""

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
    return f"""# fig1: spurious minima turn into saddles

{_figure_block("fig1", "Loss on 2-D slices of parameter space of an underparametrized (top left) and an overparametrized (top right) version of the same model, with the critical points found; below: what the end points of all initialisations are.")}

## What is plotted

The paper's fig1 is a schematic: below the critical number of parameters the landscape has spurious
local minima; above it they become saddles. Here it is measured on {model} ({options}), n = {n}, with
p = {shallow} layers (underparametrized) and p = {deep} layers (overparametrized). Top left: the loss
$E(\\theta) - E_0$ on the plane through a spurious local minimum (origin) and the lowest minimum found
(α = 1), the second axis being the spurious minimum's softest Hessian direction. Top right: the same
spurious minimum carried into the deeper circuit (origin) and the minimum that descent from it
reaches (α = 1), second axis its most negative Hessian direction.

## How it was computed

- {len(endpoints[shallow])} initialisations per depth (uniform in $[0, \\pi)$), Adam (the paper's
  optimiser), then every end point polished to a critical point by trust-region Newton on the exact
  gradient and Hessian of the differentiable engine. A point is critical when $|\\nabla E|$ is below
  the table's tolerance; it is a minimum when no Hessian eigenvalue is below $-10^{{-5}}$ times the
  largest $|\\lambda|$, a saddle otherwise (its *index* is the number of negative eigenvalues).
  "Global" means the lowest loss found at that depth (within $10^{{-9}}$); at p = {shallow} that lowest
  minimum is itself above zero, since the shallow circuit cannot reach the ground state.
- **Carrying a minimum over.** A p = {shallow} parameter vector becomes a p = {deep} one by inserting
  zero-angle layers before the real ones. A layer is $e^{{-i\\beta\\sum X}}e^{{-i\\gamma\\sum ZZ/2}}$,
  so an inserted zero layer before layer k puts its ZZ gate right next to layer k's ZZ gate, and its
  X gate right next to layer k−1's X gate (or on the input $|+\\rangle^{{\\otimes n}}$, an eigenstate
  of $\\sum X$). At zero angle each inserted gate's derivative is its neighbour's, which vanishes at a
  critical point: the state, the loss and the zero gradient carry over (checked numerically for every
  carried point; the run stops with an error otherwise), and only the Hessian gains directions.

## The numbers

{_md_table(["p", "M", "inits", "lowest/global minima", "spurious minima", "saddles", "not converged", "distinct minimum values", "lowest loss"], counts)}

All {len(carried)} minima found at p = {shallow} ({n_spur} spurious, {len(carried) - n_spur} at the
lowest loss) were carried into p = {deep}: **{saddles} of {len(carried)} are saddles there**
(most negative Hessian eigenvalue between {min(min_eigs):.3g} and {max(min_eigs):.3g}):

{_md_table(["carried point", "kind at p = " + str(deep), "Hessian index", "count"], carried_rows)}

Marked points of the slices (the carried lowest minimum lies off the middle plane; its α, β are
its projection, and the figure does not draw it):

{_md_table(["p", "point", "kind", "loss", "gradient norm", "index", "zero modes", "min eigenvalue", "α", "β"], markers)}

{_provenance_block(prov, wall)}
"""


GEOMETRY_PAGES = {
    "fig1": (fig1_page, "landscape_data"),
    "fig4": (spectra_page("fig4", "QFIM and Hessian spectra at an overparametrized depth"), "spectra_data"),
    "supp1": (spectra_page("supp1", "QFIM and Hessian spectra for every size"), "spectra_data"),
}
