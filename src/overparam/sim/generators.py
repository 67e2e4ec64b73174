"""Generators of parametrized gates, read off the Cirq circuit.

Every parametrized operation must be ``exp(-i s G) V`` (up to a global phase) for one symbol ``s``
entering linearly, a Hermitian ``G`` written as a Pauli sum on the operation's qubits and a fixed
unitary ``V`` that commutes with ``G``. This covers every ``cirq.EigenGate`` with exponent
``a*s + b`` (rx, ry, rz, XX/YY/ZZ/CZ/CX powers, ...) and ``cirq.PauliStringPhasor``. Other
parametrized gates are decomposed by Cirq until they are of that form, or rejected.

The identity component of ``G`` (a global phase) is dropped: it changes no physical quantity
(the QFIM projects it out; in the Lie algebra it is a central ``u(1)`` that acts trivially).
"""

from __future__ import annotations

import dataclasses
import itertools
from functools import reduce
from typing import Iterator, Sequence

import cirq
import numpy as np
import sympy

from overparam.errors import BadInput

_PAULI_MATS = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}
_CIRQ_PAULI = {"X": cirq.X, "Y": cirq.Y, "Z": cirq.Z}


@dataclasses.dataclass(frozen=True)
class ParametrizedOp:
    """One parametrized operation: ``op = exp(-i symbol * generator) * (fixed part)``."""

    moment: int
    operation: cirq.Operation
    symbol: sympy.Symbol
    generator: cirq.PauliSum


def _linear_coefficient(expr: sympy.Basic, name: str) -> tuple[sympy.Symbol, float, float]:
    """Return ``(s, a, b)`` with ``expr == a*s + b``, or raise BadInput."""
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if len(free) != 1:
        raise BadInput(
            f"gate {name} depends on {len(free)} symbols ({', '.join(map(str, free))}); "
            "expected exactly one symbol per gate"
        )
    (s,) = free
    a = sympy.diff(expr, s)
    if a.free_symbols or sympy.diff(a, s) != 0:
        raise BadInput(f"gate {name} uses symbol {s} non-linearly ({expr}); expected a*{s} + b")
    b = expr.subs(s, 0)
    return s, float(a), float(b)


def pauli_decomposition(matrix: np.ndarray, qubits: Sequence[cirq.Qid], atol: float = 1e-12) -> cirq.PauliSum:
    """Hermitian ``matrix`` on ``qubits`` as a real-coefficient Pauli sum (identity term dropped)."""
    k = len(qubits)
    terms = []
    for labels in itertools.product("IXYZ", repeat=k):
        if all(lab == "I" for lab in labels):
            continue
        p = reduce(np.kron, (_PAULI_MATS[lab] for lab in labels))
        coeff = np.trace(p @ matrix) / 2**k
        if abs(coeff) <= atol:
            continue
        if abs(coeff.imag) > 1e-9:
            raise BadInput("a gate generator is not Hermitian; expected exp(-i s P) for a Pauli sum P")
        c = float(coeff.real)
        # Snap to the nearest short dyadic/decimal so that exact Lie arithmetic sees clean numbers.
        c = float(np.round(c, 12))
        terms.append(
            cirq.PauliString({q: _CIRQ_PAULI[lab] for q, lab in zip(qubits, labels) if lab != "I"}, coefficient=c)
        )
    return cirq.PauliSum.from_pauli_strings(terms) if terms else cirq.PauliSum()


def _eigen_gate_generator(gate: cirq.EigenGate, a: float) -> np.ndarray:
    # U(t) = sum_k exp(i pi t (l_k + shift)) P_k; with t = a s + b, U = exp(-i s G) U(b) for
    # G = -pi a sum_k (l_k + shift) P_k.
    shift = gate.global_shift
    h = sum((lam + shift) * proj for lam, proj in gate._eigen_components())
    return -np.pi * a * np.asarray(h, dtype=complex)


