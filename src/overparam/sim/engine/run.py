"""Run a compiled :class:`~overparam.sim.engine.program.Program`: forward, and the adjoint reverse pass.

Angles are laid out ``(M, C)``: row ``j`` is parameter ``j`` for every column. A :class:`Loop`
gathers its ``(R, k, C)`` angles once, computes every block's per-column coefficients (phases,
rotation matrices) for all ``R`` repetitions in one vectorised step *outside* the loop, and runs its
body under ``lax.scan`` over them: the loop body holds only state-sized passes.

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

from overparam.sim.engine.kernels import (
    apply_coefficients,
    apply_constant,
    apply_diag,
    block_coefficients,
    apply_generator,
    generator_overlap,
    reverse_eigenphase,
    reverse_layer,
)
from overparam.sim.engine.program import Block, EigenPhase, Fixed, FlipMix, Layer, Loop, Phase, Program, Rotation


def _coefficients(blocks, th: jnp.ndarray, inverse: bool) -> list:
    return [block_coefficients(blk, th, inverse) for blk in blocks]


def _loop_coefficients(seg: Loop, thetas: jnp.ndarray, inverse: bool) -> list:
    """Coefficients of every body block for every repetition: leaves ``(R, ...)``."""
    rows = thetas[jnp.asarray(seg.params)]  # (R, k, C)
    return jax.vmap(lambda th: _coefficients(seg.body, th, inverse))(rows)


def forward(program: Program, thetas: jnp.ndarray, state: jnp.ndarray) -> jnp.ndarray:
    """Apply the whole program to ``state`` (``(2^n, C)``) with angles ``thetas`` ``(M, C)``."""
    for seg in program.segments:
        if isinstance(seg, Loop):

            def step(psi, coefs, body=seg.body):
                for blk, coef in zip(body, coefs):
                    psi = apply_coefficients(psi, blk, coef)
                return psi, None

            state, _ = jax.lax.scan(step, state, _loop_coefficients(seg, thetas, False))
        else:
            for blk, coef in zip(seg, _coefficients(seg, thetas, False)):
                state = apply_coefficients(state, blk, coef)
    return state


def _reverse_blocks(blocks, pair: jnp.ndarray, coefs: list, columns: int):
    """Walk ``blocks`` backwards on the stacked ``[psi, lam]``; return it and each slot's gradient."""
    grads: dict = {}
    for blk, coef in zip(reversed(blocks), reversed(coefs)):
        if isinstance(blk, Layer):
            pair, overlaps = reverse_layer(pair, blk, coef, columns)
            owners: dict[int, list[int]] = {}
            for q, p in enumerate(blk.params):
                if p is not None:
                    owners.setdefault(p, []).append(q)
            for p, qs in owners.items():
                term = overlaps[qs[0]] if len(qs) == 1 else jnp.sum(overlaps[jnp.asarray(qs)], axis=0)
                grads[p] = grads.get(p, 0.0) + term
            continue
        if isinstance(blk, EigenPhase):
            pair, overlap = reverse_eigenphase(pair, blk, coef, columns)
            grads[blk.param] = grads.get(blk.param, 0.0) + overlap
            continue
        if blk.param is not None:
            grads[blk.param] = grads.get(blk.param, 0.0) + generator_overlap(
                blk, pair[..., :columns], pair[..., columns:]
            )
        pair = apply_coefficients(pair, blk, coef, inverse=True)
    return pair, grads


