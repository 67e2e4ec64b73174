#!/usr/bin/env python3
"""Per-configuration comparison of the published training counts with the committed paper-scale records.

Usage (from the repository root)::

    PYTHONPATH=src python docs/replication/compare.py [--ours RECORD.csv ...] [--out docs/replication/comparison.csv]

Writes the rows the book's Replication chapter shows (``overparam.results.tables.replication``): per
configuration the published count and the regenerated one under the protocol of its record
(``regenerated_protocol``: ``published`` = Adam for every step, ``stop below X`` = the fixed
protocol), the fixed protocol's count beside it, the runs below 1e-4 at some step, Wilson 95 %
intervals, Fisher's exact p, Holm's p within each experiment, the verdicts at the 5 % level and the
demonstrated cause of each difference. A record run with the published protocol replaces the
fixed-protocol record for each configuration it ran. Prints the verdict counts per experiment for the three
counts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from overparam.errors import BadInput
from overparam.results.tables import write_csv
from overparam.results.tables.replication import REPLICATION_HEADER, replication_rows

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ("docs/paper-scale/configurations.csv", "docs/paper-scale/fig3-published-protocol.csv",
           "docs/paper-scale/supp4-published-protocol.csv")
RERUNS = ("docs/replication/reruns.csv",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", default=str(ROOT / "data/published/training.csv"))
    parser.add_argument("--ours", action="append",
                        help="a committed record (repeatable; default: those of docs/paper-scale/ that exist)")
    parser.add_argument("--out", default=str(ROOT / "docs/replication/comparison.csv"))
    args = parser.parse_args(argv)
    # The committed records are named relative to the repository (as in the book), not by this machine's paths.
    args.published, args.out = (os.path.abspath(p) for p in (args.published, args.out))
    ours = [os.path.abspath(p) for p in args.ours] if args.ours else [p for p in RECORDS if (ROOT / p).is_file()]
    # The reruns index names the cause of a differing row whose rerun agrees (as in the book).
    ours += [p for p in RERUNS if (ROOT / p).is_file()]
    os.chdir(ROOT)
    try:
        rows = replication_rows([args.published, *ours])
    except BadInput as exc:
        print(f"compare.py: {exc}", file=sys.stderr)
        return 2
    write_csv(args.out, REPLICATION_HEADER, rows)
    table = [dict(zip(REPLICATION_HEADER, r)) for r in rows]
    for exp in dict.fromkeys(r["experiment"] for r in table):
        mine = [r for r in table if r["experiment"] == exp]
        protocols = sorted({str(r["regenerated_protocol"]) for r in mine if r["regenerated_protocol"]})
        print(f"{exp} (regenerated protocol: {', '.join(protocols) or 'none'})")
        for label, column in (("final < 1e-4", "verdict"), ("fixed protocol", "fixed_verdict"),
                              ("below 1e-4 at some step", "reached_verdict")):
            print(f"  {label}: {dict(Counter(r[column] for r in mine if r[column]))}")
        causes = Counter(r["cause"] for r in mine if r["cause"])
        if causes:
            print(f"  causes: {dict(causes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
