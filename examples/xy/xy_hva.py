"""Hamiltonian variational ansatz for the XY chain: a user's matchgate ansatz outside overparam.

Referred to as ``xy_hva:xy_hva`` (with ``examples/xy`` on the Python path). overparam calls
``xy_hva(n, layers, **options)`` with every option as a string.

Model (``n`` qubits, open or periodic chain)::

    H = sum_<i,j> (X_i X_j + Y_i Y_j) + h sum_i Z_i

Under the Jordan-Wigner map every term is a bilinear in Majorana operators (the closing bond of a
ring up to the fermion parity), so the circuit below is a matchgate circuit and overparam's
free-fermion backend simulates it exactly at any size.

Circuit: the Néel state |0101...> (a Gaussian state), then per layer three shared angles:
``exp(-i a (XX+YY)/2)`` on the even bonds (written as an ``ISWAP`` power), ``exp(-i b (XY-YX)/2)`` on
the odd bonds (two Pauli-string phasors; a hopping with a real amplitude, so that the Néel state,
whose XX+YY energy is pinned by time reversal under ``XX+YY`` and ``Z`` alone, really moves) and
``exp(-i c Z/2)`` on every qubit: ``M = 3 * layers``.
Loss: the energy minus the exact ground energy (sparse diagonalisation, ``n <= 14``; beyond that
the plain energy).
"""

from __future__ import annotations

import cirq
import numpy as np
import sympy

from overparam.ansatze import EnergyLoss, from_circuit
from overparam.hamiltonians import ground_energy


def _bonds(n: int, boundary: str) -> list[tuple[int, int]]:
    out = [(i, i + 1) for i in range(n - 1)]
    if boundary == "periodic" and n > 2:
        out.append((n - 1, 0))
    return out


def xy_hamiltonian(qubits: list[cirq.Qid], h: float, boundary: str) -> cirq.PauliSum:
    """``sum (XX + YY) + h sum Z`` on the chain ``qubits``."""
    terms = []
    for i, j in _bonds(len(qubits), boundary):
        terms += [cirq.X(qubits[i]) * cirq.X(qubits[j]), cirq.Y(qubits[i]) * cirq.Y(qubits[j])]
    terms += [h * cirq.Z(q) for q in qubits]
    return cirq.PauliSum.from_pauli_strings(terms)


def xy_hva(n: int, layers: int, h: str = "0.5", boundary: str = "open"):
    """The XY HVA on ``n`` qubits with ``layers`` layers, field ``h`` and ``boundary`` open or periodic."""
    field = float(h)
    if not np.isfinite(field):
        raise ValueError(f"h={h!r} is not a finite float")
    if boundary not in ("open", "periodic"):
        raise ValueError(f"boundary={boundary!r}; expected open or periodic")
    qubits = cirq.LineQubit.range(n)
    bonds = _bonds(n, boundary)
    even = [b for b in bonds if b[0] % 2 == 0]
    odd = [b for b in bonds if b[0] % 2 == 1]
    circuit = cirq.Circuit(cirq.X(q) for q in qubits[1::2])
    for layer in range(layers):
        a, b, c = (sympy.Symbol(f"{s}_{layer}") for s in ("even", "odd", "z"))
        # ISWAP**t = exp(i pi t (XX+YY)/4): t = -2a/pi gives exp(-i a (XX+YY)/2).
        circuit.append(cirq.ISwapPowGate(exponent=-2 * a / sympy.pi).on(qubits[i], qubits[j]) for i, j in even)
        for i, j in odd:
            # exp(i pi e P_-) = exp(-i s P/2) up to a global phase for e = s/pi (P_- = (1 - P)/2).
            for sign, ps in ((1, cirq.X(qubits[i]) * cirq.Y(qubits[j])), (-1, cirq.Y(qubits[i]) * cirq.X(qubits[j]))):
                circuit.append(cirq.PauliStringPhasor(ps, exponent_neg=sign * b / sympy.pi))
        circuit.append(cirq.rz(c).on(q) for q in qubits)
    hamiltonian = xy_hamiltonian(qubits, field, boundary)
    offset = ground_energy(hamiltonian, qubits) if n <= 14 else 0.0
    return from_circuit(
        "xy_hva:xy_hva",
        circuit,
        n=n,
        layers=layers,
        options={"h": field, "boundary": boundary},
        loss=EnergyLoss(hamiltonian, offset=offset),
        qubits=qubits,
    )
