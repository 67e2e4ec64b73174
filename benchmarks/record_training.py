"""Record what a paper-scale training sweep measured: success per M against the orbit bound, and its cost.

Reads a finished (or partly finished) workflow directory: the training shards
``results/data/train/<exp>/*.json`` and ``*.npz``, the Snakemake ``benchmark:`` files
``benchmarks/out/train_run/<exp>_<run>.tsv`` (wall and CPU seconds of every job; a job that trained
several depths, ``<exp>_<model>_n<n>_L<first>-<last>.tsv``, counts once in its (model, n) row and
leaves its configurations' job columns empty) and the config's
sweeps (how many configurations were planned). ``dim g`` and the orbit bound come from the DLA
shards under ``results/data/dla/`` when the workflow made them, else from ``overparam.lie.analyze``
on the same circuit. One row per (experiment, model, n) goes to a JSON table that the book's
performance page shows:

    python benchmarks/record_training.py --workdir /path/to/run --exp fig3 --exp supp4 --exp supp5 \\
        --json-out benchmarks/results/training_paper_scale.json

With ``--csv-out`` it also writes one row per configuration: the count of the protocol the shards
were trained with (``protocol``: ``published`` = Adam for every step, or ``stop below X``), the fixed
protocol's count from the same runs (``fixed_successes``: a run of the published protocol whose
lowest loss reached the shard's ``fixed_floor`` would have stopped there), the runs below the
threshold at some step, the best and median final loss, the engine and the job's wall and CPU
seconds. That file is the committed record the book's Replication chapter compares with the
published counts, e.g. the fig3 sweep at the published scale with the published protocol:

    python benchmarks/record_training.py --workdir /path/to/run --exp fig3 \
        --csv-out docs/paper-scale/fig3-published-protocol.csv \
        --json-out benchmarks/results/training_fig3_published_protocol.json --sweep-wall-s SECONDS

Nothing here trains: every number is read from files the workflow wrote (the bounds are exact
integers from the Lie-algebra engine).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_lie import write_result  # noqa: E402

from overparam.results.tables import first_m_at, write_csv  # noqa: E402
from overparam.results.tables.training import fixed_protocol_success  # noqa: E402


def _bounds(workdir: Path, shard: dict, cache: dict) -> tuple[int, int]:
    """(dim g, orbit dimension) of the shard's model at its size."""
    key = (shard.get("model") or shard["ansatz"], int(shard["n"]))
    if key in cache:
        return cache[key]
    dla = workdir / "results" / "data" / "dla" / f"{key[0]}_n{key[1]}.json"
    if dla.exists():
        obj = json.loads(dla.read_text())
        cache[key] = (int(obj["dim"]), int(obj["orbit_dim"]))
    else:
        from overparam.ansatze import build_ansatz
        from overparam.lie import analyze

        opts = {k: str(v) for k, v in shard.get("options", {}).items()}
        result = analyze(build_ansatz(shard["ansatz"], int(shard["n"]), 1, opts))
        cache[key] = (int(result.dim), int(result.orbit_dim))
    return cache[key]


def _job_seconds(workdir: Path, exp: str, run: str) -> tuple[float, float] | None:
    tsv = workdir / "benchmarks" / "out" / "train_run" / f"{exp}_{run}.tsv"
    if not tsv.exists():
        return None
    with open(tsv, newline="") as fh:
        row = next(csv.DictReader(fh, delimiter="\t"))
    return float(row["s"]), float(row["cpu_time"])


_BUNDLE = re.compile(r"^(?P<model>.+)_n(?P<n>\d+)_L(?P<first>\d+)-(?P<last>\d+)$")


