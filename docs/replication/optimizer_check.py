#!/usr/bin/env python3
"""Train one configuration with the project's engine under protocol variants; compare with the published runs.

Usage (from the repository root)::

    PYTHONPATH=src python docs/replication/optimizer_check.py MODEL N LAYERS [--runs 50] [--steps 3000]
        [--variant optax|tf] [--init pi|2pi|half-pi] [--seed 2023] [--out runs.csv]

MODEL is ``tfim-periodic``, ``tfim-open`` or ``qaqc``. The loss and its gradient are the project's
engine (``overparam.sim.engine``); Adam is written out here so that its variants can be compared:

* ``optax``: the project's Adam (``optax.adam``): ``lr * mhat / (sqrt(vhat) + 1e-8)``;
* ``tf``: TensorFlow/Keras 2 Adam as used by the authors' qibo 0.1.6 ``sgd``:
  ``lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + 1e-7)``, i.e. an epsilon of
  ``1e-7 / sqrt(1 - b2^t)`` on ``sqrt(vhat)`` (ten times the project's, more early on).

No early stop: every run takes every step (the published protocol). Initial angles are the
project's draws for the workflow's seed (``--init pi``: ``[0, pi)`` for the TFIM, ``[0, 2 pi)`` for
QAQC, as in the paper; ``--init 2pi`` and ``--init half-pi`` stretch the same draws onto
``[0, 2 pi)`` or ``[0, pi / 2)``).
It prints, for this variant and for the published runs of the same configuration
(``data/published/runs.csv.gz``): successes (final loss < 1e-4), runs below 1e-4 at some step,
quartiles of the final loss, and the Mann-Whitney p-value of "same distribution of final losses".
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

from overparam.ansatze.registry import build_ansatz
from overparam.sim.engine import build_engine
from overparam.sim.fermion import build_fermion_engine, free_fermion_reason
from overparam.train.seeds import initial_parameters

jax.config.update("jax_enable_x64", True)

ROOT = Path(__file__).resolve().parents[2]
MODELS = {
    "tfim-periodic": ("tfim-hva", {"boundary": "periodic", "g": "1.0"}, "fig3"),
    "tfim-open": ("tfim-hva", {"boundary": "open", "g": "1.0"}, "fig3"),
    "qaqc": ("qaqc-hea", {"unitary_seed": "0"}, "supp4"),
}
B1, B2 = 0.9, 0.999
INIT_WIDTH = {"2pi": 2 * np.pi, "half-pi": np.pi / 2}


def adam_runner(loss_and_grad, lr: float, variant: str, length: int):
    """A jitted chunk of ``length`` plain Adam steps on a batch ``(B, M)``; returns the losses (B, length)."""

    def step(carry, _):
        params, m, v, t = carry
        losses, grads = loss_and_grad(params)
        t = t + 1
        m = B1 * m + (1 - B1) * grads
        v = B2 * v + (1 - B2) * grads * grads
        if variant == "tf":
            lr_t = lr * jnp.sqrt(1 - B2**t) / (1 - B1**t)
            update = lr_t * m / (jnp.sqrt(v) + 1e-7)
        else:
            update = lr * (m / (1 - B1**t)) / (jnp.sqrt(v / (1 - B2**t)) + 1e-8)
        return (params - update, m, v, t), losses

    @jax.jit
    def run(params, m, v, t):
        (params, m, v, t), losses = jax.lax.scan(step, (params, m, v, t), None, length=length)
        return params, m, v, t, losses.T

    return run


def train(model: str, n: int, layers: int, runs: int, steps: int, variant: str, init: str, seed: int,
          lr: float = 0.01, backend: str = "auto"):
    """``(curves (runs, steps+1), seconds)``: the loss before each step and after the last.

    ``backend="auto"`` takes the free-fermion engine where the circuit allows it (the TFIM models),
    as the workflow's training does; ``"jax"`` the state-vector engine.
    """
    name, options, _ = MODELS[model]
    ansatz = build_ansatz(name, n, layers, options)
    engine = (build_fermion_engine(ansatz) if backend == "auto" and free_fermion_reason(ansatz) is None
              else build_engine(ansatz))
    params = initial_parameters(ansatz, runs, seed)
    if init != "pi":  # the same draws, stretched onto [0, 2 pi) or [0, pi / 2)
        low, high = ansatz.init_range
        params = (params - low) / (high - low) * INIT_WIDTH[init]
    loss_and_grad = engine.jax_loss_and_grad()
    chunk = 250
    runner = adam_runner(loss_and_grad, lr, variant, chunk)
    p, m, v, t = jnp.asarray(params), jnp.zeros(params.shape), jnp.zeros(params.shape), jnp.asarray(0.0)
    curves, start = [], time.perf_counter()
    for _ in range(steps // chunk):
        p, m, v, t, losses = runner(p, m, v, t)
        curves.append(np.asarray(losses))
    final = np.asarray(engine.loss(np.asarray(p)))
    return np.concatenate(curves + [final[:, None]], axis=1), time.perf_counter() - start


def published(model: str, n: int, layers: int) -> tuple[np.ndarray, np.ndarray]:
    """Final and lowest losses of the published protocol-length runs of the configuration."""
    experiment = MODELS[model][2]
    rows = csv.DictReader(io.StringIO(gzip.open(ROOT / "data/published/runs.csv.gz", "rt").read()))
    sel = [r for r in rows if (r["experiment"], r["model"], r["n"], r["layers"]) == (experiment, model, str(n),
                                                                                      str(layers))
           and r["steps"] == "3000"]
    return np.array([float(r["final_loss"]) for r in sel]), np.array([float(r["lowest_loss"]) for r in sel])


def describe(label: str, final: np.ndarray, lowest: np.ndarray) -> str:
    q = np.quantile(final, [0.25, 0.5, 0.75])
    return (f"{label}: successes {int((final < 1e-4).sum())}/{final.size}, below 1e-4 at some step "
            f"{int((lowest < 1e-4).sum())}, final loss quartiles {q[0]:.3e} {q[1]:.3e} {q[2]:.3e}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("n", type=int)
    parser.add_argument("layers", type=int)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=3000, help="a multiple of 250")
    parser.add_argument("--variant", choices=("optax", "tf"), default="optax")
    parser.add_argument("--init", choices=("pi", "2pi", "half-pi"), default="pi")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--backend", choices=("auto", "jax"), default="auto",
                        help="auto: the free-fermion engine for the TFIM models (as the workflow); jax: state vector")
    parser.add_argument("--out", help="write each run's final and lowest loss to this CSV")
    args = parser.parse_args(argv)
    if args.steps % 250:
        print(f"optimizer_check.py: --steps {args.steps} is not a multiple of 250", file=sys.stderr)
        return 2
    curves, seconds = train(args.model, args.n, args.layers, args.runs, args.steps, args.variant, args.init,
                            args.seed, args.lr, args.backend)
    final, lowest = curves[:, -1], curves.min(axis=1)
    print(f"{args.model} n={args.n} L={args.layers} variant={args.variant} init={args.init} "
          f"lr={args.lr} runs={args.runs} steps={args.steps}: {seconds:.0f} s")
    early = {t: np.quantile(curves[:, t], [0.25, 0.5, 0.75]) for t in (0, 100, 300)}
    print("  " + describe("regenerated", final, lowest))
    print("  regenerated loss quartiles at steps 0, 100, 300: "
          + "; ".join(" ".join(f"{v:.3g}" for v in q) for q in early.values()))
    pub_final, pub_lowest = published(args.model, args.n, args.layers)
    if pub_final.size:
        print("  " + describe("published  ", pub_final, pub_lowest))
        p = scipy.stats.mannwhitneyu(final, pub_final).pvalue
        print(f"  Mann-Whitney p (final losses) = {p:.3g}")
    else:
        print("  no published runs for this configuration")
    if args.out:
        with open(args.out, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["run", "final_loss", "lowest_loss"])
            w.writerows([i, f"{a:.6e}", f"{b:.6e}"] for i, (a, b) in enumerate(zip(final, lowest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
