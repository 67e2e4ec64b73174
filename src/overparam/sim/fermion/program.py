"""Compile an ansatz's Cirq circuit into a free-fermion program, or say what breaks it.

The circuit is read once (the same parametrized operations and generators the state-vector engine
and the Lie engine read, :mod:`overparam.sim.generators`); nothing is typed in per model:

* fixed single-qubit gates on qubits that no rotation has touched yet prepare a product input
  state (the Hadamards of the TFIM ansatz, the X gates of a Neel state); its Majorana covariance is
  computed in ``O(n^2)`` and must be that of a pure Gaussian state (``M M^T = 1``);
* every parametrized gate ``exp(-i s G)`` must have a generator whose Pauli terms are Majorana
  bilinears (or parity bilinears, in the parity sector of the input state);
* the loss must be the expectation value of such a quadratic operator (plus a constant).

Consecutive gates with one shared symbol on disjoint Majorana supports commute, so they form one
*group*: one orthogonal rotation ``R = expm(theta A)`` of ``SO(2n)``. When every Majorana of a
group appears in at most one of its pairs (all the TFIM and XY layers) ``R`` is a product of
disjoint ``2 x 2`` rotations; otherwise the group keeps an orthogonal basis ``O`` from the real
Schur form, ``A = O A' O^T`` with ``A'`` of that pair form.

The six Jordan-Wigner frames (which Pauli axis is the string) are tried in turn; the first in
which everything is quadratic wins. When none is, the error names the gate or loss term that
stopped the frame that got furthest.
"""

from __future__ import annotations

import dataclasses
import itertools
import weakref
from typing import Sequence

import cirq
import numpy as np
import scipy.linalg
import sympy

from overparam.ansatze.base import Ansatz, EnergyLoss, ZeroProjectorLoss
from overparam.errors import BadInput
from overparam.sim.fermion.majorana import (
    Frame,
    add_bilinear,
    dense_covariance,
    frames,
    pair_form,
    product_covariance,
    read_term,
)
from overparam.sim.generators import normalize_circuit, operation_generator

_PLACEHOLDER = sympy.Symbol("__fermion_placeholder__")
# A zero-projector loss on k qubits expands into 2^k Pauli strings; beyond this it is refused.
MAX_PROJECTOR_QUBITS = 12
GAUSSIAN_ATOL = 1e-9


class NotFreeFermion(BadInput):
    """The circuit, its input or its loss is not free-fermionic (the message names what breaks it)."""


@dataclasses.dataclass(frozen=True, eq=False)
class Group:
    """``R = expm(theta_param A)`` with ``A = O A' O^T``, ``A'`` in pair form ``(partner, coef)``."""

    param: int
    partner: np.ndarray  # (2n,) int
    coef: np.ndarray  # (2n,)
    basis: np.ndarray | None  # (2n, 2n) orthogonal O, None for the identity

    def matrix(self) -> np.ndarray:
        """The dense antisymmetric ``A`` (for tests and the dense route)."""
        d = len(self.partner)
        a = np.zeros((d, d))
        a[np.arange(d), self.partner] = self.coef
        a[np.arange(d), np.arange(d)] = 0.0
        return a if self.basis is None else self.basis @ a @ self.basis.T


@dataclasses.dataclass(frozen=True, eq=False)
class FermionProgram:
    """A circuit compiled to rotations of the ``2n x 2n`` Majorana covariance matrix.

    The loss is ``(1/4) sum_uv loss_matrix_uv M_uv + loss_constant`` for the final covariance ``M``.
    """

    n_qubits: int
    n_params: int
    frame: Frame
    sector: int | None
    covariance: np.ndarray  # (2n, 2n) input covariance
    groups: tuple[Group, ...]
    loss_matrix: np.ndarray | None
    loss_constant: float

    @property
    def dense(self) -> bool:
        """True when some group needs its Schur basis (not a product of disjoint 2 x 2 rotations)."""
        return any(g.basis is not None for g in self.groups)


@dataclasses.dataclass
class _Failure:
    position: float
    message: str


def _pauli_terms(psum: cirq.PauliSum, index: dict) -> list[tuple[dict[int, str], complex]]:
    out = []
    for ps in psum:
        out.append(({index[q]: str(p) for q, p in ps.items()}, complex(ps.coefficient)))
    return out


