"""Lie closure over the prime field F_p, with sparse row-echelon representatives.

Brackets of Pauli strings have integer structure constants (``[P_a, P_b]/(2i) = ±P_c`` or 0), so the
closure can be run with coefficients modulo ``p``. The elements kept are the rows of the reduced
row-echelon form, which stay sparse, instead of the raw nested commutators, whose number of terms
grows with depth (TFIM open n = 30: ~700 terms per raw element against ~30 per row).

Relation to the exact dimension. Let ``L_Z`` be the lattice spanned by all integer nested brackets
of the (integer, primitive) generators; ``dim_Q L = rank L_Z``. Reduction mod ``p`` commutes with the
bracket, so the F_p closure is the image of ``L_Z`` mod ``p`` and ``dim_Fp <= dim_Q`` always, with
equality unless ``p`` divides every maximal minor of a basis matrix of ``L_Z`` (finitely many such
primes; for Pauli algebras the invariant factors met are products of small primes, mostly powers
of 2). Running two different 31-bit primes and requiring equal dimensions (and equal growth level
by level) is the check; a disagreement sends the caller to the rational path.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from overparam.lie.linalg import ModP, Rows, canonical
from overparam.lie.pauli import PauliSum, commutator_terms, unique_rows, void_keys


class StringTable:
    """Column ids of Pauli strings (assigned on first sight) and the strings by id."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.ids: dict[bytes, int] = {}
        self._strings = np.zeros((64, width), dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def strings(self) -> np.ndarray:
        return self._strings[: len(self.ids)]

    def lookup(self, strings: np.ndarray) -> np.ndarray:
        """Column id of each row of ``strings`` (new strings get new ids)."""
        if strings.shape[0] == 0:
            return np.zeros(0, dtype=np.int64)
        first, inverse = unique_rows(strings)
        ids = self.ids
        out = np.empty(len(first), dtype=np.int64)
        fresh = []
        for i, k in enumerate(void_keys(strings[first]).tolist()):
            c = ids.get(k)
            if c is None:
                c = ids[k] = len(ids)
                fresh.append(i)
            out[i] = c
        if fresh:
            need = len(ids)
            if need > self._strings.shape[0]:
                grown = np.zeros((max(need, 2 * self._strings.shape[0]), self.width), dtype=np.uint64)
                grown[: self._strings.shape[0]] = self._strings
                self._strings = grown
            fresh_idx = np.asarray(fresh)
            self._strings[out[fresh_idx]] = strings[first[fresh_idx]]
        return out[inverse.reshape(-1)]

    def rows_of(self, sums: Sequence[PauliSum], p: np.ndarray) -> Rows:
        """Integer Pauli sums as rows modulo the primes ``p`` (shape ``(m, 1)``)."""
        strings = np.concatenate([s.strings for s in sums])
        cols = self.lookup(strings)
        ints = [int(c) for s in sums for c in s.coeffs]
        vals = np.array([[x % int(q) for x in ints] for q in p[:, 0]], dtype=np.int64)
        sizes = np.array([s.n_terms for s in sums], dtype=np.int64)
        row = np.repeat(np.arange(len(sums), dtype=np.int64), sizes)
        return canonical(row, cols, vals, len(sums), p)


@dataclasses.dataclass(frozen=True)
class GeneratorTerms:
    """All generators' terms in one array, with their owner and coefficients modulo each prime."""

    strings: np.ndarray
    owner: np.ndarray
    coeffs: np.ndarray  # (m, terms)
    count: int

    @staticmethod
    def build(gens: Sequence[PauliSum], p: np.ndarray) -> "GeneratorTerms":
        ints = [int(x) for g in gens for x in g.coeffs]
        return GeneratorTerms(
            np.concatenate([g.strings for g in gens]),
            np.repeat(np.arange(len(gens), dtype=np.int64), [g.n_terms for g in gens]),
            np.array([[x % int(q) for x in ints] for q in p[:, 0]], dtype=np.int64),
            len(gens),
        )


def bracket_rows(gens: GeneratorTerms, rows: Rows, table: StringTable, p: np.ndarray) -> Rows:
    """``[g_k, r_i]/(2i)`` modulo each prime for every generator and row, as row ``k * rows.n_rows + i``.

    All generators' terms are handled in one vectorized pass (the per-call overhead of numpy, not
    the arithmetic, is what a closure with many small rounds pays for).
    """
    kg = gens.strings.shape[0]
    nt = rows.row.size
    t_idx = np.repeat(np.arange(nt), kg)
    j_idx = np.tile(np.arange(kg), nt)
    mask, sign, c = commutator_terms(gens.strings[j_idx], table.strings[rows.col[t_idx]])
    t_idx, j_idx = t_idx[mask], j_idx[mask]
    vals = (gens.coeffs[:, j_idx] * rows.val[:, t_idx]) % p
    vals = np.where(sign > 0, vals, (p - vals) % p)
    out_row = gens.owner[j_idx] * rows.n_rows + rows.row[t_idx]
    return canonical(out_row, table.lookup(c), vals, rows.n_rows * gens.count, p)


#: Default memory bound of one bracket round (the environment's limit replaces it).
ROUND_DEFAULT_BYTES = 2 * 2**30


def check_round_memory(pairs: int, string_bytes: int, dim: int) -> None:
    """Refuse a bracket round whose (term, term) pairs would not fit in memory, before gathering them.

    :func:`bracket_rows` gathers every (generator term, row term) pair's two strings and their
    commutator, plus index and value arrays: about ``3 * string_bytes + 96`` bytes per pair, twice
    over while the rows are made canonical. The limit is :func:`overparam.sim.budget.memory_limit`.
    """
    from overparam.errors import BadInput
    from overparam.sim.budget import ENV_MAX_MEMORY, human_bytes, memory_limit

    need = 2 * pairs * (3 * string_bytes + 96)
    limit, source = memory_limit(None)
    if not os.environ.get(ENV_MAX_MEMORY):
        # Time grows with the pairs too: without an explicit limit a round stays below
        # ROUND_DEFAULT_BYTES (the open TFIM chain at n = 100, dim 10^4, stays far below it).
        limit = ROUND_DEFAULT_BYTES if limit is None else min(limit, ROUND_DEFAULT_BYTES)
        source = f"the default for one round, {ROUND_DEFAULT_BYTES // 2**30} GiB"
    if limit is not None and need > limit:
        raise BadInput(
            f"the Lie closure (dimension {dim} so far) would bracket {pairs} Pauli-term pairs in one round, "
            f"about {human_bytes(need)} of memory; the limit is {human_bytes(limit)} ({source}); "
            f"lower --n, or raise the limit with {ENV_MAX_MEMORY}"
        )


@dataclasses.dataclass
class FpClosure:
    """The Lie algebra over ``F_p`` for each prime: a basis as sparse rows over ``table`` (one matrix
    per prime, same pattern) and the dimension after each round."""

    primes: tuple[int, ...]
    rows: tuple[sp.csr_matrix, ...]
    table: StringTable
    growth: tuple[int, ...]

    @property
    def dim(self) -> int:
        return int(self.rows[0].shape[0])


def closure_mod_p(generators: Sequence[PauliSum], primes: int | Sequence[int], max_dim: int | None = None) -> FpClosure:
    """Basis of the Lie algebra generated by the integer Pauli sums, modulo each of ``primes``.

    The fields run in lock-step on one sparsity pattern and raise
    :class:`~overparam.lie.linalg.PrimeSplit` where they disagree. Breadth first over the new
    echelon rows: every row added in one round is bracketed with every generator in the next
    (commuting with generators only suffices: see :mod:`overparam.lie.closure`).
    """
    width = generators[0].strings.shape[1]
    table = StringTable(width)
    field = ModP(primes)
    p = field.p
    _, frontier = field.add_rows(table.rows_of(generators, p))
    terms = GeneratorTerms.build(generators, p)
    growth = [field.rank]
    while frontier.n_rows:
        check_round_memory(frontier.row.size * terms.strings.shape[0], terms.strings[:1].nbytes, field.rank)
        _, frontier = field.add_rows(bracket_rows(terms, frontier, table, p))
        growth.append(field.rank)
        if max_dim is not None and field.rank > max_dim:
            raise RuntimeError(f"Lie algebra dimension exceeds {max_dim}")
    rows = tuple(field.rows.to_csr(len(table), k) for k in range(p.shape[0]))
    return FpClosure(field.primes, rows, table, tuple(growth))
