"""Classify the failed runs of one training shard on several workers, one JSON file per run.

For the shards whose classification takes hours on one core (supp4 n = 4 near M_c, where many
continuations spend their whole trust-region budget): worker ``k`` of ``K`` classifies every K-th
failed run with the same library calls as ``overparam classify``
(:func:`overparam.train.classify.classify_failed_run`) and writes ``RUN_DIR/run_<r>.json`` atomically,
skipping runs already there, so an interrupted sweep resumes where it stopped. ``queue`` does the
same without a fixed share: each worker claims the next failed run that has neither a file nor a
claim (``CLAIM_DIR/run_<r>``, made with an atomic ``mkdir``), so workers sharing ``CLAIM_DIR`` stay
busy until the shard is done however unequal the runs' costs; a fresh ``CLAIM_DIR`` per launch
means claims left by an interrupted launch block nothing. ``merge`` assembles
the configuration's summary (:func:`overparam.train.classify.summarise_shard`, which refuses a set
of runs that is not exactly the shard's failures) into ``OUT``; ``seconds`` is the sum of the runs'.

    python docs/failures/classify_split.py run   SHARD RUN_DIR WORKER NWORKERS
    python docs/failures/classify_split.py queue SHARD RUN_DIR CLAIM_DIR
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


def _classify_runs(shard_path: str, run_dir: str, tag: str, pick) -> None:
    """Classify the failed runs ``pick(failed)`` yields, skipping those with a file in ``run_dir``."""
    shard, engine = open_shard(shard_path)
    spectrum = energy_spectrum(engine.ansatz, with_matrix=not is_fermion(engine))
    failed = failed_runs(shard.final_losses, SUCCESS_THRESHOLD)
    os.makedirs(run_dir, exist_ok=True)
    start = time.perf_counter()
    done = 0
    for r in pick(failed):
        out = os.path.join(run_dir, f"run_{r}.json")
        if os.path.exists(out):
            continue
        res = classify_failed_run(shard, engine, r, spectrum=spectrum)
        write_json(out, res)
        done += 1
        left = sum(not os.path.exists(os.path.join(run_dir, f"run_{q}.json")) for q in failed)
        elapsed = time.perf_counter() - start
        print(f"[classify {shard.model} n={shard.n} L={shard.layers} {tag}] run {r}: {res['label']} end loss "
              f"{res['end']['loss']:.3e} -> {res['continuation']['loss']:.3e} |g| "
              f"{res['continuation']['grad_norm']:.1e} in {res['seconds']:.1f}s; {done} done here in {elapsed:.0f}s, "
              f"{left} of {len(failed)} failed runs left in the shard", flush=True)


def run(shard_path: str, run_dir: str, worker: int, nworkers: int) -> None:
    """Worker ``worker`` of ``nworkers``: every ``nworkers``-th failed run, from the ``worker``-th."""
    _classify_runs(shard_path, run_dir, f"worker {worker}/{nworkers}", lambda failed: failed[worker::nworkers])


def queue(shard_path: str, run_dir: str, claim_dir: str) -> None:
    """Claim and classify failed runs one at a time until every one has a file or another's claim."""
    os.makedirs(claim_dir, exist_ok=True)

    def claimed(failed):
        for r in failed:
            if os.path.exists(os.path.join(run_dir, f"run_{r}.json")):
                continue
            try:
                os.mkdir(os.path.join(claim_dir, f"run_{r}"))
            except FileExistsError:
                continue
            yield r

    _classify_runs(shard_path, run_dir, f"pid {os.getpid()}", claimed)


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
    usage = ("usage: classify_split.py run SHARD RUN_DIR WORKER NWORKERS | queue SHARD RUN_DIR CLAIM_DIR"
             " | merge SHARD RUN_DIR OUT [EXPERIMENT]")
    needed = {"run": 5, "queue": 4, "merge": 4}
    if not argv or argv[0] not in needed or len(argv) < needed[argv[0]] or (
            argv[0] == "run" and not (argv[3].isdigit() and argv[4].isdigit() and int(argv[3]) < int(argv[4]))):
        print(f"classify_split.py: arguments {argv!r} not understood; {usage}", file=sys.stderr)
        return 2
    try:
        if argv[0] == "run":
            run(argv[1], argv[2], int(argv[3]), int(argv[4]))
        elif argv[0] == "queue":
            queue(argv[1], argv[2], argv[3])
        else:
            merge(argv[1], argv[2], argv[3], argv[4] if len(argv) > 4 else "supp4")
    except BadInput as exc:
        print(f"classify_split.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
