"""Beyond the paper: free-fermion ground energies, prefix QFIM ranks, and the beyond table/figure/page."""

from __future__ import annotations

import json

import cirq
import numpy as np
import pytest
import sympy

from overparam.ansatze import build_ansatz
from overparam.ansatze.base import from_circuit
from overparam.freefermion import tfim_ground_energy
from overparam.geometry.prefix import prefix_ranks, prefix_sizes
from overparam.geometry.qfim import qfim
from overparam.hamiltonians import ground_energy, tfim_hamiltonian

PROV = {"git_commit": "x", "config_hash": "y", "packages": {}, "python": "3", "cpu": "c", "gpu": "none"}


@pytest.mark.parametrize("boundary", ["periodic", "open"])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 8, 9])
def test_free_fermion_ground_energy_matches_diagonalisation(boundary, n):
    qubits = cirq.LineQubit.range(n)
    for g in (0.0, 0.4, 1.0, 1.7, -0.8):
        exact = ground_energy(tfim_hamiltonian(qubits, g=g, boundary=boundary), qubits)
        assert tfim_ground_energy(n, g, boundary) == pytest.approx(exact, abs=1e-9), g


def test_free_fermion_known_value_and_large_n():
    # Critical periodic chain: E0 = -2 / sin(pi / (2n)) (antiperiodic fermions, g = 1).
    for n in (10, 40, 200):
        assert tfim_ground_energy(n, 1.0, "periodic") == pytest.approx(-2.0 / np.sin(np.pi / (2 * n)), rel=1e-12)
    a = build_ansatz("tfim-hva", 16, 1, {"boundary": "open"})  # past the sparse limit: free fermions
    assert a.loss.offset == pytest.approx(tfim_ground_energy(16, 1.0, "open"))


def _truncated(ansatz, m):
    """The circuit of the first ``m`` parameters alone (an independent construction of the prefix)."""
    head = set(ansatz.symbols[:m])
    ops = [
        op for op in ansatz.circuit.all_operations()
        if cirq.parameter_symbols(op) <= head and (cirq.parameter_symbols(op) or _before_tail(ansatz, op, m))
    ]
    return from_circuit("prefix", cirq.Circuit(ops), n=ansatz.n, layers=1, qubits=ansatz.qubits,
                        input_states=ansatz.input_states)


def _before_tail(ansatz, op, m):
    tail = set(ansatz.symbols[m:])
    first_tail = min(
        (k for k, mom in enumerate(ansatz.circuit) for o in mom if cirq.parameter_symbols(o) & tail),
        default=len(ansatz.circuit),
    )
    where = next(k for k, mom in enumerate(ansatz.circuit) if op in mom.operations)
    return where < first_tail


@pytest.mark.parametrize(
    "name, n, layers, options",
    [("tfim-hva", 4, 3, {"boundary": "open"}), ("tfim-hva", 5, 2, {"boundary": "periodic"}),
     ("qaqc-hea", 2, 1, {"unitary_seed": "0"})],
)
def test_prefix_blocks_are_the_qfim_of_the_truncated_circuits(name, n, layers, options, rng):
    ansatz = build_ansatz(name, n, layers, options)
    sizes = prefix_sizes(ansatz)
    assert sizes[-1] == ansatz.n_params and len(sizes) >= 4
    x = ansatz.random_parameters(rng, 1)[0]
    full = qfim(ansatz, x, "jax")
    for m in sizes[:-1]:
        short = _truncated(ansatz, m)
        assert short.n_params == m
        direct = qfim(short, x[:m], "cirq")  # another simulator, another circuit
        np.testing.assert_allclose(full[:m, :m], direct, atol=1e-9)


def test_prefix_sizes_refuse_a_circuit_that_does_not_split():
    a, b = sympy.symbols("a b")
    q = cirq.LineQubit.range(2)
    circuit = cirq.Circuit([cirq.rx(a).on(q[0]), cirq.rz(b).on(q[0]), cirq.ry(a).on(q[0]), cirq.rx(b).on(q[1])])
    ansatz = from_circuit("tangled", circuit, n=2, layers=1)
    assert prefix_sizes(ansatz) == [2]  # b acts between the two gates of a


def test_prefix_ranks_saturate_at_the_orbit_bound():
    from overparam.lie import analyze

    ansatz = build_ansatz("tfim-hva", 4, 6, {"boundary": "open"})
    orbit = analyze(ansatz).orbit_dim
    res = prefix_ranks(ansatz, samples=2, seed=1, backend="jax")
    for smp in res["samples"]:
        ranks = [r["rank"] for r in smp["records"]]
        assert ranks == sorted(ranks) and max(ranks) == orbit  # monotone, saturates at the bound
        assert all(r["rank"] <= min(r["n_params"], orbit) for r in smp["records"])
    again = prefix_ranks(ansatz, samples=2, seed=1, backend="jax")
    assert again["samples"][0]["records"][-1]["spectrum"] == res["samples"][0]["records"][-1]["spectrum"]


@pytest.mark.slow
def test_cli_table_figure_page(tmp_path, capsys):
    from overparam.cli import main
    from overparam.report.pages import PAGES
    from overparam.results.beyond import summarize
    from overparam.results.tables import read_csv

    files = []
    for boundary, depth in (("periodic", 4), ("open", 10)):
        label = f"tfim-{boundary}"
        data, dla = tmp_path / f"{label}.json", tmp_path / f"{label}_dla.json"
        assert main(["qfim-prefix", "tfim-hva", "--n", "4", "--layers", str(depth), "--opt", f"boundary={boundary}",
                     "--samples", "2", "--label", label, "--out", str(data), "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert payload["device"].startswith("cpu") and payload["compile_seconds"] > 0
        assert main(["dla", "tfim-hva", "--n", "4", "--opt", f"boundary={boundary}", "--label", label,
                     "--out", str(dla)]) == 0
        files += [str(data), str(dla)]
    table = tmp_path / "beyond.csv"
    assert main(["table", "beyond", *files, "--out", str(table)]) == 0
    rows = read_csv(table)
    assert len(rows) == 2 * (8 + 20)
    summary = {s.model: s for s in summarize(rows)}
    assert summary["tfim-open"].orbit_dim == 8 and summary["tfim-periodic"].orbit_dim == 4
    for s in summary.values():
        assert s.within_bound and s.m_c is not None and s.m_c <= s.max_m and s.top_rank == s.orbit_dim
    assert main(["figure", "beyond", str(table), "--out", str(tmp_path / "beyond")]) == 0
    assert (tmp_path / "beyond.png").stat().st_size > 5000 and (tmp_path / "beyond.pdf").exists()
    page = PAGES["beyond"][0](table, PROV, {})
    assert "figures/beyond.png" in page and "| tfim-open | 4 | 16 | 8 |" in page
