"""Hamiltonian variational ansatz for the XXZ chain: a user's ansatz that lives outside overparam.

Referred to as ``xxz_hva:xxz_hva`` (with ``examples/xxz`` on the Python path, e.g. through the
config key ``pythonpath``). overparam calls ``xxz_hva(n, layers, **options)`` with every option as
a string.

Model (periodic chain, ``n`` even):

    H = sum_<i,j> (X_i X_j + Y_i Y_j + delta Z_i Z_j)

Circuit (Wiersema et al., PRX Quantum 1, 020319 (2020)):

* input: singlets (|01> - |10>)/sqrt(2) on the even bonds (0,1), (2,3), ... prepared from |0...0>
  with fixed gates. The singlet product is the ground state of the even-bond part of H and has the
  symmetries (total S_z = 0, spin flip, two-site translation) of the ground state of H. A Néel
  state would not do: it is an equal mixture of the two spin-flip sectors, so a symmetric circuit
  could never take more than half of it into the ground state.
* per layer four shared angles, odd bonds first (the input is an eigenstate of the even ones):
  exp(-i a ZZ_odd/2), exp(-i b (XX+YY)_odd/2), exp(-i c ZZ_even/2), exp(-i d (XX+YY)_even/2),
  each one symbol shared by every bond of its group: M = 4 * layers.
* loss: the residual energy <H> - E0 (E0 from exact diagonalisation).
"""

from __future__ import annotations

import cirq
import numpy as np
import sympy

from overparam.ansatze import EnergyLoss, from_circuit
from overparam.hamiltonians import ground_energy


def xxz_hamiltonian(qubits: list[cirq.Qid], delta: float) -> cirq.PauliSum:
    """``sum_<i,j> (XX + YY + delta ZZ)`` on a ring of ``qubits``."""
    n = len(qubits)
    terms = []
    for i in range(n):
        a, b = qubits[i], qubits[(i + 1) % n]
        terms += [cirq.X(a) * cirq.X(b), cirq.Y(a) * cirq.Y(b), delta * cirq.Z(a) * cirq.Z(b)]
    return cirq.PauliSum.from_pauli_strings(terms)


def _singlets(qubits: list[cirq.Qid]) -> list[cirq.Operation]:
    # |00> -X,X-> |11> -H on a-> (|0>-|1>)|1>/sqrt2 -CNOT a->b-> (|01>-|10>)/sqrt2
    ops: list[cirq.Operation] = []
    for k in range(0, len(qubits), 2):
        a, b = qubits[k], qubits[k + 1]
        ops += [cirq.X(a), cirq.X(b), cirq.H(a), cirq.CNOT(a, b)]
    return ops


def xxz_hva(n: int, layers: int, delta: str = "0.5"):
    """The XXZ HVA on ``n`` qubits (even, >= 4) with ``layers`` layers and anisotropy ``delta``."""
    d = float(delta)  # a ValueError here is reported by overparam as a bad option
    if not np.isfinite(d):
        raise ValueError(f"delta={delta!r} is not a finite float")
    if n < 4 or n % 2:
        raise ValueError(f"n={n}: the XXZ HVA needs an even number of qubits >= 4")
    qubits = cirq.LineQubit.range(n)
    even = [(i, i + 1) for i in range(0, n, 2)]
    odd = [(i, (i + 1) % n) for i in range(1, n, 2)]
    circuit = cirq.Circuit(_singlets(qubits))
    for layer in range(layers):
        for group, bonds in (("odd", odd), ("even", even)):
            zz = sympy.Symbol(f"zz_{group}_{layer}")
            xy = sympy.Symbol(f"xy_{group}_{layer}")
            # exp(-i s P/2) for P = ZZ, XX, YY: exponent s/pi with global shift -1/2. XX and YY on one
            # bond commute, so the pair is exactly exp(-i s (XX+YY)/2).
            circuit.append(cirq.ZZPowGate(exponent=zz / sympy.pi, global_shift=-0.5).on(qubits[i], qubits[j]) for i, j in bonds)
            circuit.append(cirq.XXPowGate(exponent=xy / sympy.pi, global_shift=-0.5).on(qubits[i], qubits[j]) for i, j in bonds)
            circuit.append(cirq.YYPowGate(exponent=xy / sympy.pi, global_shift=-0.5).on(qubits[i], qubits[j]) for i, j in bonds)
    hamiltonian = xxz_hamiltonian(qubits, d)
    return from_circuit(
        "xxz_hva:xxz_hva",
        circuit,
        n=n,
        layers=layers,
        options={"delta": d},
        loss=EnergyLoss(hamiltonian, offset=ground_energy(hamiltonian, qubits)),
        qubits=qubits,
    )
