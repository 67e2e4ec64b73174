"""Classification of failed runs: checked against dense-matrix finite differences and diagonalisation.

The oracles here never touch the engine: states come from Cirq's dense simulator, the energy from
the PauliSum's dense matrix, gradients and Hessians from central finite differences, the ground
energy and eigenstates from ``numpy.linalg.eigh``.
"""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import scipy.optimize

from overparam.ansatze.registry import build_ansatz
from overparam.errors import BadInput
from overparam.sim.engine import build_engine
from overparam.train.classify import (
    Thresholds,
    analyse_point,
    classify_run,
    eigenstate_of,
    energy_spectrum,
    failed_runs,
    read_shard,
)


def _open(n: int, layers: int):
    return build_ansatz("tfim-hva", n, layers, {"boundary": "open", "g": "1.0"})


class DenseOracle:
    """Energy, state, finite-difference gradient/Hessian/Jacobian from Cirq's dense simulator."""

    def __init__(self, ansatz):
        self.ansatz = ansatz
        self.h = ansatz.loss.observable.matrix(ansatz.qubits)
        self.levels = np.linalg.eigvalsh(self.h)
        self.e0 = float(self.levels[0])

    def state(self, x):
        sim = cirq.Simulator(dtype=np.complex128)
        res = sim.simulate(self.ansatz.circuit, param_resolver=self.ansatz.resolver(x), qubit_order=self.ansatz.qubits)
        return res.final_state_vector

    def loss(self, x):
        psi = self.state(x)
        return float(np.real(np.vdot(psi, self.h @ psi))) - self.e0

    def gradient(self, x, h=1e-5):
        eye = np.eye(len(x))
        return np.array([(self.loss(x + h * e) - self.loss(x - h * e)) / (2 * h) for e in eye])

    def hessian(self, x, h=1e-3):
        m = len(x)
        eye = np.eye(m)
        out = np.zeros((m, m))
        f0 = self.loss(x)
        for i in range(m):
            out[i, i] = (self.loss(x + h * eye[i]) - 2 * f0 + self.loss(x - h * eye[i])) / h**2
            for j in range(i):
                a, b = h * eye[i], h * eye[j]
                val = (self.loss(x + a + b) - self.loss(x + a - b) - self.loss(x - a + b) + self.loss(x - a - b)) / (4 * h * h)
                out[i, j] = out[j, i] = val
        return out

    def qfim(self, x, h=1e-6):
        psi = self.state(x)
        jac = np.stack([(self.state(x + h * e) - self.state(x - h * e)) / (2 * h) for e in np.eye(len(x))], axis=1)
        overlap = np.conj(psi) @ jac
        return 4 * np.real(jac.conj().T @ jac - np.outer(overlap.conj(), overlap))


def _critical_point(engine, guess):
    sol = scipy.optimize.root(lambda v: engine.loss_and_grad(v[None])[1][0], np.asarray(guess, float),
                              jac=engine.hessian, method="lm", options={"xtol": 1e-15, "ftol": 1e-15})
    return sol.x


@pytest.fixture(scope="module")
def one_layer():
    ansatz = _open(4, 1)
    return ansatz, build_engine(ansatz), DenseOracle(ansatz)


def test_ground_energy_offset_is_exact_diagonalisation(one_layer):
    ansatz, _, oracle = one_layer
    assert ansatz.loss.offset == pytest.approx(oracle.e0, abs=1e-10)
    assert energy_spectrum(ansatz).eigenvalues == pytest.approx(oracle.levels, abs=1e-10)


def test_movable_hessian_matches_finite_differences():
    # n = 4 open, 6 layers: M = 12 parameters but an orbit of dimension 8, so 4 flat directions.
    ansatz = _open(4, 6)
    engine, oracle = build_engine(ansatz), DenseOracle(ansatz)
    x = np.random.default_rng(7).uniform(0, np.pi, ansatz.n_params)
    point = analyse_point(engine, x)
    assert point.loss == pytest.approx(oracle.loss(x), abs=1e-10)
    assert point.grad_norm == pytest.approx(np.linalg.norm(oracle.gradient(x)), rel=1e-6)
    qfim = oracle.qfim(x)
    vals, vecs = np.linalg.eigh(qfim)
    basis = vecs[:, vals > 1e-6 * vals[-1]]
    assert point.n_movable == basis.shape[1] < ansatz.n_params
    fd = np.linalg.eigvalsh(basis.T @ oracle.hessian(x) @ basis)
    scale = np.max(np.abs(fd))
    assert point.hessian_scale == pytest.approx(scale, rel=1e-4)
    cut = 1e-3 * scale  # beyond finite-difference error, so the oracle's own counts are unambiguous
    assert point.n_negative == np.count_nonzero(fd < -cut)
    assert point.min_eigenvalue == pytest.approx(fd.min(), abs=1e-4 * scale)


