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


def hardware_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The hardware page: shot-based QFIM ranks on Google's virtual processors beside the exact ones."""
    rows = read_csv(table)
    summary = []
    for r in rows:
        summary.append(
            [r["backend"], r["layers"], r["n_params"], r["sample"], r["repetitions"], r["circuits"], r["exact_rank"],
             r["rank"], f"{float(r['tolerance']):.3g}", f"{float(r['max_z']):.2f}"]
        )
    first = rows[0] if rows else {}
    qubits = ", ".join(sorted({r["device_qubits"] for r in rows})) or "n/a"
    noiseless = [float(r["max_z"]) for r in rows if r["backend"] == "virtual-noiseless"]
    agreement = (
        f"On the noiseless virtual processor the largest entry-wise deviation from the exact QFIM was "
        f"{max(noiseless):.2f} shot standard deviations (over {len(noiseless)} matrices)."
        if noiseless else "No noiseless run in this table."
    )
    return f"""# hardware: QFIM rank on Google's virtual processors

```{{figure}} figures/hardware.png
:name: fig-hardware
:alt: QFIM rank versus number of parameters from shots on virtual Google processors, beside the exact rank

Left: QFIM rank versus the number of parameters M; line: exact (state vector); markers: measured
with shots on the virtual processor, cut at the shot-noise tolerance. Right: every eigenvalue
(filled: measured; open circles: exact) with each measurement's cut as a bar.
```

## What is measured

The model {first.get("model", "n/a")} (`{first.get("ansatz", "")}`, {first.get("options", "")}, n = {first.get("n", "")})
is compiled for the processor `{first.get("processor", "n/a")}` and run through cirq_google's
engine interface offline: `virtual-noiseless` is the device specification behind a noiseless
simulator, `virtual-noisy` the noisy quantum virtual machine built from the processor's median
calibration (simulated as a density matrix). Placed on the device qubits {qubits}.

## How

- **Compiling.** Each parametrized gate $e^{{-i g c P}}$ (here $c = 1/2$) becomes a basis change,
  a CNOT ladder and one $R_z(2cg)$ with its *own* symbol $g_k$, so the only symbolic gates are
  single-qubit $Z$ rotations. The circuit is placed on a ring of coupled qubits (found by a
  subgraph search of the device graph), compiled once with `cirq.optimize_for_target_gateset` to
  the device's first compilation target, validated with `device.validate_circuit`, and every
  evaluation below is one sweep over resolvers of that one circuit.
- **QFIM.** $f(a, b) = |\langle\psi(b)|\psi(a)\rangle|^2$ is the probability of all zeros after
  $U(b)^\dagger U(a)$, and $F = -2\,\nabla_b^2 f$ at $b = a$. Per pair of gates the four-term
  parameter-shift formula $c_k c_l[f(++) - f(+-) - f(-+) + f(--)]$ (shifts $\pm\pi/(4c)$); on the
  diagonal $2c_k^2[f(b_k + \pi/(2c_k)) - f(a, a)]$; a shared parameter sums over its gates.
  That is $2G(G-1) + G + 1$ circuits for $G$ gates.
- **Errors.** Each fidelity has the binomial error $\sqrt{{p(1-p)/N}}$ (Laplace-smoothed $p$), and
  the QFIM is linear in the fidelities, so each entry's error is exact error propagation.
- **Rank.** Eigenvalues above $z\,\sigma_F$ with $\sigma_F = (\sum_{{ij}}\sigma_{{ij}}^2)^{{1/2}}$,
  the r.m.s. Frobenius norm of the shot error, and $z = {first.get("z", 3)}$. By Weyl's inequality a
  zero eigenvalue moves by at most the spectral norm of the error, which is below its Frobenius
  norm; the measured rank is therefore a lower bound on the true rank with high probability, and
  eigenvalues below the cut are not resolved by that many shots. On the noisy device the measured
  matrix is the fidelity-based metric of the *noisy* states, not the pure-state QFIM; the
  deviation column shows that bias in units of the shot error.

{agreement}

## The numbers

{_md_table(["backend", "layers", "M", "sample", "shots", "circuits", "exact rank", "shot rank", "cut", "max dev / sigma"], summary)}

Every spectrum (measured and exact) is in `results/tables/hardware.csv`.

{_provenance_block(prov, wall)}
"""


PAGES: dict[str, tuple[Callable[[Path, dict, dict], str], str]] = {
    "supp2": (supp2_page, "supp2_data"),
    "hardware": (hardware_page, "hardware_data"),
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
        wall = rule_wall_times(benchmark_dir, rule)
        shutil.copyfile(figure_dir / f"{fig}.png", out_dir / "figures" / f"{fig}.png")
        write_text(out_dir / f"{fig}.md", page(tables / f"{fig}.csv", prov, wall))
        manifest["pages"].append(fig)
    write_json(out_dir / "pages.json", manifest)
    return manifest
