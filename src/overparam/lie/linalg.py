"""Exact linear independence of sparse integer vectors, in batches.

Vectors are rows of a sparse integer matrix over Pauli-string columns, held as plain numpy arrays
(:class:`Rows`: row, column and value of every non-zero; scipy's per-call overhead dominated the
many small batches of a closure). Each prime field keeps the accepted rows in *reduced*
row-echelon form (RREF) modulo ``p``: every row is 1 at its pivot column and 0 at every other
row's pivot. Reducing a batch is then a single gather-and-add: each entry that sits on a pivot
column is replaced by minus its multiple of that pivot's row (no cascade, since rows hold no other
pivot), and the rows that survive are eliminated among themselves densely (they are few: one per
new basis element). Values stay in ``[0, p)`` with ``p < 2^31``, so a product of two fits in int64.

Why it is exact. An integer vector set that is independent modulo a prime ``p`` is independent over
the rationals (a minor that is non-zero mod ``p`` is a non-zero integer), so every "independent"
verdict is a certificate. A "dependent" verdict mod ``p`` is wrong only if ``p`` divides a non-zero
minor. :class:`ExactSpan` runs two different primes side by side on every batch; where their
verdicts differ it rebuilds the accepted vectors over the rationals (:class:`Rational`) and goes on
there, so a wrong answer needs *both* primes to divide the same non-zero minor (see docs/lie.md).
"""

from __future__ import annotations

import dataclasses
import heapq
from fractions import Fraction
from typing import Sequence

import numpy as np
import scipy.sparse as sp

# Two primes below 2^31 (products of two residues fit in int64).
PRIME_1 = 2**31 - 1
PRIME_2 = 2**31 - 19

# At most this many residual rows are eliminated densely at once (keeps the dense block small).
CHUNK = 256

_EMPTY = np.zeros(0, dtype=np.int64)


class PrimeSplit(Exception):
    """The prime fields run in lock-step disagree on whether some entry is zero."""


@dataclasses.dataclass
class Rows:
    """``n_rows`` sparse integer rows: the non-zeros as (row, col), sorted by (row, col), unique.

    ``val`` has one line per prime field, shape ``(m, nnz)``: the fields run in lock-step on the
    same sparsity pattern (they share every index computation).
    """

    row: np.ndarray
    col: np.ndarray
    val: np.ndarray
    n_rows: int

    @staticmethod
    def empty(n_rows: int = 0, m: int = 1) -> "Rows":
        return Rows(_EMPTY, _EMPTY, np.zeros((m, 0), dtype=np.int64), n_rows)

    @staticmethod
    def from_csr(mat: sp.spmatrix, m: int = 1) -> "Rows":
        mat = sp.csr_matrix(mat, dtype=np.int64)
        mat.sum_duplicates()
        row = np.repeat(np.arange(mat.shape[0], dtype=np.int64), np.diff(mat.indptr))
        val = np.tile(mat.data.astype(np.int64), (m, 1))
        return Rows(row, mat.indices.astype(np.int64), val, mat.shape[0])

    def to_csr(self, n_cols: int, field: int = 0) -> sp.csr_matrix:
        return sp.csr_matrix((self.val[field], (self.row, self.col)), shape=(self.n_rows, n_cols), dtype=np.int64)

    def indptr(self) -> np.ndarray:
        return np.searchsorted(self.row, np.arange(self.n_rows + 1))

    def nonzero_rows(self) -> np.ndarray:
        return np.unique(self.row)


def _check_pattern(nonzero: np.ndarray) -> np.ndarray:
    """Columns non-zero in any field; raise :class:`PrimeSplit` if the fields differ."""
    anyz = nonzero.any(axis=0)
    if nonzero.shape[0] > 1 and not nonzero[:, anyz].all():
        raise PrimeSplit("the prime fields disagree on a zero")
    return anyz


