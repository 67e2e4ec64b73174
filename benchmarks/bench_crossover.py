"""Cost crossover of the two exact engines: state vector against free fermions, side by side in one run.

Value and gradient of the TFIM residual energy (tfim-hva, open boundary, float64, one thread), a batch
of B = 50 initialisations, p = n layers (M = 2n parameters), i.e. one Adam step of a training job:

* the state-vector engine (``overparam.sim.engine``) at n = 4 ... 14;
* the free-fermion engine (``overparam.sim.fermion``) at n = 4 ... 50;

both timed in one process, round-robin where both run (best of ``--repeat`` timings of each, a
timing averaging enough calls to last 50 ms), the numbers checked to
agree to 1e-10, the ratio printed per n. The times are CPU seconds of the process (one thread), so
that a shared, loaded machine inflates them less than wall seconds (also recorded). Past n = 14 the
state-vector column is extrapolated, not run: its memory comes from
:func:`overparam.sim.budget.train_bytes` (the estimate ``overparam train`` refuses by) and its time
from the measured growth per added qubit pair.

    OVERPARAM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" OMP_NUM_THREADS=1 \
        PYTHONPATH=src python benchmarks/bench_crossover.py [--json-out benchmarks/results/crossover.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from overparam.ansatze import build_ansatz  # noqa: E402
from overparam.sim.budget import fermion_bytes, train_bytes  # noqa: E402
from overparam.sim.engine import build_engine  # noqa: E402
from overparam.sim.fermion import build_fermion_engine  # noqa: E402

BATCH = 50
STATEVECTOR_SIZES = (4, 6, 8, 10, 12, 14)
FERMION_SIZES = (4, 6, 8, 10, 12, 14, 16, 20, 24, 30, 40, 50)
# Sizes past the state-vector runs whose memory estimate the page quotes.
EXTRAPOLATED_SIZES = (16, 20, 24, 30, 40, 50)


def _timed(fn, calls: int) -> tuple[float, float]:
    """CPU seconds of the process (all its threads) and wall seconds per call, over ``calls`` calls."""
    c, t = time.process_time(), time.perf_counter()
    for _ in range(calls):
        jax.block_until_ready(fn())
    return (time.process_time() - c) / calls, (time.perf_counter() - t) / calls


def _calls_for(fn, at_least: float = 0.05) -> int:
    """Calls per timing so that one timing lasts ``at_least`` CPU seconds (sub-millisecond calls)."""
    one = _timed(fn, 1)[0]
    return max(1, min(1000, int(at_least / max(one, 1e-6)) + 1))


def _prepare(engine, values: np.ndarray):
    """Compile the batched value-and-gradient; return its outputs, a timed call and the jit seconds."""
    t = time.perf_counter()
    f = engine.jax_loss_and_grad()
    v = jnp.asarray(values)
    out = [np.asarray(o) for o in jax.block_until_ready(f(v))]
    return out, (lambda: f(v)), time.perf_counter() - t


def measure(n: int, repeat: int, statevector: bool) -> dict:
    """One size: the fermion engine, and the state-vector engine beside it when ``statevector``."""
    ansatz = build_ansatz("tfim-hva", n, n, {"boundary": "open"})
    values = ansatz.random_parameters(np.random.default_rng(n), BATCH)
    engines = {"fermion": build_fermion_engine(ansatz)}
    if statevector:
        engines["statevector"] = build_engine(ansatz)
    calls, outs, jit = {}, {}, {}
    for name, engine in engines.items():
        outs[name], calls[name], jit[name] = _prepare(engine, values)
    best = {name: float("inf") for name in calls}
    wall = {name: float("inf") for name in calls}
    count = {name: _calls_for(fn) for name, fn in calls.items()}
    for _ in range(repeat):  # round-robin: both engines see the same machine load
        for name, fn in calls.items():
            cpu, w = _timed(fn, count[name])
            best[name], wall[name] = min(best[name], cpu), min(wall[name], w)
    entry = {"n": n, "layers": n, "n_params": ansatz.n_params, "batch": BATCH, "seconds": best, "wall_seconds": wall,
             "jit_s": {k: round(v, 2) for k, v in jit.items()}, "load": round(os.getloadavg()[0], 2),
             "memory_estimate_bytes": {
                 "statevector": train_bytes(n, ansatz.n_params, 1, BATCH),
                 "fermion": fermion_bytes(n, ansatz.n_params, BATCH)}}
    line = f"n={n:2d} M={ansatz.n_params:3d}: fermion {best['fermion'] * 1e3:9.3f} ms"
    if statevector:
        diff = float(max(np.max(np.abs(outs["fermion"][k] - outs["statevector"][k])) for k in (0, 1)))
        if diff > 1e-10:
            raise SystemExit(f"n={n}: fermion and state-vector engines disagree by {diff:.2e}")
        entry["max_abs_diff"] = diff
        entry["ratio_statevector_over_fermion"] = best["statevector"] / best["fermion"]
        line += (f", statevector {best['statevector'] * 1e3:9.3f} ms, ratio statevector/fermion "
                 f"{entry['ratio_statevector_over_fermion']:8.2f} (max |diff| {diff:.1e})")
    print(line + f" (load {entry['load']})", flush=True)
    return entry


def extrapolate(measured: list[dict]) -> list[dict]:
    """State-vector time past the largest measured n: the last measured time times the measured growth
    per added qubit pair (last two sizes), and the memory estimate ``overparam train`` refuses by."""
    sv = [e for e in measured if "statevector" in e["seconds"]]
    last, before = sv[-1], sv[-2]
    growth = last["seconds"]["statevector"] / before["seconds"]["statevector"]  # per +2 qubits (and +2 layers)
    out = []
    for n in EXTRAPOLATED_SIZES:
        if n <= last["n"]:
            continue
        seconds = last["seconds"]["statevector"] * growth ** ((n - last["n"]) / 2)
        out.append({"n": n, "layers": n, "n_params": 2 * n, "statevector_seconds_extrapolated": seconds,
                    "statevector_memory_bytes": train_bytes(n, 2 * n, 1, BATCH),
                    "statevector_training_hours_3000_steps": seconds * 3000 / 3600})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per engine and size (best kept)")
    parser.add_argument("--max-n", type=int, default=max(FERMION_SIZES), help="largest fermion size")
    parser.add_argument("--json-out", help="write the measured numbers to this JSON file")
    args = parser.parse_args()
    measured = [measure(n, args.repeat, n in STATEVECTOR_SIZES) for n in FERMION_SIZES if n <= args.max_n]
    beyond = extrapolate(measured)
    for e in beyond:
        print(f"n={e['n']:2d}: statevector (extrapolated) {e['statevector_seconds_extrapolated']:.3g} s per step, "
              f"{e['statevector_training_hours_3000_steps']:.3g} h for 3000 steps, memory estimate "
              f"{e['statevector_memory_bytes'] / 2**30:.3g} GiB", flush=True)
    report = {
        "benchmark": "cost crossover: value and gradient of the TFIM residual energy (tfim-hva open, p = n layers, "
                     f"B = {BATCH}, float64, one thread), state-vector engine against the free-fermion engine",
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "pjrt_nproc": os.environ.get("PJRT_NPROC", ""),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "jax": jax.__version__},
        "batch": BATCH,
        "measured": measured,
        "extrapolated": beyond,
    }
    if args.json_out:
        from overparam.fileio import write_json

        write_json(args.json_out, report)
        print(f"wrote {args.json_out}")


if __name__ == "__main__":
    main()
