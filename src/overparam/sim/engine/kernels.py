"""State-vector kernels in JAX: apply a block, apply its inverse, and its gradient contribution.

A state is a complex128 tensor of shape ``(2,) * n + (C,)``: one axis per qubit (qubit 0 first,
the big-endian order of Cirq) and the *columns* last. Columns are independent states (parameter
points times input states); keeping them on the innermost axis makes every gate a loop whose
inner dimension is contiguous and whose per-column coefficients broadcast along it.

Gates on one or two qubits are written elementwise (``out_i = sum_j m_ij s_j`` over slices), which
XLA fuses into a single pass over the state; larger constant gates use one ``tensordot``.
"""

from __future__ import annotations

import itertools

import jax.numpy as jnp
import numpy as np

from overparam.sim.engine.program import Block, Fixed, Phase, Rotation

# Gates on at most this many qubits are applied elementwise; above it by tensordot.
ELEMENTWISE_MAX_QUBITS = 2


def _slice(state: jnp.ndarray, qubits: tuple[int, ...], bits: tuple[int, ...]) -> jnp.ndarray:
    index = [slice(None)] * state.ndim
    for q, b in zip(qubits, bits):
        index[q] = b
    return state[tuple(index)]


def apply_matrix(state: jnp.ndarray, qubits: tuple[int, ...], mat) -> jnp.ndarray:
    """Apply ``mat`` on ``qubits`` (matrix bit order = ``qubits`` order).

    ``mat`` is a constant numpy ``(d, d)`` array or a traced ``(d, d, C)`` array with one matrix
    per column (broadcast along the last axis).
    """
    k = len(qubits)
    constant = isinstance(mat, np.ndarray)
    if k > ELEMENTWISE_MAX_QUBITS:
        if constant:
            tensor = jnp.asarray(mat.reshape((2,) * (2 * k)))
            out = jnp.tensordot(tensor, state, axes=(list(range(k, 2 * k)), list(qubits)))
        else:
            # One matrix per column: an einsum that keeps the column axis aligned.
            letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
            state_l = list(letters[: state.ndim - 1]) + ["Z"]
            outs_l = [letters[state.ndim - 1 + i] for i in range(k)]
            mat_l = "".join(outs_l) + "".join(state_l[q] for q in qubits) + "Z"
            res_l = "".join(outs_l) + "".join(c for i, c in enumerate(state_l) if i not in qubits)
            tensor = jnp.reshape(mat, (2,) * (2 * k) + (mat.shape[-1],))
            out = jnp.einsum(f"{mat_l},{''.join(state_l)}->{res_l}", tensor, state)
        return jnp.moveaxis(out, list(range(k)), list(qubits))
    bits = list(itertools.product((0, 1), repeat=k))
    slices = [_slice(state, qubits, b) for b in bits]
    outs = []
    for i in range(len(bits)):
        acc = None
        for j in range(len(bits)):
            m = mat[i, j]
            if constant:
                if abs(m) <= 1e-15:
                    continue
                term = slices[j] if abs(m - 1) <= 1e-15 else slices[j] * complex(m)
            else:
                term = slices[j] * m
            acc = term if acc is None else acc + term
        outs.append(acc if acc is not None else jnp.zeros_like(slices[0]))
    out = jnp.stack(outs).reshape((2,) * k + slices[0].shape)
    return jnp.moveaxis(out, list(range(k)), list(qubits))


def _diag_shape(ndim: int, qubits: tuple[int, ...], columns: int) -> tuple[int, ...]:
    shape = [1] * ndim
    for q in qubits:
        shape[q] = 2
    shape[-1] = columns
    return tuple(shape)


def apply_diag(state: jnp.ndarray, qubits: tuple[int, ...], diag) -> jnp.ndarray:
    """Multiply by a diagonal over the sorted ``qubits``: ``(2^k,)`` constant or ``(2^k, C)``."""
    columns = 1 if diag.ndim == 1 else diag.shape[-1]
    return state * jnp.reshape(diag, _diag_shape(state.ndim, qubits, columns))


def rotation_matrix(blk: Rotation, theta: jnp.ndarray) -> jnp.ndarray:
    """``exp(-i theta G)`` per column, shape ``(d, d, C)``."""
    phases = jnp.exp(-1j * jnp.asarray(blk.eigvals)[:, None] * theta[None, :])
    return jnp.einsum("kij,kc->ijc", jnp.asarray(blk.projectors), phases)


def phase_diag(blk: Phase, theta: jnp.ndarray) -> jnp.ndarray:
    """``exp(-i theta d)`` per column, shape ``(2^k, C)``: distinct values first, then a gather."""
    phases = jnp.exp(-1j * jnp.asarray(blk.values)[:, None] * theta[None, :])
    return phases[jnp.asarray(blk.inverse)]


def apply_block(state: jnp.ndarray, blk: Block, theta: jnp.ndarray | None, inverse: bool = False) -> jnp.ndarray:
    """Apply ``blk`` (its inverse when ``inverse``) with per-column angles ``theta`` of shape ``(C,)``."""
    if isinstance(blk, Fixed):
        if blk.diag is not None:
            return apply_diag(state, blk.qubits, np.conj(blk.diag) if inverse else blk.diag)
        return apply_matrix(state, blk.qubits, blk.matrix.conj().T if inverse else blk.matrix)
    # exp(-i theta G)^dagger = exp(+i theta G): the inverse is the block at minus the angle.
    angle = -theta if inverse else theta
    if isinstance(blk, Phase):
        return apply_diag(state, blk.qubits, phase_diag(blk, angle))
    return apply_matrix(state, blk.qubits, rotation_matrix(blk, angle))


def generator_overlap(blk: Block, psi: jnp.ndarray, lam: jnp.ndarray) -> jnp.ndarray:
    """``Im <lam|G|psi>`` per column: the block's contribution to ``dL/dtheta``.

    With ``psi`` the state right after the block and ``lam = dL/dRe(psi) + i dL/dIm(psi)`` there,
    ``dL/dtheta = Re <lam| d psi/d theta> = Re <lam|(-i G)|psi> = Im <lam|G|psi>``.
    """
    if isinstance(blk, Phase):
        w = jnp.imag(jnp.conj(lam) * psi)
        other = tuple(a for a in range(psi.ndim - 1) if a not in blk.qubits)
        w = jnp.sum(w, axis=other).reshape(-1, psi.shape[-1])
        return jnp.asarray(blk.diag) @ w
    g_psi = apply_matrix(psi, blk.qubits, blk.generator)
    axes = tuple(range(psi.ndim - 1))
    return jnp.sum(jnp.imag(jnp.conj(lam) * g_psi), axis=axes)
