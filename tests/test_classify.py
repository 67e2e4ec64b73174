"""Classification of failed runs: checked against dense-matrix finite differences and diagonalisation.

The oracles here never touch the engine: states come from Cirq's dense simulator, the energy from
the PauliSum's dense matrix, gradients and Hessians from central finite differences, the ground
energy and eigenstates from ``numpy.linalg.eigh``.
"""

from __future__ import annotations

from pathlib import Path

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
    adam_history,
    eigenstate_of,
    eigenstate_of_covariance,
    energy_spectrum,
    failed_runs,
    gaussian_energy_variance,
    read_shard,
)

ROOT = Path(__file__).resolve().parents[1]


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


def test_cli_refuses_old_and_corrupt_shards_before_writing(tmp_path, capsys):
    from overparam.cli.app import main

    old = tmp_path / "old.npz"
    np.savez(old, final_losses=np.ones(2), ansatz="tfim-hva", model="tfim-open", n=4, layers=1, n_params=2,
             options="{}")
    out = tmp_path / "out.json"
    assert main(["classify", str(old), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "old.npz" in err[0] and "final_params" in err[0]
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    assert main(["classify", str(corrupt), "--out", str(out)]) == 2
    assert "corrupt.npz" in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == sorted([old, corrupt])  # nothing written, not even a temporary file


def test_shard_to_table_figure_and_page(tmp_path):
    """A real (tiny) training shard through classify, the tables, the figure and the book page."""
    from overparam.cli.app import main
    from overparam.fileio import read_json
    from overparam.report.failures_page import failures_page
    from overparam.results.tables import read_csv

    shard = tmp_path / "train" / "fig3" / "tfim-open_n4_L2.npz"
    assert main(["train", "tfim-hva", "--opt", "boundary=open", "--opt", "g=1.0", "--n", "4", "--layers", "2",
                 "--runs", "3", "--steps", "40", "--seed", "2023", "--label", "tfim-open",
                 "--curves", str(shard)]) == 0
    out = tmp_path / "classify" / "tfim-open_n4_L2.json"
    assert main(["classify", str(shard), "--out", str(out)]) == 0
    conf = read_json(out)
    assert conf["experiment"] == "fig3" and conf["failed"] == 3  # M = 4 < orbit dim 8: nothing converges
    assert sum(conf["counts"].values()) == 3
    for r in conf["results"]:
        assert r["label"] in ("local-minimum", "saddle", "unresolved")
        assert r["continuation"]["loss"] <= r["end"]["loss"] + 1e-12
    dla = tmp_path / "dla.json"
    dla.write_text('{"model": "tfim-open", "ansatz": "tfim-hva", "n": 4, "dim": 16, "orbit_dim": 8}')
    tables = tmp_path / "tables"
    assert main(["table", "failures", str(out), str(dla), "--out", str(tables / "failures.csv")]) == 0
    assert main(["table", "failures_summary", str(out), str(dla), "--out", str(tables / "failures_summary.csv")]) == 0
    rows = read_csv(tables / "failures.csv")
    assert [int(r["run"]) for r in rows] == [0, 1, 2] and {r["orbit_dim"] for r in rows} == {"8"}
    summary = read_csv(tables / "failures_summary.csv")
    assert summary[0]["failed"] == "3" and summary[0]["runs"] == "3"
    assert main(["figure", "failures", str(tables / "failures.csv"), "--data", str(out),
                 "--out", str(tmp_path / "fig" / "failures")]) == 0
    assert (tmp_path / "fig" / "failures.png").stat().st_size > 0 and (tmp_path / "fig" / "failures.pdf").exists()
    # With the committed budget results (open n = 8: Adam 30000 whose fixed-protocol count differs, so
    # the dotted lines and their legend entry are drawn): one legend under the budget row.
    budget = sorted(str(p) for p in (ROOT / "benchmarks/results/budget").glob("open_n8_L*.json"))
    assert budget and main(["figure", "failures", str(tables / "failures.csv"), "--data", str(out), *budget,
                            "--out", str(tmp_path / "fig" / "with_budget")]) == 0
    assert (tmp_path / "fig" / "with_budget.png").stat().st_size > 0
    # The summary table alone draws the same label panels (a record extended one configuration at a time).
    assert main(["figure", "failures", str(tables / "failures.csv"), "--data", str(tables / "failures_summary.csv"),
                 "--out", str(tmp_path / "fig" / "from_summary")]) == 0
    from overparam.figures.failures import _load

    (from_summary,), _ = _load([tables / "failures_summary.csv"])
    assert from_summary["counts"] == {k: conf["counts"].get(k, 0) for k in from_summary["counts"]}
    assert (from_summary["runs"], from_summary["failed"], from_summary["n_params"]) == (3, 3, conf["n_params"])
    assert main(["figure", "failures", str(tables / "failures.csv"), "--data", str(tables / "failures.csv"),
                 "--out", str(tmp_path / "fig" / "wrong")]) == 2  # per-run table given for the summary
    from overparam.results.provenance import provenance

    page = failures_page(tables / "failures.csv", provenance("abc123"), {})
    assert page.startswith("# What stops training") and "figures/failures.png" in page
    # The per-configuration counts and the answer come from the measured labels.
    counts = conf["counts"]
    line = next(ln for ln in page.splitlines() if ln.startswith("| fig3 | tfim-open | 4 | 8 | 16 | 3 |"))
    assert line.split(" | ")[6:10] == [str(counts[k]) for k in ("converges", "local-minimum", "saddle", "unresolved")]
    assert "no classified configuration at or above the orbit dimension" in line


def test_verdict_reads_the_counts():
    from overparam.report.failures_page import verdict

    def row(m, conv=0, mins=0):
        return {"M": m, "converges": conv, "local-minimum": mins, "saddle": 0, "unresolved": 0}

    assert verdict([row(16, mins=5), row(24, conv=3), row(28, conv=1)], 18).startswith("optimizer-limited")
    text = verdict([row(20, mins=2, conv=1), row(24, conv=3), row(28)], 18)
    assert text.startswith("spurious minima survive") and "none from M = 24 on" in text


# ---- the free-fermion route: same numbers as the state vector, no state vector -------------------


@pytest.mark.parametrize("boundary", ["open", "periodic"])
def test_gaussian_energy_variance_matches_the_dense_state(boundary):
    from overparam.sim.fermion import build_fermion_engine

    ansatz = build_ansatz("tfim-hva", 4, 2, {"boundary": boundary, "g": "1.0"})
    engine, oracle = build_fermion_engine(ansatz), DenseOracle(ansatz)
    spectrum = energy_spectrum(ansatz, with_matrix=False)
    assert spectrum.matrix is None
    for x in np.random.default_rng(3).uniform(0, 2 * np.pi, (3, ansatz.n_params)):
        psi = oracle.state(x)
        mean = np.real(np.vdot(psi, oracle.h @ psi))
        variance = np.real(np.vdot(psi, oracle.h @ oracle.h @ psi)) - mean**2
        out = eigenstate_of_covariance(spectrum, engine, x, Thresholds())
        assert out["energy"] == pytest.approx(mean, abs=1e-10)
        assert out["energy_variance"] == pytest.approx(variance, abs=1e-10) and variance > 1e-3


def test_gaussian_ground_state_has_zero_variance_and_energy_e0():
    # The ground state of a quadratic H = (i/4) g^T h g has the covariance M = -h (-h^2)^(-1/2) (the
    # polar factor of -h): every single-particle mode empty. Its energy must be the dense E0.
    from overparam.sim.fermion import build_fermion_engine

    ansatz = _open(6, 1)
    prog = build_fermion_engine(ansatz).program
    h = prog.loss_matrix
    vals, vecs = np.linalg.eigh(-h @ h)
    cov = -h @ (vecs @ np.diag(vals**-0.5) @ vecs.T)
    assert np.allclose(cov @ cov.T, np.eye(len(h)), atol=1e-10)
    assert gaussian_energy_variance(h, cov) == pytest.approx(0.0, abs=1e-10)
    e0 = np.linalg.eigvalsh(ansatz.loss.observable.matrix(ansatz.qubits))[0]
    assert 0.25 * np.sum(h * cov) + prog.loss_constant + ansatz.loss.offset == pytest.approx(e0, abs=1e-10)
    # A random Gaussian state is not an eigenstate.
    rot = np.linalg.qr(np.random.default_rng(0).normal(size=h.shape))[0]
    assert gaussian_energy_variance(h, rot @ cov @ rot.T) > 1e-2


@pytest.mark.parametrize("boundary,layers,seed", [("open", 1, 0), ("open", 3, 1), ("periodic", 2, 2), ("open", 8, 3)])
def test_fermion_and_state_vector_engines_classify_alike(boundary, layers, seed):
    """Same labels, losses, curvature counts and eigenstate data on both engines (n = 4)."""
    from overparam.sim.fermion import build_fermion_engine

    ansatz = build_ansatz("tfim-hva", 4, layers, {"boundary": boundary, "g": "1.0"})
    sv, fe = build_engine(ansatz), build_fermion_engine(ansatz)
    starts = np.random.default_rng(seed).uniform(0, 2 * np.pi, (3, ansatz.n_params))
    if layers == 1:
        starts[0] = [0.4328, 0.7654]  # near the spurious minimum of the one-layer circuit
    labels = []
    for x in starts:
        a = classify_run(sv, x, spectrum=energy_spectrum(ansatz))
        b = classify_run(fe, x, spectrum=energy_spectrum(ansatz, with_matrix=False))
        assert a["label"] == b["label"]
        labels.append(a["label"])
        for key in ("loss", "grad_norm"):
            assert a["end"][key] == pytest.approx(b["end"][key], rel=1e-8, abs=1e-12)
        for key in ("n_movable", "n_negative", "n_negative_full"):
            assert a["end"][key] == b["end"][key] and a["stop"][key] == b["stop"][key]
        assert a["continuation"]["loss"] == pytest.approx(b["continuation"]["loss"], abs=1e-9)
        if a["label"] == "local-minimum":
            ea, eb = a["eigenstate"], b["eigenstate"]
            assert ea["energy_above_e0"] == pytest.approx(eb["energy_above_e0"], abs=1e-9)
            assert ea["energy_variance"] == pytest.approx(eb["energy_variance"], abs=1e-9)
            assert (ea["eigenstate"], ea["eigen_level"]) == (eb["eigenstate"], eb["eigen_level"])
    if layers == 1:
        assert labels[0] == "local-minimum"
    if layers == 8:
        assert set(labels) == {"converges"}  # M = 16 = dim g


def _shard(path, curves, final_losses, fixed_floor=1e-11, **extra):
    ansatz = _open(4, 1)
    runs = len(final_losses)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, final_losses=np.asarray(final_losses), final_params=np.zeros((runs, ansatz.n_params)),
             curves=np.asarray(curves), ansatz="tfim-hva", model="tfim-open", n=4, layers=1,
             n_params=ansatz.n_params, options='{"boundary": "open", "g": "1.0"}', fixed_floor=fixed_floor, **extra)
    return path


def test_published_protocol_shard_marks_runs_thrown_back_from_the_floor(tmp_path):
    curves = [[1.0, 1e-12, 0.5], [1.0, 0.3, 0.2], [1.0, np.nan, 0.4]]
    shard = read_shard(_shard(tmp_path / "s.npz", curves, [0.5, 0.2, 0.4]))
    assert shard.fixed_floor == 1e-11 and shard.stop_below is None
    assert adam_history(shard, 0) == {"lowest_loss": 1e-12, "reached_floor": True}
    assert adam_history(shard, 1) == {"lowest_loss": 0.2, "reached_floor": False}
    assert adam_history(shard, 2)["lowest_loss"] == 0.4  # a NaN on the curve is not a lowest loss
    # A shard of the stopping protocol: a run at the floor stopped there, so "thrown back" does not apply.
    stopped = read_shard(_shard(tmp_path / "t.npz", curves, [0.5, 0.2, 0.4], stop_below=1e-11))
    assert adam_history(stopped, 0)["reached_floor"] is None
    # Curves that do not match the runs are refused with the file named.
    with pytest.raises(BadInput, match=r"u\.npz.*curves"):
        read_shard(_shard(tmp_path / "u.npz", [[1.0, 0.5]], [0.5, 0.2, 0.4]))


def test_cli_backend_choice_and_the_new_columns(tmp_path):
    from overparam.cli.app import main
    from overparam.fileio import read_json
    from overparam.results.tables import read_csv

    shard = _shard(tmp_path / "train" / "fig3" / "tfim-open_n4_L1.npz", [[1.0, 1e-12, 0.5], [1.0, 0.3, 0.2]],
                   [0.5, 0.2])
    outs = {}
    for backend in ("auto", "jax"):
        outs[backend] = tmp_path / f"{backend}.json"
        assert main(["classify", str(shard), "--out", str(outs[backend]), "--backend", backend]) == 0
    fe, sv = read_json(outs["auto"]), read_json(outs["jax"])
    assert (fe["backend"], sv["backend"]) == ("fermion", "jax")
    assert [r["label"] for r in fe["results"]] == [r["label"] for r in sv["results"]]
    assert fe["reached_floor"] == 1 and [r["reached_floor"] for r in fe["results"]] == [True, False]
    table = tmp_path / "failures.csv"
    assert main(["table", "failures", str(outs["auto"]), "--out", str(table)]) == 0
    rows = read_csv(table)
    assert [r["reached_floor"] for r in rows] == ["1", "0"] and {r["backend"] for r in rows} == {"fermion"}
    assert float(rows[0]["lowest_loss"]) == 1e-12
    assert main(["classify", str(shard), "--out", str(tmp_path / "x.json"), "--backend", "qsim"]) == 2
    assert not (tmp_path / "x.json").exists()


def test_summary_from_runs_classified_apart_equals_one_pass_and_refuses_a_missing_run(tmp_path):
    """The pieces of a configuration (runs classified by separate workers) assemble to the same summary."""
    from overparam.train.classify import classify_failed_run, classify_shard, open_shard, summarise_shard

    rng = np.random.default_rng(5)
    path = _shard(tmp_path / "s.npz", [[1.0, 0.5], [1.0, 0.4], [1.0, 1e-5]], [0.5, 0.4, 1e-5])
    with np.load(path) as z:
        data = dict(z)
    data["final_params"] = rng.uniform(0, 2 * np.pi, data["final_params"].shape)
    np.savez(path, **data)
    shard, engine = open_shard(path, "jax")
    whole = classify_shard(shard, engine, success_threshold=1e-4)
    assert whole["failed"] == 2
    pieces = [classify_failed_run(shard, engine, r, spectrum=energy_spectrum(engine.ansatz)) for r in (1, 0)]
    merged = summarise_shard(shard, engine, sorted(pieces, key=lambda r: r["run"]), success_threshold=1e-4,
                             seconds=0.0)
    for key in ("counts", "failed", "reached_floor", "reached_floor_counts", "n_params", "backend"):
        assert merged[key] == whole[key]
    assert [r["label"] for r in merged["results"]] == [r["label"] for r in whole["results"]]
    np.testing.assert_allclose([r["continuation"]["loss"] for r in merged["results"]],
                               [r["continuation"]["loss"] for r in whole["results"]], rtol=0, atol=1e-12)
    with pytest.raises(BadInput, match=r"s\.npz.*missing \[1\]"):
        summarise_shard(shard, engine, pieces[1:], success_threshold=1e-4, seconds=0.0)


def test_add_configurations_equals_the_table_built_at_once(tmp_path):
    """docs/failures/add_configurations.py: tables extended one configuration at a time are the tables
    ``overparam table`` writes from all the classifications together; adding one again replaces it."""
    import subprocess
    import sys

    from overparam.cli.app import main

    outs = []
    for layers in (1, 2):
        shard = tmp_path / f"tfim-open_n4_L{layers}.npz"
        assert main(["train", "tfim-hva", "--opt", "boundary=open", "--opt", "g=1.0", "--n", "4", "--layers",
                     str(layers), "--runs", "2", "--steps", "30", "--seed", "7", "--label", "tfim-open",
                     "--curves", str(shard)]) == 0
        outs.append(tmp_path / f"classify_L{layers}.json")
        assert main(["classify", str(shard), "--out", str(outs[-1])]) == 0
    dla = tmp_path / "dla.json"
    dla.write_text('{"model": "tfim-open", "ansatz": "tfim-hva", "n": 4, "dim": 16, "orbit_dim": 8}')
    whole, step = tmp_path / "whole", tmp_path / "step"
    for name in ("failures", "failures_summary"):
        assert main(["table", name, *map(str, outs), str(dla), "--out", str(whole / f"{name}.csv")]) == 0
        assert main(["table", name, str(outs[1]), str(dla), "--out", str(step / f"{name}.csv")]) == 0
    script = [sys.executable, str(ROOT / "docs/failures/add_configurations.py"), str(step)]
    for extra in ([str(outs[0])], [str(outs[1])]):
        done = subprocess.run([*script, *extra, str(dla)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        for name in ("failures.csv", "failures_summary.csv"):
            assert (step / name).read_text() == (whole / name).read_text()
    assert "2 rows written, 2 replaced" in done.stdout
    bad = subprocess.run([*script, str(tmp_path / "missing.json")], capture_output=True, text=True)
    assert bad.returncode == 2 and "missing.json" in bad.stderr and len(bad.stderr.splitlines()) == 1
