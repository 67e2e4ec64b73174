"""Batched training with the paper's protocol: Adam (optax), the loss at every step, all runs at once.

All initialisations of one configuration train in one computation: the engine's batched adjoint
gradient gives ``(B, M)`` gradients, and Adam is elementwise, so one optax state over the whole
``(B, M)`` array is exactly ``B`` independent Adam runs. Steps run in chunks under ``lax.scan``
(one compiled chunk, reused), with a progress line on stderr after each chunk.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import weakref
from typing import TextIO

import jax
import jax.numpy as jnp
import numpy as np
import optax

from overparam.ansatze.base import Ansatz
from overparam.sim.engine import Engine, build_engine
from overparam.sim.engine.losses import state_loss
from overparam.sim.statevector import simulate_states
from overparam.train.seeds import initial_parameters

LEARNING_RATE = 0.01


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """Everything one batched training run produced.

    ``curves[b, t]`` is the loss of run ``b`` at the parameters *before* update ``t`` (so
    ``curves[:, 0]`` is the initial loss); ``final_losses`` is the loss after the last update.
    """

    initial_params: np.ndarray  # (B, M)
    final_params: np.ndarray  # (B, M)
    curves: np.ndarray  # (B, steps)
    final_losses: np.ndarray  # (B,)
    qsim_final_losses: np.ndarray | None  # (B,), recomputed with qsim from final_params
    steps: int
    learning_rate: float
    seed: int
    seconds: float


# Compiled chunks per engine, keyed by (learning rate, chunk length): repeated calls (seeds,
# resumed runs, tests) reuse the compilation instead of tracing the circuit again.
_RUNNERS: "weakref.WeakKeyDictionary[Engine, dict]" = weakref.WeakKeyDictionary()


def _chunk_runner(engine: Engine, lr: float, length: int):
    cache = _RUNNERS.setdefault(engine, {})
    if (lr, length) not in cache:
        cache[(lr, length)] = _make_chunk_runner(engine, optax.adam(lr), length)
    return cache[(lr, length)]


def _make_chunk_runner(engine: Engine, optimizer: optax.GradientTransformation, length: int):
    loss_and_grad = engine.jax_loss_and_grad()

    def step(carry, _):
        params, opt_state, stop_below = carry
        losses, grads = loss_and_grad(params)
        # A run whose loss is at the floor stops: Adam divides the gradient by its own running
        # size, so once the gradient is round-off its steps stay ~lr long and kick a converged run
        # back up to ~1e-3 (spikes late in the curves). With stop_below = -inf every run is active
        # and the arithmetic is exactly plain Adam.
        active = (losses > stop_below)[:, None]
        updates, opt_state = optimizer.update(jnp.where(active, grads, 0.0), opt_state, params)
        return (optax.apply_updates(params, jnp.where(active, updates, 0.0)), opt_state, stop_below), losses

    @jax.jit
    def run(params, opt_state, stop_below):
        (params, opt_state, _), losses = jax.lax.scan(step, (params, opt_state, stop_below), None, length=length)
        return params, opt_state, losses.T

    return run


# A batch this small is not compacted further (only dropped when every run stopped): each new size
# compiles the chunk again, seconds for a large circuit, more than a few idle rows cost.
MIN_COMPACT_BATCH = 8


def _batch_sizes(runs: int) -> list[int]:
    """Batch sizes a shrinking batch may take: runs, ceil(runs/2), ceil(runs/4), ... down to the first
    at or below :data:`MIN_COMPACT_BATCH`, and 0."""
    sizes = [runs]
    while sizes[-1] > MIN_COMPACT_BATCH:
        sizes.append(-(-sizes[-1] // 2))
    return sizes + [0]


# The compiled per-column loss of the last few (loss, qubits): the depths of one sweep entry trained in
# one process share their loss operator, and compiling it costs more than re-checking a few runs.
_STATE_LOSSES: list[tuple[object, tuple, object]] = []


def _compiled_state_loss(loss, qubits) -> object:
    key = tuple(qubits)
    for cached_loss, cached_qubits, fn in _STATE_LOSSES:
        if cached_qubits == key and type(cached_loss) is type(loss) and cached_loss == loss:
            return fn
    fn = jax.jit(state_loss(loss, qubits))
    _STATE_LOSSES[:] = [(loss, key, fn)] + _STATE_LOSSES[:3]
    return fn


def qsim_losses(ansatz: Ansatz, params: np.ndarray) -> np.ndarray:
    """The loss of each parameter vector recomputed from qsim's (single-precision) states.

    Averaged over the input states as :func:`overparam.sim.engine.losses.loss_from_statevector`; the
    loss is built once and evaluated on every run's states as columns of one array (per run it cost
    more than the simulation).
    """
    params = np.atleast_2d(params)
    n_states = len(ansatz.states())
    resolvers = [ansatz.resolver(values) for values in params]
    per_state = [simulate_states(ansatz.circuit, ansatz.qubits, resolvers, s, "qsim") for s in ansatz.states()]
    columns = [per_state[j][i].reshape(-1) for i in range(len(params)) for j in range(n_states)]
    per_column = np.asarray(_compiled_state_loss(ansatz.loss, ansatz.qubits)(jnp.asarray(np.stack(columns, axis=-1))))
    return per_column.reshape(len(params), n_states).mean(axis=1)


def train(
    ansatz: Ansatz,
    *,
    runs: int,
    steps: int,
    lr: float = LEARNING_RATE,
    seed: int = 0,
    engine: Engine | None = None,
    initial: np.ndarray | None = None,
    log_every: int = 100,
    log: TextIO | None = sys.stderr,
    qsim_check: bool = True,
    stop_below: float | None = None,
    compact: bool = True,
) -> TrainResult:
    """Train ``runs`` initialisations of ``ansatz`` for ``steps`` Adam steps with learning rate ``lr``.

    Initial angles come from :func:`initial_parameters` (config seed ``seed``) unless ``initial``
    ``(runs, M)`` is given. Progress (step, best loss, estimated time left) goes to ``log``.
    ``stop_below``: a run whose loss falls to or below it keeps its parameters from then on (its
    curve stays flat); ``None`` trains every run for every step. With ``compact`` (the default)
    stopped runs also leave the batch, so a configuration whose runs all converge early costs only
    the steps it needs. The numbers agree with ``compact=False`` to round-off: XLA may vectorise a
    smaller batch differently (measured: at most 1.2e-13 apart over whole curves at n = 6 and 10, 50
    runs; bit-identical at n = 4), and a given config and seed still give the same numbers.
    """
    if runs < 1 or steps < 1:
        raise ValueError(f"runs={runs} and steps={steps} must both be >= 1")
    if stop_below is not None and not np.isfinite(stop_below):
        raise ValueError(f"stop_below={stop_below} must be a finite float or None")
    floor = jnp.asarray(-np.inf if stop_below is None else float(stop_below))
    engine = engine or build_engine(ansatz)
    params0 = initial_parameters(ansatz, runs, seed) if initial is None else np.asarray(initial, dtype=float)
    if params0.shape != (runs, ansatz.n_params):
        raise ValueError(f"initial parameters must have shape {(runs, ansatz.n_params)}, got {params0.shape}")
    optimizer = optax.adam(lr)
    params = jnp.asarray(params0)
    opt_state = optimizer.init(params)
    chunk = max(1, min(log_every, steps))
    curves = np.empty((runs, steps))
    final_params = np.array(params0)
    # rows[i] is the run that row i of the batch trains; rows past `live` pad the batch to a
    # size from `batch_sizes` (copies of a live run, ignored), so at most log2(runs) shapes compile.
    rows, live = np.arange(runs), runs
    batch_sizes = _batch_sizes(runs)
    start = time.perf_counter()
    done = 0
    while done < steps:
        length = min(chunk, steps - done)
        params, opt_state, losses = _chunk_runner(engine, lr, length)(params, opt_state, floor)
        losses = np.asarray(losses)
        curves[rows[:live], done : done + length] = losses[:live]
        done += length
        if log is not None:
            elapsed = time.perf_counter() - start
            eta = elapsed / done * (steps - done)
            best = float(np.min(curves[:, done - 1]))
            stopped = "" if stop_below is None else f" stopped {int(np.sum(curves[:, done - 1] <= stop_below))}/{runs}"
            print(
                f"[train {ansatz.name} n={ansatz.n} L={ansatz.layers} B={runs}] step {done}/{steps} "
                f"best loss {best:.3e}{stopped} batch {live} elapsed {elapsed:.1f}s eta {eta:.1f}s",
                file=log,
                flush=True,
            )
        if compact and stop_below is not None:
            still = losses[:live, -1] > stop_below
            size = min(s for s in batch_sizes if s >= int(still.sum()))
            if size < len(rows) and done < steps:
                # A stopped run never moves again (its parameters are frozen, so every later loss
                # is the same number): keep its parameters and its last loss, drop it from the batch.
                gone = rows[:live][~still]
                final_params[gone] = np.asarray(params)[:live][~still]
                curves[gone, done:] = losses[:live][~still, -1:]
                keep = np.flatnonzero(still)
                if size == 0:
                    rows, live = rows[:0], 0
                    break
                pick = np.concatenate([keep, np.full(size - keep.size, keep[0])])
                rows, live = rows[pick], keep.size
                params = params[pick]
                opt_state = jax.tree_util.tree_map(lambda x: x[pick] if jnp.ndim(x) else x, opt_state)
    if live:
        final_params[rows[:live]] = np.asarray(params)[:live]
    final_losses = engine.loss(final_params)
    qsim = qsim_losses(ansatz, final_params) if qsim_check else None
    return TrainResult(
        initial_params=params0,
        final_params=final_params,
        curves=curves,
        final_losses=final_losses,
        qsim_final_losses=qsim,
        steps=steps,
        learning_rate=lr,
        seed=seed,
        seconds=time.perf_counter() - start,
    )
