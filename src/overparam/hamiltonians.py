"""Problem Hamiltonians as ``cirq.PauliSum`` and their exact ground energies."""

from __future__ import annotations

from typing import Sequence

import cirq
import numpy as np
import scipy.sparse
import scipy.sparse.linalg

from overparam.errors import BadInput

BOUNDARIES = ("periodic", "open")


def tfim_hamiltonian(qubits: Sequence[cirq.Qid], g: float = 1.0, boundary: str = "periodic") -> cirq.PauliSum:
    """Transverse-field Ising model ``H = -sum Z_i Z_{i+1} - g sum X_i``.

    ``boundary='periodic'`` adds the bond between the last and the first qubit (for ``n > 2``).
    """
    if boundary not in BOUNDARIES:
        raise BadInput(f"boundary={boundary!r} is not accepted; use one of {', '.join(BOUNDARIES)}")
    return -1.0 * zz_bonds(qubits, boundary) - float(g) * sum_paulis(qubits, cirq.X)


def bonds(n: int, boundary: str) -> list[tuple[int, int]]:
    """Nearest-neighbour bonds of a chain of ``n`` sites (a ring for ``periodic`` when ``n > 2``)."""
    pairs = [(i, i + 1) for i in range(n - 1)]
    if boundary == "periodic" and n > 2:
        pairs.append((n - 1, 0))
    return pairs


def zz_bonds(qubits: Sequence[cirq.Qid], boundary: str) -> cirq.PauliSum:
    """``sum_(i,j) Z_i Z_j`` over the chain's bonds."""
    return cirq.PauliSum.from_pauli_strings(
        [cirq.Z(qubits[i]) * cirq.Z(qubits[j]) for i, j in bonds(len(qubits), boundary)]
    )


def sum_paulis(qubits: Sequence[cirq.Qid], pauli: cirq.Pauli) -> cirq.PauliSum:
    """``sum_i P_i`` for one single-qubit Pauli ``P``."""
    return cirq.PauliSum.from_pauli_strings([pauli(q) for q in qubits])


def pauli_sum_sparse(psum: cirq.PauliSum, qubits: Sequence[cirq.Qid]) -> scipy.sparse.csr_matrix:
    """Sparse matrix of ``psum`` in the big-endian basis of ``qubits`` (qubit 0 = most significant bit).

    Each Pauli string maps ``|x>`` to ``phase(x) |x XOR flip>``, so the matrix is assembled from
    bit operations in ``O(terms * 2^n)`` without any dense ``2^n x 2^n`` array.
    """
    n = len(qubits)
    index = {q: n - 1 - k for k, q in enumerate(qubits)}
    dim = 1 << n
    x = np.arange(dim, dtype=np.int64)
    rows, cols, vals = [], [], []
    for ps in psum:
        flip = 0
        zmask = 0
        n_y = 0
        for q, p in ps.items():
            bit = 1 << index[q]
            if p == cirq.X:
                flip |= bit
            elif p == cirq.Y:
                flip |= bit
                zmask |= bit
                n_y += 1
            else:
                zmask |= bit
        parity = np.bitwise_count(x & zmask) & 1 if hasattr(np, "bitwise_count") else _popcount(x & zmask) & 1
        phase = complex(ps.coefficient) * (1j**n_y) * (1 - 2 * parity.astype(np.float64))
        rows.append(x ^ flip)
        cols.append(x)
        vals.append(phase)
    mat = scipy.sparse.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(dim, dim)
    )
    return mat.tocsr()


def _popcount(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    count = np.zeros_like(a)
    while np.any(a):
        count += a & 1
        a >>= 1
    return count


def ground_energy(psum: cirq.PauliSum, qubits: Sequence[cirq.Qid]) -> float:
    """Exact ground energy by sparse Lanczos (dense diagonalisation below 7 qubits).

    Lanczos starts from a fixed pseudo-random vector: from ARPACK's own random start the energy varied
    by a few 1e-14 between calls, and every residual energy of a configuration with it.
    """
    mat = pauli_sum_sparse(psum, qubits)
    if len(qubits) <= 6:
        return float(np.linalg.eigvalsh(mat.toarray())[0])
    start = np.random.default_rng(0).standard_normal(mat.shape[0])
    val = scipy.sparse.linalg.eigsh(mat, k=1, which="SA", tol=1e-12, v0=start, return_eigenvectors=False)
    return float(val[0])
