import fcntl
import json
import os
import subprocess

# One thread per numerics library in the test processes and in the commands they start, before
# anything imports JAX or NumPy: make test runs two pytest workers beside a 2-core snakemake run on
# 2 cores, and thread pools that oversubscribe the cores cost more than they give for these small
# problems.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "PJRT_NPROC", "OVERPARAM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import numpy as np  # noqa: E402  (after the thread settings above)
import pytest  # noqa: E402


def pytest_configure(config):
    """Keep JAX's compiled programs between test sessions, in pytest's cache folder.

    Most of a test's time here is XLA compiling small programs that the previous session compiled
    already (measured: tests/test_engine_symmetry.py takes 68 s cold and 22 s warm). JAX keys each
    entry by the program, the compile options and the jax/jaxlib versions, so a changed engine is
    compiled afresh. The commands the tests start (the quick workflow's jobs) inherit the setting.
    ``pytest --cache-clear`` empties it; ``-p no:cacheprovider`` switches it off. Set before any test
    module imports JAX, which reads these variables once."""
    cache = getattr(config, "cache", None)
    if cache is None:
        return
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(cache.mkdir("jax-compilation-cache")))
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    os.environ.setdefault("JAX_COMPILATION_CACHE_MAX_SIZE", str(2**30))  # least recently used go first


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def quick_workflow(tmp_path_factory):
    """One run of the real workflow on config/quick.yaml with a tiny XXZ study over it, in a copy of
    the repository, shared by every test that reads its outputs (tables, figures, study page, the
    built book): ``(repo, CompletedProcess)``.

    Under pytest-xdist (``make test`` runs two workers) the run happens once per test session: the
    first worker to ask for it runs snakemake under a file lock in the session's shared temporary
    folder and records the outcome there; the other worker waits on the lock and reads the record."""
    from helpers import QUICK_RUN, TINY_STUDY, copy_repo, snakemake

    def run(repo):
        copy_repo(repo)
        (repo / "config/tiny_xxz.yaml").write_text(TINY_STUDY)
        return snakemake(repo, *QUICK_RUN)

    if "PYTEST_XDIST_WORKER" not in os.environ:
        repo = tmp_path_factory.mktemp("quick") / "repo"
        return repo, run(repo)
    shared = tmp_path_factory.getbasetemp().parent  # one folder per session, common to the workers
    repo, record = shared / "quick" / "repo", shared / "quick.json"
    with open(shared / "quick.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            out = run(repo)
            record.write_text(json.dumps({"args": out.args, "returncode": out.returncode,
                                          "stdout": out.stdout, "stderr": out.stderr}))
    saved = json.loads(record.read_text())
    return repo, subprocess.CompletedProcess(**saved)