def canonical(row: np.ndarray, col: np.ndarray, val: np.ndarray, n_rows: int, p: np.ndarray) -> Rows:
    """Sort entries by (row, col), add duplicates, reduce modulo the primes ``p`` (shape ``(m, 1)``), drop zeros."""
    if row.size == 0:
        return Rows.empty(n_rows, p.shape[0])
    width = int(col.max()) + 1
    key = row * width + col
    order = np.argsort(key, kind="stable")
    key, val = key[order], val[:, order]
    start = np.ones(key.size, dtype=bool)
    start[1:] = key[1:] != key[:-1]
    idx = np.flatnonzero(start)
    sums = np.add.reduceat(val % p, idx, axis=1) % p
    key = key[idx]
    nz = _check_pattern(sums != 0)
    key, sums = key[nz], sums[:, nz]
    return Rows(key // width, key % width, sums, n_rows)


def _mulmod_vec(f: np.ndarray, m: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``f_k @ m_k mod p_k`` for every field ``k`` (``f``: ``(m, q)``, ``m``: ``(m, q, s)``), exact in int64.

    ``f`` is split into 16-bit limbs: each product is then below ``2^16 * 2^31`` and a sum of up
    to ``2^16`` of them below ``2^63`` (``q <= CHUNK``).
    """
    lo = np.matmul((f & 0xFFFF)[:, None, :], m)[:, 0, :] % p
    hi = np.matmul((f >> 16)[:, None, :], m)[:, 0, :] % p
    return (lo + (hi << 16) % p) % p


class ModP:
    """Accepted rows in RREF modulo one or more primes run in lock-step, with a column -> pivot-row map.

    With several primes every operation is done in every field on one shared sparsity pattern; if
    the fields ever disagree on whether an entry is zero (or on a pivot), :class:`PrimeSplit` is
    raised and the caller decides over the rationals.
    """

    def __init__(self, primes: int | Sequence[int]) -> None:
        primes = [int(primes)] if np.isscalar(primes) else [int(x) for x in primes]
        if not primes or any(not 2 < x < 2**31 for x in primes):
            raise ValueError("primes must lie in (2, 2^31)")
        self.primes = tuple(primes)
        self.p = np.asarray(primes, dtype=np.int64).reshape(-1, 1)
        self.rows = Rows.empty(0, len(primes))
        self._indptr = np.zeros(1, dtype=np.int64)
        self.pivots = _EMPTY
        self.pivot_row = np.full(0, -1, dtype=np.int64)  # column -> row whose pivot it is, or -1

    @property
    def rank(self) -> int:
        return int(self.pivots.size)

    def _grow(self, n_cols: int) -> None:
        if n_cols > self.pivot_row.size:
            grown = np.full(max(n_cols, 2 * self.pivot_row.size), -1, dtype=np.int64)
            grown[: self.pivot_row.size] = self.pivot_row
            self.pivot_row = grown

    def reduce(self, v: Rows) -> Rows:
        """Rows of ``v`` (canonical, values reduced) reduced against the accepted rows."""
        return _reduce(v, self.rows, self._indptr, self.pivots, self.pivot_row, self.p)

    def add_rows(self, rows: Rows | sp.spmatrix) -> tuple[np.ndarray, Rows]:
        """Offer rows in order (any integers); return the acceptance mask and the new RREF rows.

        Row ``i`` is accepted iff it is independent of the accepted rows and of the rows before it.
        The new rows span the accepted input rows modulo the old ones.
        """
        if not isinstance(rows, Rows):
            rows = Rows.from_csr(rows, self.p.shape[0])
        v = canonical(rows.row, rows.col, rows.val, rows.n_rows, self.p)
        if v.col.size:
            self._grow(int(v.col.max()) + 1)
        mask = np.zeros(rows.n_rows, dtype=bool)
        added: list[Rows] = []
        while v.row.size:
            v = self.reduce(v)
            nzr = v.nonzero_rows()
            if nzr.size == 0:
                break
            cut = int(nzr[CHUNK]) if nzr.size > CHUNK else rows.n_rows
            head = v.row < cut
            block = Rows(v.row[head], v.col[head], v.val[:, head], rows.n_rows)
            acc, new = self._absorb(block)
            mask |= acc
            if new.n_rows:
                added.append(new)
            tail = ~head
            v = Rows(v.row[tail], v.col[tail], v.val[:, tail], rows.n_rows)
        return mask, _stack(added, self.p.shape[0])

    def _absorb(self, res: Rows) -> tuple[np.ndarray, Rows]:
        """Gauss-Jordan among the residual rows (in order); append the independent ones."""
        p = self.p
        m = p.shape[0]
        p3 = p[:, :, None]
        accepted = np.zeros(res.n_rows, dtype=bool)
        nz_rows = res.nonzero_rows()
        cols = np.unique(res.col)
        dense = np.zeros((m, nz_rows.size, cols.size), dtype=np.int64)
        dense[:, np.searchsorted(nz_rows, res.row), np.searchsorted(cols, res.col)] = res.val
        e_piv: list[int] = []
        emat = np.zeros((m, 0, cols.size), dtype=np.int64)
        for i in range(nz_rows.size):
            r = dense[:, i, :]
            if e_piv:
                # E is in RREF, so r - sum_j r[piv_j] E_j clears every pivot of E at once.
                f = r[:, e_piv]
                if f.any():
                    r = (r - _mulmod_vec(f, emat, p)) % p
            nzc = np.flatnonzero(_check_pattern(r != 0))
            if nzc.size == 0:
                continue
            c = int(nzc[0])
            inv = np.array([pow(int(r[k, c]), -1, self.primes[k]) for k in range(m)], dtype=np.int64)
            r = (r * inv[:, None]) % p
            if e_piv:
                emat = (emat - (emat[:, :, c : c + 1] * r[:, None, :]) % p3) % p3
            emat = np.concatenate([emat, r[:, None, :]], axis=1)
            e_piv.append(c)
            accepted[nz_rows[i]] = True
        if not e_piv:
            return accepted, Rows.empty(0, m)
        return accepted, self._finish(emat, e_piv, cols)

    def _finish(self, emat: np.ndarray, e_piv: list[int], cols: np.ndarray) -> Rows:
        """Turn the dense new RREF rows into sparse rows over global columns and append them."""
        m = emat.shape[0]
        er, ec = np.nonzero(_check_pattern((emat != 0).reshape(m, -1)).reshape(emat.shape[1:]))
        new = Rows(er.astype(np.int64), cols[ec], emat[:, er, ec], len(e_piv))
        self._append(new, cols[np.asarray(e_piv, dtype=np.int64)])
        return new

    def _append(self, new: Rows, new_piv: np.ndarray) -> None:
        """Add RREF rows with pivots ``new_piv``: clear those columns from the old rows, then stack."""
        self._grow(int(max(new.col.max(), new_piv.max())) + 1)
        old = self.rows
        if old.row.size:
            local = np.full(self.pivot_row.size, -1, dtype=np.int64)
            local[new_piv] = np.arange(new_piv.size)
            if (local[old.col] >= 0).any():
                old = _reduce(old, new, new.indptr(), new_piv, local, self.p)
        d = self.rank
        merged = Rows(
            np.concatenate([old.row, new.row + d]),
            np.concatenate([old.col, new.col]),
            np.concatenate([old.val, new.val], axis=1),
            d + new.n_rows,
        )
        self.rows = merged  # old rows come first and new rows are sorted: still sorted by (row, col)
        self._indptr = merged.indptr()
        self.pivot_row[new_piv] = np.arange(d, d + new_piv.size)
        self.pivots = np.concatenate([self.pivots, new_piv])


def _reduce(v: Rows, basis: Rows, indptr: np.ndarray, pivots: np.ndarray, pivot_row: np.ndarray, p: np.ndarray) -> Rows:
    """``v`` minus, for each entry on a pivot column, that entry times the pivot's (RREF) row."""
    if v.row.size == 0 or pivots.size == 0:
        return v
    pr = np.where(v.col < pivot_row.size, pivot_row[np.minimum(v.col, pivot_row.size - 1)], -1)
    hit = pr >= 0
    if not hit.any():
        return v
    hr, hv, hp = v.row[hit], v.val[:, hit], pr[hit]
    starts = indptr[hp]
    lens = indptr[hp + 1] - starts
    rep = np.repeat(np.arange(hp.size), lens)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(lens) - lens, lens)
    src = starts[rep] + offs
    ec = basis.col[src]
    # The entry on the pivot column cancels exactly (the row is 1 there): drop both.
    keep = ec != pivots[hp][rep]
    ev = (hv[:, rep[keep]] * basis.val[:, src[keep]]) % p
    miss = ~hit
    return canonical(
        np.concatenate([v.row[miss], hr[rep][keep]]),
        np.concatenate([v.col[miss], ec[keep]]),
        np.concatenate([v.val[:, miss], (p - ev) % p], axis=1),
        v.n_rows,
        p,
    )


def _stack(parts: list[Rows], m: int) -> Rows:
    if not parts:
        return Rows.empty(0, m)
    offsets = np.cumsum([0] + [r.n_rows for r in parts])
    return Rows(
        np.concatenate([r.row + o for r, o in zip(parts, offsets)]),
        np.concatenate([r.col for r in parts]),
        np.concatenate([r.val for r in parts], axis=1),
        int(offsets[-1]),
    )


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


def _row_dicts(rows: Rows) -> list[dict[int, int]]:
    out: list[dict[int, int]] = [{} for _ in range(rows.n_rows)]
    for r, c, x in zip(rows.row.tolist(), rows.col.tolist(), rows.val[0].tolist()):
        out[r][c] = x
    return out


class ExactSpan:
    """Exact rank of a growing set of integer vectors: primes in lock-step, rationals on a split.

    ``method`` reads ``"modp"`` while the primes agree and ``"rational"`` after a disagreement
    (or from the start when ``primes`` is empty).
    """

    def __init__(self, primes: Sequence[int] = (PRIME_1, PRIME_2)) -> None:
        self.field: ModP | None = ModP(primes) if len(primes) else None
        # No primes: exact rational elimination from the start.
        self.rational: Rational | None = None if self.field else Rational()
        self.accepted: list[dict[int, int]] = []  # kept for a rational rebuild
        self.disagreements = 0

    @property
    def method(self) -> str:
        return "rational" if self.rational is not None else "modp"

    @property
    def rank(self) -> int:
        return len(self.accepted)

    def add_rows(self, rows: Rows | sp.spmatrix, exact_rows: Sequence[dict[int, int]] | None = None) -> np.ndarray:
        """Offer the rows of an integer matrix in order; return the mask of those accepted.

        ``exact_rows`` gives the same rows as ``{column: int}`` dicts; pass it when entries may
        exceed int64 (``rows`` then holds them modulo ``p_1 p_2``, which the fields reduce further
        and the rational path ignores). By default they are read from ``rows``.
        """
        if not isinstance(rows, Rows):
            rows = Rows.from_csr(rows, len(self.field.primes) if self.field else 1)
        if exact_rows is None:
            exact_rows = _row_dicts(rows)
        if self.field is not None:
            try:
                mask, _ = self.field.add_rows(rows)
                self.accepted.extend(exact_rows[i] for i in np.flatnonzero(mask))
                return mask
            except PrimeSplit:
                # Every vector accepted so far was certified independent by a prime, so they are
                # independent over Q: rebuild over Q and decide this batch there.
                self.disagreements += 1
                self.field = None
                self.rational = Rational()
                for v in self.accepted:
                    if not self.rational.add(v):  # pragma: no cover - impossible by the argument above
                        raise AssertionError("accepted vectors are dependent over Q")
        assert self.rational is not None
        out = np.zeros(len(exact_rows), dtype=bool)
        for i, v in enumerate(exact_rows):
            if self.rational.add(v):
                self.accepted.append(v)
                out[i] = True
        return out


def exact_rank(rows: sp.spmatrix, primes: Sequence[int] = (PRIME_1, PRIME_2)) -> tuple[int, str]:
    """Rank over Q of an integer sparse matrix, and the method that decided it."""
    span = ExactSpan(primes)
    span.add_rows(rows)
    return span.rank, span.method
