"""The free-fermion backend against the state-vector engine (complex128): loss, gradient, QFIM, Hessian.

Oracles: :mod:`overparam.sim.engine` (exact state vectors), and dense Majorana strings for the
covariance of product states. Refusals (not a matchgate circuit, mixed or non-Gaussian input,
quartic loss) raise one-line :class:`NotFreeFermion` errors.
"""

from __future__ import annotations

from pathlib import Path

import cirq
import numpy as np
import pytest
import sympy

from overparam.ansatze import build_ansatz, from_circuit
from overparam.ansatze.base import EnergyLoss
from overparam.hamiltonians import tfim_hamiltonian
from overparam.sim.engine import build_engine
from overparam.sim.fermion import NotFreeFermion, build_fermion_engine, compile_fermion
from overparam.sim.fermion.majorana import dense_covariance, frames, product_covariance

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-10


def _close(got, want, tol=TOL):
    want = np.asarray(want)
    scale = max(1.0, float(np.max(np.abs(want))))
    err = float(np.max(np.abs(np.asarray(got) - want)))
    assert err <= tol * scale, f"max error {err:.2e} (scale {scale:.2e})"


def _agree(ansatz, seed=3, batch=3, geometry=True, hessian=True):
    fe, se = build_fermion_engine(ansatz), build_engine(ansatz)
    low, high = ansatz.init_range
    x = np.random.default_rng(seed).uniform(low, high, (batch, ansatz.n_params))
    l1, g1 = fe.loss_and_grad(x)
    l2, g2 = se.loss_and_grad(x)
    _close(l1, l2)
    _close(g1, g2)
    _close(fe.loss(x), l2)
    if geometry:
        _close(fe.qfim(x[0]), se.qfim(x[0]))
    if geometry and hessian:
        _close(fe.hessian(x[0]), se.hessian(x[0]))
    return fe


# The n = 4 periodic case stays in the fast loop; the rest (over 5 s each) are marked slow.
@pytest.mark.parametrize(
    "boundary, n, layers",
    [("periodic", 4, 3)]
    + [pytest.param(b, n, L, marks=pytest.mark.slow)
       for b, n, L in [("open", 4, 3), ("open", 6, 2), ("periodic", 6, 2), ("open", 8, 2), ("periodic", 8, 2)]],
)
def test_tfim_matches_statevector(boundary, n, layers):
    fe = _agree(build_ansatz("tfim-hva", n, layers, {"boundary": boundary}))
    assert fe.program.frame.c == "X" and fe.program.sector == 1
    # Every TFIM layer is a product of disjoint 2 x 2 rotations: 2 groups per layer, no dense basis.
    assert len(fe.program.groups) == 2 * layers and not fe.program.dense


@pytest.mark.slow
def test_tfim_n10_periodic():
    _agree(build_ansatz("tfim-hva", 10, 3, {"boundary": "periodic", "g": "0.7"}), batch=2, hessian=False)


@pytest.fixture
def xy(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "xy"))
    yield "xy_hva:xy_hva"


