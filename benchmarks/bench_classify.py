"""Per-run cost of classifying a failed training run (open TFIM chain, default n = 10, M = 100).

Trains a few initialisations of the experiment-1 seed scheme with Adam for a short budget (so the end
points are realistic non-converged points), then times, per run, the two parts of the
classification: the analysis of the end point (QFIM range + Hessian on it) and the trust-region
continuation (BFGS, then trust-region Newton on the exact Hessian where needed) with its analysis. The first run is timed separately (it includes the JIT
compilation of the Hessian); the per-run numbers are the later runs.

    OMP_NUM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \
        PYTHONPATH=src python benchmarks/bench_classify.py [--n 10 --layers 50 --runs 4 --steps 300] \
        [--json-out benchmarks/results/classify.json]
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
from overparam.train import train
from overparam.train.classify import Thresholds, analyse_point, classify_run, energy_spectrum


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--layers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)

    ansatz = build_ansatz("tfim-hva", args.n, args.layers, {"boundary": "open", "g": "1.0"})
    engine = build_engine(ansatz)
    start = time.perf_counter()
    trained = train(ansatz, runs=args.runs, steps=args.steps, seed=args.seed, engine=engine, log=None,
                    qsim_check=False)
    train_s = time.perf_counter() - start
    spectrum = energy_spectrum(ansatz)
    thresholds = Thresholds()
    rows = []
    for run in range(args.runs):
        x = trained.final_params[run]
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
        print(f"run {run}: end analysis {t_end:.2f}s, classification {res['seconds']:.2f}s "
              f"({res['continuation']['hessians']} Hessians, {res['label']}, "
              f"loss {res['end']['loss']:.2e} -> {res['continuation']['loss']:.2e})", file=sys.stderr, flush=True)
    later = [r["classify_s"] for r in rows[1:]] or [rows[0]["classify_s"]]
    per_hessian = [r["continuation_s"] / max(r["hessians"], 1) for r in rows[1:]] or [0.0]
    command = ("OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_classify.py " + " ".join(sys.argv[1:])).strip()
    out = {
        "title": f"Classifying a failed run: open TFIM chain, n = {args.n}, M = {ansatz.n_params}",
        "description": (f"End points of {args.runs} runs after {args.steps} Adam steps (seed {args.seed}); per run the "
                        "end-point analysis (QFIM range, Hessian on it) and the whole classification (analysis, "
                        "BFGS/Newton continuation, analysis of the stopping point). The first run includes the "
                        "JIT compilation."),
        "columns": ["run", "end analysis (s)", "classification (s)", "gradients", "Hessians", "label",
                    "end loss", "continuation loss"],
        "command": command,
        "n": args.n, "layers": args.layers, "n_params": ansatz.n_params, "runs": args.runs, "adam_steps": args.steps,
        "seed": args.seed, "train_s": train_s, "first_run_s_with_compile": rows[0]["classify_s"],
        "per_run_s_median": float(np.median(later)), "per_run_s_max": float(np.max(later)),
        "continuation_s_per_hessian_median": float(np.median(per_hessian)), "runs_detail": rows,
        "rows": [[r["run"], f"{r['end_analysis_s']:.2f}", f"{r['classify_s']:.2f}", r["gradients"], r["hessians"],
                  r["label"], f"{r['end_loss']:.2e}", f"{r['continuation_loss']:.2e}"] for r in rows],
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "omp_threads": os.environ.get("OMP_NUM_THREADS"), "load_1min": os.getloadavg()[0]},
        "notes": [f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"],
    }
    print(f"per-run classification (n = {args.n}, M = {ansatz.n_params}): median {out['per_run_s_median']:.2f}s, "
          f"max {out['per_run_s_max']:.2f}s; first run with compilation {out['first_run_s_with_compile']:.1f}s; "
          f"load {out['machine']['load_1min']:.1f}")
    if args.json_out:
        write_json(args.json_out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
