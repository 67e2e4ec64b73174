"""Generators of a Cirq ansatz, moved into one common frame (Heisenberg picture).

Write the circuit as ``U = A_T ... A_1`` with each ``A`` either a fixed gate ``F`` or a rotation
``exp(-i s G) V`` (``V`` fixed, commuting with ``G``; see :mod:`overparam.sim.generators`). With ``K``
the product of the fixed gates met so far, ``exp(-i s G) K = K exp(-i s K^dag G K)``, so every
rotation can be pushed to the input side of all fixed gates: ``U = K_final * prod exp(-i s G')``
with ``G' = K^dag G K``. ``K_final`` acts after everything and changes neither the Lie algebra nor
the orbit's dimension, so the frame is "the state before the circuit". Gates sharing a symbol add
their ``G'`` (the QNN's derivative with respect to that symbol is the sum).

For Clifford ``F`` the map ``P -> K^dag P K`` sends Pauli strings to signed Pauli strings, tracked
by a tableau (the images of every ``X_q`` and ``Z_q``), so the generators stay exact integer Pauli
sums for any ``n``. Fixed gates after which no parametrized gate touches their qubits (directly or
through later gates) are dropped first: they commute to the end (e.g. the target unitary and the
inverse Bell layer of the compiling circuit). Leading fixed gates prepare the input state; if they
are Clifford and the input is ``|0...0>``, the input in the frame is ``|0...0>`` (a stabilizer
state, used by :mod:`overparam.lie.orbit`). A non-Clifford leading segment becomes a dense input
state; a non-Clifford gate between rotations forces the dense fallback (small ``n`` only).
"""

from __future__ import annotations

import dataclasses
import itertools
from functools import reduce
from typing import Sequence

import cirq
import numpy as np
import sympy

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.lie import pauli as pl
from overparam.sim.generators import normalize_circuit, operation_generator

# Dense fallbacks work with 2^n x 2^n matrices (closure) or 2^n vectors (orbit).
DENSE_MAX_QUBITS = 6
DENSE_STATE_MAX_QUBITS = 14
_PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


@dataclasses.dataclass(frozen=True)
class FrameGenerators:
    """Per-symbol generators in the frame of the state before the circuit.

    Exact mode (``dense is None``): ``generators`` are primitive integer Pauli sums (one per symbol
    whose generator is non-zero, in ``symbols`` order). ``input_states`` is ``None`` when the input
    in the frame is ``|0...0>``, else the dense input vectors. Dense mode: ``dense`` holds Hermitian
    matrices instead, with ``reason`` saying which gate forced it.
    """

    n: int
    symbols: tuple[sympy.Symbol, ...]
    generators: tuple[pl.PauliSum, ...]
    input_states: tuple[np.ndarray, ...] | None
    dense: tuple[np.ndarray, ...] | None = None
    reason: str = ""


