"""The results page: the regenerated numbers beside the theory's predictions, read from the tables.

The theory (Larocca et al. 2023) predicts, for each model and size:

1. the QFIM rank at any parameter point is at most the dimension of the orbit of the input state
   under the dynamical Lie algebra (DLA) ``g``, itself at most ``dim g``;
2. the maximal rank grows with the number of parameters ``M`` and saturates at that bound at a
   critical ``M_c <= dim g``;
3. training succeeds from almost every initialisation once ``M >= M_c`` and often fails below it;
4. the Hessian rank at a trained solution obeys the same bound.

Every number on the page comes from ``results/tables/*.csv``; a section whose table is absent (a
config that does not run that experiment) says so and is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from overparam.report.blocks import render
from overparam.results.critical import first_m
from overparam.results.tables import read_csv

# A configuration counts as "trainable" when at least this fraction of its runs succeed: the
# paper's "almost every initialisation", made a number the page can check.
SUCCESS_FRACTION = 0.9

Key = tuple[str, int]  # (model, n)


def _table(tables: Path, name: str) -> list[dict[str, str]] | None:
    path = tables / f"{name}.csv"
    return read_csv(path) if path.exists() else None


def closed_form_dim(ansatz: str, options: str, n: int) -> tuple[int, str] | None:
    """The DLA dimension known in closed form for a paper model, with its reason, else ``None``.

    Open TFIM chain: ``n^2`` (free-fermion algebra of the open transverse-field Ising chain).
    Hardware-efficient ansatz: ``su(2^n)`` on the ``n`` qubits it acts on, ``4^n - 1``.
    Both are also checked against dense matrices in ``tests/test_lie.py``.
    """
    if ansatz == "tfim-hva" and "boundary=open" in options.split(";"):
        return n * n, "n²"
    if ansatz in ("qaqc-hea", "autoencoder-hea"):
        return 4**n - 1, "4ⁿ − 1 (su(2ⁿ))"
    return None


@dataclass
class Saturation:
    """The QFIM rank versus M of one model and size, over every random point of fig2 and supp2."""

    by_m: dict[int, int]  # M -> maximal rank over the points
    points: int
    sources: set[str]

    @property
    def top(self) -> int:
        return max(self.by_m.values())

    @property
    def m_c(self) -> int:
        """The first M at which the maximal rank is reached."""
        return first_m(self.by_m)

    @property
    def m_before(self) -> int | None:
        """The largest swept M below ``m_c`` (the rank there was lower), or ``None``."""
        below = [m for m in self.by_m if m < self.m_c]
        return max(below) if below else None

    def bracket(self) -> str:
        """Where the sweep places M_c: ``(M_before, M_c]`` (an ansatz adds several parameters per layer)."""
        return f"{self.m_c}" if self.m_before is None else f"({self.m_before}, {self.m_c}]"


def rank_saturation(tables: Path) -> dict[Key, Saturation]:
    """Maximal QFIM rank per M for every (model, n) in fig2.csv and supp2.csv."""
    out: dict[Key, Saturation] = {}
    for name, column, count in (("fig2", "max_rank", "samples"), ("supp2", "rank", None)):
        for r in _table(tables, name) or []:
            key = (r["model"], int(r["n"]))
            sat = out.setdefault(key, Saturation({}, 0, set()))
            m = int(r["n_params"])
            sat.by_m[m] = max(sat.by_m.get(m, 0), int(r[column]))
            sat.points += int(r[count]) if count else 1
            sat.sources.add(name)
    return out


def _dla(tables: Path) -> dict[Key, dict[str, str]]:
    return {(r["model"], int(r["n"])): r for r in _table(tables, "dla") or []}


def dla_section(dla: dict[Key, dict[str, str]]) -> tuple[list[list], list[str]]:
    """Section 1: the DLA dimension and orbit bound, and closed forms where the theory has one."""
    rows, notes = [], []
    for (model, n), r in dla.items():
        dim, orbit = int(r["dim"]), int(r["orbit_dim"])
        known = closed_form_dim(r["ansatz"], r["options"], n)
        if known is None:
            expected, verdict = "no closed form used", "orbit ≤ dim g" if orbit <= dim else "orbit > dim g: WRONG"
        else:
            value, formula = known
            expected = f"{value} = {formula}"
            verdict = "agrees" if value == dim and orbit <= dim else "DISAGREES"
            if verdict != "agrees":
                notes.append(f"{model}, n = {n}: dim g = {dim}, the closed form gives {value}.")
        rows.append([model, n, r["n_qubits"], dim, expected, orbit, verdict])
    return rows, notes


def rank_section(sat: dict[Key, Saturation], dla: dict[Key, dict[str, str]]) -> tuple[list[list], list[str], list[str]]:
    """Section 2: the maximal QFIM rank and the measured critical M against the orbit bound and dim g."""
    rows, agree, disagree = [], [], []
    for (model, n), s in sat.items():
        bounds = dla.get((model, n))
        label = f"{model}, n = {n}"
        if bounds is None:
            rows.append([model, n, "", "", s.top, s.m_c, max(s.by_m), s.points, "no DLA result for this size"])
            continue
        dim, orbit = int(bounds["dim"]), int(bounds["orbit_dim"])
        if s.top > orbit:
            verdict = f"DISAGREES: rank {s.top} above the orbit bound"
            disagree.append(f"{label}: QFIM rank {s.top} exceeds the orbit bound {orbit}.")
        elif s.top < orbit:
            verdict = f"not saturated up to M = {max(s.by_m)}"
            disagree.append(
                f"{label}: the largest rank measured, {s.top}, stays below the orbit bound {orbit} up to "
                f"M = {max(s.by_m)}: the sweep is too shallow to see saturation (inconclusive, not a contradiction)."
            )
        elif s.m_before is not None and s.m_before >= dim:
            verdict = f"DISAGREES: below the bound at M = {s.m_before} ≥ dim g"
            disagree.append(
                f"{label}: the rank is still below the orbit bound at M = {s.m_before} ≥ dim g = {dim} "
                f"(it reaches it at M = {s.m_c})."
            )
        elif s.m_c > dim:
            verdict = "agrees ($M_c$ lies between two swept M)"
            agree.append(
                f"{label}: the rank saturates at the orbit bound {orbit}; the sweep places $M_c$ in {s.bracket()}, "
                f"consistent with $M_c$ ≤ dim g = {dim} (the ansatz adds {s.m_c - s.m_before} parameters at a time)."
            )
        else:
            verdict = "agrees"
            agree.append(f"{label}: the rank saturates at the orbit bound {orbit}, first at M = {s.m_c} ≤ dim g = {dim} "
                         f"($M_c$ in {s.bracket()}).")
        rows.append([model, n, dim, orbit, s.top, s.bracket() if s.top == orbit else "not reached", max(s.by_m),
                     s.points, verdict])
    return rows, agree, disagree


def _critical(key: Key, sat: dict[Key, Saturation], dla: dict[Key, dict[str, str]]) -> tuple[int | None, str]:
    """The M splitting under- from overparametrized runs, and where it comes from."""
    s = sat.get(key)
    bounds = dla.get(key)
    if s is not None and bounds is not None and s.top == int(bounds["orbit_dim"]):
        return s.m_c, "measured $M_c$"
    if bounds is not None:
        # The rank is at most M, so M_c is at least the orbit dimension: runs below it are surely
        # underparametrized, runs above it are not surely overparametrized.
        return int(bounds["orbit_dim"]), "orbit bound (lower bound on $M_c$; no saturated sweep at this size)"
    return None, "unknown (no DLA result)"


def training_section(
    tables: Path, sat: dict[Key, Saturation], dla: dict[Key, dict[str, str]]
) -> tuple[list[list] | None, list[str], list[str]]:
    """Section 3: success fraction of training below and above the critical M (``None``: no training table)."""
    rows, agree, disagree = [], [], []
    present = []
    for exp in ("fig3", "supp4", "supp5"):
        table = _table(tables, exp)
        if table is None:
            continue
        present.append(exp)
        groups: dict[Key, list[dict[str, str]]] = defaultdict(list)
        for r in table:
            groups[(r["model"], int(r["n"]))].append(r)
        for key, runs in groups.items():
            m_c, source = _critical(key, sat, dla)
            label = f"{exp}, {key[0]}, n = {key[1]}"
            steps = runs[0]["steps"]
            threshold = runs[0]["success_threshold"]
            if m_c is None:
                rows.append([exp, key[0], key[1], "", source, "", "", steps, "no critical M available"])
                continue
            below = [int(r["success"]) for r in runs if int(r["n_params"]) < m_c]
            above = [int(r["success"]) for r in runs if int(r["n_params"]) >= m_c]
            ms_below = sorted({int(r["n_params"]) for r in runs if int(r["n_params"]) < m_c})
            ms_above = sorted({int(r["n_params"]) for r in runs if int(r["n_params"]) >= m_c})

            def frac(xs: list[int], ms: list[int]) -> str:
                if not xs:
                    return "no runs"
                span = f"M = {ms[0]}" if len(ms) == 1 else f"M = {ms[0]}…{ms[-1]}"
                return f"{sum(xs)}/{len(xs)} = {sum(xs) / len(xs):.2f} ({span})"

            fb = sum(below) / len(below) if below else None
            fa = sum(above) / len(above) if above else None
            if fa is None:
                verdict = "only underparametrized depths trained"
            elif fa < SUCCESS_FRACTION:
                rises = fb is not None and fa > fb
                verdict = ("partly: success rises across $M_c$ but stays below "
                           f"{SUCCESS_FRACTION:.0%}" if rises else "DISAGREES: training often fails at M ≥ $M_c$")
                disagree.append(
                    f"{label}: at M ≥ {m_c} only {fa:.0%} of the runs reached a loss below {threshold} in "
                    f"{steps} Adam steps (the paper: almost all, with 2000–3000 steps)"
                    + (f"; below $M_c$ {fb:.0%} did, so success does rise across $M_c$." if rises else ".")
                )
            elif fb is None:
                verdict = "agrees above $M_c$ (no run below it)"
                agree.append(f"{label}: {fa:.0%} of the runs at M ≥ {m_c} succeed; no depth below $M_c$ was trained.")
            elif fb >= SUCCESS_FRACTION:
                verdict = "DISAGREES: no transition (runs below $M_c$ succeed too)"
                disagree.append(f"{label}: runs below M = {m_c} succeed as often ({fb:.0%}) as above it ({fa:.0%}).")
            else:
                verdict = "agrees"
                agree.append(f"{label}: success rises from {fb:.0%} below M = {m_c} to {fa:.0%} at or above it.")
            rows.append([exp, key[0], key[1], m_c, source, frac(below, ms_below), frac(above, ms_above),
                         f"{steps} (loss < {threshold})", verdict])
    return (rows if present else None), agree, disagree


def hessian_section(tables: Path, dla: dict[Key, dict[str, str]]) -> tuple[list[list], list[str], list[str]]:
    """Section 4: Hessian and QFIM ranks at trained solutions against dim g and the orbit bound."""
    rows, agree, disagree = [], [], []
    for exp in ("fig3", "supp4", "supp5"):
        groups: dict[tuple[str, int, int], list[dict[str, str]]] = defaultdict(list)
        for r in _table(tables, exp) or []:
            # The bound holds at a solution: only runs that converged (final loss below the threshold).
            if r.get("hessian_rank") and r.get("success") == "1":
                groups[(r["model"], int(r["n"]), int(r["n_params"]))].append(r)
        for (model, n, m), runs in groups.items():
            bounds = dla.get((model, n))
            hess = max(int(r["hessian_rank"]) for r in runs)
            qfim = max(int(r["qfim_rank"]) for r in runs if r["qfim_rank"]) if any(r["qfim_rank"] for r in runs) else ""
            if bounds is None:
                rows.append([exp, model, n, m, len(runs), hess, qfim, "", "", "no DLA result"])
                continue
            dim, orbit = int(bounds["dim"]), int(bounds["orbit_dim"])
            label = f"{exp}, {model}, n = {n}, M = {m}"
            if hess <= dim:
                verdict = "agrees"
                agree.append(f"{label}: Hessian rank at the solutions ≤ {hess}, within dim g = {dim}.")
            else:
                verdict = "DISAGREES"
                disagree.append(f"{label}: Hessian rank {hess} above dim g = {dim}.")
            rows.append([exp, model, n, m, len(runs), hess, qfim, orbit, dim, verdict])
    return rows, agree, disagree


def results_page(tables: Path, provenance_md: str) -> str:
    """The whole results page (MyST Markdown), ending with ``provenance_md``."""
    dla = _dla(tables)
    sat = rank_saturation(tables)
    dla_rows, dla_notes = dla_section(dla)
    rank_rows, rank_ok, rank_bad = rank_section(sat, dla)
    train_rows, train_ok, train_bad = training_section(tables, sat, dla)
    hess_rows, hess_ok, hess_bad = hessian_section(tables, dla)
    return render(
        "results.md.j2", success_fraction=SUCCESS_FRACTION, agree=rank_ok + train_ok + hess_ok,
        disagree=dla_notes + rank_bad + train_bad + hess_bad, dla_rows=dla_rows, rank_rows=rank_rows,
        train_rows=train_rows, hess_rows=hess_rows, provenance=provenance_md,
    )
