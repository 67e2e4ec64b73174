"""Experiment 1 through the free-fermion engine against the state-vector engine, run by run.

Two checks of the fig3 training shards that the workflow wrote with ``--backend auto`` (the
free-fermion engine for the TFIM models):

1. **Run by run** on the configurations named by ``--select``: each is trained again with the
   state-vector engine (``overparam train --backend jax``) from the same flags, read from the shard
   itself (model, options, n, layers, runs, steps, rate, seed, stop, fixed floor), so both engines
   start from the same initialisations. Per run both protocols' success flags are compared (the
   published one: final loss below the threshold at the last step; the fixed one: that, or the
   lowest loss at or below the fixed floor); every run whose flag differs is listed with its losses
   from both engines.
2. **Counts** of every configuration against a committed record of an earlier state-vector sweep
   (``--record``, e.g. ``docs/paper-scale/configurations.csv``: trained with a stop at the floor, so
   its counts are the fixed protocol's).

    PYTHONPATH=src python benchmarks/fermion_vs_statevector.py --workdir /path/to/run \\
        --select tfim-open:6:all --select tfim-periodic:8:4,6 --statevector-dir /path/to/sv \\
        --record docs/paper-scale/configurations.csv --json-out benchmarks/results/fermion_vs_statevector.json

Trajectories of Adam at a fixed rate are chaotic near the floor: round-off-level differences between
the engines (~1e-13) can decide whether a run is thrown back above the threshold before its last
step, so borderline runs may differ; the listing shows which and by how much, and Fisher's exact test
says whether the two published-protocol counts of a configuration differ beyond that chance.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from overparam.errors import BadInput

THRESHOLD = 1e-4


def _published(final: float) -> bool:
    return final < THRESHOLD


def _fixed(final: float, lowest: float, floor: float) -> bool:
    return final < THRESHOLD or lowest <= floor


def parse_select(items: list[str], shards: dict[tuple[str, int, int], Path]) -> list[tuple[str, int, int]]:
    """``model:n:layers`` items (``layers`` a comma list or ``all``) -> configurations present in ``shards``."""
    chosen = []
    for item in items:
        parts = item.split(":")
        if len(parts) != 3:
            raise BadInput(f"--select {item!r}: expected model:n:layers, e.g. tfim-open:6:all or tfim-open:8:16,24")
        model, n_text, layers_text = parts
        try:
            n = int(n_text)
            wanted = None if layers_text == "all" else {int(v) for v in layers_text.split(",")}
        except ValueError:
            raise BadInput(f"--select {item!r}: n and layers must be integers (layers may be 'all')") from None
        found = sorted(k for k in shards if k[0] == model and k[1] == n and (wanted is None or k[2] in wanted))
        missing = set() if wanted is None else wanted - {k[2] for k in found}
        if not found or missing:
            raise BadInput(f"--select {item!r}: no fermion shard for layers {sorted(missing) or 'any'} of {model} n={n}")
        chosen.extend(found)
    return chosen


def _shards(workdir: Path) -> dict[tuple[str, int, int], Path]:
    out = {}
    for path in sorted((workdir / "results/data/train/fig3").glob("*.json")):
        d = json.loads(path.read_text())
        out[(d["model"], int(d["n"]), int(d["layers"]))] = path
    return out


def _train_statevector(shard: dict, out: Path, log: Path) -> float:
    """Train the shard's configuration on the state-vector engine; returns the wall seconds."""
    opts = [a for k, v in shard["options"].items() for a in ("--opt", f"{k}={v}")]
    cmd = ["overparam", "train", shard["ansatz"], *opts, "--n", str(shard["n"]), "--layers", str(shard["layers"]),
           "--runs", str(len(shard["final_losses"])), "--steps", str(shard["steps"]), "--lr", str(shard["lr"]),
           "--seed", str(shard["seed"]), "--spectra", "0", "--label", shard["model"], "--backend", "jax",
           "--fixed-floor", str(shard["fixed_floor"]), "--out", str(out)]
    if shard.get("stop_below") is not None:
        cmd += ["--stop-below", str(shard["stop_below"])]
    start = time.perf_counter()
    with open(log, "w") as err:
        subprocess.run(cmd, check=True, stderr=err, env={**os.environ, "OVERPARAM_THREADS": "1"})
    return time.perf_counter() - start


