"""Render one MyST page per figure from its table, plus provenance, into ``book/generated/``."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from overparam.fileio import write_json, write_text
from overparam.results.provenance import provenance, rule_wall_times
from overparam.results.tables import first_m_at, read_csv


def _md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _provenance_block(prov: dict, wall: dict[str, float], rules: str = "the simulation rules") -> str:
    """The provenance section every page ends with: commit, config hash, versions, machine, wall times.

    ``wall`` maps a job to its wall seconds, read from the Snakemake ``benchmark:`` files of ``rules``.
    """
    pk = ", ".join(f"{k} {v}" for k, v in prov["packages"].items())
    if wall:
        longest = max(wall, key=wall.get)
        times = (
            f"{len(wall)} job{'s' if len(wall) != 1 else ''} of {rules}, {sum(wall.values()):.1f} s in total, "
            f"longest {wall[longest]:.1f} s (`{longest}`)"
        )
        jobs = _md_table(["job", "wall time (s)"], [[f"`{k}`", f"{v:.2f}"] for k, v in sorted(wall.items())])
        detail = f"\n```{{dropdown}} Wall time of every job (Snakemake benchmark files)\n{jobs}\n```\n"
    else:
        times, detail = f"not recorded (no benchmark files of {rules})", ""
    return (
        "## Provenance\n\n"
        + _md_table(
            ["item", "value"],
            [
                ["git commit", f"`{prov['git_commit']}`"],
                ["config hash", f"`{prov['config_hash']}`"],
                ["Python and packages", f"Python {prov['python']}; {pk}"],
                ["CPU", prov["cpu"]],
                ["GPU", prov["gpu"]],
                ["wall time", times],
            ],
        )
        + "\n"
        + detail
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
the dimension of the dynamical Lie algebra $\\mathfrak g$ (which bounds the critical number of
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


def _lowest(r: dict) -> float | None:
    value = r.get("lowest_loss")
    return float(value) if value not in (None, "") else None


def _training_summary(rows: list[dict], threshold: float) -> tuple[list[list], list[list], bool]:
    """Per (model, n, M) success fractions and per (model, n) the first M with ≥ 90 % successes.

    When every row has a lowest loss, the fraction of runs that got below the threshold at some step
    (``reached``) is reported beside the final-loss one; the third value says whether it was.
    """
    groups: dict[tuple[str, int], dict[int, list[tuple[float, float | None]]]] = defaultdict(lambda: defaultdict(list))
    bounds = {}
    for r in rows:
        key = (r["model"], int(r["n"]))
        groups[key][int(r["n_params"])].append((float(r["final_loss"]), _lowest(r)))
        bounds[key] = (r.get("dla_dim", ""), r.get("orbit_dim", ""))
    with_lowest = bool(rows) and all(_lowest(r) is not None for r in rows)
    per_m, per_model = [], []
    for key, by_m in groups.items():
        finals, reached = [], []
        for m in sorted(by_m):
            losses = [final for final, _ in by_m[m]]
            finals.append((m, sum(v < threshold for v in losses) / len(losses)))
            row = [key[0], key[1], m, len(losses), f"{finals[-1][1]:.2f}"]
            if with_lowest:
                reached.append((m, sum(low < threshold for _, low in by_m[m]) / len(losses)))
                row.append(f"{reached[-1][1]:.2f}")
            per_m.append(row + [f"{min(losses):.2e}", f"{sorted(losses)[len(losses) // 2]:.2e}"])
        dim, orbit = bounds[key]
        per_model.append([key[0], key[1], dim, orbit, first_m_at(finals)] + ([first_m_at(reached)] if with_lowest else []))
    return per_m, per_model, with_lowest


def training_page(fig: str, title: str, what: str, loss_name: str):
    def page(table: Path, prov: dict, wall: dict[str, float]) -> str:
        rows = read_csv(table)
        threshold = float(rows[0].get("success_threshold") or 1e-4) if rows else 1e-4
        per_m, per_model, with_lowest = _training_summary(rows, threshold)
        model_cols = ["model", "n", "dim g", "orbit bound", "first M with ≥ 90 % successes"]
        m_cols = ["model", "n", "M", "runs", "success fraction"]
        reached_md = ""
        if with_lowest:
            model_cols.append("first M with ≥ 90 % below it at some step")
            m_cols.append("fraction below it at some step")
            reached_md = (
                " Adam at a fixed learning rate can leave a minimum it reached (late spikes in the curves),"
                " so the fraction of runs whose loss was below the threshold at some step is shown as well."
            )
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
A run counts as a success when its final loss is below {threshold:g}.{reached_md}

## Where the transition happens

{_md_table(model_cols, per_model)}

```{{dropdown}} Success fraction per M
{_md_table(m_cols + ["best loss", "median loss"], per_m)}
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


def _spectrum(row: dict[str, str]) -> list[float]:
    return [float(v) for v in row["spectrum"].split()]


def ext1_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The ext1 page: SLD QFIM ranks and spectra versus depth under depolarizing noise."""
    rows = read_csv(table)
    model, n, options = rows[0]["model"], rows[0]["n"], rows[0]["options"]
    tol = rows[0]["tolerance"]
    layers = sorted({int(r["layers"]) for r in rows})
    n_params = {int(r["layers"]): int(r["n_params"]) for r in rows}
    samples = len({r["sample"] for r in rows})
    settings = list(dict.fromkeys((r["noise"], r["strength"]) for r in rows if r["noise"] != "pure-state"))
    max_rank: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for r in rows:
        key = (r["noise"], r["strength"])
        p = int(r["layers"])
        max_rank[key][p] = max(max_rank[key].get(p, 0), int(r["rank"]))
    clean = max_rank[("none", "0")]
    pure = max_rank[("pure-state", "0")]
    bound = max(clean.values())

    # The noiseless SLD result against the state-vector QFIM at the same points.
    by_point = {(r["layers"], r["sample"], r["noise"]): r for r in rows if r["noise"] in ("none", "pure-state")}
    deviation, rank_mismatch = 0.0, 0
    for (p, k, kind), r in by_point.items():
        if kind != "none":
            continue
        ref = by_point[(p, k, "pure-state")]
        a, b = _spectrum(r), _spectrum(ref)
        deviation = max(deviation, max(abs(x - y) for x, y in zip(a, b)))
        rank_mismatch += int(r["rank"] != ref["rank"])

    def label(kind: str, strength: str) -> str:
        return {"none": "noiseless", "local": f"local p = {strength}", "global": f"global q = {strength}",
                "pure-state": "pure-state QFIM (check)"}[kind]

    rank_rows = [[label(*key)] + [max_rank[key].get(p, "") for p in layers] for key in settings + [("pure-state", "0")]]
    rank_rows.insert(0, ["M = 2p"] + [n_params[p] for p in layers])
    above = {key: [p for p in layers if max_rank[key].get(p, 0) > bound] for key in settings}
    local_keys = [k for k in settings if k[0] == "local"]
    global_keys = [k for k in settings if k[0] == "global"]
    local_above = sorted({p for k in local_keys for p in above[k]})
    global_same = all(max_rank[k] == clean for k in global_keys)
    noisy = [r for r in rows if r["noise"] in ("local", "global")]
    finite_gaps = [float(r["gap"]) for r in noisy if r["gap"] not in ("", "inf")]
    narrow = sum(1 for g in finite_gaps if g < 1e3)
    min_rho = min((float(r["rho_min_eigenvalue"]) for r in rows if r["noise"] == "local"), default=float("nan"))
    deepest = layers[-1]

    def top(kind: str, strength: str) -> float:
        return max(_spectrum(r)[0] for r in rows if r["noise"] == kind and r["strength"] == strength
                   and int(r["layers"]) == deepest)

    suppression = [[label(*k), f"{top(*k):.3g}", f"{top(*k) / top('none', '0'):.3g}"] for k in settings]
    if local_above:
        local_text = (
            f"Local noise raises the rank above the noiseless saturation value {bound} at p = "
            f"{', '.join(map(str, local_above))}: at every depth and strength measured the maximal rank is "
            f"{'M' if all(max_rank[k][p] == n_params[p] for k in local_keys for p in layers) else 'as listed'}, "
            "i.e. the noise turns on eigenvalues that are exactly zero without noise. The new eigenvalues "
            "are small (the lower cloud of filled dots in each local-noise panel), so the model is only "
            "*quasi*-overparametrized: large eigenvalues coexist with small ones."
        )
    else:
        local_text = f"Local noise did not raise the rank above the noiseless saturation value {bound}."
    global_text = (
        "Global depolarizing noise leaves every rank as it is and rescales the whole spectrum by "
        "$q^2/(q + 2(1-q)/2^n)$ (exact for $\\rho = q\\psi + (1-q)I/2^n$, and checked by the tests)."
        if global_same else "Global depolarizing noise changed some ranks (see the table): unexpected, check the gaps."
    )
    return f"""# ext1: the quantum Fisher information under noise

```{{figure}} figures/ext1.png
:name: fig-ext1
:alt: SLD QFIM eigenvalues and ranks versus depth under local and global depolarizing noise

{model} ({options}), n = {n}. Spectrum panels: every eigenvalue of the SLD quantum Fisher
information at {samples} random points per depth; filled dots are counted in the rank, open grey
circles fall below the cut (relative tolerance {tol}); values at or below zero sit on the axis floor.
The dashed line is the largest noiseless eigenvalue. Rank panels: the maximal rank over the points
for each strength, the noiseless curve (dashed, open circles) and $M = 2p$ (dotted).
```

## What is plotted

The quantum Fisher information of the mixed output state $\\rho(\\theta)$ of the periodic
transverse-field Ising HVA (PAPER.md, experiment 6) for depths p = {layers[0]}…{layers[-1]}, under
local depolarizing noise after every gate and under global depolarizing noise, next to the noiseless
model. Without noise the rank saturates at the dimension of the orbit of the input state (the
DLA bound of the paper); the question is what noise does to that bound.

## How it was computed

- **State.** Exact density-matrix simulation compiled automatically from the Cirq circuit and run in
  JAX double precision. Local noise: `cirq.depolarize(p)`,
  $\\rho \\to (1-p)\\rho + \\tfrac{{p}}{{3}}(X\\rho X + Y\\rho Y + Z\\rho Z)$, on every qubit an
  operation acts on, after every operation (the input Hadamards included). Global noise:
  $\\rho \\to q\\rho + (1-q)I/2^n$ once at the end (it commutes with the circuit). The engine
  agrees with `cirq.DensityMatrixSimulator` (complex128, the same noise inserted as channels) to
  $10^{{-10}}$ in the tests.
- **Derivatives.** $\\partial\\rho/\\partial\\theta_j$ by forward-mode automatic
  differentiation (no finite differences).
- **SLD QFIM.** $F_{{ij}} = 2\\sum_{{k,l:\\,\\lambda_k+\\lambda_l > 10^{{-12}}}}
  \\mathrm{{Re}}(\\langle k|\\partial_i\\rho|l\\rangle\\langle l|\\partial_j\\rho|k\\rangle)
  /(\\lambda_k+\\lambda_l)$ in the eigenbasis of $\\rho$; pairs below the cut-off are the
  numerical kernel of a (nearly) pure state. The smallest eigenvalue of $\\rho$ under local noise
  was {min_rho:.2g}, far above the cut-off.
- **Rank.** Eigenvalues above {tol} times the largest; the whole spectrum is in
  `results/tables/ext1.csv`. Noisy spectra: {len(noisy)}; of these, {narrow} with a gap (smallest kept
  over largest dropped eigenvalue) below $10^3$, i.e. a cut that a different tolerance could move.
- **Check of the noiseless limit.** The same points are also evaluated by the state-vector engine
  (pure-state QFIM). Largest difference between the noiseless SLD and the pure-state spectra:
  {deviation:.2g}; rank mismatches: {rank_mismatch}.

## The numbers

Maximal rank over the points, per depth p:

{_md_table(["setting"] + [f"p={p}" for p in layers], rank_rows)}

- Noiseless saturation rank (the orbit bound measured at random points): **{bound}**, reached at
  p = {min(p for p in layers if clean[p] == bound)}; pure-state QFIM at the same points: {max(pure.values())}.
- {local_text}
- {global_text}

Largest eigenvalue at p = {deepest} (the dashed line's end) and its ratio to the noiseless one:
strong noise suppresses the whole spectrum.

{_md_table(["setting", "largest eigenvalue", "ratio to noiseless"], suppression)}

The same picture (noise switches on previously-zero eigenvalues, while strong noise suppresses all
of them) is the subject of García-Martín, Larocca and Cerezo, arXiv:2302.05059.

{_provenance_block(prov, wall)}
"""


