"""One training configuration end to end: batched Adam, qsim re-check, spectra at the solutions.

Writes the shard the workflow's tables and figures read: an ``.npz`` with the loss curves (runs x
steps+1, the initial loss first) and scalar metadata, and returns the JSON summary.
"""

from __future__ import annotations

import json

import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.fileio import atomic_path
from overparam.geometry.qfim import qfim_from_jacobian
from overparam.geometry.rank import HESSIAN_RTOL, RTOL, spectrum_rank
from overparam.sim.engine import build_engine
from overparam.train import qsim_losses, train


# The qsim re-check of the final losses needs the state vector: skipped above this size.
QSIM_CHECK_MAX_QUBITS = 24


def solution_spectra(engine, ansatz: Ansatz, params: np.ndarray) -> dict[str, np.ndarray]:
    """QFIM spectra (per input state) and Hessian spectra of the loss at each parameter vector."""
    tol = RTOL["double"]
    n_states = len(ansatz.states())
    qfim_spec = np.zeros((len(params), n_states, ansatz.n_params))
    qfim_rank = np.zeros((len(params), n_states), dtype=int)
    hess_spec = np.zeros((len(params), ansatz.n_params))
    hess_rank = np.zeros(len(params), dtype=int)
    for k, x in enumerate(params):
        for s in range(n_states):
            if getattr(engine, "kind", None) == "fermion":
                res = spectrum_rank(engine.qfim(x, s), tol)
            else:
                psi, jac = engine.jacobian(x, s)
                res = spectrum_rank(qfim_from_jacobian(psi, jac), tol)
            qfim_spec[k, s], qfim_rank[k, s] = res.eigenvalues, res.rank
        # The Hessian is indefinite away from minima: rank counts |eigenvalues| above the cut.
        h = engine.hessian(x)
        vals = np.sort(np.linalg.eigvalsh(0.5 * (h + h.T)))[::-1]
        top = np.max(np.abs(vals)) if vals.size else 0.0
        hess_spec[k] = vals
        hess_rank[k] = int(np.count_nonzero(np.abs(vals) > HESSIAN_RTOL * top)) if top > 0 else 0
    return {"qfim_spectra": qfim_spec, "qfim_ranks": qfim_rank, "hessian_spectra": hess_spec, "hessian_ranks": hess_rank}


def run_training(
    ansatz: Ansatz,
    *,
    model: str,
    runs: int,
    steps: int,
    lr: float,
    seed: int,
    spectra: int = 0,
    curves_path: str | None = None,
    stop_below: float | None = None,
    fixed_floor: float = 1e-11,
    backend: str = "jax",
    qsim_runs: int | None = None,
) -> dict:
    """Train ``runs`` initialisations, optionally analyse the first ``spectra`` solutions, save a shard.

    ``backend``: ``jax`` (the state-vector engine) or ``fermion`` (the free-fermion engine; resolve
    ``auto`` first with :func:`overparam.sim.fermion.select.resolve_backend`). Above
    ``QSIM_CHECK_MAX_QUBITS`` the qsim re-check is skipped and its losses are recorded as null;
    ``qsim_runs`` re-checks only the first that many runs (the others' qsim losses are null): at 16 to
    24 qubits one qsim state per run costs more than its training on the free-fermion engine.
    """
    if backend == "fermion":
        from overparam.sim.fermion import build_fermion_engine

        engine = build_fermion_engine(ansatz)
    elif backend == "jax":
        engine = build_engine(ansatz)
    else:
        raise ValueError(f"training backend {backend!r}; expected jax or fermion")
    qsim_check = ansatz.n_qubits <= QSIM_CHECK_MAX_QUBITS and qsim_runs != 0
    result = train(ansatz, runs=runs, steps=steps, lr=lr, seed=seed, engine=engine, stop_below=stop_below,
                   qsim_check=qsim_check and qsim_runs is None)
    qsim_final = np.full(runs, np.nan)
    if qsim_check and qsim_runs is None:
        qsim_final = result.qsim_final_losses
    elif qsim_check:
        checked = min(qsim_runs, runs)
        qsim_final[:checked] = qsim_losses(ansatz, result.final_params[:checked])
    curves = np.concatenate([result.curves, result.final_losses[:, None]], axis=1)
    extra = solution_spectra(engine, ansatz, result.final_params[:spectra]) if spectra else {}
    payload = {
        "model": model,
        "ansatz": ansatz.name,
        "n": ansatz.n,
        "layers": ansatz.layers,
        "options": {k: str(v) for k, v in ansatz.options.items()},
        "n_params": ansatz.n_params,
        "steps": steps,
        "lr": lr,
        "seed": seed,
        "stop_below": stop_below,
        # Without a stop, one run gives both protocols' counts: a run whose loss never reaches the
        # floor follows the same trajectory with or without the stop, and one that does would have
        # stopped there (a success of the fixed protocol).
        "fixed_floor": fixed_floor,
        "backend": backend,
        "final_losses": [float(v) for v in result.final_losses],
        "qsim_final_losses": [None if np.isnan(v) else float(v) for v in qsim_final],
        # Adam at a fixed learning rate can climb back out of a minimum it reached (late spikes), so
        # the lowest loss of each run is kept beside the final one: it tells "never got there" from
        # "got there and was kicked out".
        "lowest_losses": [float(v) for v in curves.min(axis=1)],
        "seconds": result.seconds,
    }
    if extra:
        payload["qfim_ranks"] = extra["qfim_ranks"].tolist()
        payload["hessian_ranks"] = extra["hessian_ranks"].tolist()
    if curves_path:
        meta = {k: v for k, v in payload.items() if not isinstance(v, (list, dict)) and v is not None}
        with atomic_path(curves_path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(
                    fh,
                    curves=curves,
                    final_losses=result.final_losses,
                    qsim_final_losses=qsim_final,
                    initial_params=result.initial_params,
                    final_params=result.final_params,
                    options=json.dumps(payload["options"], sort_keys=True),
                    **meta,
                    **extra,
                )
    return payload
