"""qsim over a sweep of parameter vectors equals qsim one vector at a time; the training re-check uses it."""

import numpy as np
import pytest

from overparam.ansatze.registry import build_ansatz
from overparam.sim.engine.losses import loss_from_statevector
from overparam.sim.statevector import simulate_state, simulate_states
from overparam.train.adam import qsim_losses


@pytest.mark.parametrize("name, n, layers, options", [
    ("tfim-hva", 4, 3, {"boundary": "open", "g": "1.0"}),
    ("autoencoder-hea", 4, 2, {"trash": "2"}),  # several input states
])
def test_sweep_equals_one_at_a_time(name, n, layers, options):
    ansatz = build_ansatz(name, n, layers, options)
    rng = np.random.default_rng(7)
    params = rng.uniform(0, 2 * np.pi, (3, ansatz.n_params))
    resolvers = [ansatz.resolver(p) for p in params]
    for state in ansatz.states():
        swept = simulate_states(ansatz.circuit, ansatz.qubits, resolvers, state, "qsim")
        single = [simulate_state(ansatz.circuit, ansatz.qubits, r, state, "qsim") for r in resolvers]
        assert len(swept) == 3
        for a, b in zip(swept, single):
            np.testing.assert_array_equal(a, b)


def test_a_non_unit_input_keeps_its_norm_and_a_zero_input_gives_zeros():
    ansatz = build_ansatz("tfim-hva", 3, 2, {"boundary": "open", "g": "1.0"})
    resolvers = [ansatz.resolver(np.full(ansatz.n_params, 0.3))]
    vec = np.zeros(8, dtype=np.complex128)
    vec[5] = 2.0
    (out,) = simulate_states(ansatz.circuit, ansatz.qubits, resolvers, vec, "cirq")
    assert np.linalg.norm(out) == pytest.approx(2.0)
    np.testing.assert_allclose(out, simulate_state(ansatz.circuit, ansatz.qubits, resolvers[0], vec, "cirq"), atol=1e-15)
    (zero,) = simulate_states(ansatz.circuit, ansatz.qubits, resolvers, np.zeros(8), "qsim")
    assert not zero.any()


def test_qsim_losses_against_the_dense_loss():
    ansatz = build_ansatz("autoencoder-hea", 4, 2, {"trash": "2"})
    params = np.random.default_rng(3).uniform(0, 2 * np.pi, (2, ansatz.n_params))
    expected = []
    for p in params:
        states = [simulate_state(ansatz.circuit, ansatz.qubits, ansatz.resolver(p), s, "cirq") for s in ansatz.states()]
        expected.append(loss_from_statevector(ansatz.loss, ansatz.qubits, states))
    np.testing.assert_allclose(qsim_losses(ansatz, params), expected, atol=2e-6)  # qsim: single precision