def supp3_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The supp3 page: the ansätze's circuits, their sizes and gate counts, and text diagrams."""
    rows = read_csv(table)
    summary = [
        [r["ansatz"], r["options"] or "-", r["n"], r["layers"], r["n_qubits"], r["n_params"], r["n_ops"],
         r["n_multi_qubit"], r["depth"], r["gate_counts"].replace(";", ", ")]
        for r in rows
    ]
    diagrams = "\n\n".join(
        # Four backticks outside, three inside: MyST closes a fence at the first one of equal length.
        f"````{{dropdown}} {r['ansatz']} ({r['options'] or 'default options'}), n = {r['n']}, {r['layers']} layers\n"
        f"```text\n{r['text_diagram']}\n```\n````"
        for r in rows
    )
    return f"""# supp3: the circuits of the ansätze

```{{figure}} figures/supp3.png
:name: fig-supp3
:alt: circuit diagrams of the registered ansätze at small size

Every registered ansatz at a small size, drawn from its Cirq circuit: one column group per moment
(alternate moments shaded), parametrized gates tinted. Labels are Cirq's wire symbols:
`ZZ^(zz_0/π)` is `ZZPowGate` with exponent $\\theta/\\pi$ and global shift $-1/2$, i.e.
$e^{{-i\\theta ZZ/2}}$; a symbol repeated on several gates is one shared parameter.
```

## What is plotted

The circuits behind every experiment, at a size small enough to read: the periodic and open
transverse-field Ising HVA (experiments 1–3 and 6), and the hardware-efficient ansatz in its
compiling (QAQC, experiment 4) and autoencoder (experiment 5) settings when registered. The
autoencoder's circuit acts on each training state rather than on $|0\\ldots0\\rangle$.

## How it was computed

`overparam circuits` builds each ansatz with the library's own builders (the same circuits every
experiment simulates) and records, moment by moment, each operation's qubits and Cirq's wire
symbols; the figure draws that layout without re-deriving anything. `M` counts free parameters
after sharing; depth is the number of Cirq moments.

## The numbers

{_md_table(["ansatz", "options", "n", "layers", "qubits", "M", "gates", "multi-qubit", "depth", "gate counts"], summary)}

## Text diagrams (Cirq)

{diagrams}

{_provenance_block(prov, wall)}
"""