def test_saddle_is_labelled_saddle(one_layer):
    ansatz, engine, oracle = one_layer
    x = _critical_point(engine, [2.0944, 3.1416])
    fd = np.linalg.eigvalsh(oracle.hessian(x))
    assert np.linalg.norm(oracle.gradient(x)) < 1e-7
    assert fd[0] < -0.1 < 0.1 < fd[1]  # the oracle: one descent and one ascent direction
    res = classify_run(engine, x, spectrum=energy_spectrum(ansatz))
    assert res["label"] == "saddle"
    assert res["stop"]["n_negative"] == 1 and res["continuation"]["grad_norm"] < 1e-10


def test_continuation_leaves_a_saddle_along_its_descent_direction(one_layer):
    ansatz, engine, oracle = one_layer
    x = _critical_point(engine, [2.0944, 3.1416])
    vals, vecs = np.linalg.eigh(oracle.hessian(x))
    res = classify_run(engine, x + 1e-3 * vecs[:, 0], spectrum=energy_spectrum(ansatz))
    assert res["label"] in ("local-minimum", "converges")
    assert res["continuation"]["loss"] < oracle.loss(x) - 0.1


def test_spurious_minimum_is_a_local_minimum_and_not_an_eigenstate(one_layer):
    ansatz, engine, oracle = one_layer
    x = _critical_point(engine, [0.4128, 0.7854])
    fd = np.linalg.eigvalsh(oracle.hessian(x))
    assert fd[0] > 0.01  # the oracle: positive definite
    assert oracle.loss(x) > 0.1  # one layer cannot reach the ground state
    # Start a little away from it: the continuation must come back to the same point.
    start = x + np.array([0.02, -0.03])
    res = classify_run(engine, start, spectrum=energy_spectrum(ansatz))
    assert res["label"] == "local-minimum"
    assert res["continuation"]["loss"] == pytest.approx(oracle.loss(x), abs=1e-10)
    assert res["stop"]["n_negative"] == 0 and res["stop"]["min_positive"] == pytest.approx(fd[0], rel=1e-3)
    psi = oracle.state(np.asarray(res["stop_params"]))
    variance = np.real(np.vdot(psi, oracle.h @ oracle.h @ psi)) - np.real(np.vdot(psi, oracle.h @ psi)) ** 2
    eig = res["eigenstate"]
    assert eig["energy_above_e0"] == pytest.approx(oracle.loss(x), abs=1e-10)
    assert eig["energy_variance"] == pytest.approx(variance, abs=1e-10) and not eig["eigenstate"]


def test_rank_drop_point_is_flagged_by_the_full_hessian(one_layer):
    # At theta = 0 the state is |+>^n: the gradient vanishes, the QFIM has rank 1 (the RX angles
    # only add a phase) and the loss decreases along a direction that moves both angles.
    ansatz, engine, oracle = one_layer
    x = np.zeros(ansatz.n_params)
    point = analyse_point(engine, x)
    assert point.grad_norm < 1e-12 and point.n_movable == 1 and point.n_negative == 0
    assert np.linalg.eigvalsh(oracle.hessian(x))[0] < -0.1
    assert point.n_negative_full == 1
    assert classify_run(engine, x)["label"] == "saddle"


def test_slow_run_of_an_overparametrized_circuit_converges():
    ansatz = _open(4, 8)  # M = 16 = dim g
    engine, oracle = build_engine(ansatz), DenseOracle(ansatz)
    from overparam.train import train

    result = train(ansatz, runs=2, steps=60, seed=2023, engine=engine, log=None, qsim_check=False)
    for x in result.final_params:
        assert oracle.loss(x) > 1e-4  # not converged after 60 Adam steps
        res = classify_run(engine, x, spectrum=energy_spectrum(ansatz))
        assert res["label"] == "converges"
        assert oracle.loss(np.asarray(res["stop_params"])) < 1e-9


def test_eigenstate_levels_against_diagonalisation(one_layer):
    ansatz, _, oracle = one_layer
    spectrum = energy_spectrum(ansatz)
    vals, vecs = np.linalg.eigh(oracle.h)
    distinct = np.unique(np.round(vals, 8))
    for k in (0, 3, 7):
        out = eigenstate_of(spectrum, vecs[:, k], Thresholds())
        assert out["eigenstate"] and out["energy"] == pytest.approx(vals[k], abs=1e-10)
        assert out["eigen_level"] == int(np.searchsorted(distinct, np.round(vals[k], 8)))
        assert out["eigen_index"] == int(np.count_nonzero(vals < vals[k] - 1e-8))
    mix = (vecs[:, 0] + vecs[:, -1]) / np.sqrt(2)
    out = eigenstate_of(spectrum, mix, Thresholds())
    assert not out["eigenstate"]
    assert out["energy_variance"] == pytest.approx(((vals[-1] - vals[0]) / 2) ** 2, rel=1e-10)


def test_failed_runs_threshold():
    assert failed_runs([1e-12, 1e-4, 5e-5, 0.3, float("nan")], 1e-4) == [1, 3, 4]


def test_shard_without_final_params_is_refused(tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, final_losses=np.ones(2), ansatz="tfim-hva", model="tfim-open", n=4, layers=1, n_params=2,
             options="{}")
    with pytest.raises(BadInput, match=r"old\.npz.*final_params"):
        read_shard(path)
    bad = tmp_path / "corrupt.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(BadInput, match=r"corrupt\.npz.*not a readable"):
        read_shard(bad)