def _bundle_seconds(workdir: Path, exp: str) -> list[tuple[str, str, int, int, int, float, float]]:
    """``(name, model, n, first, last, wall, CPU)`` of every bundle job of ``exp`` (several depths of
    one sweep entry trained by one job, ``<exp>_<model>_n<n>_L<first>-<last>.tsv``)."""
    out = []
    for tsv in sorted((workdir / "benchmarks" / "out" / "train_run").glob(f"{exp}_*.tsv")):
        found = _BUNDLE.match(tsv.stem[len(exp) + 1:])
        if found:
            with open(tsv, newline="") as fh:
                row = next(csv.DictReader(fh, delimiter="\t"))
            out.append((tsv.stem, found["model"], int(found["n"]), int(found["first"]), int(found["last"]),
                        float(row["s"]), float(row["cpu_time"])))
    return out


def _run_steps(curves: np.ndarray, stop_below: float | None, steps: int) -> int:
    """Adam steps the runs of one configuration needed: a run stops at the floor (stop_below)."""
    if stop_below is None:
        return curves.shape[0] * steps
    hit = curves[:, :steps] <= stop_below
    return int(np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, steps).sum())


def planned(config: dict, exp: str) -> dict[tuple[str, int], int]:
    """Number of configurations the config plans per (model, n)."""
    out: dict[tuple[str, int], int] = defaultdict(int)
    for sweep in config[exp]["sweeps"]:
        out[(sweep["model"], int(sweep["n"]))] += len(sweep["layers"])
    return out


CONFIG_COLUMNS = [
    "experiment", "model", "n", "layers", "n_params", "runs", "successes", "best_final_loss", "median_final_loss",
    "max_engine_qsim_difference", "run_steps_needed", "job_wall_s", "job_cpu_s", "reached_at_some_step",
    "protocol", "fixed_successes", "engine",
]
"""Columns of the per-configuration record. ``successes`` counts final losses below the threshold under
the shards' own ``protocol``; ``fixed_successes`` is the fixed protocol's count from the same runs."""


def protocol_of(shard: dict) -> str:
    """``published`` (Adam for every step, as the paper) or ``stop below X`` (runs stop at the floor X)."""
    stop = shard.get("stop_below")
    return "published" if stop is None else f"stop below {stop:g}"


def _lowest(shard: dict, curves: np.ndarray | None) -> np.ndarray | None:
    """Each run's lowest loss: recorded in the shard, else from its curves, else unknown."""
    if shard.get("lowest_losses") is not None:
        return np.asarray(shard["lowest_losses"], dtype=float)
    return None if curves is None else curves.min(axis=1)


def _fixed_count(shard: dict, losses: np.ndarray, lowest: np.ndarray | None, threshold: float) -> int | None:
    """Successes of the fixed protocol among the shard's runs; ``None`` if the shard cannot tell."""
    flags = [fixed_protocol_success(float(loss), None if lowest is None else float(lowest[k]), shard.get("stop_below"),
                                    shard.get("fixed_floor"), threshold) for k, loss in enumerate(losses)]
    return None if any(f == "" for f in flags) else int(sum(flags))


def read_configurations(workdir: Path, exp: str, config: dict) -> list[dict]:
    """Every training shard of ``exp`` under ``workdir`` (read once), with successes, steps and job times."""
    threshold = float(config[exp]["success_threshold"])
    stop_below = config[exp].get("stop_below")
    records = []
    for path in sorted((workdir / "results" / "data" / "train" / exp).glob("*.json")):
        shard = json.loads(path.read_text())
        losses = np.asarray(shard["final_losses"])
        npz = path.with_suffix(".npz")
        curves = np.load(npz)["curves"] if npz.exists() else None
        lowest = _lowest(shard, curves)
        records.append({
            "exp": exp, "shard": shard, "model": shard.get("model") or shard["ansatz"], "losses": losses,
            "successes": int(np.sum(losses < threshold)),
            # Runs whose loss was below the threshold at some step: Adam can leave a minimum again.
            "reached": None if lowest is None else int(np.sum(lowest < threshold)),
            "fixed": _fixed_count(shard, losses, lowest, threshold),
            "protocol": protocol_of(shard),
            "run_steps": None if curves is None else _run_steps(curves, stop_below, int(shard["steps"])),
            "seconds": _job_seconds(workdir, exp, path.stem),
            "bundle": None,
        })
    # A configuration trained in a bundle has no job of its own: the bundle's time is counted once
    # per (model, n) in the summary, and its rows leave the job columns empty.
    for name, model, n, first, last, wall, cpu in _bundle_seconds(workdir, exp):
        for r in records:
            if (r["seconds"] is None and r["model"] == model and int(r["shard"]["n"]) == n
                    and first <= int(r["shard"]["layers"]) <= last):
                r["bundle"] = (name, wall, cpu)
    return sorted(records, key=lambda r: (r["model"], int(r["shard"]["n"]), int(r["shard"]["n_params"])))


