"""For small states, a layer of commuting rotations with one shared angle as one diagonal in its eigenbasis.

A run of consecutive :class:`~overparam.sim.engine.program.Layer` / ``FlipMix`` blocks whose every
angle is the same parameter (the TFIM field layer ``exp(-i theta sum_q X_q)``; in the parity-reduced
program its qubit-0 part is a ``FlipMix``) has a dense generator ``G`` of a few thousand entries at
small ``n``. With ``G = W Lambda W^dagger`` (computed once), the layer is two small matrix products
and one diagonal, ``W exp(-i theta Lambda) W^dagger``, instead of ``n/2`` sweep passes and their
per-pass overheads; its gradient term ``Im <lam|G|psi>`` is read in the eigenbasis. Matrix
products grow as ``d^2`` per column against ``n d`` for the sweeps, so this is used only up to
:data:`EIGEN_MAX_DIM` amplitudes. The numbers are the same up to rounding (tests compare both).
"""

from __future__ import annotations

import numpy as np

from overparam.sim.engine.program import Block, EigenPhase, FlipMix, Layer, Loop, Program, Segment

# Largest state (amplitudes) whose shared-angle layers become EigenPhase blocks: measured on the
# TFIM HVA (reduced state, B = 50), 2.1x faster at 32, 1.3x at 128, 2.4x slower at 256.
EIGEN_MAX_DIM = 128
ATOL = 1e-12


def _embed(g: np.ndarray, q: int, n: int) -> np.ndarray:
    return np.kron(np.kron(np.eye(2**q), g), np.eye(2 ** (n - q - 1)))


def _dense_generator(blk: Block, n: int) -> np.ndarray | None:
    """The block's generator on the whole state, or None if it has a constant part or no single angle."""
    eye = np.eye(2)
    if isinstance(blk, Layer):
        if any(p is None for p in blk.params) or not all(np.allclose(f, eye, atol=ATOL) for f in blk.fixed):
            return None
        return sum(_embed(blk.generators[q], q, n) for q in range(n))
    if isinstance(blk, FlipMix):
        if blk.param is None or not np.allclose(blk.fixed, eye, atol=ATOL):
            return None
        alpha, beta = float(np.real(blk.generator[0, 0])), float(np.real(blk.generator[0, 1]))
        d = 2**n
        return alpha * np.eye(d) + blk.sign * beta * np.eye(d)[::-1]
    return None


def _eigenphase(param: int, gen: np.ndarray) -> EigenPhase:
    if np.allclose(gen.imag, 0, atol=ATOL):
        gen = gen.real
    eigvals, basis = np.linalg.eigh(gen)
    values, inverse = np.unique(np.round(eigvals, 9), return_inverse=True)
    # The rounded values are the exact ones (integers and half-integers for Pauli sums); use them
    # everywhere so that the phase and the gradient term see the same generator.
    return EigenPhase(param, basis, values[inverse], values, inverse.reshape(-1))


def _fuse(blocks: list[Block], n: int, same: "callable") -> list[Block]:
    """Replace runs of Layer/FlipMix blocks that share one angle (``same(slots)``) by EigenPhase blocks."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        j, gens = i, []
        while j < len(blocks):
            gen = _dense_generator(blocks[j], n)
            slots = [s for b in blocks[i : j + 1] for s in b.slots]
            if gen is None or not same(slots):
                break
            gens.append(gen)
            j += 1
        if gens:
            total = sum(gens)
            commuting = all(np.allclose(a @ b, b @ a, atol=1e-10) for k, a in enumerate(gens) for b in gens[k + 1 :])
            if commuting:
                out.append(_eigenphase(blocks[i].slots[0], total))
                i = j
                continue
        out.append(blocks[i])
        i += 1
    return out


def eigen_layers(program: Program, max_dim: int | None = None) -> Program:
    """``program`` with its shared-angle layers as :class:`EigenPhase` blocks when ``2^n <= max_dim``
    (default :data:`EIGEN_MAX_DIM`)."""
    max_dim = EIGEN_MAX_DIM if max_dim is None else max_dim
    n = program.n_qubits
    if 2**n > max_dim:
        return program
    segments: list[Segment] = []
    for seg in program.segments:
        if isinstance(seg, Loop):
            table = seg.params

            def same(slots, table=table) -> bool:
                return bool(np.all(table[:, slots] == table[:, slots[:1]]))

            segments.append(Loop(tuple(_fuse(list(seg.body), n, same)), seg.params))
        else:
            segments.append(tuple(_fuse(list(seg), n, lambda slots: len(set(slots)) == 1)))
    return Program(program.n_qubits, program.n_params, tuple(segments))
