"""Run a program on half the state when the global bit flip ``X^n`` commutes with everything.

If every gate after the constant prefix commutes with ``F = X (x) ... (x) X``, the loss's
observable commutes with it too, and every input state (after the prefix) satisfies
``F psi = s psi`` for one sign ``s``, then the state stays in that eigenspace for every angle:
``psi(1, y) = s psi(0, complement(y))``. The engine then keeps only the ``2^(n-1)`` amplitudes with
qubit 0 at 0 (scaled by ``sqrt 2`` so the kept vector has norm one and inner products are those of
the full space). In that half:

* a diagonal on qubits including 0 is its restriction to ``x_0 = 0``;
* a one-qubit gate ``a 1 + b X`` on qubit 0 is ``psi -> a psi + s b reverse(psi)`` (complementing
  every remaining bit reverses the basis index): a :class:`~overparam.sim.engine.program.FlipMix`;
* every other gate is the same gate on the qubits renumbered down by one;
* a Pauli group of ``H`` that flips qubit 0 flips the complement of its other qubits, times ``s``.

The TFIM Hamiltonian variational ansatz of the paper (``|+>^n``, ``ZZ`` and ``X`` layers) has this
symmetry: every pass over the state is half as long. Anything the reduction cannot express (a
non-diagonal multi-qubit gate on qubit 0, a loss that is not an energy) leaves the program as it is.
The constant prefix (the Hadamards that prepare ``|+>^n``) is folded into the input states.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from overparam.ansatze.base import EnergyLoss, Loss
from overparam.sim.engine.kernels import apply_coefficients, block_coefficients
from overparam.sim.engine.losses import pauli_groups
from overparam.sim.engine.program import Block, Fixed, FlipMix, Layer, Loop, Phase, Program, Rotation, Segment, _phase_block

ATOL = 1e-12
Groups = list[tuple[tuple[int, ...], np.ndarray | complex]]


@dataclasses.dataclass(frozen=True, eq=False)
class ReducedProgram:
    """A program on ``n - 1`` qubits, its ``(2^(n-1), S)`` input states and the reduced observable."""

    program: Program
    inputs: np.ndarray
    groups: Groups
    offset: float
    sign: int


def _flip_invariant_matrix(m: np.ndarray) -> bool:
    # X^k M X^k reverses rows and columns (complementing every bit reverses the index).
    return bool(np.allclose(m[::-1, ::-1], m, atol=ATOL, rtol=0))


def _flip_invariant_diag(d: np.ndarray) -> bool:
    return bool(np.allclose(d[::-1], d, atol=ATOL, rtol=0))


def _is_constant(blk: Block) -> bool:
    return not blk.slots


def fold_constant_prefix(program: Program, inputs: np.ndarray) -> tuple[Program, np.ndarray]:
    """Apply the program's leading constant blocks to ``inputs`` once; return the rest and the new inputs."""
    state = jnp.asarray(inputs, dtype=jnp.complex128)
    segments = list(program.segments)
    while segments and not isinstance(segments[0], Loop):
        blocks = list(segments[0])
        while blocks and _is_constant(blocks[0]):
            blk = blocks.pop(0)
            state = apply_coefficients(state, blk, block_coefficients(blk, jnp.zeros((0, state.shape[1]))))
        if blocks:
            segments[0] = tuple(blocks)
            break
        segments.pop(0)
    return Program(program.n_qubits, program.n_params, tuple(segments)), np.asarray(state)


def _one_qubit_flipmix(param: int | None, fixed: np.ndarray, generator: np.ndarray, sign: int) -> FlipMix | None:
    """The gate ``exp(-i theta g) V`` on qubit 0 as a FlipMix, or None if it does not commute with X."""
    for m in (fixed, generator):
        if not (_flip_invariant_matrix(m) and abs(m[0, 0] - m[1, 1]) <= ATOL and abs(m[0, 1] - m[1, 0]) <= ATOL):
            return None
    if abs(np.imag(generator[0, 0])) > ATOL or abs(np.imag(generator[0, 1])) > ATOL:
        return None
    return FlipMix(param, np.asarray(fixed, dtype=np.complex128), np.asarray(generator, dtype=np.complex128), sign)