def _format(string: dict[int, str], qubits: Sequence[cirq.Qid]) -> str:
    if not string:
        return "I"
    return "*".join(f"{p}({qubits[q]})" for q, p in sorted(string.items()))


def _is_scalar(u: np.ndarray) -> bool:
    return bool(np.allclose(u, u[0, 0] * np.eye(len(u)), atol=1e-12))


def _loss_terms(ansatz: Ansatz, index: dict) -> tuple[list[tuple[dict[int, str], complex]], float]:
    """Pauli terms of the loss operator and the constant subtracted from its expectation value."""
    loss = ansatz.loss
    if isinstance(loss, EnergyLoss):
        return _pauli_terms(loss.observable, index), float(loss.offset)
    if isinstance(loss, ZeroProjectorLoss):
        qs = [index[q] for q in loss.qubits]
        if len(qs) > MAX_PROJECTOR_QUBITS:
            raise NotFreeFermion(
                f"the loss 1 - P(all {len(qs)} qubits in |0>) is a product of {len(qs)} projectors, not a "
                "Majorana bilinear; the fermion backend needs a quadratic loss"
            )
        # 1 - prod (1 + Z_q)/2 = 1 - 2^-k sum over subsets S of prod_{q in S} Z_q.
        terms: list[tuple[dict[int, str], complex]] = [({}, 1.0)]
        for k in range(len(qs) + 1):
            for subset in itertools.combinations(qs, k):
                terms.append(({q: "Z" for q in subset}, -(0.5 ** len(qs))))
        return terms, 0.0
    raise NotFreeFermion("this ansatz has no loss; expected an EnergyLoss or a ZeroProjectorLoss")


# Gates fully described by their type, qubits, global shift and exponent: keyed without printing.
_SIMPLE_GATES = (
    cirq.XPowGate, cirq.YPowGate, cirq.ZPowGate, cirq.Rx, cirq.Ry, cirq.Rz,
    cirq.XXPowGate, cirq.YYPowGate, cirq.ZZPowGate, cirq.ISwapPowGate, cirq.CZPowGate,
)


def _linear_exponent(expr) -> tuple[str, float, float] | None:
    """``(name, a, b)`` for an exponent ``a * symbol + b``, or None."""
    expr = sympy.sympify(expr)
    free = expr.free_symbols
    if len(free) != 1:
        return None
    (sym,) = free
    offset, linear = expr.as_independent(sym, as_Add=True)
    slope, rest = linear.as_independent(sym, as_Add=False)
    if rest != sym:
        return None
    return sym.name, float(slope), float(offset)


def _operation_key(op: cirq.Operation, exponents: dict) -> tuple[str | None, tuple | None]:
    """The symbol name of a parametrized rotation of the common kinds, and a key equal for operations
    that differ only by that name; ``(None, None)`` for anything else.

    Layers repeat the same operations with other symbols, so each distinct one is analysed once. The
    key is built from the exponent's coefficients (memoised per exponent in ``exponents``), without
    sympy printing: the circuit of a 50-qubit ansatz with 2500 layers has 2.5 10^5 operations.
    """
    gate = op.gate
    if type(gate) not in _SIMPLE_GATES or not isinstance(gate.exponent, sympy.Basic):
        return None, None
    found = exponents.get(gate.exponent, False)
    if found is False:
        found = exponents[gate.exponent] = _linear_exponent(gate.exponent)
    if found is None:
        return None, None
    name, slope, offset = found
    return name, (type(gate), op.qubits, float(gate.global_shift), slope, offset)


