"""Render one MyST page per figure from its table, plus provenance, into ``book/generated/``."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from overparam.fileio import write_json, write_text
from overparam.results.provenance import provenance, rule_wall_times
from overparam.results.tables import read_csv


def _md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _provenance_block(prov: dict, wall: dict[str, float]) -> str:
    pk = ", ".join(f"{k} {v}" for k, v in prov["packages"].items())
    times = ", ".join(f"{k}: {v:.1f} s" for k, v in wall.items()) or "not recorded"
    return (
        "## Provenance\n\n"
        f"- git commit: `{prov['git_commit']}`; config hash: `{prov['config_hash']}`\n"
        f"- packages: {pk}; Python {prov['python']}\n"
        f"- CPU: {prov['cpu']}; GPU: {prov['gpu']}\n"
        f"- wall time of the simulation jobs: {times}\n"
    )


def supp2_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    rows = read_csv(table)
    groups: dict[tuple[str, int], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    gaps: list[float] = []
    tol = rows[0]["tolerance"] if rows else "n/a"
    samples = defaultdict(set)
    for r in rows:
        groups[(r["model"], int(r["n"]))][int(r["n_params"])].append(int(r["rank"]))
        samples[(r["model"], int(r["n"]))].add(int(r["sample"]))
        gaps.append(float(r["gap"]))
    summary = []
    for (model, n), by_m in groups.items():
        ms = sorted(by_m)
        top = max(max(v) for v in by_m.values())
        m_sat = next(m for m in ms if max(by_m[m]) == top)
        summary.append([model, n, len(samples[(model, n)]), f"{ms[0]}–{ms[-1]}", top, m_sat])
    detail = []
    for (model, n), by_m in groups.items():
        for m in sorted(by_m):
            detail.append([model, n, m, min(by_m[m]), max(by_m[m])])
    finite = [g for g in gaps if g != float("inf")]
    gap_text = f"{min(finite):.3g}" if finite else "infinite"
    return f"""# supp2: QFIM rank versus depth

```{{figure}} figures/supp2.png
:name: fig-supp2
:alt: QFIM rank versus number of parameters M for each model and size

QFIM rank at random parameter points versus the number of parameters M. Dots: every sample;
line: the maximum over samples.
```

## What is plotted

For each model and size, the numerical rank of the quantum Fisher information matrix
$F_{{ij}} = 4\\,\\mathrm{{Re}}[\\langle\\partial_i\\psi|\\partial_j\\psi\\rangle -
\\langle\\partial_i\\psi|\\psi\\rangle\\langle\\psi|\\partial_j\\psi\\rangle]$ at random parameter
points, drawn uniformly from the ansatz's initial-angle range, for increasing depth. The theory
says the rank grows with M and saturates at the dimension of the orbit of the input state under the
dynamical Lie algebra.

## How it was computed

The state derivatives are exact: each parametrized gate $e^{{-i\\theta G}}V$ contributes
$-iG$ inserted after it, propagated through the rest of the circuit by the simulator (qsim in
single precision by default), and the QFIM is formed in double precision as the Gram matrix of the
derivatives projected orthogonally to the state. The rank counts eigenvalues above
{tol} times the largest one; the smallest ratio between the last kept and the first dropped
eigenvalue over all {len(rows)} samples was {gap_text}. Every spectrum is in
`results/tables/supp2.csv`.

## The numbers

{_md_table(["model", "n", "samples per depth", "M range", "max rank", "first M reaching it"], summary)}

```{{dropdown}} Rank range per M
{_md_table(["model", "n", "M", "min rank", "max rank"], detail)}
```

{_provenance_block(prov, wall)}
"""


def _figure_block(fig: str, caption: str) -> str:
    return f"""```{{figure}} figures/{fig}.png
:name: fig-{fig}
:alt: {caption}

{caption}
```
"""


def fig2_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    rows = read_csv(table)
    summary = []
    for key in dict.fromkeys((r["model"], int(r["n"])) for r in rows):
        sel = [r for r in rows if (r["model"], int(r["n"])) == key]
        top = max(int(r["max_rank"]) for r in sel)
        m_c = min(int(r["n_params"]) for r in sel if int(r["max_rank"]) == top)
        orbit, dim = sel[0]["orbit_dim"], sel[0]["dla_dim"]
        verdict = "reaches the bound" if str(top) == orbit else ("below the bound" if int(orbit) > top else "ABOVE the bound")
        summary.append([key[0], key[1], dim, orbit, top, m_c, verdict])
    dla_table = table.parent / "dla.csv"
    dla_rows = read_csv(dla_table) if dla_table.exists() else []
    dla_md = _md_table(
        ["model", "n", "dim g", "orbit dim", "method", "seconds"],
        [[r["model"], r["n"], r["dim"], r["orbit_dim"], r["method"], r["seconds"]] for r in dla_rows],
    )
    return f"""# fig2: QFIM rank against the Lie-algebraic bounds

{_figure_block("fig2", "Maximal QFIM rank at random points versus the number of parameters M, with the orbit dimension of the input state (dashed) and the dimension of the dynamical Lie algebra (dotted).")}

## What is plotted

The computed counterpart of the paper's schematic: for each model, the largest QFIM rank over random
parameter points at each number of parameters M, against two numbers read off the circuit alone:
the dimension of the dynamical Lie algebra $\mathfrak g$ (which bounds the critical number of
parameters $M_c$) and the dimension of the orbit of the input state (the tight bound on the rank).

## How it was computed