def _down(qubits: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(q - 1 for q in qubits)


def _reduce_block(blk: Block, sign: int) -> list[Block] | None:
    """``blk`` acting on the kept half (qubit 0 dropped), or None if it breaks the symmetry."""
    eye = np.eye(2, dtype=np.complex128)
    if isinstance(blk, Layer):
        for q in range(blk.n_qubits):
            if not (_flip_invariant_matrix(blk.fixed[q]) and _flip_invariant_matrix(blk.generators[q])):
                return None
        head = _one_qubit_flipmix(blk.params[0], blk.fixed[0], blk.generators[0], sign)
        if head is None:
            return None
        rest = Layer(blk.params[1:], blk.fixed[1:], blk.generators[1:], blk.eigvals[1:], blk.pv[1:])
        out: list[Block] = [rest] if any(p is not None for p in rest.params) or not all(
            np.allclose(m, eye, atol=ATOL) for m in rest.fixed) else []
        trivial = head.param is None and np.allclose(head.fixed, eye, atol=ATOL)
        return out + ([] if trivial else [head])
    if isinstance(blk, (Phase, Fixed)) and (isinstance(blk, Phase) or blk.diag is not None):
        diag = blk.diag
        if not _flip_invariant_diag(diag):
            return None
        if blk.qubits[0] != 0:
            if isinstance(blk, Phase):
                return [dataclasses.replace(blk, qubits=_down(blk.qubits))]
            return [Fixed(_down(blk.qubits), diag=diag)]
        half = diag[: diag.size // 2]
        if len(blk.qubits) == 1:  # a multiple of the identity on qubit 0: a phase
            c = complex(half[0])
            if isinstance(blk, Phase):
                return [FlipMix(blk.param, eye, float(np.real(c)) * eye, sign)]
            return [FlipMix(None, c * eye, 0 * eye, sign)]
        if isinstance(blk, Phase):
            return [_phase_block(_down(blk.qubits[1:]), blk.param, np.real(half))]
        return [Fixed(_down(blk.qubits[1:]), diag=half)]
    if isinstance(blk, (Fixed, Rotation)):
        mat = blk.matrix if isinstance(blk, Fixed) else blk.generator
        if not _flip_invariant_matrix(mat):
            return None
        if 0 not in blk.qubits:
            return [dataclasses.replace(blk, qubits=_down(blk.qubits))]
        if len(blk.qubits) > 1:
            return None  # a non-diagonal multi-qubit gate on qubit 0: not expressible here
        if isinstance(blk, Fixed):
            mix = _one_qubit_flipmix(None, mat, 0 * eye, sign)
        else:
            mix = _one_qubit_flipmix(blk.param, eye, mat, sign)
        return None if mix is None else [mix]
    return None


def _reduce_blocks(blocks, sign: int) -> list[Block] | None:
    out: list[Block] = []
    for blk in blocks:
        reduced = _reduce_block(blk, sign)
        if reduced is None:
            return None
        out.extend(reduced)
    return out


def reduce_groups(groups: Groups, n: int, sign: int) -> Groups | None:
    """The observable's :func:`pauli_groups` on the kept half, or None if ``H`` does not commute with ``F``."""
    merged: dict[tuple[int, ...], np.ndarray | complex] = {}
    half = 2 ** (n - 1)
    for f, d in groups:
        if not isinstance(d, complex) and not _flip_invariant_diag(np.asarray(d)):
            return None
        dr = d if isinstance(d, complex) else np.asarray(d)[:half]
        if 0 in f:
            rest = set(f) - {0}
            f_r = tuple(q - 1 for q in range(1, n) if q not in rest)
            dr = sign * dr
        else:
            f_r = _down(f)
        merged[f_r] = merged[f_r] + dr if f_r in merged else dr
    out: Groups = []
    for f, d in merged.items():
        if isinstance(d, complex):
            out.append((f, d))
        else:
            d = np.asarray(d)
            out.append((f, d.real.copy() if np.all(d.imag == 0) else d))
    return out


def parity_reduce(program: Program, inputs: np.ndarray, loss: Loss | None, qubits) -> ReducedProgram | None:
    """The program on half the state (see the module docstring), or None when the symmetry does not hold."""
    n = program.n_qubits
    if n < 2 or not isinstance(loss, EnergyLoss):
        return None
    rest, folded = fold_constant_prefix(program, inputs)
    sign = next((s for s in (1, -1) if np.allclose(folded[::-1], s * folded, atol=ATOL, rtol=0)), None)
    if sign is None:
        return None
    groups = reduce_groups(pauli_groups(loss.observable, qubits), n, sign)
    if groups is None:
        return None
    segments: list[Segment] = []
    for seg in rest.segments:
        body = _reduce_blocks(seg.body if isinstance(seg, Loop) else seg, sign)
        if body is None:
            return None
        segments.append(Loop(tuple(body), seg.params) if isinstance(seg, Loop) else tuple(body))
    half = folded[: 2 ** (n - 1)] * np.sqrt(2.0)
    return ReducedProgram(Program(n - 1, program.n_params, tuple(segments)), half, groups, float(loss.offset), sign)