class Tableau:
    """The Clifford conjugation ``P -> K^dag P K`` as images of the ``X_q`` and ``Z_q``."""

    def __init__(self, n: int) -> None:
        self.n = n
        w = pl.n_words(n)
        self.images = np.zeros((2 * n, 2 * w), dtype=np.uint64)
        self.signs = np.ones(2 * n, dtype=np.int64)
        for q in range(n):
            self.images[q, q // 64] = np.uint64(1) << np.uint64(q % 64)  # X_q
            self.images[n + q, w + q // 64] = np.uint64(1) << np.uint64(q % 64)  # Z_q

    def conjugate(self, string: np.ndarray) -> tuple[int, np.ndarray]:
        """``K^dag P K = sign * P'`` for a packed Hermitian string ``P``: returns ``(sign, P')``."""
        n, w = self.n, len(string) // 2
        xs = [q for q in range(n) if (int(string[q // 64]) >> (q % 64)) & 1]
        zs = [q for q in range(n) if (int(string[w + q // 64]) >> (q % 64)) & 1]
        # P = i^{|x&z|} (prod X_q^{x_q}) (prod Z_q^{z_q}); multiply the images in that order.
        phase = len(set(xs) & set(zs))
        acc = np.zeros(2 * w, dtype=np.uint64)
        for idx in [q for q in xs] + [n + q for q in zs]:
            e, acc = pl.product_phase(acc[None, :], self.images[idx][None, :])
            acc = acc[0]
            phase += int(e[0]) + (0 if self.signs[idx] > 0 else 2)
        phase %= 4
        if phase % 2:  # pragma: no cover - a Clifford image of a Hermitian string is Hermitian
            raise AssertionError("non-Hermitian image under Clifford conjugation")
        return (1 if phase == 0 else -1), acc

    def apply_gate(self, local_images: dict[tuple[int, str], tuple[int, str]], qubit_index: Sequence[int]) -> None:
        """Append a Clifford gate ``F`` (``K <- F K``), given ``F^dag P_q F`` for its own qubits.

        ``local_images[(j, 'X' or 'Z')] = (sign, label)``: the image of ``X`` or ``Z`` on the gate's
        ``j``-th qubit as a signed Pauli label over the gate's qubits.
        """
        n = self.n
        new = {}
        for (j, axis), (sign, label) in local_images.items():
            full = ["I"] * n
            for k, lab in enumerate(label):
                full[qubit_index[k]] = lab
            s, img = self.conjugate(pl.encode("".join(full)))
            row = qubit_index[j] + (0 if axis == "X" else n)
            new[row] = (s * sign, img)
        for row, (s, img) in new.items():
            self.images[row] = img
            self.signs[row] = s


def clifford_images(unitary: np.ndarray) -> dict[tuple[int, str], tuple[int, str]] | None:
    """``F^dag X_j F`` and ``F^dag Z_j F`` as signed Pauli labels, or ``None`` if ``F`` is not Clifford."""
    k = int(round(np.log2(unitary.shape[0])))
    labels = ["".join(t) for t in itertools.product("IXYZ", repeat=k)]
    mats = {lab: reduce(np.kron, (_PAULI[c] for c in lab)) for lab in labels}
    out = {}
    for j in range(k):
        for axis in "XZ":
            p = mats["".join(axis if i == j else "I" for i in range(k))]
            m = unitary.conj().T @ p @ unitary
            found = None
            for lab in labels:
                c = np.trace(mats[lab] @ m) / 2**k
                if abs(c) > 1e-6:
                    if found is not None or abs(abs(c) - 1) > 1e-8 or abs(c.imag) > 1e-8:
                        return None
                    found = (1 if c.real > 0 else -1, lab)
            if found is None:  # pragma: no cover - a unitary conjugate of a Pauli is non-zero
                return None
            out[(j, axis)] = found
    return out


def _is_identity(u: np.ndarray) -> bool:
    return abs(abs(np.trace(u)) - u.shape[0]) < 1e-9


def _flatten(circuit: cirq.Circuit) -> list[cirq.Operation]:
    return [op for moment in circuit for op in moment]


def _drop_trailing(ops: list[cirq.Operation]) -> list[cirq.Operation]:
    """Remove fixed gates that commute to the end: no kept later gate shares a qubit with them."""
    live: set[cirq.Qid] = set()
    kept = []
    for op in reversed(ops):
        if cirq.is_parameterized(op) or live.intersection(op.qubits):
            kept.append(op)
            live.update(op.qubits)
    return kept[::-1]


def _fixed_unitary(op: cirq.Operation) -> np.ndarray:
    if not cirq.has_unitary(op):
        raise BadInput(f"gate {op} has no unitary; expected a unitary circuit")
    return cirq.unitary(op)


# A local generator: (coefficient, ((position of the qubit within the gate, 'X'|'Y'|'Z'), ...)).
LocalTerms = tuple[tuple[float, tuple[tuple[int, str], ...]], ...]
_PLACEHOLDER = sympy.Symbol("_overparam_angle")
_ROTATIONS: dict[tuple, tuple[LocalTerms, np.ndarray]] = {}


def _local_terms(gen: cirq.PauliSum, qubits: Sequence[cirq.Qid]) -> LocalTerms:
    pos = {q: i for i, q in enumerate(qubits)}
    out = []
    for term in gen:
        coeff = complex(term.coefficient)
        if abs(coeff.imag) > 1e-9:
            raise BadInput(f"generator {gen} is not Hermitian; expected exp(-i s P) for a Pauli sum P")
        out.append((coeff.real, tuple(sorted((pos[q], str(p)) for q, p in term.items()))))
    return tuple(out)


def _rotation_parts(op: cirq.Operation) -> tuple[sympy.Symbol, LocalTerms, np.ndarray]:
    """``(symbol, generator on the op's qubits, fixed part V)`` of a rotation ``exp(-i s G) V``.

    Cached per gate with its symbol renamed, so the layers of a deep circuit cost one analysis.
    """
    syms = cirq.parameter_symbols(op)
    key = None
    if op.gate is not None and len(syms) == 1 and not isinstance(op, cirq.PauliStringPhasor):
        (sym,) = syms
        try:
            key = (cirq.resolve_parameters(op.gate, {sym: _PLACEHOLDER}), len(op.qubits))
            hit = _ROTATIONS.get(key)
        except TypeError:  # an unhashable gate: analyse it every time
            key, hit = None, None
        if hit is not None:
            return sym, hit[0], hit[1]
    sym, gen = operation_generator(op)
    fixed = cirq.unitary(cirq.resolve_parameters(op, {sym: 0.0}))
    terms = _local_terms(gen, op.qubits)
    if key is not None:
        _ROTATIONS[key] = (terms, fixed)
    return sym, terms, fixed


def frame_generators(ansatz: Ansatz, allow_dense: bool = True) -> FrameGenerators:
    """The ansatz's generators in the frame of its input state (exact where the gates allow).

    Raises BadInput for unsupported gates, and for a non-Clifford gate between rotations when
    ``n`` exceeds :data:`DENSE_MAX_QUBITS` (or ``allow_dense`` is false).
    """
    qubits = tuple(ansatz.qubits)
    n = len(qubits)
    index = {q: i for i, q in enumerate(qubits)}
    ops = _drop_trailing(_flatten(normalize_circuit(ansatz.circuit)))
    first_rot = next((i for i, op in enumerate(ops) if cirq.is_parameterized(op)), len(ops))
    prep, body = ops[:first_rot], ops[first_rot:]
    tab = Tableau(n)
    states = ansatz.input_states
    # Leading fixed gates: into the tableau if all are Clifford, else into the input state.
    prep_images = [clifford_images(_fixed_unitary(op)) for op in prep]
    if all(img is not None for img in prep_images):
        for op, img in zip(prep, prep_images):
            tab.apply_gate(img, [index[q] for q in op.qubits])
    else:
        states = _prepared_states(prep, qubits, ansatz.input_states)
    accum: dict[sympy.Symbol, dict[bytes, list]] = {s: {} for s in ansatz.symbols}
    for op in body:
        if cirq.is_parameterized(op):
            sym, terms, fixed = _rotation_parts(op)
            mapping = [index[q] for q in op.qubits]
            if not _is_identity(fixed):
                img = clifford_images(fixed)
                if img is None:
                    return _dense_or_fail(ansatz, allow_dense, f"the fixed part of gate {op} is not Clifford")
                tab.apply_gate(img, mapping)
            _accumulate(accum[sym], terms, mapping, tab)
            continue
        img = clifford_images(_fixed_unitary(op)) if len(op.qubits) <= 4 else None
        if img is None:
            return _dense_or_fail(ansatz, allow_dense, f"fixed gate {op} between rotations is not Clifford")
        tab.apply_gate(img, [index[q] for q in op.qubits])
    gens, syms = [], []
    for sym in ansatz.symbols:
        terms = accum[sym]
        if not terms:
            continue
        strings = np.stack([v[0] for v in terms.values()])
        try:
            ps = pl.from_fraction_terms(strings, [v[1] for v in terms.values()])
        except ValueError:
            return _dense_or_fail(ansatz, allow_dense, f"the generator of symbol {sym} has irrational coefficient ratios")
        if ps.n_terms:
            gens.append(ps)
            syms.append(sym)
    return FrameGenerators(n, tuple(syms), tuple(gens), states)


def _accumulate(acc: dict[bytes, list], terms: LocalTerms, mapping: Sequence[int], tab: Tableau) -> None:
    """Add the frame image ``K^dag G K`` of a local generator to a symbol's accumulator."""
    n = tab.n
    for coeff, paulis in terms:
        label = ["I"] * n
        for pos, p in paulis:
            label[mapping[pos]] = p
        sign, img = tab.conjugate(pl.encode("".join(label)))
        entry = acc.setdefault(img.tobytes(), [img, 0.0])
        entry[1] += sign * coeff


def pauli_sum_from_cirq(psum: cirq.PauliSum, qubits: Sequence[cirq.Qid]) -> pl.PauliSum:
    """A Hermitian ``cirq.PauliSum`` as a primitive integer :class:`~overparam.lie.pauli.PauliSum`.

    Raises BadInput if a coefficient is not real (not Hermitian) or the coefficient ratios are not
    rational (the exact engine keeps the ratios between the terms of one generator exactly).
    """
    acc: dict[bytes, list] = {}
    tab = Tableau(len(qubits))
    for q in psum.qubits:
        if q not in qubits:
            raise BadInput(f"Pauli sum acts on qubit {q}, which is not among the {len(qubits)} qubits given")
    _accumulate(acc, _local_terms(psum, list(qubits)), list(range(len(qubits))), tab)
    if not acc:
        return pl.from_terms(np.zeros((0, 2 * pl.n_words(len(qubits))), dtype=np.uint64), np.zeros(0, np.int64))
    try:
        return pl.from_fraction_terms(np.stack([v[0] for v in acc.values()]), [v[1] for v in acc.values()])
    except ValueError as err:
        raise BadInput(f"Pauli sum {psum}: {err}; expected rational ratios between its coefficients") from err


def _prepared_states(
    prep: list[cirq.Operation], qubits: Sequence[cirq.Qid], inputs: tuple[np.ndarray, ...] | None
) -> tuple[np.ndarray, ...]:
    n = len(qubits)
    if n > DENSE_STATE_MAX_QUBITS:
        raise BadInput(
            f"the input state is prepared by non-Clifford gates; the orbit needs a state vector, "
            f"supported up to n = {DENSE_STATE_MAX_QUBITS} qubits (got {n})"
        )
    circuit = cirq.Circuit(prep)
    starts = inputs if inputs is not None else (None,)
    out = []
    for s in starts:
        init = np.zeros(2**n, dtype=np.complex128) if s is None else np.asarray(s, dtype=np.complex128)
        if s is None:
            init[0] = 1.0
        out.append(cirq.final_state_vector(circuit, initial_state=init, qubit_order=list(qubits), dtype=np.complex128))
    return tuple(out)


def _dense_or_fail(ansatz: Ansatz, allow_dense: bool, reason: str) -> FrameGenerators:
    n = ansatz.n_qubits
    if not allow_dense or n > DENSE_MAX_QUBITS:
        raise BadInput(
            f"{reason}: exact Lie algebra needs Clifford fixed gates between rotations; the dense "
            f"fallback is limited to n <= {DENSE_MAX_QUBITS} qubits (got {n})"
        )
    return dense_frame_generators(ansatz, reason)


def dense_frame_generators(ansatz: Ansatz, reason: str = "dense requested") -> FrameGenerators:
    """Per-symbol Hermitian generators ``K^dag G K`` as dense matrices (prefix unitaries at s = 0).

    At ``s = 0`` every rotation is its fixed part, so the running product of the ops resolved at
    zero is exactly the ``K`` of the module docstring.
    """
    qubits = list(ansatz.qubits)
    n = len(qubits)
    dim = 2**n
    k = np.eye(dim, dtype=np.complex128)
    zero = {s: 0.0 for s in ansatz.symbols}
    acc: dict[sympy.Symbol, np.ndarray] = {}
    for op in _flatten(normalize_circuit(ansatz.circuit)):
        if cirq.is_parameterized(op):
            sym, gen = operation_generator(op)
            g = gen.matrix(qubits) if len(gen) else np.zeros((dim, dim), dtype=np.complex128)
            acc[sym] = acc.get(sym, 0) + k.conj().T @ g @ k
        step = cirq.Circuit(cirq.resolve_parameters(op, zero)).unitary(qubit_order=qubits, qubits_that_should_be_present=qubits)
        k = step @ k
    syms = tuple(s for s in ansatz.symbols if s in acc and np.abs(acc[s]).max() > 1e-12)
    states = ansatz.input_states
    if states is None:
        zero_state = np.zeros(dim, dtype=np.complex128)
        zero_state[0] = 1.0
        states = (zero_state,)
    return FrameGenerators(n, syms, (), tuple(states), tuple(acc[s] for s in syms), reason)
