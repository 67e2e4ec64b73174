"""Benchmark: overparam's exact Lie closure against PennyLane and fastdla, in one process.

Usage (from a venv holding the optional ``bench`` extra, e.g. ``pip install -e .[bench]``)::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/bench_lie.py [--timeout 120] [--cases ...]

Every tool gets the same generators; each dimension is compared with the exact one (known in
closed form for these cases, and equal to overparam's) and marked WRONG where it differs. Times are
CPU seconds of this process (``time.process_time``), the best of a few repeats for fast runs, so
other jobs on a shared machine distort them less than wall-clock time; run single-threaded.
fastdla is timed warm (its numba kernels are compiled on a small case first). A tool that is not
installed is reported as such; a run past ``--timeout`` seconds is reported as a timeout.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import Callable

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from overparam.lie import pauli as pl  # noqa: E402
from overparam.lie.closure import lie_closure  # noqa: E402

Labels = list[list[str]]  # one list of Pauli labels (qubit 0 first) per generator, coefficients 1


def su_labels(n: int) -> Labels:
    """X_i, Y_i on every qubit and Z_i Z_{i+1}: generates su(2^n)."""
    def place(ops: dict[int, str]) -> str:
        return "".join(ops.get(i, "I") for i in range(n))

    out = [[place({i: p})] for i in range(n) for p in "XY"]
    return out + [[place({i: "Z", i + 1: "Z"})] for i in range(n - 1)]


def tfim_labels(n: int, periodic: bool) -> Labels:
    """The paper's TFIM HVA generators: sum of Z_i Z_{i+1} over the bonds, and sum of X_i."""
    def place(ops: dict[int, str]) -> str:
        return "".join(ops.get(i, "I") for i in range(n))

    bonds = [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if periodic else [])
    return [[place({i: "Z", j: "Z"}) for i, j in bonds], [place({i: "X"}) for i in range(n)]]


# name -> (generators, exact dimension)
CASES: dict[str, tuple[Callable[[], Labels], int]] = {
    "su(2^6)": (lambda: su_labels(6), 4**6 - 1),
    "su(2^7)": (lambda: su_labels(7), 4**7 - 1),
    "tfim-open-16": (lambda: tfim_labels(16, False), 16**2),
    "tfim-open-20": (lambda: tfim_labels(20, False), 20**2),
    "tfim-open-50": (lambda: tfim_labels(50, False), 50**2),
    "tfim-periodic-50": (lambda: tfim_labels(50, True), None),  # exact value: overparam's
}


class Timeout(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Timeout


def _caused_by_timeout(err: BaseException | None) -> bool:
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, Timeout):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


def timed(fn: Callable[[], int], timeout: float, repeat_under: float = 1.0) -> tuple[int | None, float | str]:
    """``(dim, cpu seconds)`` of ``fn``, best of up to 5 runs while a run takes < ``repeat_under`` s."""
    best, dim = None, None
    for _ in range(5):
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        t0 = time.process_time()
        try:
            dim = fn()
        except Timeout:
            return None, "timeout"
        except Exception as err:  # the alarm fired inside compiled code (numba) that wrapped it
            if _caused_by_timeout(err):
                return None, "timeout"
            raise
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        dt = time.process_time() - t0
        best = dt if best is None else min(best, dt)
        if dt > repeat_under:
            break
    return dim, best


def run_overparam(labels: Labels) -> int:
    gens = [pl.from_terms(np.stack([pl.encode(s) for s in g]), np.ones(len(g), dtype=np.int64)) for g in labels]
    return lie_closure(gens).dim


def pennylane_runner() -> Callable[[Labels], int] | str:
    try:
        import pennylane as qml
        from pennylane.pauli import PauliSentence, PauliWord
    except ImportError as err:
        return f"not installed ({err.name})"

    def run(labels: Labels) -> int:
        gens = []
        for g in labels:
            words = {PauliWord({i: c for i, c in enumerate(s) if c != "I"}): 1.0 for s in g}
            gens.append(PauliSentence(words))
        return len(qml.lie_closure(gens, pauli=True))

    run.version = qml.__version__  # type: ignore[attr-defined]
    return run


