"""supp3: circuit layouts, gate counts, ``overparam circuits``, the table, the drawing and the page."""

import json

import cirq
import pytest
import sympy

from overparam.ansatze import build_ansatz, from_circuit
from overparam.ansatze import registry
from overparam.ansatze.layout import circuit_layout, circuit_summary, default_panels, gate_counts, gate_kind
from overparam.cli.circuits import parse_panel
from overparam.errors import BadInput

PROV = {"git_commit": "x", "config_hash": "y", "packages": {}, "python": "3", "cpu": "c", "gpu": "none"}


@pytest.mark.parametrize("boundary, zz", [("periodic", 8), ("open", 6)])
def test_tfim_summary_counts_and_depth(boundary, zz):
    a = build_ansatz("tfim-hva", 4, 2, {"boundary": boundary})
    s = circuit_summary(a)
    assert s["gate_counts"] == {"H": 4, "Rx": 8, "ZZ": zz}
    assert s["n_params"] == 4 and s["n_qubits"] == 4
    assert s["n_ops"] == 4 + 8 + zz and s["n_multi_qubit"] == zz and s["n_parametrized"] == 8 + zz
    # one moment of Hadamards, then per layer two ZZ moments and one Rx moment
    assert s["depth"] == len(a.circuit) == 7
    layout = s["layout"]
    assert len(layout["moments"]) == s["depth"]
    assert sum(len(m) for m in layout["moments"]) == s["n_ops"]
    zz_ops = [op for m in layout["moments"] for op in m if op["kind"] == "ZZ"]
    assert all(op["exponent"] == "zz_0/π" or op["exponent"] == "zz_1/π" for op in zz_ops)
    assert {tuple(sorted(op["qubits"])) for op in zz_ops} == (
        {(0, 1), (1, 2), (2, 3), (0, 3)} if boundary == "periodic" else {(0, 1), (1, 2), (2, 3)}
    )


def test_gate_kinds_and_wire_symbols_of_mixed_circuit():
    q = cirq.LineQubit.range(3)
    t = sympy.Symbol("t")
    u = cirq.testing.random_unitary(4, random_state=1)
    circuit = cirq.Circuit(
        cirq.H(q[0]) ** 0.5,
        cirq.CNOT(q[2], q[0]),
        cirq.ry(t).on(q[1]),
        cirq.MatrixGate(u, name="U*").on(q[1], q[2]),
        cirq.MatrixGate(u).on(q[0], q[1]),
        cirq.inverse(cirq.H(q[2])),
        cirq.CZ(q[0], q[1]),
    )
    a = from_circuit("mixed", circuit, n=3, layers=1, qubits=q)
    assert gate_counts(a.circuit) == {"2-qubit unitary": 2, "CNOT": 1, "CZ": 1, "H^-1": 1, "H^0.5": 1, "Ry": 1}
    ops = {op["kind"] + str(op["qubits"]): op for m in circuit_layout(a)["moments"] for op in m}
    assert ops["CNOT[2, 0]"]["symbols"] == ["@", "X"]
    assert ops["CZ[0, 1]"]["symbols"] == ["@", "@"]
    assert ops["2-qubit unitary[1, 2]"]["symbols"] == ["U*", "U*"]  # 'U*[1]' suffixes stripped
    # an unnamed matrix gate's symbol is a printed matrix: replaced by the kind
    assert ops["2-qubit unitary[0, 1]"]["symbols"][0] == "2-qubit unitary"
    assert ops["Ry[1]"]["parametrized"] and not ops["CZ[0, 1]"]["parametrized"]
    assert ops["H^0.5[0]"]["exponent"] == "0.5"
    assert gate_kind(cirq.rx(0.3).on(q[0])) == "Rx"


def test_default_panels_cover_every_registered_ansatz():
    names = {e.name for e in registry.registered()}
    panels = default_panels()
    assert {name for name, _, _ in panels} == names
    assert ("tfim-hva", 4, {"boundary": "periodic"}) in panels and ("tfim-hva", 4, {"boundary": "open"}) in panels
    assert panels[0][0] == "tfim-hva"

    # An ansatz without a size of its own is drawn at max(min_n, 3).
    def chain(n, layers):
        qs = cirq.LineQubit.range(n)
        return from_circuit("zz-test-chain", cirq.Circuit(cirq.rx(sympy.Symbol("a")).on_each(*qs)), n=n, layers=layers)

    registry._REGISTRY["zz-test-chain"] = registry.Entry("zz-test-chain", "test only", chain, min_n=2)
    try:
        assert ("zz-test-chain", 3, {}) in default_panels()
    finally:
        registry._REGISTRY.pop("zz-test-chain")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("tfim-hva:4", ("tfim-hva", 4, {})),
        ("tfim-hva:4:boundary=open,g=0.5", ("tfim-hva", 4, {"boundary": "open", "g": "0.5"})),
        ("pkg.mod:func:3", ("pkg.mod:func", 3, {})),
        ("pkg.mod:func:3:a=1", ("pkg.mod:func", 3, {"a": "1"})),
    ],
)
def test_parse_panel(raw, expected):
    assert parse_panel(raw) == expected


@pytest.mark.parametrize("raw", ["tfim-hva", "tfim-hva:four", "tfim-hva:4:=x"])
def test_parse_panel_rejects_malformed(raw):
    with pytest.raises(BadInput):
        parse_panel(raw)


def test_sub_columns_separate_overlapping_spans():
    from overparam.figures.supp3 import _columns

    a = build_ansatz("tfim-hva", 4, 1, {"boundary": "periodic"})
    moments = circuit_layout(a)["moments"]
    # the second ZZ moment holds bonds (1,2) and (3,0): the ring bond spans the other one
    second = next(m for m in moments[2:] if all(op["kind"] == "ZZ" for op in m))
    assert len(second) == 2 and len(_columns(second)) == 2
    first = moments[1]
    assert len(first) == 2 and len(_columns(first)) == 1  # (0,1) and (2,3) share a column


@pytest.mark.slow
def test_cli_table_figure_page(tmp_path, capsys):
    from overparam.cli import main
    from overparam.figures import supp3 as fig
    from overparam.report.pages import PAGES
    from overparam.results.tables import TABLES, read_csv, write_csv

    out = tmp_path / "circuits.json"
    assert main(["circuits", "--layers", "1", "--add", "tfim-hva:3:boundary=open", "--out", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == json.loads(out.read_text())
    n_default = len(default_panels())
    assert len(payload["circuits"]) == n_default + 1
    header, make_rows = TABLES["supp3"]
    table = tmp_path / "supp3.csv"
    write_csv(table, header, make_rows([out]))
    rows = read_csv(table)
    assert [r["ansatz"] for r in rows][-1] == "tfim-hva" and rows[-1]["n"] == "3"
    assert rows[-1]["gate_counts"] == "H=3;Rx=3;ZZ=2"
    assert json.loads(rows[0]["layout"])["qubits"]  # the layout survives the CSV round trip
    paths = fig.draw(table, tmp_path / "supp3")
    assert all(p.stat().st_size > 5000 for p in paths)
    page = PAGES["supp3"][0](table, PROV, {})
    assert page.startswith("# supp3") and "H=3, Rx=3, ZZ=2" in page
    assert page.count("````{dropdown}") == len(rows)


def test_cli_bad_panel_exit_2(capsys):
    from overparam.cli import main

    assert main(["circuits", "--add", "tfim-hva:4:boundary=ring"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ring" in err[0]
