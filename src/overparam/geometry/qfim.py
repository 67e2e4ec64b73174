"""Quantum Fisher information matrix of the pure output state.

``F_ij = 4 Re[<d_i psi|d_j psi> - <d_i psi|psi><psi|d_j psi>]``, computed from exact state
derivatives (never finite differences) in double precision.
"""

from __future__ import annotations

import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.geometry.rank import RTOL, SpectrumRank, spectrum_rank
from overparam.sim.derivatives import state_jacobian

from overparam.errors import BadInput

BACKEND_PRECISION = {"qsim": "single", "cirq": "double", "jax": "double", "fermion": "double"}
# The state-vector backends (prefix ranks and other state-based geometry accept only these).
QFIM_BACKENDS = ("qsim", "cirq", "jax")
# What ``auto`` runs when the circuit is not free-fermionic (the QFIM commands' historical default).
QFIM_FALLBACK = "qsim"


def check_qfim_backend(backend: str) -> str:
    """``qsim`` and ``cirq`` differentiate through the forward simulator; ``jax`` is the engine."""
    if backend not in QFIM_BACKENDS:
        raise BadInput(f"backend {backend!r} is not accepted; use one of {', '.join(QFIM_BACKENDS)}")
    return backend


def resolve_qfim_backend(ansatz: Ansatz, backend: str) -> str:
    """The QFIM commands' backend: ``auto`` (``fermion`` for a matchgate circuit, else ``qsim``),
    ``fermion`` (checked: exit 2 naming what breaks it) or a state-vector backend."""
    from overparam.sim.fermion.select import check_backend_name, resolve_backend

    return resolve_backend(ansatz, check_backend_name(backend, QFIM_BACKENDS), QFIM_FALLBACK)


def qfim_from_jacobian(psi: np.ndarray, jac: np.ndarray) -> np.ndarray:
    """QFIM from a state and its Jacobian (columns are ``d psi / d theta_j``).

    Written as the Gram matrix ``4 Re[J_perp^dag J_perp]`` of the derivatives projected orthogonally
    to the (renormalised) state, so the result is positive semi-definite by construction: with
    single-precision states the textbook form ``<d_i|d_j> - <d_i|psi><psi|d_j>`` picks up the norm
    error ``1 - <psi|psi> ~ 1e-7`` at first order and shows spurious negative eigenvalues.
    """
    psi = np.asarray(psi, dtype=np.complex128)
    psi = psi / np.linalg.norm(psi)
    jac = np.asarray(jac, dtype=np.complex128)
    perp = jac - np.outer(psi, psi.conj() @ jac)
    return 4.0 * np.real(perp.conj().T @ perp)


def qfim(
    ansatz: Ansatz, values: np.ndarray, backend: str = "qsim", input_index: int = 0, engine=None
) -> np.ndarray:
    """The QFIM of ``ansatz`` at ``values`` (shape ``(M, M)``).

    ``backend='jax'`` uses the differentiable engine and ``'fermion'`` the free-fermion engine (pass a
    built ``engine`` to reuse its compilation across points); the others differentiate through the
    forward simulator. ``auto`` must be resolved first (:func:`resolve_qfim_backend`).
    """
    if backend == "fermion":
        from overparam.sim.fermion import build_fermion_engine

        # The Gaussian state's QFIM in closed form (no state vector).
        return (engine or build_fermion_engine(ansatz)).qfim(values, input_index)
    if backend == "jax":
        from overparam.sim.engine import build_engine

        engine = engine or build_engine(ansatz)
        psi, jac = engine.jacobian(values, input_index)
    else:
        psi, jac = state_jacobian(ansatz, values, backend, input_index)
    return qfim_from_jacobian(psi, jac)


def qfim_spectrum(
    ansatz: Ansatz,
    values: np.ndarray,
    backend: str = "qsim",
    input_index: int = 0,
    rtol: float | None = None,
    engine=None,
) -> SpectrumRank:
    """Sorted QFIM spectrum and numerical rank (tolerance by the backend's precision)."""
    tol = RTOL[BACKEND_PRECISION[backend]] if rtol is None else rtol
    return spectrum_rank(qfim(ansatz, values, backend, input_index, engine), tol)
