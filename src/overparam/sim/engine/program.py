"""Compile a parametrized Cirq circuit into a short program of state-vector blocks.

Every operation becomes one of three blocks, read off ``cirq.unitary`` and
:func:`overparam.sim.generators.operation_generator` (never written per ansatz):

* :class:`Fixed`: a constant unitary on a few qubits (stored as a diagonal when it is one);
* :class:`Rotation`: ``exp(-i s G)`` with ``G`` a small Hermitian matrix (eigen-decomposed once);
* :class:`Phase`: ``exp(-i s d)`` with ``d`` a real diagonal in the computational basis.

A gate ``exp(-i s G) V`` yields ``Fixed(V)`` (dropped when ``V`` is the identity) then the rotation;
``G`` keeps its identity component, so the engine's state carries the same global phase as Cirq's.

Two fusions make the program shorter without changing its action:
consecutive diagonal fixed gates merge into one diagonal (a layer of CZs is one multiply), and
consecutive phase gates with one shared symbol merge into one diagonal (a TFIM ``sum ZZ`` layer,
all bonds, is one multiply by ``exp(-i s d(x))``). Consecutive in circuit order is enough: gates of
one moment act on disjoint qubits, and diagonal gates commute with each other anyway.

Finally the block sequence is searched for a tandem repeat (a period of blocks that recurs with
the same structure and different symbols): that run becomes one :class:`Loop` whose body is traced
once and run by ``lax.scan``, so the compile time does not grow with the number of layers.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Sequence

import cirq
import numpy as np
import sympy

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.sim.generators import normalize_circuit, operation_generator

# Stands for an operation's symbol while its lowering is cached (see compile_ansatz).
_PLACEHOLDER = sympy.Symbol("__overparam_placeholder__")
# Below this many blocks saved, unrolling is cheaper than a scan (and simpler to trace).
MIN_LOOP_SAVING = 4
# Relative test of "this matrix is the identity / diagonal" for matrices read from Cirq.
ATOL = 1e-12


@dataclasses.dataclass(frozen=True, eq=False)
class Fixed:
    """Constant unitary ``matrix`` on ``qubits`` (or its diagonal ``diag`` when diagonal)."""

    qubits: tuple[int, ...]
    matrix: np.ndarray | None = None
    diag: np.ndarray | None = None

    @property
    def param(self) -> None:
        return None

    @property
    def slots(self) -> tuple[int, ...]:
        return ()

    def renumbered(self, new: Sequence[int]) -> "Fixed":
        return self

    def key(self) -> tuple:
        data = self.diag if self.diag is not None else self.matrix
        return ("fixed", self.qubits, self.diag is not None, _digest(data))


@dataclasses.dataclass(frozen=True, eq=False)
class Rotation:
    """``exp(-i theta G)`` on ``qubits``; ``G = sum_k eigvals[k] projectors[k]``."""

    qubits: tuple[int, ...]
    param: int
    generator: np.ndarray
    eigvals: np.ndarray
    projectors: np.ndarray

    def key(self) -> tuple:
        return ("rotation", self.qubits, _digest(self.generator))

    def with_param(self, param: int) -> "Rotation":
        return dataclasses.replace(self, param=param)

    @property
    def slots(self) -> tuple[int, ...]:
        return (self.param,)

    def renumbered(self, new: Sequence[int]) -> "Rotation":
        return self.with_param(int(new[0]))


@dataclasses.dataclass(frozen=True, eq=False)
class Phase:
    """``exp(-i theta d(x))`` for a real diagonal ``d`` over the sorted ``qubits``.

    ``values[inverse] == d``: the phase is computed for the few distinct values of ``d`` and
    gathered, so a layer costs one multiply instead of ``2^k`` complex exponentials per column.
    """

    qubits: tuple[int, ...]
    param: int
    diag: np.ndarray
    values: np.ndarray
    inverse: np.ndarray

    def key(self) -> tuple:
        return ("phase", self.qubits, _digest(self.diag))

    def with_param(self, param: int) -> "Phase":
        return dataclasses.replace(self, param=param)

    @property
    def slots(self) -> tuple[int, ...]:
        return (self.param,)

    def renumbered(self, new: Sequence[int]) -> "Phase":
        return self.with_param(int(new[0]))


@dataclasses.dataclass(frozen=True, eq=False)
class Layer:
    """Single-qubit gates on distinct qubits, one per qubit: ``U_q = exp(-i theta_q g_q) V_q``.

    Built from runs of one-qubit blocks on disjoint qubits (a layer of ``RX`` with one shared angle,
    a layer of ``RY`` with one angle each, a layer of Hadamards). Every qubit has an entry (the
    identity where the run has no gate), so the kernel can sweep all qubits with one traced step:
    apply ``U_q`` on the leading qubit axis and rotate the qubit order by one, ``n`` times.
    ``params[q]`` is the parameter of qubit ``q`` (None: constant gate), ``fixed[q] = V_q``,
    ``generators[q] = g_q`` (zero when constant) and ``pv[q, k] = P_qk V_q`` for the eigen-projectors
    ``P_qk`` of ``g_q`` with eigenvalues ``eigvals[q, k]``.
    """

    params: tuple[int | None, ...]
    fixed: np.ndarray  # (n, 2, 2)
    generators: np.ndarray  # (n, 2, 2)
    eigvals: np.ndarray  # (n, 2)
    pv: np.ndarray  # (n, 2, 2, 2)

    @property
    def param(self) -> None:
        return None

    @property
    def n_qubits(self) -> int:
        return len(self.params)

    @property
    def slots(self) -> tuple[int, ...]:
        return tuple(p for p in self.params if p is not None)

    def renumbered(self, new: Sequence[int]) -> "Layer":
        it = iter(new)
        return dataclasses.replace(self, params=tuple(None if p is None else int(next(it)) for p in self.params))

    def key(self) -> tuple:
        mask = tuple(p is None for p in self.params)
        # Which qubits share a parameter matters for the structure (not the indices themselves).
        first: dict[int, int] = {}
        sharing = tuple(None if p is None else first.setdefault(p, q) for q, p in enumerate(self.params))
        return ("layer", mask, sharing, _digest(self.fixed), _digest(self.generators))


@dataclasses.dataclass(frozen=True, eq=False)
class FlipMix:
    """``psi -> a psi + sign * b * flip_all(psi)``: a one-qubit gate ``a 1 + b X`` on a dropped qubit.

    Only in a parity-reduced program (:mod:`overparam.sim.engine.symmetry`): the state keeps the
    half of the amplitudes with the dropped qubit at 0, and the other half is ``sign`` times the
    bit-complemented first half, so ``X`` on the dropped qubit reverses the kept half. The gate is
    ``exp(-i theta g) V`` with ``g = alpha 1 + beta X`` and ``V`` of the same form (``param`` None:
    constant, ``g = 0``).
    """

    param: int | None
    fixed: np.ndarray  # (2, 2), a 1 + b X
    generator: np.ndarray  # (2, 2), alpha 1 + beta X
    sign: int

    @property
    def slots(self) -> tuple[int, ...]:
        return () if self.param is None else (self.param,)

    def with_param(self, param: int) -> "FlipMix":
        return dataclasses.replace(self, param=param)

    def renumbered(self, new: Sequence[int]) -> "FlipMix":
        return self if self.param is None else self.with_param(int(new[0]))

    def key(self) -> tuple:
        return ("flipmix", self.param is None, self.sign, _digest(self.fixed), _digest(self.generator))


@dataclasses.dataclass(frozen=True, eq=False)
class EigenPhase:
    """``exp(-i theta G) = W exp(-i theta Lambda) W^dagger`` for a whole layer with one shared angle.

    For small states only (:mod:`overparam.sim.engine.eigen`): ``G`` is the layer's dense generator
    (a sum of commuting terms, e.g. ``sum_q X_q``), ``basis`` its eigenvectors ``W`` (real when
    ``G`` is), ``eigvals`` its eigenvalues and ``values[inverse] == eigvals`` the few distinct ones.
    Two small matrix products and one diagonal replace the per-qubit passes.
    """

    param: int
    basis: np.ndarray  # (d, d)
    eigvals: np.ndarray  # (d,)
    values: np.ndarray  # (K,)
    inverse: np.ndarray  # (d,)

    @property
    def slots(self) -> tuple[int, ...]:
        return (self.param,)

    def with_param(self, param: int) -> "EigenPhase":
        return dataclasses.replace(self, param=param)

    def renumbered(self, new: Sequence[int]) -> "EigenPhase":
        return self.with_param(int(new[0]))

    def key(self) -> tuple:
        return ("eigenphase", _digest(self.basis), _digest(self.eigvals))


Block = Fixed | Rotation | Phase | Layer | FlipMix | EigenPhase


@dataclasses.dataclass(frozen=True, eq=False)
class Loop:
    """``body`` run ``params.shape[0]`` times; body block ``j`` takes parameter ``params[r, j]``."""

    body: tuple[Block, ...]
    params: np.ndarray  # (repetitions, parametrized blocks in the body), global parameter indices


Segment = tuple[Block, ...] | Loop


@dataclasses.dataclass(frozen=True, eq=False)
class Program:
    """The compiled circuit: segments in order, on ``n_qubits`` qubits with ``n_params`` angles."""

    n_qubits: int
    n_params: int
    segments: tuple[Segment, ...]

    def blocks(self) -> list[tuple[Block, tuple[int, ...]]]:
        """Every block with its global parameter indices (``slots``), unrolled (for tests and diagnostics)."""
        out: list[tuple[Block, tuple[int, ...]]] = []
        for seg in self.segments:
            if isinstance(seg, Loop):
                for row in seg.params:
                    for blk in seg.body:
                        out.append((blk, tuple(int(row[j]) for j in blk.slots)))
            else:
                out.extend((blk, blk.slots) for blk in seg)
        return out


def _digest(array: np.ndarray) -> str:
    # Round before hashing so that matrices equal up to float noise share a key.
    rounded = np.round(np.asarray(array, dtype=np.complex128), 12) + 0.0
    return hashlib.sha1(rounded.tobytes() + str(rounded.shape).encode()).hexdigest()


def _is_diagonal(m: np.ndarray) -> bool:
    return bool(np.all(np.abs(m - np.diag(np.diag(m))) <= ATOL))


def _fixed_block(qubits: tuple[int, ...], u: np.ndarray) -> Fixed:
    """A constant gate; a diagonal one is stored as its diagonal over the sorted qubits."""
    if not _is_diagonal(u):
        return Fixed(qubits, matrix=u)
    order = np.argsort(qubits)
    diag = np.transpose(np.diag(u).reshape((2,) * len(qubits)), order).reshape(-1)
    return Fixed(tuple(int(qubits[i]) for i in order), diag=diag)


def _phase_block(qubits: tuple[int, ...], param: int, diag: np.ndarray) -> Phase:
    order = np.argsort(qubits)
    sorted_q = tuple(int(qubits[i]) for i in order)
    k = len(qubits)
    diag = np.transpose(np.real(diag).reshape((2,) * k), order).reshape(-1)
    values, inverse = np.unique(np.round(diag, 12), return_inverse=True)
    return Phase(sorted_q, param, diag, values, inverse.reshape(-1))


def _rotation_block(qubits: tuple[int, ...], param: int, gen: np.ndarray) -> Rotation:
    eigvals, vecs = np.linalg.eigh(gen)
    # Group degenerate eigenvalues: fewer projectors, fewer exponentials per column.
    groups: list[list[int]] = []
    for i, lam in enumerate(eigvals):
        if groups and abs(eigvals[groups[-1][0]] - lam) <= 1e-12:
            groups[-1].append(i)
        else:
            groups.append([i])
    lams = np.array([eigvals[g[0]] for g in groups])
    projs = np.array([vecs[:, g] @ vecs[:, g].conj().T for g in groups])
    return Rotation(qubits, param, gen, lams, projs)


def _lower_operation(op: cirq.Operation, index: dict[cirq.Qid, int], column: dict[sympy.Symbol, int]) -> list[Block]:
    """One Cirq operation as blocks (``Fixed(V)`` then the rotation for a parametrized gate)."""
    qubits = tuple(index[q] for q in op.qubits)
    if not cirq.is_parameterized(op):
        return [_fixed_block(qubits, cirq.unitary(op))]
    sym, psum = operation_generator(op)
    gen = psum.matrix(op.qubits) if len(psum) else np.zeros((2 ** len(qubits),) * 2, dtype=complex)
    v = cirq.unitary(cirq.resolve_parameters(op, {sym: 0.0}))
    # The generator from the Pauli decomposition drops its identity part (a global phase); recover
    # it from one small angle so the state matches Cirq's exactly, then check a large angle.
    s = 0.01
    evals, evecs = np.linalg.eigh(gen)
    expm = lambda t: (evecs * np.exp(-1j * t * evals)) @ evecs.conj().T  # noqa: E731
    ratio = cirq.unitary(cirq.resolve_parameters(op, {sym: s})) @ np.linalg.inv(expm(s) @ v)
    c0 = -np.angle(ratio[0, 0]) / s
    full = gen + c0 * np.eye(len(gen))
    for t in (s, 1.3):
        want = cirq.unitary(cirq.resolve_parameters(op, {sym: t}))
        got = np.exp(-1j * t * c0) * expm(t) @ v
        if not np.allclose(want, got, atol=1e-9):
            raise BadInput(f"gate {op} is not exp(-i s G) V for a fixed V; cannot differentiate it")
    blocks: list[Block] = []
    if not np.allclose(v, np.eye(len(v)), atol=ATOL):
        blocks.append(_fixed_block(qubits, v))
    param = column[sym]
    if _is_diagonal(full):
        blocks.append(_phase_block(qubits, param, np.real(np.diag(full))))
    else:
        blocks.append(_rotation_block(qubits, param, full))
    return blocks


def _expand_diag(qubits: tuple[int, ...], diag: np.ndarray, union: tuple[int, ...]) -> np.ndarray:
    """A diagonal on sorted ``qubits`` as a diagonal on the sorted superset ``union``."""
    k = len(union)
    shape = [2 if q in qubits else 1 for q in union]
    return np.broadcast_to(diag.reshape(shape), (2,) * k).reshape(-1)


def _merge(blocks: list[Block]) -> list[Block]:
    """Fuse runs of diagonal fixed gates, and runs of phase gates sharing one parameter."""
    out: list[Block] = []
    for blk in blocks:
        prev = out[-1] if out else None
        if isinstance(blk, Fixed) and blk.diag is not None and isinstance(prev, Fixed) and prev.diag is not None:
            union = tuple(sorted(set(prev.qubits) | set(blk.qubits)))
            diag = _expand_diag(prev.qubits, prev.diag, union) * _expand_diag(blk.qubits, blk.diag, union)
            out[-1] = Fixed(union, diag=diag)
        elif isinstance(blk, Phase) and isinstance(prev, Phase) and prev.param == blk.param:
            union = tuple(sorted(set(prev.qubits) | set(blk.qubits)))
            diag = _expand_diag(prev.qubits, prev.diag, union) + _expand_diag(blk.qubits, blk.diag, union)
            # Distinct values (np.unique over 2^k entries) only once the run is complete.
            out[-1] = Phase(union, blk.param, diag, np.empty(0), np.empty(0, dtype=np.int64))
        else:
            out.append(blk)
    return [
        _phase_block(b.qubits, b.param, b.diag) if isinstance(b, Phase) and b.values.size == 0 else b for b in out
    ]


def _best_repeat(keys: Sequence[int]) -> tuple[int, int, int] | None:
    """``(start, period, repetitions)`` of the tandem repeat saving the most blocks, or None."""
    ids = np.asarray(keys)
    n = len(ids)
    best: tuple[int, int, int] | None = None
    best_saving = MIN_LOOP_SAVING - 1
    for period in range(1, n // 2 + 1):
        eq = np.concatenate([[False], ids[:-period] == ids[period:], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(eq))
        for lo, hi in zip(edges[::2], edges[1::2]):
            reps = (hi - lo) // period + 1
            saving = (reps - 1) * period
            if reps >= 2 and saving > best_saving:
                best, best_saving = (int(lo), period, int(reps)), saving
    return best


def _segment(blocks: list[Block]) -> list[Segment]:
    """Split ``blocks`` into straight runs and loops (recursively around the best repeat)."""
    if not blocks:
        return []
    keys: dict[tuple, int] = {}
    ids = [keys.setdefault(b.key(), len(keys)) for b in blocks]
    found = _best_repeat(ids)
    if found is None:
        return [tuple(blocks)]
    start, period, reps = found
    body_src = blocks[start : start + period]
    # Every parameter slot of the body (a Layer has several) gets one column of the table.
    table = np.array(
        [[p for b in blocks[start + r * period : start + (r + 1) * period] for p in b.slots] for r in range(reps)],
        dtype=np.int64,
    ).reshape(reps, -1)
    body, used = [], 0
    for b in body_src:
        k = len(b.slots)
        body.append(b.renumbered(range(used, used + k)))
        used += k
    end = start + period * reps
    return _segment(blocks[:start]) + [Loop(tuple(body), table)] + _segment(blocks[end:])


def _one_qubit(blk: Block) -> tuple[int, np.ndarray | None, np.ndarray | None, int | None] | None:
    """``(qubit, V, g, param)`` of a one-qubit block (``V``/``g`` None when absent), else None."""
    if isinstance(blk, Fixed) and len(blk.qubits) == 1:
        mat = blk.matrix if blk.matrix is not None else np.diag(blk.diag)
        return blk.qubits[0], np.asarray(mat, dtype=np.complex128), None, None
    if isinstance(blk, Rotation) and len(blk.qubits) == 1:
        return blk.qubits[0], None, np.asarray(blk.generator, dtype=np.complex128), blk.param
    if isinstance(blk, Phase) and len(blk.qubits) == 1:
        return blk.qubits[0], None, np.diag(blk.diag).astype(np.complex128), blk.param
    return None


def _layer_block(n: int, entries: dict[int, list]) -> Layer:
    eye = np.eye(2, dtype=np.complex128)
    fixed = np.stack([entries[q][0] if q in entries else eye for q in range(n)])
    gens = np.stack([entries[q][1] if q in entries and entries[q][1] is not None else 0 * eye for q in range(n)])
    params = tuple(entries[q][2] if q in entries else None for q in range(n))
    eigvals = np.zeros((n, 2))
    pv = np.zeros((n, 2, 2, 2), dtype=np.complex128)
    for q in range(n):
        lam, vecs = np.linalg.eigh(gens[q])
        eigvals[q] = lam
        for k in range(2):
            pv[q, k] = np.outer(vecs[:, k], vecs[:, k].conj()) @ fixed[q]
    return Layer(params, fixed, gens, eigvals, pv)


def _layers(blocks: list[Block], n: int) -> list[Block]:
    """Gather runs of one-qubit blocks into :class:`Layer` blocks (when they cover half the qubits).

    A run collects, per qubit, constant gates and then at most one rotation (``U_q = R_q V_q``);
    a second rotation on a qubit, or any multi-qubit block, ends the run. Blocks of one run act on
    disjoint qubits or keep their order on a qubit, so the layer equals their product.
    """
    out: list[Block] = []
    run: list[Block] = []
    entries: dict[int, list] = {}

    def close() -> None:
        # A layer sweeps every qubit; below half coverage the separate blocks are cheaper.
        if len(entries) >= 2 and 2 * len(entries) >= n:
            out.append(_layer_block(n, entries))
        else:
            out.extend(run)
        run.clear()
        entries.clear()

    for blk in blocks:
        info = _one_qubit(blk)
        if info is None:
            close()
            out.append(blk)
            continue
        q, v, g, param = info
        entry = entries.get(q)
        if entry is not None and entry[1] is not None:  # this qubit already has its rotation
            close()
            entry = None
        if entry is None:
            entry = entries.setdefault(q, [np.eye(2, dtype=np.complex128), None, None])
        if v is not None:
            entry[0] = v @ entry[0]
        else:
            entry[1], entry[2] = g, param
        run.append(blk)
    close()
    return out


def compile_ansatz(ansatz: Ansatz) -> Program:
    """Compile ``ansatz.circuit`` (on ``ansatz.qubits``, in ``ansatz.symbols`` order) to a program."""
    circuit = normalize_circuit(ansatz.circuit)
    index = {q: i for i, q in enumerate(ansatz.qubits)}
    missing = circuit.all_qubits() - set(index)
    if missing:
        raise BadInput(f"circuit acts on qubits {sorted(missing)} outside the ansatz's qubit order")
    column = {s: j for j, s in enumerate(ansatz.symbols)}
    by_name = {s.name: j for j, s in enumerate(ansatz.symbols)}
    blocks: list[Block] = []
    # Lowering reads unitaries and generators from Cirq (milliseconds per operation); the layers of
    # an ansatz repeat the same operations with other symbols, so lower each distinct operation once
    # (symbol replaced by a placeholder) and renumber: the compile time stays flat in depth.
    cache: dict[str, list[Block]] = {}
    for op in circuit.all_operations():
        names = cirq.parameter_names(op)
        if len(names) > 1 or (names and next(iter(names)) not in by_name):
            blocks.extend(_lower_operation(op, index, column))  # raises the precise BadInput
            continue
        name = next(iter(names)) if names else None
        canonical = cirq.resolve_parameters(op, {name: _PLACEHOLDER}) if name else op
        key = repr(canonical)
        if key not in cache:
            cache[key] = _lower_operation(canonical, index, {_PLACEHOLDER: -1})
        for blk in cache[key]:
            blocks.append(blk if blk.param is None else blk.with_param(by_name[name]))
    n = len(ansatz.qubits)
    return Program(n, ansatz.n_params, tuple(_segment(_merge(_layers(blocks, n)))))
