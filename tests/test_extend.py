"""A user's ansatz through the whole workflow: the XXZ example, bad user modules, the study DAG."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import cirq
import numpy as np
import pytest
from helpers import TINY_STUDY, copy_repo, env_with_pythonpath, snakemake

ROOT = Path(__file__).resolve().parents[1]
OVERPARAM = [sys.executable, "-m", "overparam"]


@pytest.fixture
def xxz(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples" / "xxz"))
    import xxz_hva

    return xxz_hva


_env = env_with_pythonpath


def _dense_lie_dim(mats: list[np.ndarray]) -> int:
    """Dimension of the real Lie algebra spanned by i*mats under commutators (an independent oracle)."""
    basis: list[np.ndarray] = []

    def add(m: np.ndarray) -> bool:
        v = np.concatenate([m.real.ravel(), m.imag.ravel()])
        for b in basis:
            v = v - (b @ v) * b
        norm = np.linalg.norm(v)
        if norm < 1e-8:
            return False
        basis.append(v / norm)
        return True

    elems = [1j * m for m in mats if add(1j * m)]
    frontier = list(elems)
    while frontier:
        new = []
        for a in frontier:
            for b in list(elems):
                c = a @ b - b @ a
                if add(c):
                    new.append(c)
        elems += new
        frontier = new
    return len(basis)


def test_xxz_example_against_dense_oracles(xxz):
    from overparam.geometry.sweeps import qfim_samples
    from overparam.lie import analyze
    from overparam.sim.generators import symbol_generators

    ansatz = xxz.xxz_hva(4, 3, delta="0.5")
    assert ansatz.n_params == 12  # four shared angles per layer
    qubits = list(ansatz.qubits)
    # The input state (fixed gates before the first rotation) is the singlet product on (0,1), (2,3).
    prep = cirq.Circuit(op for op in ansatz.circuit.all_operations() if not cirq.is_parameterized(op))
    psi = cirq.final_state_vector(prep, qubit_order=qubits, dtype=np.complex128)
    singlet = np.array([0, 1, -1, 0]) / np.sqrt(2)
    assert abs(np.vdot(np.kron(singlet, singlet), psi)) == pytest.approx(1.0, abs=1e-12)
    # Ground energy against dense diagonalisation of the Hamiltonian built from Pauli matrices.
    h = ansatz.loss.observable.matrix(qubits)
    x, y, z, i2 = (np.array(m, dtype=complex) for m in ([[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]], np.eye(2)))

    def two(a, b, i, j):
        ops = [i2] * 4
        ops[i], ops[j] = a, b
        out = ops[0]
        for o in ops[1:]:
            out = np.kron(out, o)
        return out

    ref = sum(two(x, x, i, (i + 1) % 4) + two(y, y, i, (i + 1) % 4) + 0.5 * two(z, z, i, (i + 1) % 4) for i in range(4))
    assert np.allclose(h, ref)
    assert ansatz.loss.offset == pytest.approx(np.linalg.eigvalsh(ref)[0], abs=1e-10)
    # dim g: the exact engine against a dense closure of the per-symbol generators of one layer.
    one = xxz.xxz_hva(4, 1)
    gens = [g.matrix(qubits) for g in symbol_generators(one.circuit).values()]
    result = analyze(one)
    assert result.dim == _dense_lie_dim(gens) == 12
    assert result.orbit_dim == 4
    # The QFIM rank at random points (complex128 simulator) saturates at the orbit dimension.
    assert qfim_samples(ansatz, 2, 0, "cirq")["max_rank"] == result.orbit_dim


def _user_module(tmp_path: Path, body: str) -> Path:
    (tmp_path / "badqnn.py").write_text(textwrap.dedent(body))
    return tmp_path


BAD_MODULES = {
    "raises on import": ("import no_such_dependency\n", "cannot import module 'badqnn'"),
    "not a circuit": ("def f(n, layers):\n    return [1, 2, 3]\n", "returned list; expected a parametrized cirq.Circuit"),
    "unsupported gate": (
        """
        import cirq, sympy
        def f(n, layers):
            s = sympy.Symbol("s")
            return cirq.Circuit(cirq.rx(sympy.sin(s)).on(q) for q in cirq.LineQubit.range(n))
        """,
        "unsupported gate",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_MODULES))
def test_check_ansatz_rejects_bad_user_module(tmp_path, case):
    body, expected = BAD_MODULES[case]
    proc = subprocess.run(
        [*OVERPARAM, "check-ansatz", "badqnn:f", "--n", "4"], env=_env(_user_module(tmp_path, body)),
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "badqnn" in lines[0] and expected in lines[0], proc.stderr


@pytest.mark.slow
def test_check_ansatz_accepts_xxz_and_needs_a_loss_to_train(tmp_path):
    ok = subprocess.run(
        [*OVERPARAM, "check-ansatz", "xxz_hva:xxz_hva", "--n", "6", "--train", "--json"],
        env=_env(ROOT / "examples" / "xxz"), capture_output=True, text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert '"n_params": 4' in ok.stdout and '"loss": "energy"' in ok.stdout
    body = """
    import cirq, sympy
    def f(n, layers):
        return cirq.Circuit(cirq.rx(sympy.Symbol("a")).on(q) for q in cirq.LineQubit.range(n))
    """
    bare = subprocess.run(
        [*OVERPARAM, "check-ansatz", "badqnn:f", "--n", "4", "--train"], env=_env(_user_module(tmp_path, body)),
        capture_output=True, text=True,
    )
    assert bare.returncode == 2 and "defines no loss" in bare.stderr


@pytest.mark.workflow
def test_bad_user_module_stops_workflow_before_dag(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    (repo / "examples" / "xxz" / "broken.py").write_text("raise RuntimeError('boom')\n")
    (repo / "config" / "bad.yaml").write_text(TINY_STUDY.replace("xxz_hva:xxz_hva", "broken:f"))
    proc = snakemake(repo, "-n", "studies", "--configfile", "config/bad.yaml", timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("config error")]
    assert len(errors) == 1 and "module 'broken'" in errors[0] and "boom" in errors[0], proc.stderr[-2000:]


@pytest.mark.workflow
def test_xxz_study_runs_through_snakemake(quick_workflow):
    repo, proc = quick_workflow  # the shared quick run has the tiny XXZ study (tests/helpers.py)
    assert proc.returncode == 0, proc.stderr[-3000:]

    def table(kind):
        with open(repo / f"results/tables/study_xxz_{kind}.csv", newline="") as fh:
            return list(csv.DictReader(fh))

    (dla,) = table("dla")
    assert (dla["dim"], dla["orbit_dim"]) == ("12", "4")
    ranks = {int(r["n_params"]): int(r["max_rank"]) for r in table("qfim")}
    assert ranks == {4: 4, 8: 4}  # saturated at the orbit bound from M = 4 on
    train = table("train")
    assert len(train) == 2 and all(r["orbit_dim"] == "4" for r in train)
    assert all(abs(float(r["final_loss"]) - float(r["qsim_final_loss"])) < 1e-4 for r in train)
    page = (repo / "book/generated/study_xxz.md").read_text()
    assert "| 4 | 12 | 4 | 4 | 4 | reaches the orbit bound |" in page
    assert (repo / "book/generated/figures/study_xxz.png").stat().st_size > 0
    assert (repo / "results/figures/study_xxz.pdf").stat().st_size > 0
    assert "| 4 | 12 | 4 |" in (repo / "book/generated/tutorial_numbers.md").read_text()


def test_check_studies_names_the_key_and_the_module(tmp_path, monkeypatch):
    from overparam.config.checks import ConfigError
    from overparam.config.studies import check_studies

    _user_module(tmp_path, BAD_MODULES["unsupported gate"][0])
    monkeypatch.syspath_prepend(str(tmp_path))
    study = {"model": "mine", "title": "t", "dla": {"sizes": [4]}, "qfim": {"samples": 1, "runs": [{"n": 4, "layers": [1]}]},
             "train": {"runs": 1, "steps": 1, "lr": 0.1, "success_threshold": 1e-4, "sweeps": [{"n": 4, "layers": [1]}]}}
    with pytest.raises(ConfigError, match="studies.s.model: model 'nope' is not defined"):
        check_studies({"models": {}, "studies": {"s": dict(study, model="nope")}})
    with pytest.raises(ConfigError, match=r"studies.s \(model mine, n=4\): ansatz 'badqnn:f' \(module 'badqnn'\): unsupported gate"):
        check_studies({"models": {"mine": {"ansatz": "badqnn:f"}}, "studies": {"s": study}})
    with pytest.raises(ConfigError, match="models.mine: .*module 'badqnn'.*unsupported gate"):
        check_studies({"models": {"mine": {"ansatz": "badqnn:f"}}, "studies": {}})
