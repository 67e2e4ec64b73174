"""Exact state derivatives ``d|psi>/d theta_j`` through any forward simulator.

For ``op = exp(-i s G) V`` the derivative inserts ``-i G`` right after the operation (``G``
commutes with the gate), so ``d_s |psi> = sum_{ops with s} U_after (-i G) U_upto |psi_0>``. Gates
of one moment act on disjoint qubits, so all of a moment's contributions for one symbol are
applied to the state after that moment and propagated together: one suffix simulation per
(moment, symbol) pair, no finite differences.
"""

from __future__ import annotations

import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.hamiltonians import pauli_sum_sparse
from overparam.sim.generators import normalize_circuit, parametrized_operations
from overparam.sim.statevector import simulate_state


def input_state(ansatz: Ansatz, index: int = 0) -> np.ndarray | None:
    """The ``index``-th input state of ``ansatz`` (``None`` for ``|0...0>``)."""
    return ansatz.states()[index]


def final_state(ansatz: Ansatz, values: np.ndarray, backend: str = "qsim", input_index: int = 0) -> np.ndarray:
    """Output state ``U(theta)|psi_in>`` as complex128."""
    return simulate_state(
        ansatz.circuit, ansatz.qubits, ansatz.resolver(values), input_state(ansatz, input_index), backend
    )


def state_jacobian(
    ansatz: Ansatz, values: np.ndarray, backend: str = "qsim", input_index: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(psi, J)`` with ``J[:, j] = d psi / d theta_j`` (shape ``(2^n, M)``), complex128."""
    circuit = cirq_resolve_ready(ansatz)
    resolver = ansatz.resolver(values)
    qubits = ansatz.qubits
    column = {s: j for j, s in enumerate(ansatz.symbols)}
    by_moment: dict[int, dict] = {}
    for pop in parametrized_operations(circuit):
        group = by_moment.setdefault(pop.moment, {})
        group[pop.symbol] = group.get(pop.symbol, 0) + pop.generator
    jac = np.zeros((2 ** len(qubits), ansatz.n_params), dtype=np.complex128)
    state = input_state(ansatz, input_index)
    if state is None:
        state = np.zeros(2 ** len(qubits), dtype=np.complex128)
        state[0] = 1.0
    for m in range(len(circuit)):
        state = simulate_state(circuit[m : m + 1], qubits, resolver, state, backend)
        if m not in by_moment:
            continue
        suffix = circuit[m + 1 :]
        for sym, gen in by_moment[m].items():
            tangent = -1j * (pauli_sum_sparse(gen, qubits) @ state)
            jac[:, column[sym]] += simulate_state(suffix, qubits, resolver, tangent, backend)
    return state, jac


def cirq_resolve_ready(ansatz: Ansatz):
    """The ansatz circuit with every parametrized gate in ``exp(-i s G) V`` form."""
    return normalize_circuit(ansatz.circuit)