def compare_runs(fermion: dict, statevector: dict) -> dict:
    """Both protocols' counts of one configuration on both engines and the runs whose flags differ."""
    floor = float(fermion["fixed_floor"])
    rows = []
    counts = {"fermion": [0, 0], "statevector": [0, 0]}
    for k, (ff, fl, sf, sl) in enumerate(zip(fermion["final_losses"], fermion["lowest_losses"],
                                             statevector["final_losses"], statevector["lowest_losses"])):
        flags = {"fermion": (_published(ff), _fixed(ff, fl, floor)), "statevector": (_published(sf), _fixed(sf, sl, floor))}
        for engine, (pub, fix) in flags.items():
            counts[engine][0] += pub
            counts[engine][1] += fix
        if flags["fermion"] != flags["statevector"]:
            rows.append({"run": k, "fermion_final": ff, "fermion_lowest": fl, "statevector_final": sf,
                         "statevector_lowest": sl})
    from scipy.stats import fisher_exact

    runs = len(fermion["final_losses"])
    pub = counts["fermion"][0], counts["statevector"][0]
    fisher_p = float(fisher_exact([[pub[0], runs - pub[0]], [pub[1], runs - pub[1]]])[1])
    both = [(f, s) for f, s in zip(fermion["final_losses"], statevector["final_losses"])]
    agree = [abs(f - s) for f, s in both if not (_published(f) ^ _published(s))]
    return {
        "model": fermion["model"], "n": fermion["n"], "layers": fermion["layers"], "n_params": fermion["n_params"],
        "runs": len(fermion["final_losses"]),
        "published": {"fermion": counts["fermion"][0], "statevector": counts["statevector"][0]},
        "fixed": {"fermion": counts["fermion"][1], "statevector": counts["statevector"][1]},
        "differing_runs": rows,
        "fisher_p_published": fisher_p,
        "max_abs_final_diff_same_flag": float(max(agree)) if agree else None,
        "seconds": {"fermion": fermion.get("seconds"), "statevector": statevector.get("seconds")},
    }