PAGES.update({"ext1": (ext1_page, "ext1_data"), "supp3": (supp3_page, "supp3_data")})


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
- **QFIM.** $f(a, b) = |\\langle\\psi(b)|\\psi(a)\\rangle|^2$ is the probability of all zeros after
  $U(b)^\\dagger U(a)$, and $F = -2\\,\\nabla_b^2 f$ at $b = a$. Per pair of gates the four-term
  parameter-shift formula $c_k c_l[f(++) - f(+-) - f(-+) + f(--)]$ (shifts $\\pm\\pi/(4c)$); on the
  diagonal $2c_k^2[f(b_k + \\pi/(2c_k)) - f(a, a)]$; a shared parameter sums over its gates.
  That is $2G(G-1) + G + 1$ circuits for $G$ gates.
- **Errors.** Each fidelity has the binomial error $\\sqrt{{p(1-p)/N}}$ (Laplace-smoothed $p$), and
  the QFIM is linear in the fidelities, so each entry's error is exact error propagation.
- **Rank.** Eigenvalues above $z\\,\\sigma_F$ with $\\sigma_F = (\\sum_{{ij}}\\sigma_{{ij}}^2)^{{1/2}}$,
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


PAGES["hardware"] = (hardware_page, "hardware_data")


SHARED_RULES = ("qfim_sweep", "train_run")


