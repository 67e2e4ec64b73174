"""Hamiltonian variational ansatz for the transverse-field Ising model (experiment 1 of the paper).

``H`` on every qubit (input ``|+>^n``), then per layer ``exp(-i theta_zz sum Z_i Z_{i+1} / 2)`` with
one shared angle, followed by ``RX(theta_x)`` on every qubit with one shared angle: ``M = 2p``.
"""

from __future__ import annotations

import cirq
import numpy as np
import sympy

from overparam.ansatze.base import Ansatz, EnergyLoss, from_circuit
from overparam.ansatze.entry import Entry, Option
from overparam.freefermion import tfim_ground_energy
from overparam.hamiltonians import BOUNDARIES, bonds, ground_energy, tfim_hamiltonian

SPARSE_MAX_QUBITS = 14


def _parse_g(raw: str) -> float:
    value = float(raw)
    if not np.isfinite(value):
        raise ValueError(raw)
    return value


def tfim_hva(n: int, layers: int, boundary: str = "periodic", g: float = 1.0) -> Ansatz:
    """The paper's TFIM HVA on ``n`` qubits with ``layers`` layers."""
    qubits = cirq.LineQubit.range(n)
    circuit = cirq.Circuit(cirq.H.on_each(*qubits))
    for layer in range(layers):
        theta_zz = sympy.Symbol(f"zz_{layer}")
        theta_x = sympy.Symbol(f"x_{layer}")
        # exp(-i theta ZZ / 2) exactly (global_shift -1/2), one shared angle for every bond.
        zz = cirq.ZZPowGate(exponent=theta_zz / sympy.pi, global_shift=-0.5)
        # The ZZ terms commute; even bonds first, then odd ones, so each layer is two moments deep.
        layer_bonds = sorted(bonds(n, boundary), key=lambda b: (b[0] % 2, b[0]))
        circuit.append(zz.on(qubits[i], qubits[j]) for i, j in layer_bonds)
        circuit.append(cirq.rx(theta_x).on(q) for q in qubits)
    hamiltonian = tfim_hamiltonian(qubits, g=g, boundary=boundary)
    # Beyond 14 qubits sparse Lanczos gets slow and memory-bound; the chain is free-fermion solvable
    # (overparam.freefermion, checked against sparse diagonalisation in the tests).
    e0 = ground_energy(hamiltonian, qubits) if n <= SPARSE_MAX_QUBITS else tfim_ground_energy(n, g, boundary)
    return from_circuit(
        "tfim-hva",
        circuit,
        n=n,
        layers=layers,
        options={"boundary": boundary, "g": g},
        loss=EnergyLoss(hamiltonian, offset=e0),
        init_range=(0.0, np.pi),
        qubits=qubits,
    )


ENTRY = Entry(
    "tfim-hva",
    "Hamiltonian variational ansatz for the transverse-field Ising chain, H = -sum ZZ - g sum X; "
    "two shared angles per layer (M = 2p), residual energy as loss",
    options=(
        Option("boundary", "periodic", str, "periodic or open", choices=BOUNDARIES),
        Option("g", 1.0, _parse_g, "a finite float"),
    ),
    builder=tfim_hva,
)
