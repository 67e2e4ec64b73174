"""The shipped published tables (data/published/): schema, provenance, cross-checks; the extraction script."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "published"
SCRIPT = PUBLISHED / "extract.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("published_extract", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


extract = _load_script()
COMMIT = extract.PINNED_COMMIT


def _read(name: str) -> list[dict[str, str]]:
    path = PUBLISHED / name
    text = gzip.open(path, "rt").read() if name.endswith(".gz") else path.read_text()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def training():
    return _read("training.csv")


@pytest.fixture(scope="module")
def ranks():
    return _read("ranks.csv")


def test_tables_are_small_and_have_the_documented_columns():
    total = sum(p.stat().st_size for p in PUBLISHED.iterdir() if p.suffix in (".csv", ".gz"))
    assert total < 1_000_000
    for name, header in [("training.csv", extract.TRAINING_HEADER), ("runs.csv.gz", extract.RUNS_HEADER),
                         ("ranks.csv", extract.RANKS_HEADER), ("spectra.csv.gz", extract.SPECTRA_HEADER)]:
        rows = _read(name)
        assert rows and list(rows[0]) == header, name
        for row in rows:  # provenance on every row
            assert row["commit"] == COMMIT
            assert row["source"].startswith("raw_data/") and row["source"].endswith(".npy")


def test_training_counts_follow_the_published_protocol(training):
    assert {r["experiment"] for r in training} == {"fig3", "supp4", "supp5"}
    assert {r["model"] for r in training} == {"tfim-periodic", "tfim-open", "qaqc", "autoencoder"}
    for r in training:
        n, layers, runs = int(r["n"]), int(r["layers"]), int(r["runs"])
        k, reached = int(r["successes"]), int(r["reached_at_some_step"])
        assert 0 <= k <= reached <= runs  # a final loss below 1e-4 is a loss below 1e-4 at some step
        assert float(r["threshold"]) == 1e-4
        if r["model"].startswith("tfim"):
            assert int(r["n_params"]) == 2 * layers
            assert runs == 50 and r["steps"] == "3000"
        else:
            assert int(r["n_params"]) == 2 * n + 2 * layers * (2 * n - 2)
    # the sweeps of the paper's fig. 3 (layers, step 2; step 4 above 52 for open n = 10)
    layers = defaultdict(list)
    for r in training:
        layers[(r["model"], int(r["n"]))].append(int(r["layers"]))
    assert layers[("tfim-periodic", 4)] == list(range(2, 11, 2))
    assert layers[("tfim-periodic", 10)] == list(range(4, 25, 2))
    assert layers[("tfim-open", 8)] == list(range(4, 69, 2))
    assert layers[("tfim-open", 10)] == list(range(4, 53, 2)) + list(range(56, 101, 4)) + [102, 104]
    assert layers[("qaqc", 5)] == list(range(15, 126, 10))
    # numbers quoted in the replication chapter
    row = {(r["model"], int(r["n"]), int(r["layers"])): r for r in training}
    assert (row[("qaqc", 5, 75)]["successes"], row[("qaqc", 5, 125)]["successes"]) == ("32", "8")
    assert row[("qaqc", 5, 125)]["other_runs"] == "1" and row[("qaqc", 5, 15)]["runs"] == "48"
    assert row[("tfim-periodic", 10, 6)]["successes"] == "48"
    assert row[("tfim-open", 6, 10)]["successes"] == "11"


def test_per_run_table_gives_the_per_configuration_counts(training):
    runs = _read("runs.csv.gz")
    assert len(runs) == 8000
    k, reached, total = Counter(), Counter(), Counter()
    for r in runs:
        key = (r["experiment"], r["model"], r["n"], r["layers"])
        if int(r["steps"]) != extract.PROTOCOL_STEPS[r["experiment"]]:
            continue
        total[key] += 1
        k[key] += float(r["final_loss"]) < 1e-4
        reached[key] += r["first_step_below"] != ""
        assert float(r["lowest_loss"]) <= min(float(r["final_loss"]), float(r["initial_loss"]))
    for r in training:
        key = (r["experiment"], r["model"], r["n"], r["layers"])
        assert (total[key], k[key], reached[key]) == (int(r["runs"]), int(r["successes"]),
                                                      int(r["reached_at_some_step"]))


def test_ranks_schema_and_bounds(ranks):
    assert {r["experiment"] for r in ranks} == {"fig4", "supp1", "supp2", "supp4", "supp5", "ext1"}
    assert {r["kind"] for r in ranks} == {"qfim", "hessian"}
    assert {r["point"] for r in ranks} <= {"random", "solution", "unstated"}
    for r in ranks:
        assert int(r["size"]) == int(r["n_params"]) and 0 < int(r["rank"]) <= int(r["size"])
        assert float(r["rel_tolerance"]) == (1e-10 if r["kind"] == "qfim" else 1e-5)
    noiseless_qfim = [r for r in ranks if r["kind"] == "qfim" and r["noise"] == "none"]
    # periodic chain: the orbit bound n; QAQC: dim su(2^n) = 4^n - 1; autoencoder: 30
    for r in noiseless_qfim:
        n = int(r["n"])
        bound = {"tfim-periodic": n, "qaqc": 4**n - 1, "autoencoder": 30}.get(r["model"])
        if bound is not None:
            assert int(r["rank"]) <= bound
    # open chain: the published QFIM saturates at n(n - 1), above the orbit bound floor(n^2/2) ...
    top = defaultdict(int)
    for r in noiseless_qfim:
        if r["model"] == "tfim-open":
            top[int(r["n"])] = max(top[int(r["n"])], int(r["rank"]))
    assert dict(top) == {4: 12, 6: 30, 8: 56, 10: 90}
    # ... while the published Hessians at the open solutions have the orbit bound for n = 4, 6, 8
    hess = {int(r["n"]): int(r["rank"]) for r in ranks
            if r["experiment"] == "fig4" and r["model"] == "tfim-open" and r["kind"] == "hessian"
            and r["point"] == "solution" and int(r["n"]) < 10}
    assert hess == {4: 8, 6: 18, 8: 32}


def test_spectra_table_matches_the_ranks(ranks):
    spectra = _read("spectra.csv.gz")
    assert len(spectra) == len(ranks)
    for s, r in zip(spectra, ranks):
        assert s["source"] == r["source"]
        values = np.array([float(v) for v in s["eigenvalues"].split(";")])
        assert values.size == int(r["size"]) and np.all(np.diff(values) >= 0)
        assert extract.spectrum_rank(values, r["kind"])[0] == int(r["rank"])


# ---------------------------------------------------------------- the script on bad and small input


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.mark.parametrize("case", ["missing", "not-a-repo", "wrong-commit"])
def test_bad_repository_exits_2_with_one_line(tmp_path, case):
    repo = tmp_path / "authors"
    out = tmp_path / "out"
    out.mkdir()
    if case != "missing":
        (repo / "raw_data").mkdir(parents=True)
        (repo / "raw_data" / "x.txt").write_text("x")
    if case == "wrong-commit":
        _git(repo, "init", "-q")
        _git(repo, "add", ".")
        _git(repo, "commit", "-qm", "x")
    proc = _run(str(repo), "--out", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(repo) in lines[0]
    if case == "wrong-commit":
        assert COMMIT in lines[0] and _git(repo, "rev-parse", "HEAD") in lines[0]
    assert not any(out.iterdir())  # nothing written


def test_extraction_logic_on_a_small_tree(tmp_path):
    """The counting and parsing on hand-made records (the pinned repository itself is not needed)."""
    base = tmp_path / "raw_data" / "fig_3" / "4qubits" / "non-periodic" / "loss"
    base.mkdir(parents=True)
    curves = {
        0: np.r_[np.linspace(1, 1e-3, 3000), 5e-5],  # a success only at the last step
        1: np.r_[np.linspace(1, 1e-8, 2000), np.full(1001, 1e-3)],  # reached, then kicked back up
        2: np.full(3001, 2e-2),  # never
    }
    for run, curve in curves.items():
        np.save(base / f"vha_loss_record_4q_6p_{run}i.npy", curve)
    spec = tmp_path / "raw_data" / "sup_fig_2" / "4qubits"
    spec.mkdir(parents=True)
    np.save(spec / "qfim_random_spectrum_4q_4p_0.npy", np.array([-1e-16, 2e-15, 0.5, 1.0, 2.0, 3.0, 4.0, 8.0]))
    files = extract.raw_files(tmp_path)
    configs, runs = extract.training_tables(tmp_path, files, "c0ffee")
    assert len(configs) == 1 and len(runs) == 3
    row = dict(zip(extract.TRAINING_HEADER, configs[0]))
    assert (row["model"], row["n"], row["layers"], row["n_params"]) == ("tfim-open", 4, 6, 12)
    assert (row["runs"], row["successes"], row["reached_at_some_step"], row["steps"]) == (3, 1, 2, 3000)
    assert row["source"] == "raw_data/fig_3/4qubits/non-periodic/loss/vha_loss_record_4q_6p_*i.npy"
    first = {r[4]: r[9] for r in runs}
    assert first[0] == 3000 and first[2] == "" and 0 < first[1] < 2000
    returns = {r[4]: (r[10], r[11]) for r in runs}
    assert {r[4]: float(r[6]) for r in runs} == {0: 1.0, 1: 1.0, 2: 2e-2}
    assert returns == {0: (0, 0), 1: (1, 1001), 2: ("", "")}
    rank_rows, _ = extract.spectra_tables(tmp_path, files, "c0ffee")
    r = dict(zip(extract.RANKS_HEADER, rank_rows[0]))
    assert (r["experiment"], r["model"], r["rank"], r["n_params"]) == ("supp2", "tfim-open", 6, 8)


def test_published_open_chain_qfim_is_the_shifted_loop_not_the_model(monkeypatch):
    """A published supp2 spectrum (open n = 4, p = 6, point 0) is 1/4 of the QFIM whose ZZ columns run
    along d/dzz + d/dx0 (the authors' shift loop); the model's own QFIM there has the orbit rank 8."""
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "replication"))
    spec = importlib.util.spec_from_file_location("open_chain_qfim", ROOT / "docs/replication/open_chain_qfim.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    row = next(r for r in _read("spectra.csv.gz") if (r["experiment"], r["model"], r["layers"], r["sample"])
               == ("supp2", "tfim-open", "6", "0"))
    published = np.array([float(v) for v in row["eigenvalues"].split(";")])
    theta = check.authors_point("0", 6)
    authors, exact = check.open_chain_matrices(4, 6, theta)
    assert np.abs(np.linalg.eigvalsh(authors) - published).max() < 1e-5 * published.max()
    assert (check.rank(authors), check.rank(exact)) == (12, 8)
    # the exact columns are the project's own QFIM of the paper's model
    from overparam.ansatze.registry import build_ansatz
    from overparam.geometry.qfim import qfim

    own = qfim(build_ansatz("tfim-hva", 4, 6, {"boundary": "open"}), theta, backend="cirq")
    assert np.allclose(exact, own, atol=1e-10)