ALL_RULES_WALL = "all simulation rules"
RESULTS_RULES = ("dla_data", "qfim_sweep", "train_run")


def _all_wall_times(benchmark_dir: Path, rules: list[str] | None = None) -> dict[str, float]:
    """``{rule/job: seconds}`` over ``rules`` (default: every rule with benchmark files)."""
    if rules is None:
        rules = sorted(p.name for p in benchmark_dir.glob("*") if p.is_dir()) if benchmark_dir.is_dir() else []
    return {f"{rule}/{job}": s for rule in rules for job, s in rule_wall_times(benchmark_dir, rule).items()}


def contents_include(pages: list[str], prov: dict, wall: dict[str, float]) -> str:
    """``book/generated/contents.md``: the intro's links to every page, and the build's provenance."""
    figures = "\n".join(f"- {{doc}}`/generated/{fig}`" for fig in pages)
    return f"""## What is in this book

- {{doc}}`/generated/results`: every regenerated number that the theory predicts (DLA dimension,
  orbit bound, critical number of parameters, success of training below and above it), set beside
  the prediction, with a plain statement of where they agree and where not.
- {{doc}}`/generated/performance`: the benchmarks of the project's engines against other tools,
  and the time and memory of every job of this build.

One page per figure, each with the figure, what it shows, how it was computed, its numbers and
its provenance:

{figures}

{_provenance_block(prov, wall, ALL_RULES_WALL)}"""


