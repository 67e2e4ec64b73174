"""Copy the small tables of a run of the ``large`` targets into docs/beyond/ (the committed record).

    PYTHONPATH=src python docs/beyond/record.py /path/to/run [--out docs/beyond]

Builds, with the workflow's own table functions, ``large.csv`` and ``large_crossings.csv`` from the
training shards the run has finished (``results/data/large/train/*.json``) and the DLA results,
``qfim_summary.csv`` (per model, n and M: the ranks at the random points and the worst spectral gap;
the full spectra stay in the run's ``large_qfim`` table) from the finished QFIM jobs, and ``jobs.csv``
(wall and CPU seconds of every finished job, from the Snakemake benchmark files). A run that is not
finished gives the tables of what it has done.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections import defaultdict
from pathlib import Path

from overparam.results.tables import SWEEP_HEADER, TRAIN_HEADER, read_csv, sweep_rows, train_rows, write_csv
from overparam.results.tables.large import CROSSINGS_HEADER, LARGE_HEADER, large_crossings_rows, large_rows


def qfim_summary(rows: list[dict]) -> list[list]:
    """Per (model, n, M): the ranks over the points, their range and the smallest gap."""
    groups: dict[tuple[str, int, int], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], int(r["n"]), int(r["n_params"]))].append(r)
    out = []
    for (model, n, m), rs in sorted(groups.items()):
        ranks = [int(r["rank"]) for r in rs]
        out.append([model, n, m, len(rs), " ".join(map(str, ranks)), min(ranks), max(ranks),
                    min(float(r["gap"]) for r in rs), rs[0]["tolerance"], rs[0]["orbit_dim"], rs[0]["dla_dim"]])
    return out


def jobs(run: Path) -> list[list]:
    """Every finished job of the large rules and the DLA: rule, job, wall seconds, CPU seconds, max RSS."""
    out = []
    for rule in ("large_train", "large_qfim", "dla_data"):
        for tsv in sorted((run / "benchmarks/out" / rule).glob("*.tsv")):
            with open(tsv, newline="") as fh:
                row = next(csv.DictReader(fh, delimiter="\t"))
            out.append([rule, tsv.stem, row["s"], row["cpu_time"], row["max_rss"]])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="the run's directory (a copy of the repository)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--success-threshold", type=float, default=1e-4, help="the config's (default 1e-4)")
    args = parser.parse_args()
    data = args.run / "results/data"
    dla = sorted((data / "dla").glob("*.json"))
    shards = sorted((data / "large/train").glob("*.json"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if shards:
            rows = train_rows(shards + dla, success_threshold=args.success_threshold)
            write_csv(tmp / "large_train.csv", TRAIN_HEADER, rows)
            write_csv(args.out / "large.csv", LARGE_HEADER, large_rows([tmp / "large_train.csv"]))
            crossings = large_crossings_rows([args.out / "large.csv"])
            write_csv(args.out / "large_crossings.csv", CROSSINGS_HEADER, crossings)
        sweeps = sorted((data / "large/qfim").glob("*.json"))
        if sweeps:
            write_csv(tmp / "large_qfim.csv", SWEEP_HEADER, sweep_rows(sweeps + dla))
            write_csv(args.out / "qfim_summary.csv",
                      ("model", "n", "n_params", "points", "ranks", "min_rank", "max_rank", "min_gap", "tolerance",
                       "orbit_dim", "dla_dim"),
                      qfim_summary(read_csv(tmp / "large_qfim.csv")))
    write_csv(args.out / "jobs.csv", ("rule", "job", "wall_s", "cpu_s", "max_rss_mb"), jobs(args.run))


if __name__ == "__main__":
    main()