class _Reader:
    """Pass 1 over the circuit: the product-state preparation and the rotations, frame-independent."""

    def __init__(self, ansatz: Ansatz) -> None:
        self.ansatz = ansatz
        self.qubits = ansatz.qubits
        self.n = len(ansatz.qubits)
        self.index = {q: i for i, q in enumerate(ansatz.qubits)}
        self.by_name = {s.name: j for j, s in enumerate(ansatz.symbols)}
        circuit = normalize_circuit(ansatz.circuit)
        missing = circuit.all_qubits() - set(self.index)
        if missing:
            raise BadInput(f"circuit acts on qubits {sorted(missing)} outside the ansatz's qubit order")
        self.prep = np.tile(np.eye(2, dtype=complex), (self.n, 1, 1))
        # (position, operation, parameter index or None for a fixed gate that breaks Gaussianity,
        #  Pauli terms of the generator, whether the fixed part V is a phase)
        self.rotations: list[tuple[int, cirq.Operation, int | None, list, bool]] = []
        touched: set[int] = set()
        cache: dict[str, tuple[list, bool]] = {}
        self.n_operations = 0
        exponents: dict = {}
        for pos, op in enumerate(circuit.all_operations()):
            self.n_operations = pos + 1
            qs = [self.index[q] for q in op.qubits]
            name, key = _operation_key(op, exponents)
            if name is None:
                names = cirq.parameter_names(op)
                if not names:
                    u = cirq.unitary(op)
                    if len(qs) == 1 and qs[0] not in touched:
                        self.prep[qs[0]] = u @ self.prep[qs[0]]
                    elif not _is_scalar(u):
                        self.rotations.append((pos, op, None, [], False))
                    continue
                if len(names) != 1:
                    raise BadInput(f"gate {op} depends on {sorted(names)}; expected exactly one of the ansatz's symbols")
                name = next(iter(names))
                key = ("repr", repr(cirq.resolve_parameters(op, {name: _PLACEHOLDER})))
            if name not in self.by_name:
                raise BadInput(f"gate {op} depends on {name!r}; expected one of the ansatz's symbols")
            if key not in cache:
                canonical = cirq.resolve_parameters(op, {name: _PLACEHOLDER})
                sym, psum = operation_generator(canonical)
                v = cirq.unitary(cirq.resolve_parameters(canonical, {sym: 0.0}))
                cache[key] = (_pauli_terms(psum, self.index), _is_scalar(v))
            terms, v_ok = cache[key]
            touched.update(qs)
            self.rotations.append((pos, op, self.by_name[name], terms, v_ok))

    def input_covariance(self, frame: Frame) -> tuple[np.ndarray, complex]:
        states = self.ansatz.input_states
        if states is None:
            return product_covariance(frame, self.prep[:, :, 0])
        psi = np.asarray(states[0], dtype=complex).reshape((2,) * self.n)
        for q in range(self.n):
            psi = np.moveaxis(np.tensordot(self.prep[q], psi, axes=([1], [q])), 0, q)
        return dense_covariance(frame, psi.reshape(-1))


def _close_group(entries: dict[tuple[int, int], float], param: int, d: int) -> Group | None:
    used = [x for uv in entries for x in uv]
    if not entries or all(abs(v) == 0 for v in entries.values()):
        return None
    if len(used) == len(set(used)):
        partner = np.arange(d)
        coef = np.zeros(d)
        for (u, v), val in entries.items():
            partner[u], partner[v] = v, u
            coef[u], coef[v] = val, -val
        return Group(param, partner, coef, None)
    a = np.zeros((d, d))
    for (u, v), val in entries.items():
        a[u, v] += val
        a[v, u] -= val
    t, o = scipy.linalg.schur(a, output="real")
    t = np.where(np.abs(t) > 1e-12 * max(1.0, np.max(np.abs(t))), t, 0.0)
    t = 0.5 * (t - t.T)
    found = pair_form(t)
    if found is None or not np.allclose(o @ t @ o.T, a, atol=1e-10):
        raise BadInput("internal error: the real Schur form of a group generator is not block diagonal")
    return Group(param, found[0], found[1], o)