def render(figures: list[str], book: Path, tables: Path, figure_dir: Path, config_digest: str,
           benchmark_dir: Path = Path("benchmarks/out"), bench_results: Path = Path("benchmarks/results")) -> dict:
    """Write ``book/generated/<fig>.md`` (and copy the PNGs), the results, performance and contents pages.

    Returns the manifest (also written to ``book/generated/pages.json``).
    """
    from overparam.report.comparison import results_page
    from overparam.report.performance import performance_page

    out_dir = book / "generated"
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    prov = provenance(config_digest)
    manifest = {"pages": [], "provenance": prov}
    for fig in figures:
        page, rule = PAGES[fig]
        wall = rule_wall_times(benchmark_dir, rule)
        if rule in SHARED_RULES:  # one rule serves several figures: keep this figure's jobs
            wall = {k: v for k, v in wall.items() if k.startswith(f"{fig}_")}
        shutil.copyfile(figure_dir / f"{fig}.png", out_dir / "figures" / f"{fig}.png")
        write_text(out_dir / f"{fig}.md", page(tables / f"{fig}.csv", prov, wall))
        manifest["pages"].append(fig)
    all_wall = _all_wall_times(benchmark_dir)
    results_wall = _all_wall_times(benchmark_dir, list(RESULTS_RULES))
    write_text(out_dir / "results.md",
               results_page(tables, _provenance_block(prov, results_wall, ", ".join(RESULTS_RULES))))
    write_text(out_dir / "performance.md",
               performance_page(bench_results, benchmark_dir, _provenance_block(prov, all_wall, ALL_RULES_WALL)))
    write_text(out_dir / "contents.md", contents_include(manifest["pages"], prov, all_wall))
    manifest["extra_pages"] = ["results", "performance", "contents"]
    write_json(out_dir / "pages.json", manifest)
    return manifest


# Geometry pages (fig1, fig4 with the critical-M table, supp1).
from overparam.report.geometry_pages import GEOMETRY_PAGES  # noqa: E402