The Lie algebra is closed exactly (integer Pauli-sum arithmetic, independence decided modulo two
large primes), from the generators read off each model's Cirq circuit with the fixed Clifford gates
moved through by conjugation. The QFIM ranks come from exact state derivatives (see supp2).

## The numbers

{_md_table(["model", "n", "dim g", "orbit bound", "max rank", "first M at max", "verdict"], summary)}

### Every model and size of the paper (`results/tables/dla.csv`)

{dla_md}

{_provenance_block(prov, wall)}
"""


def _training_summary(rows: list[dict], threshold: float) -> tuple[list[list], list[list]]:
    groups: dict[tuple[str, int], dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    bounds = {}
    agree = []
    for r in rows:
        key = (r["model"], int(r["n"]))
        groups[key][int(r["n_params"])].append(float(r["final_loss"]))
        bounds[key] = (r.get("dla_dim", ""), r.get("orbit_dim", ""))
        agree.append(abs(float(r["final_loss"]) - float(r["qsim_final_loss"])))
    per_m, per_model = [], []
    for key, by_m in groups.items():
        first_ok = None
        for m in sorted(by_m):
            losses = by_m[m]
            frac = sum(v < threshold for v in losses) / len(losses)
            per_m.append([key[0], key[1], m, len(losses), f"{frac:.2f}", f"{min(losses):.2e}", f"{sorted(losses)[len(losses) // 2]:.2e}"])
            if first_ok is None and frac >= 0.9:
                first_ok = m
        dim, orbit = bounds[key]
        per_model.append([key[0], key[1], dim, orbit, first_ok if first_ok is not None else "not reached"])
    return per_m, per_model


def training_page(fig: str, title: str, what: str, loss_name: str):
    def page(table: Path, prov: dict, wall: dict[str, float]) -> str:
        rows = read_csv(table)
        threshold = float(rows[0].get("success_threshold") or 1e-4) if rows else 1e-4
        per_m, per_model = _training_summary(rows, threshold)
        worst = max((abs(float(r["final_loss"]) - float(r["qsim_final_loss"])) for r in rows), default=0.0)
        steps = rows[0]["steps"] if rows else "?"
        spectra = table.parent / f"{fig}_spectra.csv"
        spectra_md = ""
        if spectra.exists():
            srows = read_csv(spectra)
            spectra_md = (
                f"\nQFIM and Hessian spectra at the trained solutions are in `results/tables/{fig}_spectra.csv` "
                f"({len(srows)} eigenvalues).\n"
            )
        return f"""# {fig}: {title}

{_figure_block(fig, f"{loss_name} versus optimisation step; one colour per number of parameters M, thin lines: every run, thick: the median.")}

## What is plotted

{what} Every initialisation was trained with Adam (learning rate {rows[0]['lr'] if rows else '?'}) for
{steps} steps, recording the loss at every step.

## How it was computed

All initialisations of one configuration run as one batched computation on the differentiable
engine (JAX, float64), compiled automatically from the model's Cirq circuit; the final loss of every
run was recomputed with qsim from the final parameters (largest difference: {worst:.1e}).
A run counts as a success when its final loss is below {threshold:g}.

## Where the transition happens

{_md_table(["model", "n", "dim g", "orbit bound", "first M with ≥ 90 % successes"], per_model)}

```{{dropdown}} Success fraction per M
{_md_table(["model", "n", "M", "runs", "success fraction", "best loss", "median loss"], per_m)}
```
{spectra_md}
{_provenance_block(prov, wall)}
"""

    return page


PAGES: dict[str, tuple[Callable[[Path, dict, dict], str], str]] = {
    "fig2": (fig2_page, "qfim_sweep"),
    "supp2": (supp2_page, "qfim_sweep"),
    "fig3": (
        training_page(
            "fig3", "the trainability transition of the TFIM VQE", "Residual energy $E(\\theta) - E_0$ of the "
            "Hamiltonian variational ansatz for the transverse-field Ising chain (periodic and open boundary).",
            "Residual energy",
        ),
        "train_run",
    ),
    "supp4": (
        training_page(
            "supp4", "quantum-assisted compiling", "Hilbert–Schmidt-test loss of compiling a fixed Haar-random "
            "unitary with the hardware-efficient ansatz, and QFIM/Hessian spectra at the solutions.", "Loss",
        ),
        "train_run",
    ),
    "supp5": (
        training_page(
            "supp5", "quantum autoencoder", "Loss of the quantum autoencoder (one minus the mean probability of "
            "the trash qubits in |00⟩ over four training states).", "Loss",
        ),
        "train_run",
    ),
}


def render(figures: list[str], book: Path, tables: Path, figure_dir: Path, config_digest: str,
           benchmark_dir: Path = Path("benchmarks/out")) -> dict:
    """Write ``book/generated/<fig>.md`` and copy the PNGs; return the manifest."""
    out_dir = book / "generated"
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    prov = provenance(config_digest)
    manifest = {"pages": [], "provenance": prov}
    for fig in figures:
        page, rule = PAGES[fig]
        wall = {k: v for k, v in rule_wall_times(benchmark_dir, rule).items() if k.startswith(f"{fig}_")}
        shutil.copyfile(figure_dir / f"{fig}.png", out_dir / "figures" / f"{fig}.png")
        write_text(out_dir / f"{fig}.md", page(tables / f"{fig}.csv", prov, wall))
        manifest["pages"].append(fig)
    write_json(out_dir / "pages.json", manifest)
    return manifest
