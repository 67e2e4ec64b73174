"""Dimension of the orbit of the input state: the bound on the QFIM rank.

The QNN's states are ``U|psi>`` with ``U`` in the group of the Lie algebra ``g = span_R{i H_a}``.
Tangent vectors of the orbit at ``psi`` are ``i H psi``; the QFIM is the Gram matrix of their parts
orthogonal to the phase direction ``i psi``: ``F/4 = Re<(H_a - <H_a>)psi|(H_b - <H_b>)psi>`` (the
covariance matrix). The orbit dimension is therefore the real dimension of
``{(H - <H>) psi : H in span_R{H_a}}``; the orbit is homogeneous, so it is the same at every point
and bounds the QFIM rank at every parameter value (with equality at generic deep-circuit points).

Exact for ``psi = |0...0>`` (the frame of :mod:`overparam.lie.frame` moves every Clifford state
preparation into the generators): a Hermitian string ``P(x, z) = i^{|x&z|} X^x Z^z`` sends ``|0>``
to ``i^{|x&z|} |x>``. So ``H psi`` has, for each string of ``H`` with coefficient ``c``, the entry
``c i^k`` (``k = |x&z| mod 4``) at basis state ``x``; the entry at ``x = 0`` is ``<H> psi`` and is
exactly what the phase projection removes. Splitting each remaining complex coordinate into real
and imaginary parts gives an *integer* linear map from the algebra to ``Z^(2(2^n - 1))``: string
``(x, z)`` goes to coordinate ``(x, k mod 2)`` with sign ``+1`` for ``k in {0, 1}`` and ``-1`` else.
Its rank over Q is computed exactly like the algebra's, and costs what the algebra costs, not
``2^n``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from overparam.lie import pauli as pl
from overparam.lie.closure import Closure, integer_closure
from overparam.lie.fp import FpClosure
from overparam.lie.linalg import ModP, Rational


def _state_coordinates(strings: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """For each string: the key of its coordinate ``(x, k mod 2)`` (``b''`` for ``x = 0``) and its sign."""
    w = strings.shape[1] // 2
    x, z = strings[:, :w], strings[:, w:]
    k = pl.popcount_rows(x & z) % 4
    sign = np.where(k < 2, 1, -1).astype(np.int64)
    x = np.ascontiguousarray(x)
    xkeys = x.view(np.dtype((np.void, 8 * w))).ravel().tolist()
    zero = (x == 0).all(axis=1)
    keys = [b"" if zero[i] else xkeys[i] + bytes([int(k[i] % 2)]) for i in range(len(xkeys))]
    return keys, sign


def _coordinate_map(strings: np.ndarray) -> sp.csr_matrix:
    """Sparse ``(#strings, #coordinates)`` matrix of the integer map string -> ``±e_(x, k mod 2)``."""
    keys, sign = _state_coordinates(strings)
    ids: dict[bytes, int] = {}
    rows, cols, vals = [], [], []
    for i, key in enumerate(keys):
        if not key:
            continue
        rows.append(i)
        cols.append(ids.setdefault(key, len(ids)))
        vals.append(int(sign[i]))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(keys), len(ids)), dtype=np.int64)


def _orbit_fp(field: FpClosure) -> list[int]:
    m = _coordinate_map(field.table.strings)
    dims = []
    for p, rows in zip(field.primes, field.rows):
        span = ModP(p)
        span.add_rows((rows @ m).tocsr())
        dims.append(span.rank)
    return dims


def _orbit_integer(basis: Sequence[pl.PauliSum]) -> int:
    echelon = Rational()
    ids: dict[bytes, int] = {}
    for h in basis:
        keys, sign = _state_coordinates(h.strings)
        vec: dict[int, int] = {}
        for key, s, c in zip(keys, sign.tolist(), h.coeffs.tolist()):
            if key:
                col = ids.setdefault(key, len(ids))
                vec[col] = vec.get(col, 0) + s * int(c)
        echelon.add({c: v for c, v in vec.items() if v})
    return echelon.rank


def orbit_dim_zero_state(closure: Closure) -> tuple[int, str]:
    """Exact orbit dimension of ``|0...0>`` under the algebra, and the method that decided it."""
    if closure.method == "pauli-strings":
        # Single strings: each gives one coordinate (x, k mod 2); collinear iff the same coordinate.
        keys = set()
        for h in closure.basis or ():
            key = _state_coordinates(h.strings)[0][0]
            if key:
                keys.add(key)
        return len(keys), "pauli-strings"
    if closure.method == "modp":
        dims = _orbit_fp(closure.field)
        if all(d == dims[0] for d in dims):
            return dims[0], "modp"
        basis = integer_closure(closure.generators, rational=True)
        return _orbit_integer(basis), "rational"
    return _orbit_integer(closure.basis or ()), "rational"


def orbit_dim_state(basis: Sequence[pl.PauliSum], n: int, psi: np.ndarray, rtol: float = 1e-9) -> int:
    """Numerical orbit dimension of a dense state vector ``psi`` (small ``n``): see the module doc."""
    psi = np.asarray(psi, dtype=np.complex128)
    psi = psi / np.linalg.norm(psi)
    if not len(basis):
        return 0
    vecs = []
    for h in basis:
        v = pl.apply_to_state(h, n, psi)
        v = v - (psi.conj() @ v) * psi
        vecs.append(np.concatenate([v.real, v.imag]))
    s = np.linalg.svd(np.array(vecs), compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0
    return int(np.count_nonzero(s > rtol * s[0]))
