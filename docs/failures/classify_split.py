"""Classify the failed runs of one training shard on several workers, one JSON file per run.

For the shards whose classification takes hours on one core (supp4 n = 4 near M_c, where many
continuations spend their whole trust-region budget): worker ``k`` of ``K`` classifies every K-th
failed run with the same library calls as ``overparam classify``
(:func:`overparam.train.classify.classify_failed_run`) and writes ``RUN_DIR/run_<r>.json`` atomically,
skipping runs already there, so an interrupted sweep resumes where it stopped. ``merge`` assembles
the configuration's summary (:func:`overparam.train.classify.summarise_shard`, which refuses a set
of runs that is not exactly the shard's failures) into ``OUT``; ``seconds`` is the sum of the runs'.

    python docs/failures/classify_split.py run   SHARD RUN_DIR WORKER NWORKERS
    python docs/failures/classify_split.py merge SHARD RUN_DIR OUT [EXPERIMENT]
"""

import json
import os
import sys
import time

from overparam.errors import BadInput
from overparam.fileio import write_json
from overparam.train.classify import (
    classify_failed_run,
    energy_spectrum,
    failed_runs,
    is_fermion,
    open_shard,
    summarise_shard,
)

SUCCESS_THRESHOLD = 1e-4


def run(shard_path: str, run_dir: str, worker: int, nworkers: int) -> None:
    shard, engine = open_shard(shard_path)
    spectrum = energy_spectrum(engine.ansatz, with_matrix=not is_fermion(engine))
    runs = failed_runs(shard.final_losses, SUCCESS_THRESHOLD)[worker::nworkers]
    os.makedirs(run_dir, exist_ok=True)
    start = time.perf_counter()
    for k, r in enumerate(runs):
        out = os.path.join(run_dir, f"run_{r}.json")
        if os.path.exists(out):
            continue
        res = classify_failed_run(shard, engine, r, spectrum=spectrum)
        write_json(out, res)
        elapsed = time.perf_counter() - start
        print(f"[classify {shard.model} n={shard.n} L={shard.layers} worker {worker}/{nworkers}] run {r} "
              f"({k + 1}/{len(runs)}): {res['label']} end loss {res['end']['loss']:.3e} -> "
              f"{res['continuation']['loss']:.3e} |g| {res['continuation']['grad_norm']:.1e} in "
              f"{res['seconds']:.1f}s (elapsed {elapsed:.0f}s)", flush=True)


def merge(shard_path: str, run_dir: str, out: str, experiment: str) -> None:
    shard, engine = open_shard(shard_path)
    results = []
    for r in failed_runs(shard.final_losses, SUCCESS_THRESHOLD):
        path = os.path.join(run_dir, f"run_{r}.json")
        if os.path.exists(path):
            with open(path) as fh:
                results.append(json.load(fh))
    summary = summarise_shard(shard, engine, results, success_threshold=SUCCESS_THRESHOLD,
                              seconds=sum(r["seconds"] for r in results))
    write_json(out, {"experiment": experiment, **summary})
    print(f"{out}: {summary['failed']} failed runs, {summary['counts']}")


def main(argv: list[str]) -> int:
    usage = "usage: classify_split.py run SHARD RUN_DIR WORKER NWORKERS | merge SHARD RUN_DIR OUT [EXPERIMENT]"
    needed = {"run": 5, "merge": 4}
    if not argv or argv[0] not in needed or len(argv) < needed[argv[0]] or (
            argv[0] == "run" and not (argv[3].isdigit() and argv[4].isdigit() and int(argv[3]) < int(argv[4]))):
        print(f"classify_split.py: arguments {argv!r} not understood; {usage}", file=sys.stderr)
        return 2
    try:
        if argv[0] == "run":
            run(argv[1], argv[2], int(argv[3]), int(argv[4]))
        else:
            merge(argv[1], argv[2], argv[3], argv[4] if len(argv) > 4 else "supp4")
    except BadInput as exc:
        print(f"classify_split.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