def compare_record(shards: dict[tuple[str, int, int], Path], record: Path) -> list[dict]:
    """Fixed-protocol counts of every fermion shard beside the record's state-vector counts."""
    rows = []
    with open(record, newline="") as fh:
        recorded = {(r["model"], int(r["n"]), int(r["layers"])): int(r["successes"])
                    for r in csv.DictReader(fh) if r["experiment"] == "fig3"}
    for key, path in sorted(shards.items()):
        d = json.loads(path.read_text())
        floor = float(d["fixed_floor"])
        fixed = sum(_fixed(f, lo, floor) for f, lo in zip(d["final_losses"], d["lowest_losses"]))
        published = sum(_published(f) for f in d["final_losses"])
        rows.append({"model": key[0], "n": key[1], "layers": key[2], "n_params": d["n_params"],
                     "fermion_published": published, "fermion_fixed": fixed,
                     "record_statevector_fixed": recorded.get(key)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="workflow directory with the fermion fig3 shards")
    parser.add_argument("--select", action="append", default=[], metavar="MODEL:N:LAYERS",
                        help="configurations to retrain on the state-vector engine (repeatable)")
    parser.add_argument("--statevector-dir", type=Path, help="where the state-vector shards go (reused when present)")
    parser.add_argument("--record", type=Path, help="CSV record of an earlier state-vector sweep (fixed protocol)")
    parser.add_argument("--json-out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        shards = _shards(args.workdir)
        if not shards:
            raise BadInput(f"--workdir {args.workdir}: no fig3 training shards under results/data/train/fig3")
        chosen = parse_select(args.select, shards)
        if chosen and args.statevector_dir is None:
            raise BadInput("--select needs --statevector-dir (where the state-vector shards go)")
        if args.record is not None and not args.record.is_file():
            raise BadInput(f"--record {args.record}: no such file")
    except BadInput as err:
        print(f"fermion_vs_statevector: {err}", file=sys.stderr)
        return 2
    configs = []
    for key in chosen:
        fermion = json.loads(shards[key].read_text())
        out = args.statevector_dir / shards[key].name
        if not out.exists():
            args.statevector_dir.mkdir(parents=True, exist_ok=True)
            wall = _train_statevector(fermion, out, out.with_suffix(".log"))
            print(f"[statevector] {key} {wall:.1f} s", file=sys.stderr, flush=True)
        configs.append(compare_runs(fermion, json.loads(out.read_text())))
    result = {
        "benchmark": "fermion_vs_statevector",
        "title": "Experiment 1: free-fermion engine against the state-vector engine, run by run",
        "description": (
            "fig3 configurations at the published scale retrained on the state-vector engine from the same "
            "initialisations; successes of the published protocol (final loss below the threshold) and of the "
            "fixed protocol (or the lowest loss at the floor), and the runs whose flag differs."
        ),
        "command": "python benchmarks/fermion_vs_statevector.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "columns": ["model", "n", "layers", "M", "published: fermion / state vector",
                    "fixed: fermion / state vector", "Fisher p (published counts)",
                    "runs whose flag differs (final loss fermion / state vector)"],
        "rows": [
            [c["model"], c["n"], c["layers"], c["n_params"],
             f"{c['published']['fermion']} / {c['published']['statevector']} of {c['runs']}",
             f"{c['fixed']['fermion']} / {c['fixed']['statevector']} of {c['runs']}",
             f"{c['fisher_p_published']:.2f}",
             "; ".join(f"run {d['run']}: {d['fermion_final']:.2e} / {d['statevector_final']:.2e}"
                       for d in c["differing_runs"]) or "none"]
            for c in configs
        ],
        "success_threshold": THRESHOLD,
        "run_by_run": configs,
        "runs_compared": int(sum(c["runs"] for c in configs)),
        "runs_differing": int(sum(len(c["differing_runs"]) for c in configs)),
        "counts_differing": {
            p: int(sum(c[p]["fermion"] != c[p]["statevector"] for c in configs)) for p in ("published", "fixed")
        },
        "notes": [],
    }
    result["notes"].append(
        f"{result['runs_compared']} runs in {len(configs)} configurations compared; {result['runs_differing']} "
        f"differ in a success flag; counts differ in {result['counts_differing']['published']} configurations "
        f"(published protocol) and {result['counts_differing']['fixed']} (fixed protocol)."
    )
    if args.record is not None:
        record_rows = compare_record(shards, args.record)
        with_record = [r for r in record_rows if r["record_statevector_fixed"] is not None]
        result["record"] = {
            "path": str(args.record),
            "configurations": len(with_record),
            "equal_fixed_counts": int(sum(r["fermion_fixed"] == r["record_statevector_fixed"] for r in with_record)),
            "max_count_difference": int(max((abs(r["fermion_fixed"] - r["record_statevector_fixed"]) for r in with_record),
                                            default=0)),
            "rows": record_rows,
        }
        r = result["record"]
        result["notes"].append(
            f"Against the recorded state-vector sweep ({r['path']}, fixed protocol): {r['equal_fixed_counts']} of "
            f"{r['configurations']} configurations have equal counts; the largest difference is "
            f"{r['max_count_difference']} runs of 50."
        )
    from overparam.fileio import write_json

    write_json(args.json_out, result)
    for row in result["rows"]:
        print(" | ".join(str(v) for v in row))
    for note in result["notes"]:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
