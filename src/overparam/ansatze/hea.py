"""The hardware-efficient ansatz (HEA) of the paper's compiling and autoencoder experiments.

An RY and an RX on every qubit, then per layer: CZ on pairs (0,1),(2,3),..., RY+RX on every qubit
those CZs touched, CZ on pairs (1,2),(3,4),..., RY+RX on every qubit those CZs touched. For even
``n`` the first set touches all qubits and the second qubits 1..n-2; for odd ``n`` the two sets
touch 0..n-2 and 1..n-1 (the two halves of a layer swap their rotation sets). Either way a
layer holds ``2(2n-2)`` angles and ``M = 2n + 2L(2n-2)``; every angle is its own symbol.
"""

from __future__ import annotations

from typing import Sequence

import cirq
import sympy


def hea_parameter_count(n: int, layers: int) -> int:
    """``M = 2n + 2L(2n-2)``: the closed form the builder must reproduce."""
    return 2 * n + 2 * layers * (2 * n - 2)


def _pairs(n: int, first: int) -> list[tuple[int, int]]:
    return [(i, i + 1) for i in range(first, n - 1, 2)]


def hea_circuit(qubits: Sequence[cirq.Qid], layers: int, prefix: str = "t") -> cirq.Circuit:
    """The HEA on ``qubits`` with ``layers`` layers; symbols ``{prefix}_{k}`` in circuit order."""
    qubits = list(qubits)
    n = len(qubits)
    counter = iter(range(hea_parameter_count(n, layers)))
    circuit = cirq.Circuit()

    def rotations(indices: Sequence[int]) -> None:
        # RY then RX on each qubit, each with a fresh symbol; one moment per rotation kind.
        circuit.append([cirq.ry(sympy.Symbol(f"{prefix}_{next(counter)}")).on(qubits[i]) for i in indices],
                       strategy=cirq.InsertStrategy.NEW_THEN_INLINE)
        circuit.append([cirq.rx(sympy.Symbol(f"{prefix}_{next(counter)}")).on(qubits[i]) for i in indices],
                       strategy=cirq.InsertStrategy.NEW_THEN_INLINE)

    rotations(range(n))
    for _ in range(layers):
        for first in (0, 1):
            pairs = _pairs(n, first)
            if not pairs:
                continue
            circuit.append([cirq.CZ(qubits[a], qubits[b]) for a, b in pairs],
                           strategy=cirq.InsertStrategy.NEW_THEN_INLINE)
            rotations(sorted({q for pair in pairs for q in pair}))
    return circuit
