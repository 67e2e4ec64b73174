"""Noisy density-matrix engine, SLD QFIM, ``overparam noisy-qfim`` and the ext1 table/figure/page."""

import json

import cirq
import numpy as np
import pytest
import sympy

from overparam.ansatze import build_ansatz, from_circuit
from overparam.errors import BadInput
from overparam.geometry.qfim import qfim
from overparam.geometry.rank import spectrum_rank
from overparam.geometry.sld import SUPPORT_CUTOFF, sld_qfim, sld_qfim_from_derivatives, sld_spectrum
from overparam.sim.density import (
    MAX_QUBITS,
    check_size,
    cirq_density_matrix,
    density_jacobian,
    density_matrix,
    noisy_cirq_circuit,
)
from overparam.sim.noise import NoiseModel

PAULI = {
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def mixed_user_circuit():
    """3 qubits, every kind of gate the compiler handles: fixed 1-, 2- and 3-qubit gates, shared
    symbols, gates acting on non-adjacent qubits, a symbol at an affine exponent, a random input."""
    q = cirq.LineQubit.range(3)
    a, b, c = sympy.symbols("a b c")
    rng = np.random.default_rng(7)
    fixed3 = cirq.testing.random_unitary(8, random_state=7)
    circuit = cirq.Circuit(
        cirq.H(q[0]),
        cirq.CNOT(q[0], q[2]),
        cirq.ry(a).on(q[1]),
        cirq.CZ(q[1], q[2]),
        cirq.rx(b).on_each(*q),
        cirq.ZZPowGate(exponent=c / sympy.pi, global_shift=-0.5).on(q[2], q[0]),
        cirq.XXPowGate(exponent=0.5 * a + 0.25).on(q[0], q[1]),
        cirq.MatrixGate(fixed3).on(*q),
        cirq.rz(c).on(q[1]),
    )
    psi = rng.normal(size=8) + 1j * rng.normal(size=8)
    return from_circuit("mixed", circuit, n=3, layers=1, input_states=[psi / np.linalg.norm(psi)], qubits=q)


# --- the forward map against cirq.DensityMatrixSimulator ---------------------------------------


@pytest.mark.parametrize("noise", [NoiseModel(), NoiseModel(local=0.03), NoiseModel(local=0.2, global_q=0.9)])
def test_density_matrix_matches_cirq_density_matrix_simulator(noise, rng):
    for ansatz in (build_ansatz("tfim-hva", 4, 2, {"boundary": "periodic"}), mixed_user_circuit()):
        x = ansatz.random_parameters(rng)
        ours = density_matrix(ansatz, x, noise)
        ref = cirq_density_matrix(ansatz, x, noise)
        np.testing.assert_allclose(ours, ref, atol=1e-10, rtol=0)
        assert np.trace(ours).real == pytest.approx(1.0, abs=1e-12)


def test_reference_circuit_places_depolarize_after_every_gate():
    a = build_ansatz("tfim-hva", 3, 1, {"boundary": "open"})
    noisy = noisy_cirq_circuit(a.circuit, 0.01)
    ops = list(noisy.all_operations())
    gates = [op for op in ops if not isinstance(op.gate, cirq.DepolarizingChannel)]
    channels = [op for op in ops if isinstance(op.gate, cirq.DepolarizingChannel)]
    assert len(gates) == len(list(a.circuit.all_operations()))
    assert len(channels) == sum(len(op.qubits) for op in gates)
    assert all(op.gate.p == 0.01 for op in channels)


def test_local_noise_single_qubit_closed_form():
    # rx(s)|0> has Bloch vector (0, -sin s, cos s); cirq.depolarize(p) shrinks it by 1 - 4p/3.
    q = cirq.LineQubit(0)
    s = sympy.Symbol("s")
    a = from_circuit("rx", cirq.Circuit(cirq.rx(s).on(q)), n=1, layers=1)
    for p, angle in [(0.0, 0.4), (0.1, 1.3), (0.75, 2.0), (1.0, 0.9)]:
        rho = density_matrix(a, [angle], NoiseModel(local=p))
        eta = 1 - 4 * p / 3
        bloch = eta * np.array([0.0, -np.sin(angle), np.cos(angle)])
        expected = 0.5 * (np.eye(2) + sum(r * PAULI[k] for r, k in zip(bloch, "XYZ")))
        np.testing.assert_allclose(rho, expected, atol=1e-14)


def test_jacobian_matches_finite_differences_of_the_cirq_reference(rng):
    a = mixed_user_circuit()
    noise = NoiseModel(local=0.02, global_q=0.95)
    x = a.random_parameters(rng)
    rho, drho = density_jacobian(a, x, noise)
    np.testing.assert_allclose(rho, cirq_density_matrix(a, x, noise), atol=1e-10)
    h = 1e-5
    for j in range(a.n_params):
        e = np.zeros_like(x)
        e[j] = h
        fd = (cirq_density_matrix(a, x + e, noise) - cirq_density_matrix(a, x - e, noise)) / (2 * h)
        np.testing.assert_allclose(drho[j], fd, atol=1e-8)


# --- the SLD QFIM ------------------------------------------------------------------------------


@pytest.mark.parametrize("boundary", ["periodic", "open"])
def test_noiseless_sld_equals_pure_state_qfim(boundary, rng):
    # Depth 3 (M = 6): rank deficient for the periodic chain (rank 4), full rank for the open one,
    # so the support cut-off is exercised both with and without a kernel in the QFIM.
    a = build_ansatz("tfim-hva", 4, 3, {"boundary": boundary})
    for x in a.random_parameters(rng, 2):
        pure = qfim(a, x, "cirq")
        sld = sld_qfim(a, x, NoiseModel())
        np.testing.assert_allclose(sld, pure, atol=1e-10)
        assert spectrum_rank(sld, 1e-10).rank == spectrum_rank(pure, 1e-10).rank
        # ...and the noisy QFIM tends to it continuously, linearly in p.
        dev = [np.abs(sld_qfim(a, x, NoiseModel(local=p)) - pure).max() for p in (1e-8, 1e-6)]
        assert dev[0] < 1e-5 and dev[1] / dev[0] == pytest.approx(100, rel=0.05)


def test_global_noise_rescales_the_pure_qfim_exactly(rng):
    # rho = q psi + (1-q) I/d has eigenvalues q + (1-q)/d and (1-q)/d, and d rho = q d(psi psi^dag)
    # only couples psi to its complement, so F = q^2 / (q + 2(1-q)/d) F_pure: same rank.
    a = build_ansatz("tfim-hva", 4, 3, {"boundary": "periodic"})
    x = a.random_parameters(rng)
    pure = qfim(a, x, "cirq")
    d = 16
    for q in (0.0, 0.5, 0.95, 0.999):
        expected = q**2 / (q + 2 * (1 - q) / d) * pure
        np.testing.assert_allclose(sld_qfim(a, x, NoiseModel(global_q=q)), expected, atol=1e-12)
    assert sld_spectrum(a, x, NoiseModel(global_q=0.95)).spectrum.rank == spectrum_rank(pure, 1e-10).rank == 4


def test_sld_bloch_ball_closed_form():
    # rho = (I + r.sigma)/2 with r = c (sin a cos b, sin a sin b, cos a): the textbook SLD QFIM is
    # F_ij = d_i r . d_j r + (r . d_i r)(r . d_j r) / (1 - |r|^2) = diag(c^2, c^2 sin^2 a, 1/(1-c^2)).
    def bloch(a, b, c):
        return c * np.array([np.sin(a) * np.cos(b), np.sin(a) * np.sin(b), np.cos(a)])

    def density(r):
        return 0.5 * (np.eye(2) + sum(ri * PAULI[k] for ri, k in zip(r, "XYZ")))

    for a, b, c in [(0.7, 0.3, 0.5), (2.1, -1.0, 0.9), (1.2, 2.5, 0.1)]:
        dr = [
            c * np.array([np.cos(a) * np.cos(b), np.cos(a) * np.sin(b), -np.sin(a)]),
            c * np.array([-np.sin(a) * np.sin(b), np.sin(a) * np.cos(b), 0.0]),
            bloch(a, b, 1.0),
        ]
        drho = np.stack([density(v) - 0.5 * np.eye(2) for v in dr])
        f, lam = sld_qfim_from_derivatives(density(bloch(a, b, c)), drho)
        np.testing.assert_allclose(f, np.diag([c**2, c**2 * np.sin(a) ** 2, 1 / (1 - c**2)]), atol=1e-12)
        np.testing.assert_allclose(sorted(lam), [(1 - c) / 2, (1 + c) / 2], atol=1e-14)


def _uhlmann_fidelity(rho, sigma):
    lam, v = np.linalg.eigh(rho)
    root = (v * np.sqrt(np.clip(lam, 0, None))) @ v.conj().T
    mid = np.linalg.eigvalsh(root @ sigma @ root)
    return float(np.sum(np.sqrt(np.clip(mid, 0, None))) ** 2)


def test_sld_matches_fidelity_susceptibility_of_the_cirq_reference(rng):
    # Independent oracle: 1 - F_U(rho_theta, rho_theta+d) = d^T F d / 4 + O(d^4) for symmetric
    # differences, with rho from cirq.DensityMatrixSimulator only (no JAX, no SLD formula).
    a = build_ansatz("tfim-hva", 2, 2, {"boundary": "open"})
    noise = NoiseModel(local=0.05, global_q=0.98)
    x = a.random_parameters(rng)
    rho0 = cirq_density_matrix(a, x, noise)
    eps = 2e-3

    def quad(v):
        vals = [_uhlmann_fidelity(rho0, cirq_density_matrix(a, x + s * eps * v, noise)) for s in (1, -1)]
        return 4 * (1 - np.mean(vals)) / eps**2

    m = a.n_params
    eye = np.eye(m)
    oracle = np.zeros((m, m))
    for i in range(m):
        oracle[i, i] = quad(eye[i])
    for i in range(m):
        for j in range(i + 1, m):
            oracle[i, j] = oracle[j, i] = (quad(eye[i] + eye[j]) - oracle[i, i] - oracle[j, j]) / 2
    sld = sld_qfim(a, x, noise)
    np.testing.assert_allclose(sld, oracle, atol=2e-4 * np.abs(sld).max())


def test_local_noise_turns_on_zero_eigenvalues():
    # The periodic n = 4 chain at depth 3 has M = 6 > rank 4 without noise (the orbit bound); local
    # depolarizing noise lets the mixed state move along the two missing directions.
    a = build_ansatz("tfim-hva", 4, 3, {"boundary": "periodic"})
    x = a.random_parameters(np.random.default_rng(11))
    clean = sld_spectrum(a, x, NoiseModel())
    noisy = sld_spectrum(a, x, NoiseModel(local=1e-3))
    assert clean.spectrum.rank == 4 and clean.spectrum.gap > 1e6
    assert noisy.spectrum.rank == 6
    # ...but the two new eigenvalues are small: of the order of the noise strength.
    assert noisy.spectrum.eigenvalues[-1] < 1e-2 * noisy.spectrum.eigenvalues[0]
    assert noisy.rho_min_eigenvalue > 1e3 * SUPPORT_CUTOFF


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{"local": 1.5}, {"local": -0.1}, {"global_q": 1.01}, {"local": float("nan")}])
def test_noise_strength_outside_unit_interval_is_bad_input(kwargs):
    with pytest.raises(BadInput, match="noise strength"):
        NoiseModel(**kwargs)


