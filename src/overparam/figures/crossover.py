"""crossover: the cost of one batched value and gradient, state-vector engine against free fermions.

Left: seconds against n (logarithmic) for both engines, measured (filled) and, for the state
vector past its largest run, extrapolated from its measured growth (open, dotted; drawn up to
n = 30 so that the measured range stays readable, the table has the rest). Right: the
memory estimate each engine's training is checked against before it starts (``overparam.sim.budget``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from overparam.figures.style import PALETTE, save, setup
from overparam.results.tables import read_csv

EXTRAPOLATED_TIME_UP_TO = 30
ENGINES = {"statevector": ("state-vector engine", PALETTE[1], "s"), "fermion": ("free-fermion engine", PALETTE[0], "o")}


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """Time and memory against n per engine from ``results/tables/crossover.csv``."""
    setup()
    rows = read_csv(table)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.3))
    batch = rows[0]["batch"] if rows else "?"
    for engine, (label, colour, marker) in ENGINES.items():
        for kind, style in (("measured", {"ls": "-", "mfc": colour}), ("extrapolated", {"ls": ":", "mfc": "white"})):
            rs = sorted((r for r in rows if r["engine"] == engine and r["kind"] == kind), key=lambda r: int(r["n"]))
            if not rs:
                continue
            n = np.array([int(r["n"]) for r in rs])
            t = np.array([float(r["seconds"]) for r in rs])
            mem = np.array([float(r["memory_bytes"]) for r in rs]) / 2**30
            text = label if kind == "measured" else f"{label} (extrapolated)"
            shown = n <= EXTRAPOLATED_TIME_UP_TO if kind == "extrapolated" else np.ones(n.size, dtype=bool)
            left.plot(n[shown], t[shown], color=colour, marker=marker, ms=4.5, lw=1.3, label=text, **style)
            right.plot(n, mem, color=colour, marker=marker, ms=4.5, lw=1.3, label=text, **style)
    left.set_yscale("log")
    left.set_xlabel("qubits n (p = n layers, M = 2n)")
    left.set_ylabel(f"CPU seconds per value and gradient\n(one thread, B = {batch})")
    left.legend(frameon=False, fontsize=7)
    right.set_yscale("log")
    right.set_xlabel("qubits n")
    right.set_ylabel("memory estimate of training (GiB)")
    right.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return save(fig, out_stem)