def configuration_rows(records: list[dict]) -> list[list]:
    """One row per configuration (model, n, depth): successes, losses, cost."""
    rows = []
    for r in records:
        s, losses, seconds = r["shard"], r["losses"], r["seconds"]
        # Runs qsim did not re-check (above its size, or past --qsim-check-runs) are null in the shard.
        pairs = [(loss, q) for loss, q in zip(losses, s["qsim_final_losses"]) if q is not None]
        rows.append([
            r["exp"], r["model"], s["n"], s["layers"], s["n_params"], losses.size, r["successes"],
            f"{losses.min():.3e}", f"{np.median(losses):.3e}",
            f"{max(abs(loss - q) for loss, q in pairs):.1e}" if pairs else "",
            "" if r["run_steps"] is None else r["run_steps"],
            f"{seconds[0]:.1f}" if seconds else "", f"{seconds[1]:.1f}" if seconds else "",
            "" if r["reached"] is None else r["reached"],
            r["protocol"], "" if r["fixed"] is None else r["fixed"], s.get("backend", ""),
        ])
    return rows


def summarize(workdir: Path, exp: str, config: dict, records: list[dict]) -> list[list]:
    """One row per (model, n) of experiment ``exp`` from its configurations' ``records``."""
    plan = planned(config, exp)
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in records:
        groups[(r["model"], int(r["shard"]["n"]))].append(r)
    cache: dict = {}
    rows = []
    for key, group in groups.items():
        dim, orbit = _bounds(workdir, group[0]["shard"], cache)
        per_m = []
        wall = cpu = longest = 0.0
        timed = 0
        steps_done = steps_planned = 0
        jobs = {}
        for r in group:
            m, runs = int(r["shard"]["n_params"]), r["losses"].size
            per_m.append(f"{m}: {r['successes']}/{runs}")
            if r["seconds"] is not None:
                jobs[r["shard"]["layers"]] = r["seconds"]
            elif r["bundle"] is not None:
                jobs[r["bundle"][0]] = r["bundle"][1:]
            if r["run_steps"] is not None:
                steps_done += r["run_steps"]
                steps_planned += runs * int(r["shard"]["steps"])
        for job_wall, job_cpu in jobs.values():
            wall, cpu, timed = wall + job_wall, cpu + job_cpu, timed + 1
            longest = max(longest, job_wall)
        rows.append([
            exp, key[0], key[1], f"{len(group)}/{plan.get(key, '?')}", dim, orbit,
            first_m_at((int(r["shard"]["n_params"]), r["successes"] / r["losses"].size) for r in group),
            "; ".join(per_m),
            f"{100 * steps_done / steps_planned:.0f} %" if steps_planned else "",
            f"{wall / 60:.1f}" if timed else "", f"{cpu / 60:.1f}" if timed else "",
            f"{longest / 60:.1f}" if timed else "", timed,
            first_m_at((int(r["shard"]["n_params"]), r["reached"] / r["losses"].size)
                       for r in group if r["reached"] is not None),
            "; ".join(sorted({r["protocol"] for r in group})),
            first_m_at((int(r["shard"]["n_params"]), r["fixed"] / r["losses"].size)
                       for r in group if r["fixed"] is not None),
        ])
    return rows