def test_too_many_qubits_is_bad_input():
    check_size(MAX_QUBITS)
    with pytest.raises(BadInput, match="at most"):
        check_size(MAX_QUBITS + 1)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--local", "0.01,2"], "local noise strength 2.0"),
        (["--global", "-0.5"], "global noise strength -0.5"),
        (["--global", "x"], "--global 'x'"),
        (["--n", "9"], "9 qubits are too many"),
        (["--opt", "boundary=ring"], "boundary='ring'"),
    ],
)
def test_cli_bad_input_one_line_exit_2(argv, needle, capsys):
    from overparam.cli import main

    base = ["noisy-qfim", "tfim-hva", "--n", "4", "--layers", "1", "--json"]
    if "--n" in argv:
        base = ["noisy-qfim", "tfim-hva", "--layers", "1", "--json"]
    with pytest.raises(SystemExit) as exc:
        code = main(base + argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr()
    assert err.out == ""
    lines = [l for l in err.err.splitlines() if l.strip()]
    assert len(lines) == 1 and needle in lines[0]


# --- CLI output, table, figure and page ------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy_json(tmp_path_factory):
    from overparam.cli import main

    out = tmp_path_factory.mktemp("ext1") / "data.json"
    argv = ["noisy-qfim", "tfim-hva", "--n", "2", "--layers", "1,2", "--local", "1e-3,0.1",
            "--global", "0.95", "--samples", "2", "--seed", "5", "--out", str(out), "--json"]
    assert main(argv) == 0
    return out


def test_cli_json_noiseless_equals_pure_and_global_keeps_rank(noisy_json):
    data = json.loads(noisy_json.read_text())
    for key in ("records", "pure_state", "noiseless_max_deviation", "tolerance", "support_cutoff", "noise_convention"):
        assert key in data
    assert data["noiseless_max_deviation"] < 1e-10
    by = {(r["layers"], r["noise"], r["strength"]): r for r in data["records"]}
    assert len(by) == 2 * 4
    for pure in data["pure_state"]:
        clean = by[(pure["layers"], "none", 0.0)]
        assert clean["ranks"] == pure["ranks"]
        np.testing.assert_allclose(clean["spectra"], pure["spectra"], atol=1e-10)
        assert by[(pure["layers"], "global", 0.95)]["ranks"] == pure["ranks"]
        for r in (by[(pure["layers"], "local", 1e-3)], by[(pure["layers"], "local", 0.1)]):
            assert all(k <= r["n_params"] for k in r["ranks"])
    # the points are those of `overparam qfim` (same seed derivation): its pure ranks agree
    from overparam.ansatze import build_ansatz as build
    from overparam.geometry.sweeps import qfim_samples

    ref = qfim_samples(build("tfim-hva", 2, 2, {}), 2, 5, "cirq")
    assert ref["ranks"] == data["pure_state"][1]["ranks"]
    np.testing.assert_allclose(ref["spectra"], data["pure_state"][1]["spectra"], atol=1e-12)


def test_ext1_table_figure_and_page(noisy_json, tmp_path):
    from overparam.figures import ext1 as fig
    from overparam.report.pages import PAGES
    from overparam.results.tables import TABLES, read_csv, write_csv

    header, make_rows = TABLES["ext1"]
    rows = make_rows([noisy_json])
    table = tmp_path / "tables" / "ext1.csv"
    write_csv(table, header, rows)
    parsed = read_csv(table)
    # per depth: 4 settings x 2 samples from the SLD, plus 2 pure-state rows
    assert len(parsed) == 2 * (4 * 2 + 2)
    assert {r["noise"] for r in parsed} == {"none", "local", "global", "pure-state"}
    paths = fig.draw(table, tmp_path / "figures" / "ext1")
    assert all(p.stat().st_size > 5000 for p in paths)
    page, _rule = PAGES["ext1"]
    text = page(table, {"git_commit": "x", "config_hash": "y", "packages": {}, "python": "3", "cpu": "c", "gpu": "none"}, {})
    assert "# ext1" in text and "noiseless" in text and "pure-state" in text
