"""The differentiable engine against Cirq (complex128), qsim and finite differences, per ansatz."""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import sympy

from overparam.ansatze import build_ansatz, from_circuit
from overparam.ansatze.base import EnergyLoss, ZeroProjectorLoss
from overparam.ansatze.hea import hea_circuit, hea_parameter_count
from overparam.ansatze.qaqc import target_unitary
from overparam.geometry.qfim import qfim as reference_qfim
from overparam.sim.engine import build_engine
from overparam.sim.engine.losses import loss_from_statevector
from overparam.sim.engine.program import Layer, Loop
from overparam.sim.statevector import simulate_state

CASES = {
    "tfim-periodic": ("tfim-hva", 4, 3, {"boundary": "periodic"}),
    "tfim-open": ("tfim-hva", 5, 2, {"boundary": "open"}),
    "qaqc": ("qaqc-hea", 2, 2, {}),
    "autoencoder": ("autoencoder-hea", 3, 1, {"trash": "1"}),
}


def _custom_ansatz():
    """A circuit exercising every lowering path: offsets, shared symbols, 2- and 3-qubit gates."""
    q = cirq.LineQubit.range(3)
    a, b, c = sympy.symbols("a b c")
    circuit = cirq.Circuit(
        cirq.H(q[0]),
        cirq.ry(2 * a + 0.3).on(q[1]),
        cirq.XXPowGate(exponent=b).on(q[0], q[2]),
        cirq.ISwapPowGate(exponent=c / 2).on(q[1], q[2]),
        cirq.CZPowGate(exponent=a).on(q[2], q[0]),
        cirq.CCX(q[0], q[1], q[2]),
        cirq.T(q[1]),
        cirq.PauliStringPhasor(cirq.X(q[0]) * cirq.Y(q[1]), exponent_neg=b),
        cirq.rz(c).on(q[2]),
    )
    obs = cirq.X(q[0]) * cirq.Z(q[1]) + 0.5 * cirq.Y(q[2]) - 0.7 * cirq.Z(q[0])
    return from_circuit("custom", circuit, n=3, layers=1, loss=EnergyLoss(obs, 0.25), qubits=q)


_CACHE: dict = {}


def _setup(case: str):
    if case not in _CACHE:
        ansatz = _custom_ansatz() if case == "custom" else build_ansatz(*CASES[case][:3], CASES[case][3])
        _CACHE[case] = (ansatz, build_engine(ansatz))
    return _CACHE[case]


ALL = [*CASES, "custom"]


def _point(ansatz, seed=7):
    return ansatz.random_parameters(np.random.default_rng(seed))


@pytest.mark.slow
@pytest.mark.parametrize("case", ALL)
def test_state_matches_cirq_double_and_qsim_single(case):
    ansatz, engine = _setup(case)
    values = _point(ansatz)
    refs = []
    for k, init in enumerate(ansatz.states()):
        ref = simulate_state(ansatz.circuit, ansatz.qubits, ansatz.resolver(values), init, "cirq")
        refs.append(ref)
        got = engine.state(values, k)
        assert np.max(np.abs(got - ref)) < 1e-10
        qsim = simulate_state(ansatz.circuit, ansatz.qubits, ansatz.resolver(values), init, "qsim")
        assert np.max(np.abs(got - qsim)) < 2e-6
    # The loss, batched with a second point, equals the loss of Cirq's states.
    want = loss_from_statevector(ansatz.loss, ansatz.qubits, refs)
    losses = engine.loss(np.stack([values, _point(ansatz, 8)]))
    assert losses.shape == (2,)
    assert abs(losses[0] - want) < 1e-10


def _finite_difference_batch(engine, values, eps):
    """Losses and adjoint gradients at ``values`` and at ``values +- eps e_j`` (one batch, one compile)."""
    eye = np.eye(len(values))
    batch = np.concatenate([values[None], values + eps * eye, values - eps * eye])
    losses, grads = engine.loss_and_grad(batch)
    m = len(values)
    return losses[0], grads[0], (losses[1 : m + 1], losses[m + 1 :]), (grads[1 : m + 1], grads[m + 1 :])


@pytest.mark.slow
@pytest.mark.parametrize("case", ALL)
def test_adjoint_gradient_matches_finite_differences(case):
    ansatz, engine = _setup(case)
    values = _point(ansatz, 1)
    eps = 1e-5
    loss, grad, (plus, minus), _ = _finite_difference_batch(engine, values, eps)
    assert abs(loss - engine.loss(np.stack([values, values]))[0]) < 1e-12
    fd = (plus - minus) / (2 * eps)
    assert np.max(np.abs(grad - fd)) < 1e-7
    # Gradient is not trivially zero (the check above could not fail otherwise).
    assert np.max(np.abs(grad)) > 1e-3


@pytest.mark.parametrize("case", ALL)
def test_qfim_matches_cirq_reference(case):
    ansatz, engine = _setup(case)
    values = _point(ansatz, 3)
    want = reference_qfim(ansatz, values, backend="cirq", input_index=0)
    got = engine.qfim(values, 0)
    assert np.max(np.abs(got - want)) < 1e-9
    assert np.allclose(got, got.T, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["tfim-periodic", "custom"])
