"""Estimate the wall time of the full paper-scale experiment 1 (fig3) from measured training steps.

For every (model, n) of the ``fig3`` sweeps in the config, the training code path
(``overparam.train.adam``: the engine's batched adjoint gradient plus optax Adam, the steps of one
chunk under ``lax.scan``, exactly what ``run_training`` runs) is compiled and timed at the
smallest and the largest depth of the sweep. The time per step is linear in the depth (one
compiled loop, one pass per layer), so a line through the two points gives every other depth:

    total = sum over configurations of  steps * (a_n + b_n * layers) + compile_n + qsim check_n

Both the wall time and the CPU time of this process are recorded: on a machine shared with other
jobs the wall time is inflated by the load, while the CPU time of a one-thread run is close to the
wall time the same run takes on an idle core. The workflow runs one configuration per core
(``snakemake --cores 2``), so the 2-core estimate is half the one-core sum (the largest single
configuration bounds it from below).

    OVERPARAM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" OMP_NUM_THREADS=1 \\
        PYTHONPATH=src python benchmarks/estimate_fig3.py [--config config/config.yaml] [--steps 20] \\
        [--json-out benchmarks/results/fig3_estimate.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
import yaml  # noqa: E402

from overparam.ansatze import build_ansatz  # noqa: E402
from overparam.sim.engine import build_engine  # noqa: E402
from overparam.train.adam import _chunk_runner, qsim_losses  # noqa: E402
from overparam.train.seeds import initial_parameters  # noqa: E402


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def measure(model: dict, n: int, layers: int, runs: int, lr: float, steps: int) -> dict:
    """Compile time and time per Adam step (wall and CPU) of one configuration, plus its qsim check."""
    ansatz = build_ansatz(model["ansatz"], n, layers, {k: str(v) for k, v in model.get("options", {}).items()})
    params = jnp.asarray(initial_parameters(ansatz, runs, 0))
    optimizer = optax.adam(lr)
    state = optimizer.init(params)
    w0, c0 = _clock()
    engine = build_engine(ansatz)
    runner = _chunk_runner(engine, lr, steps)
    out = jax.block_until_ready(runner(params, state))
    w1, c1 = _clock()
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(2):
        w, c = _clock()
        out = jax.block_until_ready(runner(out[0], out[1]))
        w2, c2 = _clock()
        best_wall, best_cpu = min(best_wall, (w2 - w) / steps), min(best_cpu, (c2 - c) / steps)
    w, c = _clock()
    qsim_losses(ansatz, np.asarray(out[0]))
    w3, c3 = _clock()
    return {
        "n": n,
        "layers": layers,
        "n_params": ansatz.n_params,
        "runs": runs,
        # The first call compiles and runs `steps` steps: subtract those to get the compile time.
        "compile_wall_s": max(0.0, (w1 - w0) - steps * best_wall),
        "compile_cpu_s": max(0.0, (c1 - c0) - steps * best_cpu),
        "step_wall_s": best_wall,
        "step_cpu_s": best_cpu,
        "qsim_check_wall_s": w3 - w,
        "qsim_check_cpu_s": c3 - c,
        "load": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--steps", type=int, default=20, help="Adam steps per timed chunk")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    with open(args.config) as fh:
        config = yaml.safe_load(fh)
    fig3 = config["fig3"]
    runs, total_steps, lr = int(fig3["runs"]), int(fig3["steps"]), float(fig3["lr"])
    report = {
        "experiment": "fig3 (experiment 1), paper scale",
        "config": args.config,
        "runs_per_configuration": runs,
        "steps": total_steps,
        "method": "per (model, n): time per Adam step measured at the smallest and largest depth with the "
        "training code path (one compiled chunk of steps), linear in depth in between; plus compile "
        "time and the qsim re-check per configuration",
        "groups": [],
    }
    total = {"wall": 0.0, "cpu": 0.0}
    longest = {"wall": 0.0, "cpu": 0.0}
    n_configs = 0
    for sweep in fig3["sweeps"]:
        model = config["models"][sweep["model"]]
        n, depths = int(sweep["n"]), sorted(int(p) for p in sweep["layers"])
        points = [measure(model, n, p, runs, lr, args.steps) for p in sorted({depths[0], depths[-1]})]
        group = {"model": sweep["model"], "n": n, "layers": depths, "measured": points}
        for kind in ("wall", "cpu"):
            xs = np.array([pt["layers"] for pt in points], dtype=float)
            ys = np.array([pt[f"step_{kind}_s"] for pt in points])
            slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0]) if len(xs) > 1 else ys[0] / xs[0]
            intercept = ys[0] - slope * xs[0]
            overhead = float(np.mean([pt[f"compile_{kind}_s"] + pt[f"qsim_check_{kind}_s"] for pt in points]))
            per_config = [total_steps * (intercept + slope * p) + overhead for p in depths]
            group[f"seconds_{kind}"] = float(sum(per_config))
            group[f"longest_configuration_{kind}_s"] = float(max(per_config))
            total[kind] += sum(per_config)
            longest[kind] = max(longest[kind], max(per_config))
        n_configs += len(depths)
        report["groups"].append(group)
        print(
            f"{sweep['model']:14s} n={n:2d} depths {depths[0]}..{depths[-1]} ({len(depths)}): "
            + ", ".join(f"p={pt['layers']} step {pt['step_wall_s'] * 1e3:.1f} ms wall / {pt['step_cpu_s'] * 1e3:.1f} ms cpu"
                        for pt in points)
            + f"  -> {group['seconds_cpu'] / 3600:.2f} h cpu, {group['seconds_wall'] / 3600:.2f} h wall",
            flush=True,
        )
    for kind in ("wall", "cpu"):
        report[f"one_core_{kind}_hours"] = total[kind] / 3600
        report[f"{args.cores}_core_{kind}_hours"] = max(total[kind] / args.cores, longest[kind]) / 3600
        report[f"longest_configuration_{kind}_hours"] = longest[kind] / 3600
    report["configurations"] = n_configs
    print(
        f"{n_configs} configurations: one core {report['one_core_cpu_hours']:.2f} h (cpu time), "
        f"{report['one_core_wall_hours']:.2f} h (wall, under the load measured); "
        f"{args.cores} cores {report[f'{args.cores}_core_cpu_hours']:.2f} h (cpu)"
    )
    if args.json_out:
        os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
        with open(args.json_out, "w") as fh:
            json.dump(report, fh, indent=2)
        print(f"wrote {args.json_out}")


if __name__ == "__main__":
    main()
