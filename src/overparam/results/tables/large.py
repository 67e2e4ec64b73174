"""Tables of the "Beyond the paper's sizes" page: the transition past n = 10 and the engines' crossover.

* ``large_train``: one row per training run (the experiment tables' :func:`train_rows`);
* ``large``: per (model, n, M) the successes of the published protocol and of the fixed one, with
  95 % Wilson intervals, beside dim g and the orbit dimension (read from ``large_train.csv``);
* ``large_crossings``: per (model, n, protocol) the M where success crosses 50 % and 90 %
  (:func:`overparam.results.transition.crossing`), from ``large.csv``;
* ``large_qfim``: one row per random point and M (the sweep tables' :func:`sweep_rows`);
* ``crossover``: per n and engine the seconds of one batched value and gradient, measured or
  extrapolated, from ``benchmarks/results/crossover.json``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

from overparam.errors import BadInput
from overparam.fileio import read_json_object
from overparam.results.replication import wilson_interval
from overparam.results.tables.base import read_csv
from overparam.results.transition import LEVELS, crossing

LARGE_HEADER = (
    "model", "n", "layers", "n_params", "runs", "successes", "success_lo", "success_hi", "fixed_successes",
    "fixed_lo", "fixed_hi", "reached", "success_threshold", "protocol", "dla_dim", "orbit_dim",
)
PROTOCOLS = {"published": "successes", "fixed": "fixed_successes"}


def _interval(k: int, runs: int) -> list[str]:
    lo, hi = wilson_interval(k, runs)
    return [f"{lo:.4f}", f"{hi:.4f}"]


def large_rows(files: Iterable[str | Path]) -> list[list]:
    """Per (model, n, M), sorted: runs, successes of both protocols with
    their Wilson intervals, the runs whose loss was below the threshold at some step, the Lie bounds.

    A run's ``fixed_success`` cell is empty when its shard predates the lowest-loss record; the
    fixed-protocol columns are then empty for its configuration.
    """
    groups: dict[tuple[str, int, int], list[dict]] = {}
    for path in files:
        for r in read_csv(path):
            groups.setdefault((r["model"], int(r["n"]), int(r["n_params"])), []).append(r)
    rows = []
    for (model, n, m), rs in sorted(groups.items()):
        runs = len(rs)
        k = sum(int(r["success"]) for r in rs)
        fixed = [r["fixed_success"] for r in rs]
        known = all(f != "" for f in fixed)
        kf = sum(int(f) for f in fixed) if known else None
        reached = [r["reached"] for r in rs]
        protocols = sorted({r["protocol"] for r in rs})
        rows.append(
            [model, n, rs[0]["layers"], m, runs, k, *_interval(k, runs),
             "" if kf is None else kf, *(_interval(kf, runs) if kf is not None else ["", ""]),
             sum(int(x) for x in reached) if all(x != "" for x in reached) else "",
             rs[0]["success_threshold"], "; ".join(protocols), rs[0]["dla_dim"], rs[0]["orbit_dim"]]
        )
    return rows


CROSSINGS_HEADER = (
    "model", "n", "protocol", "level", "m", "lo", "hi", "text", "m_min", "m_max", "runs", "orbit_dim", "dla_dim",
)


def large_crossings_rows(files: Iterable[str | Path]) -> list[list]:
    """Per (model, n) and protocol (published, fixed), the 50 % and 90 % crossings of the success
    fraction against M (first swept M at the level, and the range the 95 % intervals allow)."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for path in files:
        for r in read_csv(path):
            groups[(r["model"], int(r["n"]))].append(r)
    rows = []
    for (model, n), rs in groups.items():
        ms = [int(r["n_params"]) for r in rs]
        for protocol, column in PROTOCOLS.items():
            if any(r[column] == "" for r in rs):
                continue
            counts = [(int(r["n_params"]), int(r[column]), int(r["runs"])) for r in rs]
            for level in LEVELS:
                c = crossing(counts, level)
                rows.append(
                    [model, n, protocol, level, "" if c.m is None else c.m, "" if c.lo is None else c.lo,
                     "" if c.hi is None else c.hi, c.text(), min(ms), max(ms), rs[0]["runs"], rs[0]["orbit_dim"],
                     rs[0]["dla_dim"]]
                )
    return rows


CROSSOVER_HEADER = (
    "n", "layers", "n_params", "batch", "engine", "kind", "seconds", "memory_bytes", "ratio_statevector_over_fermion",
)


def crossover_rows(files: Iterable[str | Path]) -> list[list]:
    """Per n and engine the seconds of one value and gradient of the batch (``measured``; for the
    state vector past its largest run ``extrapolated``), the memory estimate and the measured ratio."""
    rows = []
    for path in files:
        report = read_json_object(path)
        if "measured" not in report:
            raise BadInput(
                f"{str(path)!r} has no 'measured' cases; expected the output of benchmarks/bench_crossover.py"
            )
        batch = report["batch"]
        for e in report["measured"]:
            ratio = e.get("ratio_statevector_over_fermion")
            for engine, seconds in sorted(e["seconds"].items()):
                rows.append([e["n"], e["layers"], e["n_params"], batch, engine, "measured", f"{seconds:.6g}",
                             int(e["memory_estimate_bytes"][engine]), "" if ratio is None else f"{ratio:.4g}"])
        for e in report.get("extrapolated", []):
            rows.append([e["n"], e["layers"], e["n_params"], batch, "statevector", "extrapolated",
                         f"{e['statevector_seconds_extrapolated']:.6g}", int(e["statevector_memory_bytes"]), ""])
    return rows