def fastdla_runner() -> Callable[[Labels], int] | str:
    try:
        import fastdla
        from fastdla import SparsePauliSum, SparsePauliSumArray
    except ImportError as err:
        return f"not installed ({err.name})"

    def run(labels: Labels) -> int:
        # fastdla's strings put qubit 0 rightmost; the order does not change the dimension.
        gens = SparsePauliSumArray([SparsePauliSum([s[::-1] for s in g], np.ones(len(g))) for g in labels])
        return len(fastdla.lie_closure(gens))

    run(tfim_labels(4, False))  # compile the numba kernels: fastdla is timed warm
    run.version = fastdla.__version__  # type: ignore[attr-defined]
    return run


def fmt(dim: int | None, t: float | str, exact: int) -> str:
    if dim is None:
        return str(t)
    mark = "" if dim == exact else " WRONG"
    return f"{dim}{mark} in {t:.3g} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per tool and case (default 120)")
    ap.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    ap.add_argument("--skip", nargs="*", default=[], help="tool:case pairs to skip, e.g. pennylane:su(2^7)")
    ap.add_argument("--tools", nargs="*", default=["pennylane", "fastdla"], choices=["pennylane", "fastdla"])
    ap.add_argument("--json-out", help="also write the table and the machine to this JSON file (performance page)")
    args = ap.parse_args(argv)
    started = time.time()
    runners = {"pennylane": pennylane_runner, "fastdla": fastdla_runner}
    tools: dict[str, Callable[[Labels], int] | str] = {
        name: (runners[name]() if name in args.tools else "not run") for name in runners
    }
    for name, tool in tools.items():
        print(f"# {name}: {getattr(tool, 'version', tool)}", file=sys.stderr)
    header = ["case", "exact", "overparam", "pennylane", "fastdla", "pennylane/overparam", "fastdla/overparam"]
    table: list[list[str]] = []
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for case in args.cases:
        make, exact = CASES[case]
        labels = make()
        dim, t_ours = timed(lambda: run_overparam(labels), args.timeout)
        exact = dim if exact is None else exact
        cells = [case, str(exact), fmt(dim, t_ours, exact)]
        ratios = []
        for name, tool in tools.items():
            if isinstance(tool, str):
                cells.append(tool)
                ratios.append("-")
                continue
            if f"{name}:{case}" in args.skip:
                cells.append("skipped")
                ratios.append("-")
                continue
            d, t = timed(lambda: tool(labels), args.timeout)
            cells.append(fmt(d, t, exact))
            if isinstance(t, float) and isinstance(t_ours, float) and t_ours > 0:
                ratios.append(f"{t / t_ours:.0f}x")
            elif t == "timeout" and isinstance(t_ours, float):
                ratios.append(f"> {args.timeout / t_ours:.0f}x")
            else:
                ratios.append("-")
        print("| " + " | ".join(cells + ratios) + " |", flush=True)
        table.append(cells + ratios)
    if args.json_out:
        write_result(
            args.json_out, "bench_lie", started, header, table,
            title="Exact Lie closure: overparam against PennyLane and fastdla",
            description=(
                "Dimension of the dynamical Lie algebra generated by the same Pauli generators, and the "
                "CPU seconds each tool took (best of up to 5 repeats, single-threaded). WRONG marks a "
                "dimension that differs from the exact one; a ratio is the other tool's time over overparam's."
            ),
            tools={n: getattr(t, "version", t) for n, t in tools.items()},
            argv=argv,
        )
    return 0


def write_result(path: str, name: str, started: float, columns: list[str], rows: list[list], *, title: str,
                 description: str, tools: dict, argv: list[str] | None, notes: list[str] = ()) -> None:
    """Write a benchmark table and the machine it ran on as JSON (read by the book's performance page)."""
    import datetime
    import platform
    import shlex

    from overparam.fileio import write_json
    from overparam.results.provenance import cpu_model, git_commit, gpu_model, package_versions

    write_json(path, {
        "benchmark": name,
        "title": title,
        "description": description,
        "command": "python benchmarks/" + name + ".py " + shlex.join(sys.argv[1:] if argv is None else argv),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "wall_seconds": time.time() - started,
        "machine": {"cpu": cpu_model(), "gpu": gpu_model(), "python": platform.python_version(),
                    "packages": package_versions(),
                    "load_average_1min_at_end": round(os.getloadavg()[0], 2), "git_commit": git_commit(os.path.dirname(os.path.abspath(__file__)))},
        "tools": {k: str(v) for k, v in tools.items()},
        "columns": columns,
        "rows": rows,
        "notes": list(notes),
    })


if __name__ == "__main__":
    raise SystemExit(main())
