"""Lower an ansatz circuit to hardware-friendly rotations with one symbol per gate.

Hardware runs a circuit compiled once with free symbols and then a *sweep* of parameter values.
The parameter-shift rule shifts one gate at a time, even when a symbol is shared by several gates,
so every parametrized gate ``k`` gets its own symbol ``g_k``; a point ``theta`` of the ansatz maps
to ``g_k = theta[j(k)]`` and a shifted evaluation just moves one or two ``g_k``.

Each gate must be ``exp(-i s c P) V`` for a single Pauli string ``P`` (``V`` fixed and commuting),
the form the two-eigenvalue (``+-c``) shift rule needs. It is rewritten as ``V`` followed by a basis
change to ``Z...Z``, a CNOT ladder, ``rz(2 c g_k)`` and the ladder undone: the only symbolic gates
left are single-qubit Z rotations, which Google's gate sets accept with symbols (a symbolic
``ZZ**s`` would otherwise compile to a symbolic ``CZ**t``, which the devices reject).
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import cirq
import numpy as np
import sympy

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.sim.generators import normalize_circuit, operation_generator

GATE_SYMBOL_PREFIX = "g"


@dataclasses.dataclass(frozen=True)
class GateShift:
    """One parametrized gate after lowering: ``exp(-i g c P)`` with ``g = theta[param] + shift``.

    ``coefficient`` is ``c``; the shift rule for this gate is
    ``d f / d g = c * (f(g + pi/(4c)) - f(g - pi/(4c)))``.
    """

    symbol: sympy.Symbol
    param: int
    coefficient: float

    @property
    def shift(self) -> float:
        """The parameter-shift step ``pi / (4 c)`` (``pi/2`` for the usual ``c = 1/2``)."""
        return float(np.pi / (4.0 * self.coefficient))


@dataclasses.dataclass(frozen=True)
class LoweredCircuit:
    """A circuit whose parametrized gates are all ``rz`` with per-gate symbols (see module doc)."""

    circuit: cirq.Circuit
    qubits: tuple[cirq.Qid, ...]
    gates: tuple[GateShift, ...]
    n_params: int

    def gate_values(self, values: np.ndarray) -> np.ndarray:
        """Per-gate angles ``g_k = theta[j(k)]`` for an ansatz point ``theta``."""
        values = np.asarray(values, dtype=float).reshape(-1)
        if values.size != self.n_params:
            raise ValueError(f"expected {self.n_params} parameter values, got {values.size}")
        return values[[g.param for g in self.gates]]

    def resolver(self, gate_values: np.ndarray) -> cirq.ParamResolver:
        """Resolver for per-gate angles."""
        return cirq.ParamResolver({g.symbol: float(v) for g, v in zip(self.gates, gate_values)})


def pauli_rotation(pauli_string: cirq.PauliString, angle: sympy.Expr | float) -> list[cirq.Operation]:
    """Operations implementing ``exp(-i angle P / 2)`` for a unit Pauli string ``P``.

    Written out as basis change, CNOT ladder and one ``rz`` so that only the ``rz`` carries a
    symbol (module doc).
    """
    qubits = sorted(pauli_string.qubits)
    if len(qubits) == 1:
        q = qubits[0]
        rot = {cirq.X: cirq.rx, cirq.Y: cirq.ry, cirq.Z: cirq.rz}[pauli_string[q]]
        return [rot(angle).on(q)]
    # Cliffords B with B P B^dag = Z...Z on the string's qubits (H for X, a quarter turn for Y).
    pre = list(pauli_string.with_coefficient(1).to_z_basis_ops())
    ladder = [cirq.CNOT(a, b) for a, b in zip(qubits[:-1], qubits[1:])]
    return [*pre, *ladder, cirq.rz(angle).on(qubits[-1]), *reversed(ladder), *(cirq.inverse(op) for op in reversed(pre))]


def _single_pauli(generator: cirq.PauliSum, op: cirq.Operation) -> tuple[cirq.PauliString, float]:
    terms = list(generator)
    if len(terms) != 1:
        raise BadInput(
            f"gate {op} has a generator with {len(terms)} Pauli terms; the google backend's "
            "parameter-shift rule needs exp(-i s c P) for a single Pauli string P"
        )
    (term,) = terms
    coeff = complex(term.coefficient)
    if abs(coeff.imag) > 1e-12 or abs(coeff.real) < 1e-12:
        raise BadInput(f"gate {op} has generator {term}; expected a real non-zero multiple of a Pauli string")
    return term.with_coefficient(1), float(coeff.real)


def _fixed_part(op: cirq.Operation, symbol: sympy.Symbol) -> cirq.Operation | None:
    """``V`` in ``op = exp(-i s c P) V``: the operation at ``s = 0``, or None when it is the identity.

    The identity test ignores a global phase (the generator's identity part is dropped too).
    """
    fixed = cirq.resolve_parameters(op, {symbol: 0.0})
    u = cirq.unitary(fixed)
    phase = u[0, 0] / abs(u[0, 0]) if abs(u[0, 0]) > 1e-9 else None
    if phase is not None and np.allclose(u, phase * np.eye(u.shape[0]), atol=1e-10):
        return None
    return fixed


def lower_circuit(ansatz: Ansatz) -> LoweredCircuit:
    """Rewrite ``ansatz.circuit`` with one ``rz(2 c g_k)`` per parametrized gate (module doc).

    Raises BadInput for a gate whose generator is not a single Pauli string, or for an ansatz with
    its own input states (the hardware starts from ``|0...0>``; the state must be prepared by the
    circuit).
    """
    if ansatz.input_states is not None:
        raise BadInput(
            f"ansatz {ansatz.name!r} has its own input states; the google backend runs circuits on "
            "|0...0> only (prepare the input state with gates in the circuit)"
        )
    column = {s: j for j, s in enumerate(ansatz.symbols)}
    gates: list[GateShift] = []
    out = cirq.Circuit()
    for moment in normalize_circuit(ansatz.circuit):
        ops: list[cirq.Operation] = []
        for op in moment:
            if not cirq.is_parameterized(op):
                ops.append(op)
                continue
            symbol, generator = operation_generator(op)
            pauli, coeff = _single_pauli(generator, op)
            fixed = _fixed_part(op, symbol)
            if fixed is not None:
                ops.append(fixed)
            gate_symbol = sympy.Symbol(f"{GATE_SYMBOL_PREFIX}_{len(gates)}")
            gates.append(GateShift(gate_symbol, column[symbol], coeff))
            # exp(-i g c P) = exp(-i (2 c g) P / 2).
            ops.extend(pauli_rotation(pauli, 2.0 * coeff * gate_symbol))
        # Keep the ansatz's moment structure: a moment's rotations act on disjoint qubits.
        out += cirq.Circuit(ops)
    return LoweredCircuit(out, tuple(ansatz.qubits), tuple(gates), ansatz.n_params)


def check_lowering(ansatz: Ansatz, lowered: LoweredCircuit, values: Sequence[float], atol: float = 1e-8) -> float:
    """Largest deviation ``1 - |<psi_ansatz|psi_lowered>|`` at ``values`` (a self-check for tests)."""
    qubits = list(ansatz.qubits)
    a = cirq.final_state_vector(
        cirq.resolve_parameters(ansatz.circuit, ansatz.resolver(values)), qubit_order=qubits, dtype=np.complex128
    )
    b = cirq.final_state_vector(
        cirq.resolve_parameters(lowered.circuit, lowered.resolver(lowered.gate_values(values))),
        qubit_order=qubits,
        dtype=np.complex128,
    )
    return float(1.0 - abs(np.vdot(a, b)))
