"""Run a compiled :class:`~overparam.sim.engine.program.Program`: forward, and the adjoint reverse pass.

Angles are laid out ``(M, C)``: row ``j`` is parameter ``j`` for every column, so a block reads its
per-column angles as one contiguous row. A :class:`Loop` gathers its ``(R, k, C)`` angles once and
runs its body under ``lax.scan``.

The reverse pass does not store intermediate states. Starting from the final state ``psi`` and
``lam = dL/dRe(psi) + i dL/dIm(psi)`` it walks the blocks backwards, adds ``Im <lam|G|psi>`` to the block's parameter
and then *uncomputes* one block from both vectors (``psi``, ``lam`` -> ``U^dagger psi``,
``U^dagger lam``). Both vectors travel stacked on the column axis, so each block is one pass over
``2C`` columns. Memory is two states whatever the depth; rounding grows only linearly with depth
because every step is unitary.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from overparam.sim.engine.kernels import apply_block, generator_overlap, reverse_layer
from overparam.sim.engine.program import Block, Layer, Loop, Program


def _angle(thetas: jnp.ndarray, blk: Block) -> jnp.ndarray | None:
    if isinstance(blk, Layer):
        return thetas  # a layer gathers its own rows
    return None if blk.param is None else thetas[blk.param]


def forward(program: Program, thetas: jnp.ndarray, state: jnp.ndarray) -> jnp.ndarray:
    """Apply the whole program to ``state`` (``(2^n, C)``) with angles ``thetas`` ``(M, C)``."""
    for seg in program.segments:
        if isinstance(seg, Loop):
            body = seg.body

            def step(psi, th, body=body):
                for blk in body:
                    psi = apply_block(psi, blk, _angle(th, blk))
                return psi, None

            state, _ = jax.lax.scan(step, state, thetas[jnp.asarray(seg.params)])
        else:
            for blk in seg:
                state = apply_block(state, blk, _angle(thetas, blk))
    return state


def _reverse_blocks(blocks, pair: jnp.ndarray, th: jnp.ndarray, columns: int):
    """Walk ``blocks`` backwards on the stacked ``[psi, lam]``; return it and each block's gradient."""
    grads = {}
    for blk in reversed(blocks):
        if isinstance(blk, Layer):
            pair, overlaps = reverse_layer(pair, blk, th, columns)
            owners: dict[int, list[int]] = {}
            for q, p in enumerate(blk.params):
                if p is not None:
                    owners.setdefault(p, []).append(q)
            for p, qs in owners.items():
                term = overlaps[qs[0]] if len(qs) == 1 else jnp.sum(overlaps[jnp.asarray(qs)], axis=0)
                grads[p] = grads.get(p, 0.0) + term
            continue
        if blk.param is not None:
            grads[blk.param] = grads.get(blk.param, 0.0) + generator_overlap(
                blk, pair[..., :columns], pair[..., columns:]
            )
            angle = jnp.concatenate([th[blk.param], th[blk.param]])
        else:
            angle = None
        pair = apply_block(pair, blk, angle, inverse=True)
    return pair, grads


def adjoint(program: Program, thetas: jnp.ndarray, psi: jnp.ndarray, lam: jnp.ndarray) -> jnp.ndarray:
    """``dL/dtheta`` of shape ``(M, C)`` from the final state ``psi`` and ``lam = dL/dRe(psi) + i dL/dIm(psi)``."""
    columns = psi.shape[-1]
    pair = jnp.concatenate([psi, lam], axis=-1)
    grads = jnp.zeros((program.n_params, columns))
    for seg in reversed(program.segments):
        if isinstance(seg, Loop):
            k = seg.params.shape[1]

            def step(carry, th, body=seg.body, k=k):
                carry, g = _reverse_blocks(body, carry, th, columns)
                rows = [g.get(j, jnp.zeros(columns)) for j in range(k)]
                return carry, jnp.stack(rows) if rows else jnp.zeros((0, columns))

            table = jnp.asarray(seg.params)
            pair, ys = jax.lax.scan(step, pair, thetas[table], reverse=True)
            grads = grads.at[table.reshape(-1)].add(ys.reshape(-1, columns))
        else:
            pair, g = _reverse_blocks(seg, pair, thetas, columns)
            for j, val in g.items():
                grads = grads.at[j].add(val)
    return grads