def _is_supported(op: cirq.Operation) -> bool:
    if not cirq.is_parameterized(op):
        return True
    gate = op.gate
    if isinstance(gate, cirq.EigenGate) and len(cirq.parameter_symbols(op)) == 1:
        return True
    return isinstance(op, cirq.PauliStringPhasor)


def normalize_circuit(circuit: cirq.AbstractCircuit) -> cirq.Circuit:
    """Decompose parametrized operations until each is a supported primitive.

    Raises BadInput naming the first gate that cannot be brought into ``exp(-i s G) V`` form.
    """
    if all(_is_supported(op) for op in circuit.all_operations()):
        return cirq.Circuit(circuit)
    out = cirq.Circuit()
    for moment in circuit:
        ops = []
        for op in moment:
            if _is_supported(op):
                ops.append(op)
                continue
            decomposed = cirq.decompose(op, keep=_is_supported, on_stuck_raise=None)
            if not all(_is_supported(d) for d in decomposed):
                raise BadInput(
                    f"gate {op} has a parametrization overparam cannot differentiate; expected "
                    "rotations exp(-i s P) (rx, ry, rz, XX/YY/ZZ/CZ powers, PauliStringPhasor)"
                )
            ops.extend(decomposed)
        out += cirq.Circuit(ops)
    return out


def operation_generator(op: cirq.Operation) -> tuple[sympy.Symbol, cirq.PauliSum]:
    """The symbol of a parametrized operation and its generator ``G`` (``op = exp(-i s G) V``)."""
    if isinstance(op, cirq.PauliStringPhasor):
        e_pos, e_neg = op.exponent_pos, op.exponent_neg
        exprs = [e for e in (e_pos, e_neg) if isinstance(e, sympy.Basic) and e.free_symbols]
        sym, _, _ = _linear_coefficient(sum(exprs, sympy.Integer(0)), str(op))
        a_pos = float(sympy.diff(sympy.sympify(e_pos), sym))
        a_neg = float(sympy.diff(sympy.sympify(e_neg), sym))
        # U = exp(i pi (e_pos P+ + e_neg P-)); traceless part of -pi (a_pos P+ + a_neg P-) is
        # -pi (a_pos - a_neg)/2 * P with P the Pauli string (its coefficient is a sign).
        coeff = -np.pi * (a_pos - a_neg) / 2
        ps = op.pauli_string
        return sym, cirq.PauliSum.from_pauli_strings([ps * float(np.round(coeff, 12))])
    gate = op.gate
    if not isinstance(gate, cirq.EigenGate):
        raise BadInput(f"gate {op} is not a supported parametrized rotation")
    sym, a, _ = _linear_coefficient(sympy.sympify(gate.exponent), str(op))
    unresolved = cirq.resolve_parameters(gate, {sym: 0.0})
    matrix = _eigen_gate_generator(unresolved, a)
    return sym, pauli_decomposition(matrix, op.qubits)


def parametrized_operations(circuit: cirq.AbstractCircuit) -> Iterator[ParametrizedOp]:
    """Every parametrized operation of an already normalized circuit, in circuit order."""
    for m, moment in enumerate(circuit):
        for op in moment:
            if cirq.is_parameterized(op):
                sym, gen = operation_generator(op)
                yield ParametrizedOp(m, op, sym, gen)


def symbol_generators(circuit: cirq.AbstractCircuit) -> dict[sympy.Symbol, cirq.PauliSum]:
    """Sum of the generators of all gates sharing each symbol (as written, in the Schrödinger frame).

    The Lie-algebra engine moves fixed gates through these by conjugation; this function only
    collects what each gate contributes where it stands.
    """
    out: dict[sympy.Symbol, cirq.PauliSum] = {}
    for pop in parametrized_operations(normalize_circuit(circuit)):
        out[pop.symbol] = out.get(pop.symbol, cirq.PauliSum()) + pop.generator
    return out
