"""Classify the failed runs of many training shards in one process per worker.

The same library call as ``overparam classify`` (:func:`overparam.train.classify.classify_file`, the
workflow's ``classify_run`` rule), without a Python start-up per shard (about 4 s of imports on the
machine of this record, against 0.1-5 s of work for most shards). Worker ``k`` of ``K`` takes every
K-th line of the job list and skips shards already classified; per shard it appends the wall and CPU
seconds, the failure count and the load average to ``times.txt``.

    python docs/failures/classify_sweep.py JOBS SHARD_DIR OUT_DIR LOG_DIR TIMES WORKER NWORKERS [EXPERIMENT]

``EXPERIMENT`` (default ``fig3``) is recorded in every row, as ``overparam classify --experiment``.
"""

import os
import sys
import time

from overparam.train.classify import classify_file


def main(argv: list[str]) -> int:
    jobs_file, shard_dir, out_dir, log_dir, times, worker, nworkers = argv[:7]
    experiment = argv[7] if len(argv) > 7 else "fig3"
    jobs = [j.strip() for j in open(jobs_file) if j.strip()][int(worker)::int(nworkers)]
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    for job in jobs:
        out = os.path.join(out_dir, f"{job}.json")
        if os.path.exists(out):
            continue
        t0, c0 = time.time(), time.process_time()
        with open(os.path.join(log_dir, f"{job}.log"), "w") as log:
            summary = classify_file(os.path.join(shard_dir, f"{job}.npz"), out, success_threshold=1e-4,
                                    experiment=experiment, log=lambda m: print(m, file=log, flush=True))
        with open(times, "a") as fh:
            print(f"{job} {time.time() - t0:.2f} s wall {time.process_time() - c0:.2f} s cpu failed "
                  f"{summary['failed']} load {os.getloadavg()[0]:.1f} worker {worker}", file=fh, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
