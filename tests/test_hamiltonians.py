import cirq
import numpy as np
import pytest

from overparam.errors import BadInput
from overparam.hamiltonians import bonds, ground_energy, pauli_sum_sparse, tfim_hamiltonian


@pytest.mark.parametrize("boundary", ["periodic", "open"])
def test_sparse_matrix_matches_cirq_dense(boundary):
    qubits = cirq.LineQubit.range(5)
    h = tfim_hamiltonian(qubits, g=0.7, boundary=boundary) + 0.3 * cirq.Y(qubits[1]) * cirq.X(qubits[3])
    np.testing.assert_allclose(pauli_sum_sparse(h, qubits).toarray(), h.matrix(qubits), atol=1e-14)


def test_bonds():
    assert bonds(4, "open") == [(0, 1), (1, 2), (2, 3)]
    assert bonds(4, "periodic") == [(0, 1), (1, 2), (2, 3), (3, 0)]
    assert bonds(2, "periodic") == [(0, 1)]


@pytest.mark.parametrize("n", [4, 8])
def test_ground_energy_against_dense_diagonalisation(n):
    qubits = cirq.LineQubit.range(n)
    h = tfim_hamiltonian(qubits, g=1.0, boundary="periodic")
    assert ground_energy(h, qubits) == pytest.approx(np.linalg.eigvalsh(h.matrix(qubits))[0], abs=1e-9)


def test_ground_energy_is_the_same_number_every_call():
    """The residual energy of every run is measured from it: Lanczos must not start at random."""
    qubits = cirq.LineQubit.range(9)
    h = tfim_hamiltonian(qubits, g=1.0, boundary="open")
    assert len({ground_energy(h, qubits) for _ in range(4)}) == 1


def test_critical_periodic_tfim_free_fermion_energy():
    # Textbook (Pfeuty 1970): at g = 1 with periodic boundary, the ground state lies in the even-parity
    # sector with antiperiodic fermion momenta k = pi(2m+1)/n, E0 = -sum_k 2|cos(k/2)|.
    n = 8
    qubits = cirq.LineQubit.range(n)
    ks = np.pi * (2 * np.arange(n) + 1) / n
    exact = -np.sum(2 * np.abs(np.cos(ks / 2)))
    assert ground_energy(tfim_hamiltonian(qubits, 1.0, "periodic"), qubits) == pytest.approx(exact, abs=1e-9)


def test_bad_boundary():
    with pytest.raises(BadInput, match="boundary='ring'"):
        tfim_hamiltonian(cirq.LineQubit.range(3), boundary="ring")
