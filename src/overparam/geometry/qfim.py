"""Quantum Fisher information matrix of the pure output state.

``F_ij = 4 Re[<d_i psi|d_j psi> - <d_i psi|psi><psi|d_j psi>]``, computed from exact state
derivatives (never finite differences) in double precision.
"""

from __future__ import annotations

import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.geometry.rank import RTOL, SpectrumRank, spectrum_rank
from overparam.sim.derivatives import state_jacobian

BACKEND_PRECISION = {"qsim": "single", "cirq": "double", "jax": "double"}


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


def qfim(ansatz: Ansatz, values: np.ndarray, backend: str = "qsim", input_index: int = 0) -> np.ndarray:
    """The QFIM of ``ansatz`` at ``values`` (shape ``(M, M)``)."""
    psi, jac = state_jacobian(ansatz, values, backend, input_index)
    return qfim_from_jacobian(psi, jac)


def qfim_spectrum(
    ansatz: Ansatz, values: np.ndarray, backend: str = "qsim", input_index: int = 0, rtol: float | None = None
) -> SpectrumRank:
    """Sorted QFIM spectrum and numerical rank (tolerance by the backend's precision)."""
    tol = RTOL[BACKEND_PRECISION[backend]] if rtol is None else rtol
    return spectrum_rank(qfim(ansatz, values, backend, input_index), tol)