def adjoint(program: Program, thetas: jnp.ndarray, psi: jnp.ndarray, lam: jnp.ndarray) -> jnp.ndarray:
    """``dL/dtheta`` of shape ``(M, C)`` from the final state ``psi`` and ``lam = dL/dRe(psi) + i dL/dIm(psi)``."""
    columns = psi.shape[-1]
    pair = jnp.concatenate([psi, lam], axis=-1)
    # The pair has 2C columns; the inverse blocks' coefficients are computed for them directly.
    thetas2 = jnp.concatenate([thetas, thetas], axis=-1)
    grads = jnp.zeros((program.n_params, columns))
    for seg in reversed(program.segments):
        if isinstance(seg, Loop):
            k = seg.params.shape[1]

            def step(carry, coefs, body=seg.body, k=k):
                carry, g = _reverse_blocks(body, carry, coefs, columns)
                rows = [g.get(j, jnp.zeros(columns)) for j in range(k)]
                return carry, jnp.stack(rows) if rows else jnp.zeros((0, columns))

            table = jnp.asarray(seg.params)
            coefs = _loop_coefficients(seg, thetas2, True)
            pair, ys = jax.lax.scan(step, pair, coefs, reverse=True)
            grads = grads.at[table.reshape(-1)].add(ys.reshape(-1, columns))
        else:
            pair, g = _reverse_blocks(seg, pair, _coefficients(seg, thetas2, True), columns)
            for j, val in g.items():
                grads = grads.at[j].add(val)
    return grads


def _tangent_terms(blk: Block, psi: jnp.ndarray) -> list[tuple[int, jnp.ndarray]]:
    """``(slot, -i G psi)`` for each parameter slot of ``blk``; ``psi`` ``(2^n, 1)`` is the state just after it.

    In a :class:`Layer` the other qubits' gates commute with ``g_q``, so every qubit's term is read
    at the layer's output; qubits sharing a slot add up.
    """
    if isinstance(blk, Fixed):
        return []
    if isinstance(blk, (FlipMix, EigenPhase)):
        return [] if blk.param is None else [(blk.param, -1j * apply_generator(blk, psi))]
    if isinstance(blk, Phase):
        return [(blk.param, -1j * apply_diag(psi, blk.qubits, jnp.asarray(blk.diag)))]
    if isinstance(blk, Rotation):
        return [(blk.param, -1j * apply_constant(psi, blk.qubits, blk.generator))]
    terms: dict[int, jnp.ndarray] = {}
    for q, p in enumerate(blk.params):
        if p is not None:
            term = -1j * apply_constant(psi, (q,), blk.generators[q])
            terms[p] = terms[p] + term if p in terms else term
    return list(terms.items())


def _jacobian_blocks(blocks, phi: jnp.ndarray, coefs: list, index) -> jnp.ndarray:
    for blk, coef in zip(blocks, coefs):
        phi = apply_coefficients(phi, blk, coef)
        for slot, vec in _tangent_terms(blk, phi[:, :1]):
            phi = phi.at[:, 1 + index(slot)].add(vec[:, 0])
    return phi


