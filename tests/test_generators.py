import cirq
import numpy as np
import pytest
import scipy.linalg
import sympy

from overparam.errors import BadInput
from overparam.sim.generators import normalize_circuit, operation_generator, parametrized_operations

s = sympy.Symbol("s")
a, b = cirq.LineQubit.range(2)

CASES = [
    cirq.rx(s).on(a),
    cirq.ry(2 * s + 0.3).on(a),
    cirq.rz(s).on(a),
    cirq.ZZPowGate(exponent=s / np.pi, global_shift=-0.5).on(a, b),
    (cirq.XX ** (0.5 * s)).on(a, b),
    (cirq.CZ ** s).on(a, b),
    (cirq.ISWAP ** s).on(a, b),
    cirq.PauliStringPhasor(cirq.X(a) * cirq.Y(b), exponent_neg=s),
]


@pytest.mark.parametrize("op", CASES, ids=str)
def test_generator_reproduces_the_gate(op):
    # op(s1) op(s0)^dag must equal exp(-i (s1 - s0) G) up to a global phase.
    sym, gen = operation_generator(op)
    assert sym == s
    g = gen.matrix(op.qubits) if len(gen) else np.zeros((2 ** len(op.qubits),) * 2)
    u0 = cirq.unitary(cirq.resolve_parameters(op, {s: 0.37}))
    u1 = cirq.unitary(cirq.resolve_parameters(op, {s: 1.21}))
    expected = scipy.linalg.expm(-1j * (1.21 - 0.37) * g)
    ratio = (u1 @ u0.conj().T) @ expected.conj().T
    phase = ratio[0, 0]
    assert abs(abs(phase) - 1) < 1e-10
    np.testing.assert_allclose(ratio, phase * np.eye(len(ratio)), atol=1e-10)


def test_phased_x_is_decomposed():
    op = cirq.PhasedXPowGate(phase_exponent=0.25, exponent=s).on(a)
    circuit = normalize_circuit(cirq.Circuit(op))
    pops = list(parametrized_operations(circuit))
    assert len(pops) == 1 and pops[0].symbol == s


def test_nonlinear_symbol_rejected():
    with pytest.raises(BadInput, match="non-linearly"):
        operation_generator(cirq.rx(s**2).on(a))


def test_two_symbols_in_one_gate_rejected():
    t = sympy.Symbol("t")
    with pytest.raises(BadInput, match="exactly one symbol|cannot differentiate"):
        list(parametrized_operations(normalize_circuit(cirq.Circuit(cirq.rx(s + t).on(a)))))
