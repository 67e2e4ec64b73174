"""Exact linear independence of sparse integer vectors, in batches.

Vectors arrive as rows of a ``scipy.sparse`` integer matrix over Pauli-string columns. Each prime
field keeps the accepted rows in *reduced* row-echelon form (RREF) modulo ``p``: every row is 1 at
its pivot column and 0 at every other row's pivot. Reducing a batch ``C`` is then one sparse
product, ``C - C[:, pivots] @ R`` (no cascade), and the rows that survive are eliminated among
themselves densely (they are few: one per new basis element). Products are exact in int64 because
``p < 2^31`` and the right factor is split into 16-bit limbs (each partial sum stays below 2^63).

Why it is exact. An integer vector set that is independent modulo a prime ``p`` is independent over
the rationals (a minor that is non-zero mod ``p`` is a non-zero integer), so every "independent"
verdict is a certificate. A "dependent" verdict mod ``p`` is wrong only if ``p`` divides a non-zero
minor. :class:`ExactSpan` runs two different primes side by side on every batch; where their
verdicts differ it rebuilds the accepted vectors over the rationals (:class:`Rational`) and goes on
there, so a wrong answer needs *both* primes to divide the same non-zero minor (see docs/lie.md).
"""

from __future__ import annotations

import heapq
from fractions import Fraction
from typing import Sequence

import numpy as np
import scipy.sparse as sp

# Two primes below 2^31 (products of two residues fit in int64).
PRIME_1 = 2**31 - 1
PRIME_2 = 2**31 - 19

_LIMB = 16
_LIMB_MASK = (1 << _LIMB) - 1
# At most this many residual rows are eliminated densely at once (keeps the dense block small and
# every partial sum of the limb products below 2^63).
CHUNK = 256


def _mulmod_sparse(a: sp.csr_matrix, b: sp.csr_matrix, p: int) -> sp.csr_matrix:
    """``a @ b mod p`` for entries in ``[0, p)``, exact: ``b`` is split into two 16-bit limbs."""
    lo = b.copy()
    lo.data = lo.data & _LIMB_MASK
    hi = b.copy()
    hi.data = hi.data >> _LIMB
    # Each product is < 2^31 * 2^16 = 2^47; rows of ``a`` have < 2^16 non-zeros here (CHUNK and
    # pivot counts are far below that), so every sum stays < 2^63.
    r_lo = a @ lo
    r_hi = a @ hi
    r_lo.data %= p
    r_hi.data %= p
    r_hi.data = (r_hi.data << _LIMB) % p
    out = (r_lo + r_hi).tocsr()
    out.data %= p
    out.eliminate_zeros()
    return out


