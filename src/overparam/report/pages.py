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


PAGES: dict[str, tuple[Callable[[Path, dict, dict], str], str]] = {"supp2": (supp2_page, "supp2_data")}


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