COLUMNS = [
    "experiment", "model", "n", "configurations done / planned", "dim g", "orbit bound",
    "first M with >= 90 % successes", "successes per M", "run-steps needed (stop at the floor)",
    "job wall (min)", "job CPU (min)", "longest job wall (min)", "jobs timed",
    "first M with >= 90 % below the threshold at some step", "protocol",
    "first M with >= 90 % successes, fixed protocol",
]


def _add_sweep_wall(path: str, experiments: list[str], seconds: float) -> None:
    """Record the sweep's elapsed wall time (the job times above add up jobs that ran in parallel)."""
    from overparam.fileio import write_json

    data = json.loads(Path(path).read_text())
    data["sweep_wall_s"] = {exp: seconds for exp in experiments}
    write_json(path, data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", required=True, help="a workflow directory with results/ and benchmarks/out/")
    ap.add_argument("--config", help="its config (default: <workdir>/config/config.yaml)")
    ap.add_argument("--exp", action="append", choices=["fig3", "supp4", "supp5"], required=True)
    ap.add_argument("--json-out")
    ap.add_argument("--csv-out", help="also one row per configuration (successes, losses, job times) as CSV")
    ap.add_argument("--note", action="append", default=[], help="a line of context (load, how it was run)")
    ap.add_argument("--sweep-wall-s", type=float, metavar="SECONDS",
                    help="elapsed wall time of the whole sweep (start to end, jobs in parallel), recorded in the JSON")
    args = ap.parse_args(argv)
    if args.sweep_wall_s is not None and not (np.isfinite(args.sweep_wall_s) and args.sweep_wall_s > 0):
        print(f"--sweep-wall-s {args.sweep_wall_s}: expected a positive number of seconds", file=sys.stderr)
        return 2
    started = time.time()
    workdir = Path(args.workdir)
    config_path = Path(args.config or workdir / "config" / "config.yaml")
    if not config_path.is_file():
        print(f"--workdir {args.workdir}: no config at {config_path}; expected a workflow directory "
              "(or pass --config)", file=sys.stderr)
        return 2
    config = yaml.safe_load(config_path.read_text())
    missing = [exp for exp in args.exp if exp not in config]
    if missing:
        print(f"--exp {missing[0]}: not in {config_path}; it has {[e for e in ('fig3', 'supp4', 'supp5') if e in config]}",
              file=sys.stderr)
        return 2
    records = {exp: read_configurations(workdir, exp, config) for exp in args.exp}
    rows = [row for exp in args.exp for row in summarize(workdir, exp, config, records[exp])]
    for row in rows:
        print(" | ".join(str(c) for c in row))
    if args.csv_out:
        write_csv(args.csv_out, CONFIG_COLUMNS, [row for exp in args.exp for row in configuration_rows(records[exp])])
    if args.json_out:
        write_result(
            args.json_out, "record_training", started, COLUMNS, rows,
            title="Training at the published scale: where success rises, and what it cost",
            description=(
                "Successes (final loss below the config's success_threshold) out of the initialisations "
                "of each configuration, per number of parameters M, beside the exact dim g and orbit "
                "bound, and the first M where 90 % of the runs were below the threshold at some step "
                "(Adam at a fixed learning rate can leave a minimum it reached); the wall and CPU time of the Snakemake jobs that trained them (one thread each, "
                "two jobs at a time on this machine). Run-steps needed: the Adam steps the runs took "
                "before they stopped at the round-off floor, over runs x steps. Protocol: the shards' own (published: "
                "Adam for every step); the last column counts the fixed protocol's successes from the same runs."
            ),
            tools={}, argv=argv, notes=args.note,
        )
        if args.sweep_wall_s is not None:
            _add_sweep_wall(args.json_out, args.exp, args.sweep_wall_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