PAGES.update(GEOMETRY_PAGES)
# --- beyond (issue 8) -------------------------------------------------------------------------------
def beyond_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The beyond page: QFIM rank and critical M of the TFIM models past the paper's sizes."""
    from overparam.results.beyond import summarize

    rows = read_csv(table)
    summary = summarize(rows)
    first = rows[0] if rows else {}
    lines = []
    for s in summary:
        lines.append(
            [s.model, s.n, s.dla_dim, s.orbit_dim, s.samples, s.max_m, s.top_rank, s.m_c if s.m_c else "not reached",
             s.m_c_all if s.m_c_all else "not reached", s.m_c_tight if s.m_c_tight else "not reached",
             f"{s.saturated_gap:.1e}", "yes" if s.within_bound else "**no**", f"{s.compile_seconds:.1f}",
             f"{s.point_seconds:.2f}", s.device]
        )
    saturated = [s for s in summary if s.m_c is not None]
    verdict = (
        "Every rank stays at or below the orbit dimension, and the rank of every size reaches it."
        if summary and all(s.within_bound for s in summary) and len(saturated) == len(summary)
        else "See the table: not every size was run past saturation, or a rank left the bound."
    )
    tol = first.get("tolerance", "n/a")
    tight = first.get("tight_tolerance", "n/a")
    return f"""# beyond: QFIM rank and critical M past the paper's sizes

```{{figure}} figures/beyond.png
:name: fig-beyond
:alt: QFIM rank versus number of parameters for the periodic and open TFIM models at large n, against the orbit bound

QFIM rank versus the number of parameters M (largest over the random points). Solid: cut at
{tol} λ_max; dotted: cut at {tight} λ_max; dashed: the orbit dimension from the exact Lie-algebra
analysis; marker: the critical M where the rank first reaches it; grey: rank = M.
```

## What is measured

The paper stops at n = 10. Here the tfim-hva models (periodic and open chains) are analysed at
the sizes configured under `beyond:` in the config, with the same random-point protocol as
supp2, and every rank is checked against the exact orbit dimension of `overparam dla`.

{verdict}

## How

- **One Jacobian per point for every M.** With $U = U_\\text{{rest}} U_M$ (the gates of the first M
  parameters, then the rest), the leading M x M block of the deep circuit's QFIM equals the QFIM
  of the truncated circuit at the same angles, because $U_\\text{{rest}}$ is unitary. One
  forward-mode Jacobian of the deepest circuit on the JAX engine (float64) per random point
  therefore gives the rank at every M (odd M: the last layer's RX rotations dropped), with one
  compilation per model and size. The tests check the blocks against the `cirq` backend's QFIM of
  the truncated circuits.
- **Two cuts.** Below the critical M the smallest genuine eigenvalues of these models fall to
  about $10^{{-10}}\\lambda_\\max$ at n = 12 (measured on development runs at n = 12 and 14) (an ill-conditioned but full-rank QFIM), right at the
  project's standard cut, and for the periodic chain at n = 14 single eigenvalues just below
  saturation reach $10^{{-12}}$ to $10^{{-17}}\\lambda_\\max$; exact zeros of the double-precision QFIM
  sit near $10^{{-16}}\\lambda_\\max$. Below saturation the rank is therefore a statement about
  the cut, and it is reported at both; at the largest M both agree, and `gap at max M` (last kept
  over first dropped eigenvalue, worst point) shows how clean the saturated rank is. Whole spectra
  are in `results/tables/beyond.csv`.
- **Critical M.** The smallest M at which the largest rank over the points equals the orbit
  dimension (and the smallest at which every point does).
- **Ground energies.** Building a tfim-hva ansatz computes its exact ground energy; beyond 14
  qubits it comes from the free-fermion solution (`overparam.freefermion`, even-parity sector
  with antiperiodic fermions for the ring), checked against sparse diagonalisation up to n = 10.

## The numbers

{_md_table(["model", "n", "dim g", "orbit dim", "points", "max M", "top rank", "M_c (max)", "M_c (all points)",
            "M_c (tight cut)", "gap at max M", "rank <= orbit", "compile s", "s / point", "device"], lines)}

Timings: `compile s` is the engine's JIT compilation of the deepest circuit (paid once);
`s / point` the Jacobian and QFIM of one random point, on the device named.

{_provenance_block(prov, wall)}
"""


PAGES["beyond"] = (beyond_page, "beyond_data")
