"""State-vector kernels in JAX: apply a block, apply its inverse, and its gradient contribution.

A state is a complex128 array of shape ``(2^n, C)``: the basis index (big-endian, as Cirq) first
and the *columns* last. Columns are independent states (parameter points times input states);
keeping them innermost makes every gate a loop whose inner dimension is contiguous and whose
per-column coefficients broadcast along it.

A gate on sorted qubits ``q_1 < ... < q_k`` views the state as
``(2^q_1, 2, 2^(q_2-q_1-1), 2, ..., C)`` (a free reshape, and a low-rank one, which XLA compiles
quickly). A gate is then written elementwise over the ``2^k`` slices of the view
(``out_i = sum_j m_ij s_j``), which XLA fuses into one pass; a diagonal is one broadcast multiply.
"""

from __future__ import annotations

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np

from overparam.sim.engine.program import Block, EigenPhase, Fixed, FlipMix, Layer, Phase, Rotation

# Gates on at most this many qubits are applied elementwise; above it by tensordot.
ELEMENTWISE_MAX_QUBITS = 2
# Qubits of a Layer applied per pass over the state (see layer_coefficients).
LAYER_GROUP = 2
# Layers on at most this many qubits unroll their sweep steps: no copy of the loop-carried state
# between steps (about 10% at n = 6); larger ones keep a scan (no gain there, half the compile time).
LAYER_UNROLL_MAX_QUBITS = 8