def _compile_frame(reader: _Reader, frame: Frame, loss_terms, offset: float) -> FermionProgram | _Failure:
    n, d = reader.n, 2 * reader.n
    cov, parity = reader.input_covariance(frame)
    if np.max(np.abs(cov.imag)) > GAUSSIAN_ATOL or not np.allclose(cov.real @ cov.real.T, np.eye(d), atol=GAUSSIAN_ATOL):
        # Ordered as in the circuit: a fixed entangling gate ahead of the first rotation is named first.
        first = reader.rotations[0] if reader.rotations else None
        if first is not None and first[2] is None:
            return _Failure(first[0], f"fixed gate {first[1]} is not a single-qubit preparation gate or a phase; "
                                      "the fermion backend accepts fixed single-qubit gates only as input-state preparation")
        position = first[0] - 0.5 if first is not None else reader.n_operations
        return _Failure(position, "the input state (|0...0> and the fixed single-qubit gates ahead of the rotations) "
                                  "is not a pure fermionic Gaussian state in any Jordan-Wigner frame")
    cov = cov.real
    sector = int(round(parity.real)) if abs(abs(parity) - 1.0) < GAUSSIAN_ATOL else None
    groups: list[Group] = []
    entries: dict[tuple[int, int], float] = {}
    support: set[int] = set()
    current: int | None = None
    entries_of: dict[int, dict[tuple[int, int], float] | None] = {}
    for pos, op, param, terms, v_ok in reader.rotations:
        if param is None:
            return _Failure(pos, f"fixed gate {op} acts after a rotation on its qubits and is not a phase; the "
                                 "fermion backend accepts fixed single-qubit gates only as input-state preparation")
        if not v_ok:
            return _Failure(pos, f"gate {op} is exp(-i s G) V with a fixed V that is not a phase; the fermion "
                                 "backend needs pure rotations")
        # Operations sharing a generator (the same list object from the reader's cache) are read once.
        op_entries = entries_of.get(id(terms))
        if op_entries is None:
            op_entries = {}
            for string, coefficient in terms:
                term = read_term(frame, string, coefficient, sector)
                if term is None:
                    return _Failure(pos, f"gate {op} has the generator term {_format(string, reader.qubits)}, which "
                                         "is not a Majorana bilinear; the fermion backend needs matchgate circuits")
                op_entries[(term.u, term.v)] = op_entries.get((term.u, term.v), 0.0) + 2.0 * term.t
            entries_of[id(terms)] = op_entries
        op_support = {x for uv in op_entries for x in uv}
        if current != param or op_support & support:
            if current is not None:
                grp = _close_group(entries, current, d)
                if grp is not None:
                    groups.append(grp)
            entries, support, current = {}, set(), param
        for uv, val in op_entries.items():
            entries[uv] = entries.get(uv, 0.0) + val
        support |= op_support
    if current is not None:
        grp = _close_group(entries, current, d)
        if grp is not None:
            groups.append(grp)
    loss_matrix = None
    constant = -offset
    if loss_terms is not None:
        loss_matrix = np.zeros((d, d))
        for k, (string, coefficient) in enumerate(loss_terms):
            if not string:
                constant += float(np.real(coefficient))
                continue
            term = read_term(frame, string, coefficient, sector)
            if term is None:
                return _Failure(reader.n_operations + k, f"the loss term {_format(string, reader.qubits)} is not a "
                                                         "Majorana bilinear (quartic or higher); the fermion backend "
                                                         "needs a quadratic loss")
            add_bilinear(loss_matrix, term)
    return FermionProgram(n, reader.ansatz.n_params, frame, sector, cov, tuple(groups), loss_matrix, constant)


# The last ansatz compiled (by identity) and its program: choosing a backend and then building the
# engine read the circuit once, not twice (a 50-qubit ansatz of 2500 layers has 10^5 operations).
_LAST: list = [None, None]


def compile_fermion(ansatz: Ansatz) -> FermionProgram:
    """Compile ``ansatz`` for the free-fermion backend; raise :class:`NotFreeFermion` naming what breaks it.

    Cheap compared with any simulation (one pass over the circuit per frame tried), so callers
    check before computing.
    """
    ref, program = _LAST
    if ref is not None and ref() is ansatz:
        return program
    program = _compile(ansatz)
    _LAST[:] = [weakref.ref(ansatz), program]
    return program


def _compile(ansatz: Ansatz) -> FermionProgram:
    states = ansatz.input_states
    if states is not None and len(states) > 1:
        raise NotFreeFermion(
            f"ansatz {ansatz.name!r} averages its loss over {len(states)} input states (a mixed input); the "
            "fermion backend needs one pure Gaussian input state"
        )
    reader = _Reader(ansatz)
    loss_terms, offset = (None, 0.0) if ansatz.loss is None else _loss_terms(ansatz, reader.index)
    furthest: _Failure | None = None
    for frame in frames(reader.n):
        result = _compile_frame(reader, frame, loss_terms, offset)
        if isinstance(result, FermionProgram):
            return result
        if furthest is None or result.position > furthest.position:
            furthest = result
    assert furthest is not None
    raise NotFreeFermion(f"ansatz {ansatz.name!r} is not free-fermionic: {furthest.message}")


def free_fermion_reason(ansatz: Ansatz) -> str | None:
    """None when ``ansatz`` compiles for the fermion backend, else the one-line reason it does not."""
    try:
        compile_fermion(ansatz)
    except NotFreeFermion as err:
        return str(err)
    return None
