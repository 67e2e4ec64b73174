import sys
import textwrap

import cirq
import numpy as np
import pytest
import scipy.linalg

from overparam.ansatze import build_ansatz, parse_options, registered
from overparam.errors import BadInput
from overparam.hamiltonians import pauli_sum_sparse, sum_paulis, zz_bonds


@pytest.mark.parametrize("boundary", ["periodic", "open"])
def test_tfim_hva_unitary_matches_independent_construction(boundary, rng):
    n, p = 4, 3
    a = build_ansatz("tfim-hva", n, p, {"boundary": boundary})
    assert a.n_params == 2 * p
    assert [s.name for s in a.symbols] == [f"{k}_{l}" for l in range(p) for k in ("zz", "x")]
    x = rng.uniform(0, np.pi, a.n_params)
    qubits = a.qubits
    hzz = pauli_sum_sparse(zz_bonds(qubits, boundary), qubits).toarray()
    hx = pauli_sum_sparse(sum_paulis(qubits, cirq.X), qubits).toarray()
    had = np.ones((1, 1))
    for _ in range(n):
        had = np.kron(had, np.array([[1, 1], [1, -1]]) / np.sqrt(2))
    u = had
    for layer in range(p):
        u = scipy.linalg.expm(-1j * x[2 * layer] * hzz / 2) @ u
        u = scipy.linalg.expm(-1j * x[2 * layer + 1] * hx / 2) @ u
    got = cirq.unitary(cirq.resolve_parameters(a.circuit, a.resolver(x)))
    np.testing.assert_allclose(got, u, atol=1e-10)


def test_tfim_hva_loss_and_init_range():
    a = build_ansatz("tfim-hva", 6, 2, {"boundary": "open", "g": "1.0"})
    assert a.init_range == (0.0, np.pi)
    assert a.loss.offset < 0
    assert len(a.loss.observable) == 5 + 6


def test_registry_lists_tfim():
    names = [e.name for e in registered()]
    assert "tfim-hva" in names


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="nope", n=4, layers=1, options={}), "unknown ansatz 'nope'"),
        (dict(name="tfim-hva", n=1, layers=1, options={}), "--n 1"),
        (dict(name="tfim-hva", n=4, layers=0, options={}), "--layers 0"),
        (dict(name="tfim-hva", n=4, layers=1, options={"colour": "red"}), "unknown option 'colour'"),
        (dict(name="tfim-hva", n=4, layers=1, options={"boundary": "ring"}), "boundary='ring'"),
        (dict(name="tfim-hva", n=4, layers=1, options={"g": "strong"}), "g='strong'"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(BadInput, match=message):
        build_ansatz(kwargs["name"], kwargs["n"], kwargs["layers"], kwargs["options"])


def test_parse_options_rejects_malformed():
    assert parse_options(["a=1", "b = x"]) == {"a": "1", "b": "x"}
    with pytest.raises(BadInput, match="malformed"):
        parse_options(["novalue"])


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_qnn.py").write_text(
        textwrap.dedent(
            """
            import cirq, sympy

            def ring(n, layers, twist="0"):
                qs = cirq.LineQubit.range(n)
                c = cirq.Circuit()
                for l in range(layers):
                    t = sympy.Symbol(f"t{l}")
                    c.append(cirq.ry(t).on(q) for q in qs)
                    c.append(cirq.CZ(qs[i], qs[(i + 1) % n]) for i in range(n))
                    c.append(cirq.rz(sympy.Symbol(f"z{l}_{i}")).on(q) for i, q in enumerate(qs))
                if twist != "0":
                    raise ValueError("twist must be 0")
                return c

            def broken(n, layers):
                return "not a circuit"

            def fixed(n, layers):
                return cirq.Circuit(cirq.H.on_each(*cirq.LineQubit.range(n)))
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_qnn"
    sys.modules.pop("my_qnn", None)


def test_user_ansatz(user_module):
    a = build_ansatz(f"{user_module}:ring", 3, 2, {})
    assert a.n_params == 2 * (1 + 3)
    assert a.name == "my_qnn:ring"


@pytest.mark.parametrize(
    "spec, options, message",
    [
        ("my_qnn:missing", {}, "has no function 'missing'"),
        ("no_such_module_xyz:f", {}, "cannot import module 'no_such_module_xyz'"),
        ("my_qnn:broken", {}, "returned str"),
        ("my_qnn:fixed", {}, "no free parameters"),
        ("my_qnn:ring", {"bogus": "1"}, "unknown option 'bogus'"),
        ("my_qnn:ring", {"twist": "1"}, "rejected options"),
    ],
)
def test_user_ansatz_bad_input(user_module, spec, options, message):
    with pytest.raises(BadInput, match=message):
        build_ansatz(spec, 3, 1, options)
