"""Success fraction against M for the open TFIM chain under growing optimisation budgets.

Same initialisations as experiment 1 (config seed 2023, 50 runs, the workflow's seed scheme), same
success criterion (final loss below 1e-4), same round-off stop (a run stops at loss 1e-11); only the
optimiser or its budget changes:

* ``adam3000``: the paper's protocol, Adam at the fixed rate 0.01 for 3000 steps;
* ``adam30000``: the same for 30000 steps (its first 3000 steps are exactly ``adam3000``);
* ``adam-decay``: Adam for 3000 steps with the rate decaying exponentially from 0.01 to 1e-4;
* ``bfgs``: scipy's local optimisers to convergence from the initial angles (BFGS, then trust-region
  Newton on the exact Hessian), the continuation used by the classification of failed runs.

Each (mode, layers) result is written to its own JSON file under ``--out-dir`` as soon as it is
done (so a long study can be stopped and resumed), and ``--summary`` collects them.

    PYTHONPATH=src python benchmarks/budget_study.py --n 6 --layers 8 10 12 14 16 18 \
        --modes adam3000 adam-decay bfgs adam30000 --out-dir benchmarks/results/budget
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

import numpy as np
import optax

from overparam.ansatze import build_ansatz
from overparam.fileio import read_json, write_json
from overparam.sim.engine import build_engine
from overparam.train import initial_parameters, train
from overparam.train.adam import _make_chunk_runner
from overparam.train.classify import Thresholds, continue_to_critical_point

SEED, RUNS, LR, THRESHOLD, STOP = 2023, 50, 0.01, 1e-4, 1e-11
MODES = ("adam3000", "adam30000", "adam-decay", "bfgs")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def adam_decay(engine, x0: np.ndarray, steps: int, lr0: float, lr1: float) -> np.ndarray:
    """Batched Adam with the rate decaying exponentially from ``lr0`` to ``lr1`` over ``steps``; final losses."""
    import jax.numpy as jnp

    schedule = optax.exponential_decay(lr0, transition_steps=steps, decay_rate=lr1 / lr0)
    optimizer = optax.adam(schedule)
    chunk = 100
    runner = _make_chunk_runner(engine, optimizer, chunk)
    params = jnp.asarray(x0)
    state = optimizer.init(params)
    floor = jnp.asarray(STOP)
    for _ in range(steps // chunk):
        params, state, _ = runner(params, state, floor)
    return engine.loss(np.asarray(params))


def run_mode(mode: str, n: int, layers: int) -> dict:
    ansatz = build_ansatz("tfim-hva", n, layers, {"boundary": "open", "g": "1.0"})
    engine = build_engine(ansatz)
    x0 = initial_parameters(ansatz, RUNS, SEED)
    start = time.perf_counter()
    extra: dict = {}
    if mode in ("adam3000", "adam30000"):
        steps = 3000 if mode == "adam3000" else 30000
        res = train(ansatz, runs=RUNS, steps=steps, lr=LR, seed=SEED, engine=engine, stop_below=STOP,
                    qsim_check=False, log=None, log_every=500)
        finals = res.final_losses
    elif mode == "adam-decay":
        finals = adam_decay(engine, x0, 3000, LR, 1e-4)
        extra = {"schedule": "exponential 0.01 -> 1e-4 over 3000 steps"}
    elif mode == "bfgs":
        thresholds = Thresholds()
        finals, grads, hess = [], [], []
        for x in x0:
            cont = continue_to_critical_point(engine, x, thresholds)
            finals.append(cont.loss)
            grads.append(cont.grad_norm)
            hess.append(cont.hessians)
        finals = np.asarray(finals)
        extra = {"grad_norms": grads, "hessians": hess, "thresholds": thresholds.as_dict()}
    else:
        raise ValueError(mode)
    finals = np.asarray(finals, dtype=float)
    return {
        "mode": mode, "model": "tfim-open", "n": n, "layers": layers, "n_params": ansatz.n_params, "runs": RUNS, "seed": SEED,
        "success_threshold": THRESHOLD, "successes": int(np.sum(finals < THRESHOLD)),
        "final_losses": [float(v) for v in finals], "seconds": time.perf_counter() - start, **extra,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--layers", type=int, nargs="+", required=True)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--out-dir", default="benchmarks/results/budget")
    parser.add_argument("--summary", help="collect every JSON of --out-dir into this file")
    args = parser.parse_args(argv)
    for mode in args.modes:
        for layers in args.layers:
            path = os.path.join(args.out_dir, f"open_n{args.n}_L{layers}_{mode}.json")
            if os.path.exists(path):
                continue
            out = run_mode(mode, args.n, layers)
            write_json(path, out)
            _log(f"[budget n={args.n} L={layers} M={out['n_params']}] {mode}: {out['successes']}/{out['runs']} "
                 f"in {out['seconds']:.1f}s")
    if args.summary:
        rows = [read_json(p) for p in sorted(glob.glob(os.path.join(args.out_dir, "*.json")))]
        rows = [{k: v for k, v in r.items() if k not in ("final_losses", "grad_norms", "hessians")} for r in rows]
        write_json(args.summary, {"rows": rows})
        print(json.dumps(rows, indent=0)[:2000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
