"""overparam: regenerate the overparametrization study of Larocca et al. (2023) from Cirq circuits."""

import os as _os

__version__ = "0.1.0"

# Variables read once, when each numerics library starts: XLA's CPU client sizes its intra-op
# thread pool from PJRT_NPROC (else every core), OpenBLAS, OpenMP and MKL from theirs.
THREAD_VARIABLES = ("PJRT_NPROC", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _apply_thread_limit() -> None:
    """Give every numerics library the ``OVERPARAM_THREADS`` threads a job was granted.

    A workflow job runs with ``OVERPARAM_THREADS={threads}``. Without this, XLA starts a pool of one
    thread per core in every process: two one-thread training jobs on two cores then run four busy
    threads, and the free-fermion engine's small kernels spend more time handing work between
    threads than computing (measured: open n = 10, p = 52, 50 runs x 3000 steps, 83 CPU-s with the
    pool against 37 CPU-s with one thread). Variables already set are kept.
    """
    threads = _os.environ.get("OVERPARAM_THREADS", "").strip()
    if not threads.isdigit() or int(threads) < 1:
        return
    for variable in THREAD_VARIABLES:
        _os.environ.setdefault(variable, threads)


_apply_thread_limit()