def test_hessian_matches_finite_differences_of_gradient(case):
    ansatz, engine = _setup(case)
    values = _point(ansatz, 1)
    eps = 1e-5
    _, _, _, (gp, gm) = _finite_difference_batch(engine, values, eps)
    fd = (gp - gm) / (2 * eps)
    hess = engine.hessian(values)
    assert np.max(np.abs(hess - fd)) < 1e-6
    assert np.allclose(hess, hess.T, atol=1e-10)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_qaqc_parameter_count(n):
    for layers in (1, 2, 5):
        ansatz = build_ansatz("qaqc-hea", n, layers)
        assert ansatz.n_params == 2 * n + 2 * layers * (2 * n - 2) == hea_parameter_count(n, layers)
        assert ansatz.n_qubits == 2 * n
    assert build_ansatz("qaqc-hea", 2, 1).n_params == 8


def test_qaqc_loss_is_the_hilbert_schmidt_test():
    n, layers = 2, 1
    ansatz, engine = build_ansatz("qaqc-hea", n, layers), None
    values = _point(ansatz, 5)
    qubits = cirq.LineQubit.range(n)
    w = cirq.unitary(cirq.resolve_parameters(hea_circuit(qubits, layers), ansatz.resolver(values)))
    u = target_unitary(n, 0)
    want = 1 - abs(np.trace(u.conj().T @ w)) ** 2 / 4**n
    engine = build_engine(ansatz)
    assert abs(engine.loss(values)[0] - want) < 1e-12
    assert isinstance(ansatz.loss, ZeroProjectorLoss) and len(ansatz.loss.qubits) == 2 * n


def test_autoencoder_training_set_is_orthonormal_and_fixed():
    a1 = build_ansatz("autoencoder-hea", 4, 2)
    a2 = build_ansatz("autoencoder-hea", 4, 2)
    states = np.stack(a1.input_states)
    assert states.shape == (4, 16)
    assert np.allclose(states.conj() @ states.T, np.eye(4), atol=1e-12)
    assert np.array_equal(states, np.stack(a2.input_states))
    assert a1.loss.qubits == tuple(cirq.LineQubit.range(4)[2:])
    other = np.stack(build_ansatz("autoencoder-hea", 4, 2, {"state_seed": "1"}).input_states)
    assert not np.allclose(states, other)


def test_repeated_layers_become_one_loop_whatever_the_depth():
    shallow = build_engine(build_ansatz("tfim-hva", 4, 3)).program
    deep = build_engine(build_ansatz("tfim-hva", 4, 40)).program
    for program, reps in ((shallow, 3), (deep, 40)):
        loops = [s for s in program.segments if isinstance(s, Loop)]
        assert len(loops) == 1 and loops[0].params.shape[0] == reps
        assert [len(set(row)) for row in loops[0].params] == [2] * reps  # one ZZ and one X angle
        straight = [b for s in program.segments if not isinstance(s, Loop) for b in s]
        # The Hadamards of the input state only, gathered into one constant layer.
        assert len(straight) == 1 and isinstance(straight[0], Layer) and not straight[0].slots
    # One ZZ layer (all bonds, shared angle) is a single phase block; the field layer (RX on every
    # qubit, one shared angle) a single Layer block.
    body = deep.segments[-1].body
    assert [type(b).__name__ for b in body] == ["Phase", "Layer"]
    row = deep.segments[-1].params[0]
    assert len(body[1].params) == 4 and len({int(row[j]) for j in body[1].slots}) == 1


def test_layer_blocks_need_half_the_qubits_and_keep_per_qubit_angles():
    """HEA rotation layers (one angle per qubit) become Layers; a lone rotation stays a Rotation."""
    program = build_engine(build_ansatz("qaqc-hea", 2, 1)).program
    layers = [b for b, _ in program.blocks() if isinstance(b, Layer)]
    assert layers and all(len(set(p for p in b.params if p is not None)) == len(b.slots) for b in layers)
    q = cirq.LineQubit.range(4)
    s = sympy.Symbol("s")
    lone = from_circuit("lone", cirq.Circuit(cirq.rx(s).on(q[0]), cirq.CZ(q[0], q[1])), n=4, layers=1, qubits=q)
    kinds = [type(b).__name__ for b, _ in build_engine(lone).program.blocks()]
    assert "Layer" not in kinds and "Rotation" in kinds


@pytest.mark.parametrize("case", ALL)
def test_hessian_pass_matches_forward_over_adjoint(case):
    """The one-pass Hessian (Jacobian plus pulled-back cotangent) against JAX forward mode over the
    adjoint gradient, for every registered ansatz and a circuit with shared and offset symbols."""
    ansatz, engine = _setup(case)
    values = _point(ansatz, 1)
    hess, ref = engine.hessian(values), engine.hessian_reference(values)
    assert np.max(np.abs(ref)) > 1e-2  # a zero Hessian would pass trivially
    np.testing.assert_allclose(hess, ref, rtol=0, atol=1e-11 * np.max(np.abs(ref)) + 1e-13)