@functools.lru_cache(maxsize=None)
def view_shape(n: int, qubits: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape (without the column axis) splitting out sorted ``qubits``, and their axis positions."""
    shape: list[int] = []
    axes: list[int] = []
    prev = -1
    for q in qubits:
        shape.append(2 ** (q - prev - 1))
        shape.append(2)
        axes.append(len(shape) - 1)
        prev = q
    shape.append(2 ** (n - 1 - prev))
    return tuple(shape), tuple(axes)


def _n_qubits(state: jnp.ndarray) -> int:
    return int(state.shape[0]).bit_length() - 1


def _sort_matrix(qubits: tuple[int, ...], mat: np.ndarray) -> tuple[tuple[int, ...], np.ndarray]:
    """Reorder a constant matrix's bit order from ``qubits`` order to sorted order."""
    order = [int(i) for i in np.argsort(qubits)]
    k = len(qubits)
    perm = order + [k + i for i in order]
    out = np.transpose(np.asarray(mat).reshape((2,) * (2 * k)), perm).reshape(2**k, 2**k)
    return tuple(sorted(qubits)), out


@functools.lru_cache(maxsize=None)
def _patterns(k: int) -> tuple[tuple[int, np.ndarray, np.ndarray], ...]:
    """For each flip pattern ``f``: ``(f, rows, rows ^ f)`` over the ``2^k`` local basis states."""
    rows = np.arange(2**k)
    return tuple((f, rows, rows ^ f) for f in range(2**k))


def apply_patterns(state: jnp.ndarray, qubits: tuple[int, ...], terms) -> jnp.ndarray:
    """``sum_f coef_f * flip_f(state)`` on sorted ``qubits``; ``coef_f`` is ``(2^k,)`` or ``(2^k, C)``."""
    n = _n_qubits(state)
    k = len(qubits)
    columns = state.shape[-1]
    shape, axes = view_shape(n, qubits)
    view = state.reshape(shape + (columns,))
    coef_shape = [1] * (len(shape) + 1)
    out = None
    for f, coef in terms:
        flip_axes = tuple(axes[t] for t in range(k) if (f >> (k - 1 - t)) & 1)
        moved = jnp.flip(view, axis=flip_axes) if flip_axes else view
        cs = list(coef_shape)
        for a in axes:
            cs[a] = 2
        cs[-1] = coef.shape[-1] if coef.ndim == 2 else 1
        term = moved * jnp.reshape(coef, cs)
        out = term if out is None else out + term
    if out is None:
        return jnp.zeros_like(state)
    return out.reshape(state.shape)


def _assemble(outs: dict, k: int, axes: tuple[int, ...]) -> jnp.ndarray:
    """Stack per-basis-state slices back into the view, last split axis first."""
    for t in reversed(range(k)):
        outs = {
            prefix: jnp.stack([outs[prefix + (0,)], outs[prefix + (1,)]], axis=axes[t] - t)
            for prefix in itertools.product((0, 1), repeat=t)
        }
    return outs[()]


def apply_matrix(state: jnp.ndarray, qubits: tuple[int, ...], mat, constant: bool) -> jnp.ndarray:
    """Apply ``mat`` on sorted ``qubits``: a constant ``(d, d)`` or per-column ``(d, d, C)`` matrix.

    Small gates are written elementwise over slices of the view (``out_i = sum_j m_ij s_j``) so XLA
    fuses them into one pass; constant zero entries are skipped. Gates on more than
    ``ELEMENTWISE_MAX_QUBITS`` qubits (a target unitary) use one ``tensordot``.
    """
    n = _n_qubits(state)
    k = len(qubits)
    columns = state.shape[-1]
    shape, axes = view_shape(n, qubits)
    view = state.reshape(shape + (columns,))
    if k > ELEMENTWISE_MAX_QUBITS:
        tensor = jnp.asarray(np.asarray(mat).reshape((2,) * (2 * k)))
        out = jnp.tensordot(tensor, view, axes=(list(range(k, 2 * k)), list(axes)))
        return jnp.moveaxis(out, list(range(k)), list(axes)).reshape(state.shape)
    bits = list(itertools.product((0, 1), repeat=k))
    index = [slice(None)] * view.ndim
    slices = []
    for b in bits:
        for a, bit in zip(axes, b):
            index[a] = bit
        slices.append(view[tuple(index)])
    outs = {}
    for i, bi in enumerate(bits):
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
        outs[bi] = acc if acc is not None else jnp.zeros_like(slices[0])
    return _assemble(outs, k, axes).reshape(state.shape)


def apply_constant(state: jnp.ndarray, qubits: tuple[int, ...], mat: np.ndarray) -> jnp.ndarray:
    """Apply a constant matrix (bit order = ``qubits`` order)."""
    sq, m = _sort_matrix(qubits, mat)
    return apply_matrix(state, sq, m, constant=True)


def apply_diag(state: jnp.ndarray, qubits: tuple[int, ...], diag) -> jnp.ndarray:
    """Multiply by a diagonal over the sorted ``qubits``: ``(2^k,)`` constant or ``(2^k, C)``."""
    if len(qubits) == _n_qubits(state):
        return state * (diag[:, None] if diag.ndim == 1 else diag)
    return apply_patterns(state, qubits, [(0, diag)])


def rotation_matrix(blk: Rotation, theta: jnp.ndarray) -> tuple[tuple[int, ...], jnp.ndarray]:
    """Sorted qubits and ``exp(-i theta G)`` per column, shape ``(d, d, C)``."""
    sq, projs = _sorted_projectors(blk)
    phases = _expi(jnp.asarray(blk.eigvals)[:, None] * theta[None, :])  # (K, C)
    return sq, jnp.einsum("kij,kc->ijc", jnp.asarray(projs), phases)


@functools.lru_cache(maxsize=None)
def _sorted_projectors(blk: Rotation) -> tuple[tuple[int, ...], np.ndarray]:
    # Blocks hash by identity (eq=False), so this is computed once per block of a program.
    sq, _ = _sort_matrix(blk.qubits, blk.projectors[0])
    projs = np.stack([_sort_matrix(blk.qubits, p)[1] for p in blk.projectors])
    return sq, projs


def block_coefficients(blk: Block, th: jnp.ndarray, inverse: bool = False):
    """The per-column numbers a block needs, from the angle rows ``th`` (``(slots or M, C)``).

    ``Phase``: the ``K`` distinct exponentials ``exp(-i theta d_k)`` ``(K, C)``; ``Rotation``: its
    matrix ``(d, d, C)``; ``Layer``: its per-qubit matrices; ``Fixed``: None. ``inverse`` gives those
    of the inverse block. They are computed before the loops (for all layers at once), so no complex
    exponential sits inside a state-sized fusion, where XLA would recompute it per basis state.
    """
    if isinstance(blk, Fixed):
        return None
    if isinstance(blk, Layer):
        return layer_coefficients(blk, th, inverse)
    if isinstance(blk, FlipMix):
        return flipmix_coefficients(blk, th, inverse)
    if isinstance(blk, EigenPhase):
        angle = -th[blk.param] if inverse else th[blk.param]
        return _expi(jnp.asarray(blk.values)[:, None] * angle[None, :])
    angle = -th[blk.param] if inverse else th[blk.param]
    if isinstance(blk, Phase):
        return _expi(jnp.asarray(blk.values)[:, None] * angle[None, :])
    return rotation_matrix(blk, angle)[1]


def apply_coefficients(state: jnp.ndarray, blk: Block, coef, inverse: bool = False) -> jnp.ndarray:
    """Apply ``blk`` (its inverse when ``inverse``) given :func:`block_coefficients` of the same sense."""
    if isinstance(blk, Fixed):
        if blk.diag is not None:
            return apply_diag(state, blk.qubits, np.conj(blk.diag) if inverse else blk.diag)
        return apply_constant(state, blk.qubits, blk.matrix.conj().T if inverse else blk.matrix)
    if isinstance(blk, Layer):
        return apply_layer(state, coef)
    if isinstance(blk, FlipMix):
        a, sb = coef
        return a[None, :] * state + sb[None, :] * jnp.flip(state, axis=0)
    if isinstance(blk, EigenPhase):
        w = blk.basis
        x = _basis_product(np.conj(w.T), state) * coef[jnp.asarray(blk.inverse)]
        return _basis_product(w, x)
    if isinstance(blk, Phase):
        return apply_diag(state, blk.qubits, coef[jnp.asarray(blk.inverse)])
    sq, _ = _sorted_projectors(blk)
    return apply_matrix(state, sq, coef, constant=False)


def apply_block(state: jnp.ndarray, blk: Block, th: jnp.ndarray | None, inverse: bool = False) -> jnp.ndarray:
    """Apply ``blk`` (its inverse when ``inverse``) with the angle rows ``th`` (``(slots or M, C)``)."""
    return apply_coefficients(state, blk, block_coefficients(blk, th, inverse), inverse)


def apply_generator(blk: Block, psi: jnp.ndarray) -> jnp.ndarray:
    """``G psi`` for the generator of a one-parameter block (Phase, Rotation, FlipMix, EigenPhase)."""
    if isinstance(blk, Phase):
        return apply_diag(psi, blk.qubits, blk.diag)
    if isinstance(blk, FlipMix):
        return flipmix_generator(blk, psi)
    if isinstance(blk, EigenPhase):
        w = blk.basis
        return _basis_product(w, jnp.asarray(blk.eigvals)[:, None] * _basis_product(np.conj(w.T), psi))
    return apply_constant(psi, blk.qubits, blk.generator)


def generator_overlap(blk: Block, psi: jnp.ndarray, lam: jnp.ndarray) -> jnp.ndarray:
    """``Im <lam|G|psi>`` per column: the block's contribution to ``dL/dtheta``.

    With ``psi`` the state right after the block and ``lam = dL/dRe(psi) + i dL/dIm(psi)`` there,
    ``dL/dtheta = Re <lam| d psi/d theta> = Re <lam|(-i G)|psi> = Im <lam|G|psi>``.
    """
    return jnp.sum(jnp.imag(jnp.conj(lam) * apply_generator(blk, psi)), axis=0)


def _expi(x: jnp.ndarray) -> jnp.ndarray:
    """``exp(-i x)`` for real ``x`` as ``cos x - i sin x`` (a complex ``exp`` also pays for ``exp(0)``)."""
    return jax.lax.complex(jnp.cos(x), -jnp.sin(x))


def _basis_product(w: np.ndarray, state: jnp.ndarray) -> jnp.ndarray:
    """``w @ state`` for a constant ``w``; a real ``w`` multiplies real and imaginary parts in one real product."""
    if np.all(w.imag == 0):
        columns = state.shape[-1]
        out = jnp.asarray(w.real) @ jnp.concatenate([jnp.real(state), jnp.imag(state)], axis=-1)
        return jax.lax.complex(out[:, :columns], out[:, columns:])
    return jnp.asarray(w) @ state


def reverse_eigenphase(pair: jnp.ndarray, blk: EigenPhase, coef: jnp.ndarray, columns: int) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Uncompute an :class:`EigenPhase` from ``[psi, lam]`` and return ``Im <lam|G|psi>`` (read in the eigenbasis)."""
    w = blk.basis
    x = _basis_product(np.conj(w.T), pair)
    overlap = jnp.sum(jnp.imag(jnp.conj(x[:, columns:]) * (jnp.asarray(blk.eigvals)[:, None] * x[:, :columns])), axis=0)
    return _basis_product(w, x * coef[jnp.asarray(blk.inverse)]), overlap


def flipmix_coefficients(blk: FlipMix, th: jnp.ndarray | None, inverse: bool = False) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``(a, sign * b)`` per column for ``U = exp(-i theta g) V = a 1 + b X`` (conjugated for ``U^dagger``)."""
    va, vb = complex(blk.fixed[0, 0]), complex(blk.fixed[0, 1])
    if blk.param is None:
        a, b = jnp.asarray([va]), jnp.asarray([vb])
    else:
        alpha, beta = float(np.real(blk.generator[0, 0])), float(np.real(blk.generator[0, 1]))
        theta = th[blk.param]
        e_plus, e_minus = _expi((alpha + beta) * theta), _expi((alpha - beta) * theta)
        ua, ub = 0.5 * (e_plus + e_minus), 0.5 * (e_plus - e_minus)
        a, b = ua * va + ub * vb, ua * vb + ub * va
    if inverse:  # 1 and X are Hermitian
        a, b = jnp.conj(a), jnp.conj(b)
    return a, blk.sign * b


def flipmix_generator(blk: FlipMix, psi: jnp.ndarray) -> jnp.ndarray:
    """``g psi`` in the reduced space: ``alpha psi + sign * beta * flip_all(psi)``."""
    alpha, beta = float(np.real(blk.generator[0, 0])), float(np.real(blk.generator[0, 1]))
    return alpha * psi + (blk.sign * beta) * jnp.flip(psi, axis=0)


@functools.lru_cache(maxsize=None)
def _layer_tables(blk: Layer) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(slots, eigvals, A, const)``: ``U_q = sum_u A[q, u] exp(-i theta_{slot_u} eigval_u) + const[q]``.

    ``u`` runs over the distinct (parameter, eigenvalue) pairs of the layer, so a layer whose
    qubits share one angle and one generator (the TFIM field layer) needs two exponentials per
    column, not ``2n``.
    """
    pairs: dict[tuple[int, float], int] = {}
    n = blk.n_qubits
    entries = []
    for q, p in enumerate(blk.params):
        if p is None:
            continue
        for k in range(2):
            u = pairs.setdefault((p, round(float(blk.eigvals[q, k]), 12)), len(pairs))
            entries.append((q, u, k))
    a = np.zeros((n, len(pairs), 2, 2), dtype=np.complex128)
    for q, u, k in entries:
        a[q, u] += blk.pv[q, k]
    const = np.array([blk.fixed[q] if p is None else np.zeros((2, 2)) for q, p in enumerate(blk.params)])
    slots = np.array([p for p, _ in pairs], dtype=np.int64)
    eigvals = np.array([lam for _, lam in pairs])
    return slots, eigvals, a, const.astype(np.complex128)


def layer_matrices(blk: Layer, th: jnp.ndarray, inverse: bool = False) -> jnp.ndarray:
    """``U_q`` (or ``U_q^dagger``) of every qubit: ``(n, 2, 2)`` when constant, else ``(n, 2, 2, C)``.

    ``th`` holds the angles by parameter slot (rows), so ``th[params[q]]`` is qubit ``q``'s angle.
    """
    if not blk.slots:
        mats = jnp.asarray(blk.fixed)
        return jnp.conj(jnp.swapaxes(mats, 1, 2)) if inverse else mats
    slots, eigvals, a, const = _layer_tables(blk)
    angles = jnp.asarray(eigvals)[:, None] * th[slots]  # (U, C)
    if inverse:
        # U^dagger = sum_u conj(A_u)^T exp(+i theta lam_u): conjugate-transposed tables, negated angles.
        a, const, angles = np.conj(np.swapaxes(a, 2, 3)), np.conj(np.swapaxes(const, 1, 2)), -angles
    # sum_u A_u (cos - i sin) as one real matrix product of [Re A, Im A] and [cos; sin]: a
    # contraction (not a broadcast sum), so XLA computes each cosine once instead of fusing it into
    # every matrix entry, and a real one (XLA's complex products are much slower here).
    trig = jnp.concatenate([jnp.cos(angles), jnp.sin(angles)])  # (2U, C)
    n, u = a.shape[:2]
    flat = np.moveaxis(a, 1, 3).reshape(n * 4, u)  # (q i j, u)
    table = np.block([[flat.real, flat.imag], [flat.imag, -flat.real]])  # rows: Re then Im parts
    out = jnp.asarray(table) @ trig  # (2 n 4, C)
    mats = jax.lax.complex(out[: n * 4], out[n * 4 :]).reshape(n, 2, 2, -1)
    return mats + jnp.asarray(const)[..., None]


def _sweep_step(psi: jnp.ndarray, m: jnp.ndarray) -> jnp.ndarray:
    """Apply ``m`` (``d x d``, ``d = 2^k``) on the ``k`` leading qubits and move them last.

    ``(d, R, C) -> (R, d, C)``: the write is the transposed layout, in the same pass, so after the
    sweep the qubit order is back and every qubit has been among the leading ones once.
    """
    dim, columns = psi.shape
    d = m.shape[0]
    view = psi.reshape(d, dim // d, columns)
    slices = [view[j] for j in range(d)]
    outs = []
    for i in range(d):
        acc = m[i, 0] * slices[0]
        for j in range(1, d):
            acc = acc + m[i, j] * slices[j]
        outs.append(acc)
    return jnp.stack(outs, axis=1).reshape(dim, columns)


def _kron_groups(mats: jnp.ndarray, k: int) -> jnp.ndarray:
    """``(k r, 2, 2, ...) -> (r, 2^k, 2^k, ...)``: Kronecker products of ``k`` consecutive qubits' matrices."""
    out = mats[0::k]
    for t in range(1, k):
        b = mats[t::k]
        d = out.shape[1]
        out = (out[:, :, None, :, None] * b[:, None, :, None, :]).reshape((b.shape[0], 2 * d, 2 * d) + b.shape[3:])
    return out


def layer_coefficients(blk: Layer, th: jnp.ndarray, inverse: bool = False) -> tuple:
    """``(singles, groups)`` for :func:`apply_layer`: the first ``n mod k`` qubits alone, then groups of ``k``.

    ``k = LAYER_GROUP`` qubits per pass: ``2^k`` products per amplitude instead of ``2k``, but ``k``
    times fewer passes over the state and loop steps (2 is free; small states gain from 3).
    """
    mats = layer_matrices(blk, th, inverse)
    k = _group(blk.n_qubits)
    lead = blk.n_qubits % k
    return tuple(mats[q] for q in range(lead)), _kron_groups(mats[lead:], k)


def _layer_unroll(dim: int) -> bool | int:
    return True if dim <= 2**LAYER_UNROLL_MAX_QUBITS else 1


def _group(n: int) -> int:
    return min(LAYER_GROUP, n)


def apply_layer(state: jnp.ndarray, coef: tuple) -> jnp.ndarray:
    """Apply a layer from :func:`layer_coefficients`: one sweep step per group, under ``lax.scan``."""
    singles, groups = coef
    for m in singles:
        state = _sweep_step(state, m)
    state, _ = jax.lax.scan(lambda psi, m: (_sweep_step(psi, m), None), state, groups, unroll=_layer_unroll(state.shape[0]))
    return state


def _overlap(view: jnp.ndarray, g, columns: int) -> jnp.ndarray:
    """``Im <lam|g (x) 1|psi>`` per column, ``g`` on the leading axis of ``view`` ``(d, R, 2C)``.

    A constant (numpy) ``g`` skips its zero entries: a one-qubit generator in a two-qubit frame
    (``g (x) 1``) has 4 non-zero entries out of 16.
    """
    d = view.shape[0]
    total = None
    for i in range(d):
        gp = None
        for j in range(d):
            if isinstance(g, np.ndarray) and abs(g[i, j]) <= 1e-15:
                continue
            term = g[i, j] * view[j, :, :columns]
            gp = term if gp is None else gp + term
        if gp is not None:
            term = jnp.conj(view[i, :, columns:]) * gp
            total = term if total is None else total + term
    if total is None:
        return jnp.zeros(view.shape[-1] - columns)
    return jnp.sum(jnp.imag(total), axis=0)


@functools.lru_cache(maxsize=None)
def _group_generators(blk: Layer) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Generators in the sweep's frames: the leading singles' ``g_q``, then ``1 (x) g_q (x) 1`` per group."""
    n, k = blk.n_qubits, _group(blk.n_qubits)
    lead = n % k
    singles = tuple(blk.generators[q] for q in range(lead))
    groups = []
    for start in range(lead, n, k):
        row = []
        for t in range(k):
            factors = [np.eye(2)] * k
            factors[t] = blk.generators[start + t]
            mat = factors[0]
            for f in factors[1:]:
                mat = np.kron(mat, f)
            row.append(mat)
        groups.append(np.stack(row))
    return singles, np.stack(groups)


def reverse_layer(pair: jnp.ndarray, blk: Layer, coef: tuple, columns: int) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Uncompute a layer from the stacked ``[psi, lam]`` (``2C`` columns) and return ``Im <lam|g_q|psi>``.

    ``coef``: the inverse layer's :func:`layer_coefficients` for the ``2C`` columns. The gradient
    term of qubit ``q`` may be read at any point of the sweep: the other qubits' gates commute with
    ``g_q`` and are unitary, so partly uncomputed vectors give the same overlap. Returns the pair
    and the per-qubit overlaps ``(n, C)``.
    """
    singles, groups = coef
    g_singles, g_groups = _group_generators(blk)
    dim = pair.shape[0]
    overlaps = []
    for m, g in zip(singles, g_singles):
        overlaps.append(_overlap(pair.reshape(2, dim // 2, 2 * columns), g, columns)[None])
        pair = _sweep_step(pair, m)
    d = groups.shape[1]
    # Groups with the same generators (every qubit rotated alike, as in the TFIM field layer) use
    # them as constants in the traced step, so their zero entries cost nothing.
    same = bool(np.all(np.abs(g_groups - g_groups[:1]) <= 1e-15))

    def step(pr, xs):
        m, g = xs
        g = g_groups[0] if same else g
        view = pr.reshape(d, dim // d, 2 * columns)
        ov = jnp.stack([_overlap(view, g[t], columns) for t in range(len(g))])
        return _sweep_step(pr, m), ov

    pair, ov = jax.lax.scan(step, pair, (groups, jnp.asarray(g_groups)), unroll=_layer_unroll(dim))
    overlaps.append(ov.reshape(-1, columns))
    return pair, jnp.concatenate(overlaps)


def flip_bits(state: jnp.ndarray, qubits: tuple[int, ...]) -> jnp.ndarray:
    """``psi(x xor F)`` for the bit mask ``F`` of sorted ``qubits`` (used by the losses)."""
    if not qubits:
        return state
    n = _n_qubits(state)
    shape, axes = view_shape(n, qubits)
    return jnp.flip(state.reshape(shape + (state.shape[-1],)), axis=axes).reshape(state.shape)


__all__ = [
    "apply_block",
    "apply_coefficients",
    "block_coefficients",
    "apply_constant",
    "apply_diag",
    "apply_matrix",
    "apply_layer",
    "apply_patterns",
    "flip_bits",
    "apply_generator",
    "generator_overlap",
    "layer_matrices",
    "reverse_eigenphase",
    "reverse_layer",
    "view_shape",
]
