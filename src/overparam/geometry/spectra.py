"""QFIM and Hessian spectra at random points and at converged solutions (experiment 2: fig4, supp1).

The points come from a training shard (``overparam train --curves``): its ``initial_params`` are
random points drawn uniformly from the ansatz's initial-angle range, and its ``final_params`` whose
final loss is below a threshold are converged solutions. Nothing here trains: the spectra reuse the
training runs, and every check (shard matches the ansatz, a converged run exists, the request fits
in memory) runs before the first simulation.
"""

from __future__ import annotations

import dataclasses
import os
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


def physical_memory_bytes() -> int:
    """Physical memory of this machine (``0`` when the platform does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def memory_estimate(n_qubits: int, n_params: int, n_states: int = 1) -> int:
    """Bytes one QFIM + Hessian evaluation needs (tangent states plus the ``M x M`` matrices)."""
    tangents = BYTES_PER_TANGENT_AMPLITUDE * n_params * (2**n_qubits) * max(1, n_states)
    return FIXED_BYTES + tangents + 8 * 8 * n_params**2


def check_memory(ansatz: Ansatz, limit_bytes: int | None = None) -> int:
    """Raise :class:`BadInput` when one spectrum evaluation would not fit in ``limit_bytes``.

    ``None`` means half of the physical memory. Returns the estimate in bytes.
    """
    need = memory_estimate(ansatz.n_qubits, ansatz.n_params, len(ansatz.states()))
    limit = limit_bytes if limit_bytes is not None else physical_memory_bytes() // 2
    if limit and need > limit:
        raise BadInput(
            f"spectra of {ansatz.name} n={ansatz.n} layers={ansatz.layers} (M={ansatz.n_params}, "
            f"{ansatz.n_qubits} qubits) need about {need / 2**20:.3g} MiB; the limit is {limit / 2**20:.3g} MiB "
            "(lower the depth or size, or raise the memory limit)"
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