# n = 6 periodic puts the Neel state in the odd parity sector (the wrap-around bond flips sign there);
# the open chain has no such bond, so n = 4 covers it at a third of the cost.
@pytest.mark.parametrize("boundary, n", [("open", 4), ("periodic", 6)])
def test_user_xy_ansatz_matches_statevector(xy, boundary, n):
    fe = _agree(build_ansatz(xy, n, 2, {"boundary": boundary}))
    # Neel input |0101...>: the string axis is Z and the parity prod Z is (-1)^(n // 2).
    assert fe.program.frame.c == "Z" and fe.program.sector == (-1) ** (n // 2)


class _GeneratorGate(cirq.EigenGate):
    """``exp(-i t G)`` for a fixed two-qubit Hermitian ``G`` (a user gate cirq knows only by its eigensystem)."""

    def __init__(self, generator: np.ndarray, exponent=1.0):
        self._generator = generator
        super().__init__(exponent=exponent)

    def _num_qubits_(self) -> int:
        return 2

    def _eigen_components(self):
        vals, vecs = np.linalg.eigh(self._generator)
        # exp(i pi t lambda_k) with lambda_k = -g_k / pi is exp(-i t g_k).
        return [(-v / np.pi, np.outer(vecs[:, k], vecs[:, k].conj())) for k, v in enumerate(vals)]

    def _with_exponent(self, exponent):
        return _GeneratorGate(self._generator, exponent)

    def _value_equality_values_(self):
        return self._canonical_exponent, self._generator.tobytes()

    def __repr__(self) -> str:
        return f"_GeneratorGate(exponent={self._exponent!r}, G={self._generator.round(6).tolist()})"


@pytest.mark.slow
def test_overlapping_bilinears_use_the_schur_basis():
    """XX + YY + 0.3 Z0 + 0.8 Z1 shares Majoranas between its terms: the group is not in pair form."""
    x, y, z, i2 = (cirq.unitary(p) for p in (cirq.X, cirq.Y, cirq.Z, cirq.I))
    gen = np.kron(x, x) + np.kron(y, y) + 0.3 * np.kron(z, i2) + 0.8 * np.kron(i2, z) + 0.5 * np.kron(x, y)
    gen = gen - 0.5 * np.kron(y, x)
    q = cirq.LineQubit.range(4)
    s = sympy.symbols("s0:6")
    circuit = cirq.Circuit(cirq.X(q[0]), cirq.X(q[2]))
    for k in range(3):
        circuit.append(_GeneratorGate(gen, exponent=s[2 * k] / 1.0).on(q[0], q[1]))
        circuit.append(_GeneratorGate(gen, exponent=s[2 * k] / 1.0).on(q[2], q[3]))
        circuit.append(_GeneratorGate(gen, exponent=s[2 * k + 1] / 1.0).on(q[1], q[2]))
    obs = sum(cirq.X(q[i]) * cirq.X(q[i + 1]) + cirq.Y(q[i]) * cirq.Y(q[i + 1]) for i in range(3)) + 0.4 * cirq.Z(q[1])
    ansatz = from_circuit("user", circuit, n=4, layers=3, loss=EnergyLoss(obs, 0.1), qubits=q)
    fe = _agree(ansatz)
    assert fe.program.dense


@pytest.mark.parametrize("frame", frames(4), ids=lambda f: f.label)
def test_product_covariance_matches_dense_strings(frame, rng):
    states = rng.normal(size=(4, 2)) + 1j * rng.normal(size=(4, 2))
    states /= np.linalg.norm(states, axis=1, keepdims=True)
    psi = states[0]
    for s in states[1:]:
        psi = np.kron(psi, s)
    cov, parity = product_covariance(frame, states)
    want_cov, want_parity = dense_covariance(frame, psi)
    np.testing.assert_allclose(cov, want_cov, atol=1e-13)
    assert abs(parity - want_parity) < 1e-13


def test_refusals_name_what_breaks(xy, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "xxz"))
    cases = [
        (build_ansatz("qaqc-hea", 3, 1), "fixed gate CNOT"),
        (build_ansatz("xxz_hva:xxz_hva", 4, 1), "fixed gate CNOT"),
        (build_ansatz("autoencoder-hea", 3, 1, {"trash": "1"}), "mixed input"),
    ]
    tfim = build_ansatz("tfim-hva", 4, 1, {"boundary": "open"})
    q = tfim.qubits
    quartic = tfim_hamiltonian(q, boundary="open") + 0.5 * cirq.Z(q[0]) * cirq.Z(q[2])
    cases.append((from_circuit("t", tfim.circuit, n=4, layers=1, loss=EnergyLoss(quartic), qubits=q),
                  r"loss term Z\(q\(0\)\)\*Z\(q\(2\)\) is not a Majorana bilinear"))
    # (A GHZ state would not do: it is the Gaussian ground state of -sum ZZ in the X-string frame.)
    rnd = np.random.default_rng(5).normal(size=16)
    cases.append((from_circuit("g", tfim.circuit[1:], n=4, layers=1, loss=tfim.loss, input_states=[rnd / np.linalg.norm(rnd)], qubits=q),
                  "not a pure fermionic Gaussian state"))
    bad_gate = cirq.Circuit(tfim.circuit, cirq.ZZPowGate(exponent=sympy.Symbol("zz_0")).on(q[0], q[2]))
    cases.append((from_circuit("b", bad_gate, n=4, layers=1, loss=tfim.loss, qubits=q),
                  r"generator term Z\(q\(0\)\)\*Z\(q\(2\)\)"))
    for ansatz, message in cases:
        with pytest.raises(NotFreeFermion, match=message) as err:
            compile_fermion(ansatz)
        assert "\n" not in str(err.value)


