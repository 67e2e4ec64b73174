#!/usr/bin/env python3
"""Per-configuration comparison of the published training counts with a regenerated table.

Usage (from the repository root)::

    PYTHONPATH=src python docs/replication/compare.py [--ours docs/paper-scale/configurations.csv]
        [--out-dir docs/replication]

Writes ``comparison_successes.csv`` (final loss below 1e-4, the paper's criterion) and
``comparison_reached.csv`` (below 1e-4 at some step, independent of an early stop) with Wilson 95 %
intervals, Fisher's exact p, Holm's p within each experiment and the verdict at the 5 % level
(``overparam.results.replication``), and prints the counts of verdicts per experiment.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from overparam.errors import BadInput
from overparam.results.replication import Comparison, compare_files, summary
from overparam.results.tables import write_csv

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", default=str(ROOT / "data/published/training.csv"))
    parser.add_argument("--ours", default=str(ROOT / "docs/paper-scale/configurations.csv"))
    parser.add_argument("--out-dir", default=str(ROOT / "docs/replication"))
    args = parser.parse_args(argv)
    try:
        for quantity in ("successes", "reached"):
            rows = compare_files(args.published, args.ours, quantity)
            write_csv(Path(args.out_dir) / f"comparison_{quantity}.csv", Comparison.HEADER, [c.row() for c in rows])
            print(quantity, summary(rows))
    except BadInput as exc:
        print(f"compare.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
