"""The parity-reduced route (half the state under the global bit flip) against Cirq and the full engine."""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import sympy

from overparam.ansatze import build_ansatz, from_circuit
from overparam.ansatze.base import EnergyLoss
from overparam.sim.engine import build_engine
from overparam.sim.engine.losses import loss_from_statevector
from overparam.sim.engine.program import FlipMix, Loop
from overparam.sim.statevector import simulate_state


def _compare(ansatz, points: int = 4, seed: int = 0, hessian: bool = False):
    """Reduced against full engine (loss, gradient) and against Cirq's states (loss)."""
    reduced, full = build_engine(ansatz), build_engine(ansatz, symmetry=False)
    assert reduced.reduced is not None and full.reduced is None
    values = np.random.default_rng(seed).uniform(0, 2 * np.pi, (points, ansatz.n_params))
    l_red, g_red = reduced.loss_and_grad(values)
    l_full, g_full = full.loss_and_grad(values)
    np.testing.assert_allclose(l_red, l_full, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g_red, g_full, rtol=0, atol=5e-12)
    assert np.max(np.abs(g_full)) > 1e-3  # the comparison is not between zeros
    for k, v in enumerate(values[:2]):
        states = [simulate_state(ansatz.circuit, ansatz.qubits, ansatz.resolver(v), s, "cirq") for s in ansatz.states()]
        assert abs(l_red[k] - loss_from_statevector(ansatz.loss, ansatz.qubits, states)) < 1e-10
    np.testing.assert_allclose(reduced.loss(values), l_full, rtol=0, atol=1e-12)
    if hessian:
        np.testing.assert_allclose(reduced.hessian(values[0]), full.hessian(values[0]), rtol=0, atol=1e-10)
    return reduced


@pytest.mark.slow
@pytest.mark.parametrize("boundary", ["open", "periodic"])
@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_tfim_runs_on_half_the_state_with_the_same_numbers(boundary, n):
    engine = _compare(build_ansatz("tfim-hva", n, 3, {"boundary": boundary}), hessian=(n == 4))
    assert engine.reduced.program.n_qubits == n - 1
    # The Hadamard prefix is folded into the (reduced) input state |+>^(n-1), normalised.
    np.testing.assert_allclose(engine.reduced.inputs[:, 0], np.full(2 ** (n - 1), 2 ** (-(n - 1) / 2)), atol=1e-14)
    assert all(isinstance(seg, Loop) for seg in engine.reduced.program.segments)


def _symmetric_custom(minus: bool):
    """Every reduction path: a lone rotation on qubit 0, XX away from it, ZZ through it, a Layer, Y Y in H."""
    q = cirq.LineQubit.range(3)
    a, b, c, d = sympy.symbols("a b c d")
    prep = [cirq.X(q[0])] if minus else []  # |-> on qubit 0: the -1 eigenspace of X^3
    circuit = cirq.Circuit(
        *prep,
        cirq.H.on_each(*q),
        cirq.ZZPowGate(exponent=a).on(q[0], q[1]),
        cirq.rx(b).on(q[0]),
        cirq.XXPowGate(exponent=c).on(q[1], q[2]),
        cirq.ZZPowGate(exponent=a).on(q[1], q[2]),
        cirq.rx(d).on_each(*q),
        cirq.XX(q[1], q[2]),
    )
    obs = -cirq.Z(q[0]) * cirq.Z(q[1]) - cirq.Z(q[1]) * cirq.Z(q[2]) - 0.5 * cirq.X(q[0]) + 0.3 * cirq.X(q[1]) * cirq.X(
        q[2]) + 0.2 * cirq.Y(q[0]) * cirq.Y(q[1])
    return from_circuit("sym", circuit, n=3, layers=1, loss=EnergyLoss(obs, 0.0), qubits=q)


@pytest.mark.parametrize("minus", [pytest.param(False, marks=pytest.mark.slow), True])
def test_every_reduction_path_in_both_eigenspaces(minus):
    engine = _compare(_symmetric_custom(minus), hessian=True)
    assert engine.reduced.sign == (-1 if minus else 1)
    blocks = [blk for seg in engine.reduced.program.segments for blk in (seg.body if isinstance(seg, Loop) else seg)]
    assert any(isinstance(blk, FlipMix) and blk.param is not None for blk in blocks)