def _mulmod_dense(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """``a @ b mod p`` for dense int64 arrays with entries in ``[0, p)`` (same limb split)."""
    lo = (a @ (b & _LIMB_MASK)) % p
    hi = (a @ (b >> _LIMB)) % p
    return (lo + ((hi << _LIMB) % p)) % p


class ModP:
    """Accepted rows in RREF modulo ``p`` (a sparse matrix plus its pivot columns)."""

    def __init__(self, p: int, n_cols: int = 0) -> None:
        if not 2 < p < 2**31:
            raise ValueError("p must be a prime in (2, 2^31)")
        self.p = p
        self.last_rows = sp.csr_matrix((0, n_cols), dtype=np.int64)
        self.rows = sp.csr_matrix((0, n_cols), dtype=np.int64)
        self.pivots = np.zeros(0, dtype=np.int64)

    @property
    def rank(self) -> int:
        return int(self.pivots.size)

    def _grow(self, n_cols: int) -> None:
        if n_cols > self.rows.shape[1]:
            self.rows.resize((self.rows.shape[0], n_cols))

    def residuals(self, c: sp.csr_matrix) -> sp.csr_matrix:
        """Rows of ``c`` (entries already in ``[0, p)``) reduced against the accepted rows."""
        self._grow(c.shape[1])
        if self.rank == 0:
            return c
        coeff = c[:, self.pivots]
        coeff.eliminate_zeros()
        if coeff.nnz == 0:
            return c
        red = _mulmod_sparse(coeff.tocsr(), self.rows, self.p)
        out = (c - red).tocsr()
        out.data %= self.p
        out.eliminate_zeros()
        return out

    def absorb(self, res: sp.csr_matrix) -> np.ndarray:
        """Eliminate residual rows among themselves in order; add the independent ones.

        Returns a boolean mask over the rows of ``res``: row ``i`` is accepted iff it is independent
        of the accepted rows and of the rows before it.
        """
        p = self.p
        accepted = np.zeros(res.shape[0], dtype=bool)
        self.last_rows = sp.csr_matrix((0, res.shape[1]), dtype=np.int64)
        nz_rows = np.flatnonzero(np.diff(res.indptr))
        if nz_rows.size == 0:
            return accepted
        sub = res[nz_rows]
        cols = np.unique(sub.indices)
        dense = sub[:, cols].toarray().astype(np.int64)
        e_piv: list[int] = []
        emat = np.zeros((0, cols.size), dtype=np.int64)
        for i, row in enumerate(dense):
            r = row
            if e_piv:
                r = (r - _mulmod_dense(r[e_piv][None, :], emat, p)[0]) % p
            nzc = np.flatnonzero(r)
            if nzc.size == 0:
                continue
            c = int(nzc[0])
            r = (r * pow(int(r[c]), -1, p)) % p
            if e_piv:
                emat = (emat - (emat[:, c : c + 1] * r[None, :]) % p) % p
            emat = np.vstack([emat, r[None, :]])
            e_piv.append(c)
            accepted[nz_rows[i]] = True
        if not e_piv:
            return accepted
        # New rows, in global columns; clear their pivot columns from the old rows (keeps RREF).
        new = _lift(emat, cols, res.shape[1])
        new_piv = cols[np.asarray(e_piv, dtype=np.int64)]
        if self.rank:
            coeff = self.rows[:, new_piv]
            coeff.eliminate_zeros()
            if coeff.nnz:
                upd = _mulmod_sparse(coeff.tocsr(), new, p)
                rows = (self.rows - upd).tocsr()
                rows.data %= p
                rows.eliminate_zeros()
                self.rows = rows
        self.rows = sp.vstack([self.rows, new], format="csr", dtype=np.int64)
        self.pivots = np.concatenate([self.pivots, new_piv])
        self.last_rows = new
        return accepted

    def add_rows(self, rows: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
        """Offer the rows in order (any integers); return the acceptance mask and the new RREF rows.

        The new rows span the same space as the accepted input rows modulo the old ones.
        """
        rows = sp.csr_matrix(rows, dtype=np.int64)
        rows.data %= self.p
        rows.eliminate_zeros()
        mask = np.zeros(rows.shape[0], dtype=bool)
        added = []
        start = 0
        while start < rows.shape[0]:
            res = self.residuals(rows[start:])
            nz = np.flatnonzero(np.diff(res.indptr))
            end = res.shape[0] if nz.size <= CHUNK else int(nz[CHUNK])
            mask[start : start + end] = self.absorb(res[:end])
            if self.last_rows.shape[0]:
                added.append(self.last_rows)
            start += end
        n_cols = max([self.rows.shape[1]] + [a.shape[1] for a in added])
        for a in added:
            a.resize((a.shape[0], n_cols))
        new = sp.vstack(added, format="csr", dtype=np.int64) if added else sp.csr_matrix((0, n_cols), dtype=np.int64)
        return mask, new


def _lift(emat: np.ndarray, cols: np.ndarray, n_cols: int) -> sp.csr_matrix:
    """Dense rows over the column subset ``cols`` as a sparse matrix over all ``n_cols`` columns."""
    r, c = np.nonzero(emat)
    return sp.csr_matrix((emat[r, c], (r, cols[c])), shape=(emat.shape[0], n_cols), dtype=np.int64)


class Rational:
    """Echelon form over the rationals with sparse dict rows (exact, slow): the fallback."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[int, Fraction]] = {}

    @property
    def rank(self) -> int:
        return len(self.rows)

    def add(self, vec: dict[int, int]) -> bool:
        """Insert ``vec`` if it is independent of the rows; return whether it was."""
        rows = self.rows
        v: dict[int, Fraction] = {c: Fraction(x) for c, x in vec.items() if x}
        # Pivot = smallest column of each row, so clearing pivots in increasing order never
        # brings back a cleared one.
        heap = [c for c in v if c in rows]
        heapq.heapify(heap)
        while heap:
            c = heapq.heappop(heap)
            f = v.get(c)
            if not f:
                continue
            for cc, rv in rows[c].items():
                old = v.get(cc)
                nv = (old or 0) - f * rv
                if nv:
                    if old is None and cc in rows:
                        heapq.heappush(heap, cc)
                    v[cc] = nv
                elif old is not None:
                    del v[cc]
        if not v:
            return False
        pivot = min(v)
        inv = 1 / v[pivot]
        rows[pivot] = {c: x * inv for c, x in v.items()}
        return True


def _csr_row_dicts(m: sp.csr_matrix) -> list[dict[int, int]]:
    return [
        {int(c): int(x) for c, x in zip(m.indices[m.indptr[i] : m.indptr[i + 1]], m.data[m.indptr[i] : m.indptr[i + 1]])}
        for i in range(m.shape[0])
    ]


class ExactSpan:
    """Exact rank of a growing set of integer vectors: two primes in lock-step, rationals on a split.

    ``method`` reads ``"modp"`` while the primes agree and ``"rational"`` after a disagreement
    (or from the start when ``primes`` is empty).
    """

    def __init__(self, primes: Sequence[int] = (PRIME_1, PRIME_2)) -> None:
        self.fields = [ModP(int(p)) for p in primes]
        # No primes: exact rational elimination from the start.
        self.rational: Rational | None = None if self.fields else Rational()
        self.accepted: list[dict[int, int]] = []  # kept for a rational rebuild
        self.disagreements = 0

    @property
    def method(self) -> str:
        return "rational" if self.rational is not None else "modp"

    @property
    def rank(self) -> int:
        return len(self.accepted)

    def add_rows(self, rows: sp.csr_matrix, exact_rows: Sequence[dict[int, int]] | None = None) -> np.ndarray:
        """Offer the rows of an integer matrix in order; return the mask of those accepted.

        ``exact_rows`` gives the same rows as ``{column: int}`` dicts; pass it when entries may
        exceed int64 (``rows`` then holds them modulo ``p_1 p_2``, which the fields reduce further
        and the rational path ignores). By default they are read from ``rows``.
        """
        if exact_rows is None:
            exact_rows = _csr_row_dicts(rows)
        if self.rational is not None:
            return self._add_rational(exact_rows)
        mask = np.zeros(rows.shape[0], dtype=bool)
        start = 0
        while start < rows.shape[0]:
            block, masks = self._block(rows, exact_rows, start)
            if masks is None:  # the primes disagreed: continue exactly over Q
                mask[start:] = self._add_rational(exact_rows[start:])
                return mask
            mask[start : start + block] = masks
            start += block
        return mask

    def _block(self, rows: sp.csr_matrix, exact_rows: Sequence[dict[int, int]], start: int):
        # Reduce everything left against the accepted rows, then absorb residuals CHUNK at a
        # time (a later chunk must be re-reduced after an earlier one was absorbed).
        rest = rows[start:]
        per_field = []
        for f in self.fields:
            c = rest.copy()
            c.data = c.data % f.p
            c.eliminate_zeros()
            res = f.residuals(c)
            nz = np.flatnonzero(np.diff(res.indptr))
            end = rest.shape[0] if nz.size <= CHUNK else int(nz[CHUNK])
            per_field.append((res, end))
        block = min(end for _, end in per_field)
        masks = [f.absorb(res[:block]) for f, (res, _) in zip(self.fields, per_field)]
        if any(not np.array_equal(masks[0], m) for m in masks[1:]):
            self.disagreements += 1
            self._to_rational()
            return block, None
        for i in np.flatnonzero(masks[0]):
            self.accepted.append(exact_rows[start + i])
        return block, masks[0]

    def _to_rational(self) -> None:
        # Every accepted vector was certified independent by a prime, so they stay independent
        # over Q; the fields may hold a partial chunk and are simply dropped.
        self.rational = Rational()
        for v in self.accepted:
            if not self.rational.add(v):  # pragma: no cover - impossible by the argument above
                raise AssertionError("accepted vectors are dependent over Q")
        self.fields = []

    def _add_rational(self, exact_rows: Sequence[dict[int, int]]) -> np.ndarray:
        assert self.rational is not None
        out = np.zeros(len(exact_rows), dtype=bool)
        for i, v in enumerate(exact_rows):
            if self.rational.add(v):
                self.accepted.append(v)
                out[i] = True
        return out


def exact_rank(rows: sp.csr_matrix, primes: Sequence[int] = (PRIME_1, PRIME_2)) -> tuple[int, str]:
    """Rank over Q of an integer sparse matrix, and the method that decided it."""
    span = ExactSpan(primes)
    span.add_rows(sp.csr_matrix(rows, dtype=np.int64))
    return span.rank, span.method
