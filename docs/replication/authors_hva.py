"""The open-chain HVA with the X rotation of qubit 0 given its own angle (three angles per layer).

A user ansatz for the project's CLI (``overparam dla authors_hva:split_open_chain --n 4``, with this
folder on ``PYTHONPATH``). Its parameters per layer are ``zz_l`` (every ZZ bond, as in the paper's
ansatz), ``x0_l`` (RX on qubit 0) and ``xr_l`` (RX on qubits 1..n-1). The paper's model is the
sub-family ``x0_l = xr_l``; the QFIM the authors published for the open chain is built from the
tangent directions ``d/dzz_l + d/dx0_l`` and ``d/dx0_l + d/dxr_l`` of this family (see
``open_chain_qfim.py`` and ``docs/replication.md``).
"""

from __future__ import annotations

import cirq
import sympy

from overparam.hamiltonians import bonds


def split_open_chain(n: int, layers: int) -> cirq.Circuit:
    """``H`` on every qubit, then per layer ZZ(zz_l) on every bond, RX(x0_l) on qubit 0, RX(xr_l) on the rest."""
    n, layers = int(n), int(layers)
    qubits = cirq.LineQubit.range(n)
    circuit = cirq.Circuit(cirq.H.on_each(*qubits))
    for layer in range(layers):
        zz, x0, xr = sympy.symbols(f"zz_{layer} x0_{layer} xr_{layer}")
        gate = cirq.ZZPowGate(exponent=zz / sympy.pi, global_shift=-0.5)  # exp(-i zz Z Z / 2)
        layer_bonds = sorted(bonds(n, "open"), key=lambda b: (b[0] % 2, b[0]))  # as the project's tfim-hva
        circuit.append(gate.on(qubits[i], qubits[j]) for i, j in layer_bonds)
        circuit.append(cirq.rx(x0).on(qubits[0]))
        circuit.append(cirq.rx(xr).on(q) for q in qubits[1:])
    return circuit