def jacobian(program: Program, values: jnp.ndarray, state: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``(psi, J)`` at one parameter vector ``values`` ``(M,)`` from the input ``state`` ``(2^n,)``.

    Forward mode in the engine's own layout: the columns are ``[psi, d psi/d theta_1, ...]``. Every
    block is applied to all ``1 + M`` columns at once (its coefficients broadcast along them), then
    adds ``-i G psi`` to the column of its parameter. One pass over ``2^n x (1 + M)`` numbers.
    """
    m = program.n_params
    thetas = values[:, None]
    phi = jnp.concatenate([state[:, None].astype(jnp.complex128), jnp.zeros((state.shape[0], m), jnp.complex128)], 1)
    for seg in program.segments:
        if isinstance(seg, Loop):

            def step(ph, xs, body=seg.body):
                coefs, row = xs
                return _jacobian_blocks(body, ph, coefs, lambda slot: row[slot]), None

            xs = (_loop_coefficients(seg, thetas, False), jnp.asarray(seg.params))
            phi, _ = jax.lax.scan(step, phi, xs)
        else:
            phi = _jacobian_blocks(seg, phi, _coefficients(seg, thetas, False), lambda slot: slot)
    return phi[:, 0], phi[:, 1:]


def _second_order_blocks(blocks, phi: jnp.ndarray, coefs: list, index):
    """:func:`_jacobian_blocks` with the backward state in the last column; each slot's curvature rows.

    Returns ``phi`` and, per parameter slot met, ``(slot, row, diag)``: ``row[i] = <chi|(-i G) X_i>``
    against the derivative columns ``X`` as they stand before the slot's own column is added, and
    ``diag = <chi|(-i G)^2 psi>``, with ``chi`` the backward state just after the block.
    """
    found = []
    for blk, coef in zip(blocks, coefs):
        phi = apply_coefficients(phi, blk, coef)
        terms = dict(_tangent_terms(blk, phi[:, :1]))
        for slot, t_chi in _tangent_terms(blk, phi[:, -1:]):
            # <chi|(-iG) v> = -(conj(-iG chi)) . v: G is Hermitian.
            w = -jnp.conj(t_chi[:, 0])
            row = w @ phi[:, 1:-1]
            diag = w @ terms[slot][:, 0]
            phi = phi.at[:, 1 + index(slot)].add(terms[slot][:, 0])
            found.append((slot, row, diag))
    return phi, found


def second_order(program: Program, values: jnp.ndarray, state: jnp.ndarray, chi: jnp.ndarray):
    """``(psi, J, P, d)``: the Jacobian pass of :func:`jacobian`, carrying ``chi`` forward beside it.

    ``chi`` is ``U(theta)^dagger lam`` for a cotangent ``lam`` of the final state, so after each block it is
    the backward state ``lam`` pulled back to that point. ``P[p, i]`` sums ``<chi_b|(-i G_p) d_i psi_b>``
    over the blocks ``b`` of slot ``p``, with ``d_i psi_b`` the derivative of the partial state from
    the blocks before ``p``'s own term; ``d[p]`` sums ``<chi_b|(-i G_p)^2 psi_b>``. Then
    ``sum_{ij} <lam|d_i d_j psi> = P + P^T + diag(d)`` (every ordered pair of insertions once), which
    with the Gauss-Newton part gives the Hessian: one pass over ``2^n x (M + 2)`` numbers instead
    of ``M`` tangent passes through the forward and reverse programs.
    """
    m = program.n_params
    thetas = values[:, None]
    phi = jnp.concatenate([state[:, None].astype(jnp.complex128), jnp.zeros((state.shape[0], m), jnp.complex128),
                           chi[:, None].astype(jnp.complex128)], 1)
    pairs = jnp.zeros((m, m), jnp.complex128)
    diag = jnp.zeros(m, jnp.complex128)
    for seg in program.segments:
        if isinstance(seg, Loop):
            k = seg.params.shape[1]

            def step(ph, xs, body=seg.body, k=k):
                coefs, row = xs
                ph, found = _second_order_blocks(body, ph, coefs, lambda slot: row[slot])
                rows = [jnp.zeros(m, jnp.complex128) for _ in range(k)]
                diags = [jnp.zeros((), jnp.complex128) for _ in range(k)]
                for slot, r, d in found:
                    rows[slot] = rows[slot] + r
                    diags[slot] = diags[slot] + d
                out = (jnp.stack(rows), jnp.stack(diags)) if k else (jnp.zeros((0, m), jnp.complex128),
                                                                      jnp.zeros(0, jnp.complex128))
                return ph, out

            table = jnp.asarray(seg.params)
            xs = (_loop_coefficients(seg, thetas, False), table)
            phi, (rows, diags) = jax.lax.scan(step, phi, xs)
            pairs = pairs.at[table.reshape(-1)].add(rows.reshape(-1, m))
            diag = diag.at[table.reshape(-1)].add(diags.reshape(-1))
        else:
            phi, found = _second_order_blocks(seg, phi, _coefficients(seg, thetas, False), lambda slot: slot)
            for slot, r, d in found:
                pairs = pairs.at[slot].add(r)
                diag = diag.at[slot].add(d)
    return phi[:, 0], phi[:, 1:-1], pairs, diag
