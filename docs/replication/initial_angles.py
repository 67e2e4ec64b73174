#!/usr/bin/env python3
"""Which range of initial angles produced the published TFIM loss records?

Usage (from the repository root)::

    PYTHONPATH=src python docs/replication/initial_angles.py [--max-qubits 6] [--draws 3000]

The first entry of each published loss record (``initial_loss`` in ``data/published/runs.csv.gz``)
is the residual energy at the run's initial angles; its distribution depends only on the model and
the distribution of those angles. For each candidate width ``c`` the script draws ``--draws`` angle
vectors uniform in ``[0, c)``, evaluates the project's loss there (``overparam.sim.engine``) and maps
each published initial loss through the resulting empirical distribution function. Under the right
``c`` those values are uniform on [0, 1); the Kolmogorov-Smirnov p-value of the pooled values is
printed per model and overall.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy.stats

from overparam.ansatze.registry import build_ansatz
from overparam.sim.engine import build_engine

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"pi": np.pi, "2": 2.0, "1.85": 1.85, "1.7": 1.7, "pi/2": np.pi / 2, "1.45": 1.45, "1.3": 1.3}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-qubits", type=int, default=6)
    parser.add_argument("--draws", type=int, default=3000)
    args = parser.parse_args(argv)
    rows = csv.DictReader(io.StringIO(gzip.open(ROOT / "data/published/runs.csv.gz", "rt").read()))
    initial = defaultdict(list)
    for r in rows:
        if r["experiment"] == "fig3" and int(r["n"]) <= args.max_qubits:
            initial[(r["model"], int(r["n"]), int(r["layers"]))].append(float(r["initial_loss"]))
    rng = np.random.default_rng(2023)
    pooled = defaultdict(lambda: defaultdict(list))
    for (model, n, layers), values in sorted(initial.items()):
        boundary = "open" if model == "tfim-open" else "periodic"
        engine = build_engine(build_ansatz("tfim-hva", n, layers, {"boundary": boundary}))
        u = rng.uniform(0.0, 1.0, size=(args.draws, 2 * layers))
        for name, width in WIDTHS.items():
            reference = np.sort(np.asarray(engine.loss(width * u)))
            pit = np.searchsorted(reference, np.array(values)) / reference.size
            pooled[model][name].extend(pit)
            pooled["all"][name].extend(pit)
    print("model, runs, " + ", ".join(f"KS p for [0, {name})" for name in WIDTHS))
    for model, by_width in pooled.items():
        runs = len(next(iter(by_width.values())))
        ps = [scipy.stats.kstest(by_width[name], "uniform").pvalue for name in WIDTHS]
        print(f"{model}, {runs}, " + ", ".join(f"{p:.2g}" for p in ps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