# ---- backend selection and the command line ------------------------------------------------------


def test_training_agrees_with_statevector_engine():
    """Same seeds, same Adam: whole loss curves agree to round-off (n = 6 periodic, 8 runs, 300 steps)."""
    from overparam.train import train

    ansatz = build_ansatz("tfim-hva", 6, 3, {"boundary": "periodic"})
    kw = dict(runs=8, steps=300, lr=0.01, seed=4, log=None, qsim_check=False)
    fer = train(ansatz, engine=build_fermion_engine(ansatz), **kw)
    ref = train(ansatz, engine=build_engine(ansatz), **kw)
    np.testing.assert_allclose(fer.curves, ref.curves, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fer.final_params, ref.final_params, rtol=0, atol=1e-9)


def test_auto_picks_fermion_for_matchgate_circuits(xy):
    from overparam.sim.fermion.select import resolve_backend

    assert resolve_backend(build_ansatz("tfim-hva", 4, 1), "auto", "jax") == "fermion"
    assert resolve_backend(build_ansatz(xy, 4, 1), "auto", "jax") == "fermion"
    assert resolve_backend(build_ansatz("qaqc-hea", 2, 1), "auto", "jax") == "jax"
    assert resolve_backend(build_ansatz("qaqc-hea", 2, 1), "jax", "qsim") == "jax"


def test_cli_train_and_qfim_through_fermion(capsys):
    import json

    from overparam.cli import main

    args = ["train", "tfim-hva", "--n", "4", "--layers", "2", "--seeds", "3", "--steps", "40", "--json"]
    assert main(args) == 0
    auto = json.loads(capsys.readouterr().out)
    assert main([*args, "--backend", "jax"]) == 0
    ref = json.loads(capsys.readouterr().out)
    assert auto["backend"] == "fermion" and ref["backend"] == "jax"
    np.testing.assert_allclose(auto["final_losses"], ref["final_losses"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(auto["qsim_final_losses"], ref["final_losses"], rtol=0, atol=1e-5)
    q = ["qfim", "tfim-hva", "--n", "4", "--layers", "3", "--opt", "boundary=open", "--samples", "2", "--json"]
    assert main(q) == 0
    fq = json.loads(capsys.readouterr().out)
    assert main([*q, "--backend", "cirq"]) == 0
    cq = json.loads(capsys.readouterr().out)
    assert fq["backend"] == "fermion" and fq["ranks"] == cq["ranks"]
    np.testing.assert_allclose(fq["spectra"], cq["spectra"], rtol=0, atol=1e-10)


@pytest.fixture
def quartic_module(tmp_path, monkeypatch):
    (tmp_path / "quartic_tfim.py").write_text(
        "import cirq\n"
        "from overparam.ansatze import build_ansatz, from_circuit\n"
        "from overparam.ansatze.base import EnergyLoss\n"
        "def tfim_zz_loss(n, layers):\n"
        "    a = build_ansatz('tfim-hva', n, layers, {'boundary': 'open'})\n"
        "    q = a.qubits\n"
        "    loss = EnergyLoss(a.loss.observable + 0.5 * cirq.Z(q[0]) * cirq.Z(q[2]))\n"
        "    return from_circuit('q', a.circuit, n=n, layers=layers, loss=loss, qubits=q)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "quartic_tfim:tfim_zz_loss"


@pytest.mark.parametrize(
    "args, needle",
    [
        (["train", "qaqc-hea", "--n", "2", "--layers", "1"], "fixed gate CNOT"),
        (["qfim", "qaqc-hea", "--n", "2", "--layers", "1"], "fixed gate CNOT"),
        (["qfim-sweep", "qaqc-hea", "--n", "2", "--layers", "1,2"], "fixed gate CNOT"),
        (["train", "autoencoder-hea", "--n", "3", "--layers", "1", "--opt", "trash=1"], "mixed input"),
        (["train", "QUARTIC", "--n", "4", "--layers", "1"], "loss term Z(q(0))*Z(q(2))"),
        (["train", "tfim-hva", "--n", "4", "--layers", "1", "--backend", "qsim"], "backend 'qsim' is not accepted"),
    ],
)
def test_cli_refuses_fermion_with_one_line(capsys, quartic_module, args, needle):
    from overparam.cli import main

    args = [quartic_module if a == "QUARTIC" else a for a in args]
    if "--backend" not in args:
        args += ["--backend", "fermion"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
