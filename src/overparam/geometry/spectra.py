"""QFIM and Hessian spectra at random points and at converged solutions (experiment 2: fig4, supp1).

The points come from a training shard (``overparam train --curves``): its ``initial_params`` are
random points drawn uniformly from the ansatz's initial-angle range, and its ``final_params`` whose
final loss is below a threshold are converged solutions. Nothing here trains: the spectra reuse the
training runs, and every check (shard matches the ansatz, a converged run exists, the request fits
in memory) runs before the first simulation. :func:`spectra_payload` is the whole computation
behind ``overparam spectra``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Mapping

import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.geometry.qfim import qfim_from_jacobian
from overparam.geometry.rank import HESSIAN_RTOL, RTOL, spectrum_rank

# Working memory of one QFIM + Hessian evaluation. Forward-mode differentiation carries one tangent
# state per parameter (complex128) and the Hessian's jvp over the adjoint gradient carries the
# (psi, lambda) pair per tangent, plus XLA temporaries and compilation. Measured on tfim-hva open
# n = 10, p = 104 (M = 208, 2^10 amplitudes): peak RSS 668 MiB, of which 315 MiB were added by the
# evaluation and its compilation, i.e. ~1.5 kB per (parameter x amplitude); the estimate below
# (fixed 512 MiB plus 2 kB per parameter x amplitude) gives 928 MiB there.
BYTES_PER_TANGENT_AMPLITUDE = 2048
FIXED_BYTES = 512 * 2**20

log = logging.getLogger(__name__)


def memory_estimate(n_qubits: int, n_params: int, n_states: int = 1) -> int:
    """Bytes one QFIM + Hessian evaluation needs (tangent states plus the ``M x M`` matrices)."""
    tangents = BYTES_PER_TANGENT_AMPLITUDE * n_params * (2**n_qubits) * max(1, n_states)
    return FIXED_BYTES + tangents + 8 * 8 * n_params**2


def check_memory(ansatz: Ansatz, limit_bytes: int | None = None) -> int:
    """Raise :class:`BadInput` when one spectrum evaluation would not fit in ``limit_bytes``.

    ``None`` means the limit of :func:`overparam.sim.budget.memory_limit` (``$OVERPARAM_MAX_MEMORY_GB``,
    else the available memory). Returns the estimate in bytes.
    """
    from overparam.sim.budget import human_bytes, memory_limit

    need = memory_estimate(ansatz.n_qubits, ansatz.n_params, len(ansatz.states()))
    if limit_bytes is not None:
        limit, source = limit_bytes, "--max-memory-mb"
    else:
        limit, source = memory_limit(None)
    if limit and need > limit:
        raise BadInput(
            f"spectra of {ansatz.name} n={ansatz.n} layers={ansatz.layers} (M={ansatz.n_params}, "
            f"{ansatz.n_qubits} qubits) need about {human_bytes(need)}; the limit is {human_bytes(limit)} "
            f"({source}); lower the depth or size, or raise the limit with --max-memory-mb"
        )
    return need


@dataclasses.dataclass(frozen=True)
class ShardPoints:
    """Points taken from a training shard: ``kind`` is ``random`` or ``converged``."""

    kind: tuple[str, ...]
    run: tuple[int, ...]
    params: np.ndarray  # (P, M)


def check_shard(shard: Mapping[str, np.ndarray], ansatz: Ansatz, path: str) -> None:
    """The shard was trained on this ansatz (same size, depth, number of parameters, options)."""
    import json

    for key in ("initial_params", "final_params", "final_losses", "n", "layers", "n_params"):
        if key not in shard:
            raise BadInput(f"shard {path!r} has no {key!r}; expected a training shard written by 'overparam train --curves'")
    want = {"n": ansatz.n, "layers": ansatz.layers, "n_params": ansatz.n_params}
    for key, value in want.items():
        if int(shard[key]) != value:
            raise BadInput(f"shard {path!r} has {key}={int(shard[key])}; expected {key}={value} for the requested ansatz")
    if "options" in shard:
        got = json.loads(str(shard["options"]))
        opts = {k: str(v) for k, v in ansatz.options.items()}
        if got != opts:
            raise BadInput(f"shard {path!r} was trained with options {got}; expected {opts}")


def select_points(
    shard: Mapping[str, np.ndarray], random: int, solutions: int, converged_below: float, path: str = "shard"
) -> ShardPoints:
    """The first ``random`` initial points and the ``solutions`` best runs with loss below the threshold.

    Raises :class:`BadInput` when the shard has fewer runs than ``random`` or no converged run.
    """
    initial = np.asarray(shard["initial_params"], dtype=float)
    final = np.asarray(shard["final_params"], dtype=float)
    losses = np.asarray(shard["final_losses"], dtype=float)
    if random > len(initial):
        raise BadInput(f"--random {random} is not accepted; shard {path!r} holds {len(initial)} runs")
    converged = [int(k) for k in np.argsort(losses, kind="stable") if losses[k] < converged_below]
    if solutions > 0 and not converged:
        raise BadInput(
            f"shard {path!r} (layers={int(shard['layers'])}) has no converged run: best final loss "
            f"{losses.min():.3g} is not below {converged_below:g}; choose a deeper depth or more steps"
        )
    chosen = converged[:solutions]
    kinds = ("random",) * random + ("converged",) * len(chosen)
    runs = tuple(range(random)) + tuple(chosen)
    params = np.concatenate([initial[:random], final[chosen]]) if kinds else np.zeros((0, initial.shape[1]))
    return ShardPoints(kinds, runs, params)


def point_spectra(engine, ansatz: Ansatz, params: np.ndarray) -> list[dict]:
    """Loss, gradient norm, QFIM spectra (one per input state) and Hessian spectrum at each point.

    QFIM ranks count eigenvalues above ``RTOL['double']`` times the largest; the Hessian is
    indefinite away from minima, so its rank counts ``|lambda|`` above ``HESSIAN_RTOL`` times the
    largest ``|lambda|`` and its index counts eigenvalues below minus that cut.
    """
    out = []
    losses, grads = engine.loss_and_grad(params) if len(params) else (np.zeros(0), np.zeros((0, 0)))
    for k, x in enumerate(params):
        qfims = []
        for s in range(len(ansatz.states())):
            psi, jac = engine.jacobian(x, s)
            qfims.append(spectrum_rank(qfim_from_jacobian(psi, jac), RTOL["double"]))
        h = engine.hessian(x)
        vals = np.sort(np.linalg.eigvalsh(0.5 * (h + h.T)))[::-1]
        top = float(np.max(np.abs(vals))) if vals.size else 0.0
        cut = HESSIAN_RTOL * top
        out.append(
            {
                "loss": float(losses[k]),
                "grad_norm": float(np.linalg.norm(grads[k])),
                "qfim": [[float(v) for v in q.eigenvalues] for q in qfims],
                "qfim_rank": [q.rank for q in qfims],
                "qfim_gap": [q.gap for q in qfims],
                "hessian": [float(v) for v in vals],
                "hessian_rank": int(np.count_nonzero(np.abs(vals) > cut)) if top > 0 else 0,
                "hessian_index": int(np.count_nonzero(vals < -cut)) if top > 0 else 0,
            }
        )
    return out


def load_shard(path: str) -> dict:
    """The arrays of a training shard (``overparam train --curves``); one line of error if unreadable."""
    from overparam.fileio import read_npz

    return read_npz(path, "--shard")


def spectra_payload(ansatz_name: str, n: int, layers: int, options: dict[str, str], shard_path: str, random: int,
                    solutions: int, converged_below: float, max_memory_mb: float | None, label: str | None,
                    polish: bool = False) -> dict:
    """Check everything, then compute the spectra at the shard's random and converged points."""
    from overparam.ansatze import build_ansatz

    if not converged_below > 0:
        raise BadInput(f"--converged-below {converged_below} is not accepted; expected a positive float")
    if random < 0 or solutions < 0 or random + solutions == 0:
        raise BadInput(f"--random {random} --solutions {solutions} are not accepted; expected counts >= 0, not both 0")
    ansatz = build_ansatz(ansatz_name, n, layers, options)
    if ansatz.loss is None:
        raise BadInput(f"ansatz {ansatz_name!r} defines no loss; the Hessian needs one")
    limit = None if max_memory_mb is None else int(max_memory_mb * 2**20)
    need = check_memory(ansatz, limit)
    shard = load_shard(shard_path)
    check_shard(shard, ansatz, shard_path)
    points = select_points(shard, random, solutions, converged_below, shard_path)
    from overparam.sim.engine import build_engine

    t0 = time.perf_counter()
    engine = build_engine(ansatz)
    params = np.array(points.params, copy=True)
    train_losses = engine.loss(params) if len(params) else np.zeros(0)
    if polish:
        # Training stops after a fixed number of steps; trust-region Newton on the exact Hessian takes
        # each converged solution the rest of the way to the minimum (|grad| ~ 1e-10), so the
        # Hessian's zero modes are not masked by a residual slope.
        from overparam.geometry.landscape import refine

        for k, kind in enumerate(points.kind):
            if kind == "converged":
                params[k] = refine(engine, params[k]).params
    results = point_spectra(engine, ansatz, params)
    records = [{"kind": k, "run": r, "train_loss": float(tl), "polished": bool(polish and k == "converged"), **res}
               for k, r, tl, res in zip(points.kind, points.run, train_losses, results)]
    for rec in records:
        log.info("%s run %d: loss %.3e, QFIM rank %s, Hessian rank %d (index %d)", rec["kind"], rec["run"],
                 rec["loss"], rec["qfim_rank"], rec["hessian_rank"], rec["hessian_index"])
    losses = np.asarray(shard["final_losses"], dtype=float)
    return {
        "model": label or ansatz_name,
        "ansatz": ansatz_name,
        "n": n,
        "layers": layers,
        "options": {k: str(v) for k, v in ansatz.options.items()},
        "n_params": ansatz.n_params,
        "shard": shard_path,
        "runs_in_shard": int(losses.size),
        "converged_in_shard": int(np.count_nonzero(losses < converged_below)),
        "converged_below": converged_below,
        "polish": polish,
        "qfim_tolerance": RTOL["double"],
        "hessian_tolerance": HESSIAN_RTOL,
        "memory_estimate_bytes": need,
        "points": records,
        "seconds": time.perf_counter() - t0,
    }
