"""Per-run cost of classifying a failed training run (open TFIM chain, default n = 10, M = 100), per engine.

Trains a few initialisations of the experiment-1 seed scheme with Adam for a short budget (so the end
points are realistic non-converged points), then times, per run and on each engine (the free-fermion
engine the classification uses for the TFIM chains, and the state-vector engine), the two parts of
the classification: the analysis of the end point (QFIM range + Hessian on it) and the trust-region
continuation (BFGS, then trust-region Newton on the exact Hessian where needed) with its analysis.
The first run on each engine is timed separately (it includes the JIT compilation); the per-run
numbers are the later runs. One exact Hessian (the unit of the Newton stage) is timed too.

    OMP_NUM_THREADS=1 OVERPARAM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \
        PYTHONPATH=src python benchmarks/bench_classify.py [--n 10 --layers 50 --runs 4 --steps 300] \
        [--engines fermion,jax] [--json-out benchmarks/results/classify.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

from overparam.ansatze import build_ansatz
from overparam.fileio import write_json
from overparam.sim.engine import build_engine
from overparam.sim.fermion import build_fermion_engine
from overparam.train import train
from overparam.train.classify import Thresholds, analyse_point, classify_run, energy_spectrum

BUILDERS = {"fermion": build_fermion_engine, "jax": build_engine}


def time_engine(kind: str, ansatz, final_params: np.ndarray, thresholds: Thresholds) -> dict:
    """Classify every end point on one engine; per-run timings, the first one with compilation."""
    start = time.perf_counter()
    engine = BUILDERS[kind](ansatz)
    build_s = time.perf_counter() - start
    spectrum = energy_spectrum(ansatz, with_matrix=kind != "fermion")
    rows = []
    for run, x in enumerate(final_params):
        t0 = time.perf_counter()
        analyse_point(engine, x, thresholds)
        t_end = time.perf_counter() - t0
        res = classify_run(engine, x, thresholds, spectrum)
        rows.append({"run": run, "end_analysis_s": t_end, "classify_s": res["seconds"], "label": res["label"],
                     "end_loss": res["end"]["loss"], "continuation_loss": res["continuation"]["loss"],
                     "continuation_grad_norm": res["continuation"]["grad_norm"],
                     "iterations": res["continuation"]["iterations"], "hessians": res["continuation"]["hessians"],
                     "gradients": res["continuation"]["gradients"],
                     "continuation_s": res["continuation"]["seconds"]})
        print(f"[{kind}] run {run}: end analysis {t_end:.2f}s, classification {res['seconds']:.2f}s "
              f"({res['continuation']['gradients']} gradients, {res['continuation']['hessians']} Hessians, "
              f"{res['label']}, loss {res['end']['loss']:.2e} -> {res['continuation']['loss']:.2e})",
              file=sys.stderr, flush=True)
    x = final_params[0]
    t0 = time.perf_counter()
    for _ in range(3):
        engine.hessian(x)
    hessian_s = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    for _ in range(20):
        engine.loss_and_grad(x[None, :])
    grad_s = (time.perf_counter() - t0) / 20
    later = [r["classify_s"] for r in rows[1:]] or [rows[0]["classify_s"]]
    # The first run's end analysis compiles the loss, gradient, QFIM and Hessian: count it with the run.
    first = rows[0]["end_analysis_s"] + rows[0]["classify_s"]
    return {"engine": kind, "build_s": build_s, "first_run_s_with_compile": first,
            "per_run_s_median": float(np.median(later)), "per_run_s_max": float(np.max(later)),
            "hessian_s": hessian_s, "loss_and_grad_s": grad_s, "runs_detail": rows,
            "labels": [r["label"] for r in rows], "continuation_losses": [r["continuation_loss"] for r in rows]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--layers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--engines", default="fermion,jax", help="comma-separated: fermion, jax (state vector)")
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)
    kinds = [k for k in args.engines.split(",") if k]
    if not kinds or any(k not in BUILDERS for k in kinds):
        parser.error(f"--engines {args.engines!r}: expected a comma-separated list of {', '.join(BUILDERS)}")

    ansatz = build_ansatz("tfim-hva", args.n, args.layers, {"boundary": "open", "g": "1.0"})
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    trained = train(ansatz, runs=args.runs, steps=args.steps, seed=args.seed, engine=build_fermion_engine(ansatz),
                    log=None, qsim_check=False)
    train_s = time.perf_counter() - start
    thresholds = Thresholds()
    engines = {kind: time_engine(kind, ansatz, trained.final_params, thresholds) for kind in kinds}
    command = ("OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_classify.py " + " ".join(sys.argv[1:])).strip()
    load_end = os.getloadavg()[0]
    out = {
        "title": f"Classifying a failed run: open TFIM chain, n = {args.n}, M = {ansatz.n_params}, per engine",
        "description": (f"End points of {args.runs} runs after {args.steps} Adam steps (seed {args.seed}); per run the "
                        "whole classification (analysis of the end point, BFGS/Newton continuation, analysis of "
                        "the stopping point) on each engine, the first run (with JIT compilation) apart; one "
                        "exact Hessian and one loss-and-gradient evaluation timed at the first end point."),
        "columns": ["engine", "per run, median (s)", "per run, max (s)", "first run with compilation (s)",
                    "one Hessian (s)", "one gradient (ms)", "labels"],
        "command": command,
        "n": args.n, "layers": args.layers, "n_params": ansatz.n_params, "runs": args.runs, "adam_steps": args.steps,
        "seed": args.seed, "train_s": train_s, "engines": engines,
        "rows": [[k, f"{e['per_run_s_median']:.3f}", f"{e['per_run_s_max']:.3f}", f"{e['first_run_s_with_compile']:.1f}",
                  f"{e['hessian_s']:.3f}", f"{1e3 * e['loss_and_grad_s']:.2f}", " ".join(e["labels"])]
                 for k, e in engines.items()],
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "omp_threads": os.environ.get("OMP_NUM_THREADS"), "load_1min": load_end},
        "notes": [f"load average (1 min): {load_start:.1f} at the start, {load_end:.1f} at the end, "
                  f"on {os.cpu_count()} cores"],
    }
    if len(engines) == 2:
        a, b = engines["fermion"], engines["jax"]
        out["same_labels"] = a["labels"] == b["labels"]
        out["max_continuation_loss_difference"] = float(np.max(np.abs(np.subtract(a["continuation_losses"],
                                                                                 b["continuation_losses"]))))
    for k, e in engines.items():
        print(f"[{k}] per-run classification (n = {args.n}, M = {ansatz.n_params}): median {e['per_run_s_median']:.3f}s, "
              f"max {e['per_run_s_max']:.3f}s; first run with compilation {e['first_run_s_with_compile']:.1f}s; "
              f"one Hessian {e['hessian_s']:.3f}s, one gradient {1e3 * e['loss_and_grad_s']:.2f} ms")
    print(f"load average {load_start:.1f} -> {load_end:.1f}")
    if args.json_out:
        write_json(args.json_out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