def _broken(kind: str):
    q = cirq.LineQubit.range(4)
    t, s = sympy.symbols("t s")
    ops = [cirq.H.on_each(*q), cirq.ZZPowGate(exponent=t).on_each((q[0], q[1]), (q[1], q[2]), (q[2], q[3])),
           cirq.rx(s).on_each(*q)]
    obs = sum(-cirq.Z(q[i]) * cirq.Z(q[i + 1]) for i in range(3)) - sum(cirq.X(x) for x in q)
    if kind == "gate":
        ops.append(cirq.rz(s).on(q[2]))  # Z does not commute with X
    elif kind == "input":
        ops = ops[1:]  # |0000> is not an eigenstate of X^4
    elif kind == "observable":
        obs = obs + 0.3 * cirq.Z(q[1])
    elif kind == "two-qubit-on-0":
        ops.append(cirq.XXPowGate(exponent=s).on(q[0], q[3]))  # symmetric, but not expressible here
    return from_circuit(kind, cirq.Circuit(*ops), n=4, layers=1, loss=EnergyLoss(obs, 0.0), qubits=q)


@pytest.mark.parametrize("kind", ["gate", "input", "observable", "two-qubit-on-0"])
def test_no_reduction_where_the_symmetry_is_broken_or_not_expressible(kind):
    ansatz = _broken(kind)
    engine = build_engine(ansatz)
    assert engine.reduced is None
    values = np.random.default_rng(1).uniform(0, 2 * np.pi, (2, ansatz.n_params))
    states = [simulate_state(ansatz.circuit, ansatz.qubits, ansatz.resolver(values[0]), s, "cirq") for s in ansatz.states()]
    assert abs(engine.loss(values)[0] - loss_from_statevector(ansatz.loss, ansatz.qubits, states)) < 1e-10


@pytest.mark.parametrize("name, n, options", [("qaqc-hea", 2, {}), ("autoencoder-hea", 3, {"trash": "1"})])
def test_projector_losses_keep_the_full_state(name, n, options):
    assert build_engine(build_ansatz(name, n, 1, options)).reduced is None


@pytest.mark.parametrize(
    "boundary, n",
    [("open", 4), pytest.param("periodic", 6, marks=pytest.mark.slow), pytest.param("open", 8, marks=pytest.mark.slow)],
)
def test_shared_angle_layers_in_their_eigenbasis_give_the_same_numbers(boundary, n, monkeypatch):
    """EigenPhase (W exp(-i theta Lambda) W^T) against the per-qubit sweeps, on the reduced program."""
    from overparam.sim.engine import eigen
    from overparam.sim.engine.program import EigenPhase

    ansatz = build_ansatz("tfim-hva", n, 4, {"boundary": boundary})
    with_eigen = build_engine(ansatz)
    blocks = [b for seg in with_eigen._train_program.segments for b in (seg.body if isinstance(seg, Loop) else seg)]
    assert any(isinstance(b, EigenPhase) for b in blocks)
    monkeypatch.setattr(eigen, "EIGEN_MAX_DIM", 1)
    sweeps = build_engine(ansatz)
    assert not any(isinstance(b, EigenPhase) for seg in sweeps._train_program.segments
                   for b in (seg.body if isinstance(seg, Loop) else seg))
    values = np.random.default_rng(3).uniform(0, np.pi, (6, ansatz.n_params))
    l1, g1 = with_eigen.loss_and_grad(values)
    l0, g0 = sweeps.loss_and_grad(values)
    # 2 n_layers products with a d x d eigenbasis: rounding ~ d eps per layer, not eps.
    np.testing.assert_allclose(l1, l0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g1, g0, rtol=0, atol=5e-12)
    np.testing.assert_allclose(with_eigen.hessian(values[0]), sweeps.hessian(values[0]), rtol=0, atol=1e-10)
