"""Quantum-assisted compiling (QAQC) of a fixed-seed Haar-random unitary with the HEA (experiment 4).

On ``2n`` qubits: Bell pairs between qubit ``q`` and ``q+n`` (H, CNOT), the HEA ``W(theta)`` on the
first ``n``, the complex conjugate of the target ``U`` on the second ``n``, then the inverse Bell
transformation. The probability of ``|0...0>`` is ``|Tr(U^dagger W)|^2 / d^2`` (``d = 2^n``), so the
loss ``1 - P(0...0)`` is the Hilbert-Schmidt test and vanishes exactly when ``W = U`` up to a phase.
"""

from __future__ import annotations

import cirq
import numpy as np

from overparam.ansatze.base import Ansatz, ZeroProjectorLoss, from_circuit
from overparam.ansatze.hea import hea_circuit
from overparam.ansatze.entry import Entry, Option


def target_unitary(n: int, seed: int) -> np.ndarray:
    """The Haar-random ``2^n x 2^n`` target, reproducible from ``seed``."""
    import scipy.stats  # here: a second of start-up that every command importing the registry would pay

    return scipy.stats.unitary_group.rvs(2**n, random_state=np.random.default_rng(seed))


def _parse_seed(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


def qaqc_hea(n: int, layers: int, unitary_seed: int = 0) -> Ansatz:
    """The compiling circuit for an ``n``-qubit target (``2n`` qubits in all)."""
    qubits = cirq.LineQubit.range(2 * n)
    first, second = qubits[:n], qubits[n:]
    bell = cirq.Circuit([cirq.H.on_each(*first), [cirq.CNOT(a, b) for a, b in zip(first, second)]])
    target = target_unitary(n, unitary_seed)
    circuit = cirq.Circuit()
    circuit += bell
    circuit += hea_circuit(first, layers)
    circuit.append(cirq.MatrixGate(np.conj(target), name="U*").on(*second))
    circuit += cirq.inverse(bell)
    return from_circuit(
        "qaqc-hea",
        circuit,
        n=n,
        layers=layers,
        options={"unitary_seed": unitary_seed},
        loss=ZeroProjectorLoss(tuple(qubits)),
        init_range=(0.0, 2 * np.pi),
        qubits=qubits,
    )


ENTRY = Entry(
    "qaqc-hea",
    "Quantum-assisted compiling of a fixed-seed Haar-random n-qubit unitary with the hardware-"
    "efficient ansatz on 2n qubits (Hilbert-Schmidt test, M = 2n + 2L(2n-2))",
    options=(Option("unitary_seed", 0, _parse_seed, "a non-negative integer"),),
    min_n=2,
    max_n=8,
    builder=qaqc_hea,
)
