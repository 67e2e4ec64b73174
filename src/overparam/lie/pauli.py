"""Packed symplectic Pauli strings and Pauli sums with integer coefficients.

A Hermitian Pauli string on ``n`` qubits is stored as ``2w`` unsigned 64-bit words,
``w = ceil(n / 64)``: the first ``w`` words hold the X bits, the last ``w`` the Z bits, qubit ``j`` in
bit ``j % 64`` of word ``j // 64``. Bits ``(x, z)`` mean ``I, X, Z, Y`` for ``(0,0), (1,0), (0,1), (1,1)``,
so the string is ``P(x, z) = i^{|x & z|} X^x Z^z`` (``Y = i X Z``), Hermitian with eigenvalues ±1.

Products: ``X^xa Z^za X^xb Z^zb = (-1)^{|za & xb|} X^{xa^xb} Z^{za^zb}``, hence
``P_a P_b = i^e P_{a^b}`` with ``e = |xa&za| + |xb&zb| + 2|za&xb| - |xc&zc| (mod 4)``.
Two strings anticommute iff the symplectic form ``|xa&zb| + |za&xb|`` is odd; then ``e`` is odd and
``[P_a, P_b] / (2i) = P_a P_b / i = i^{e-1} P_c = ±P_c``. Dividing commutators by ``2i`` keeps every
coefficient an integer and every element Hermitian, so Lie closures run in exact integer arithmetic.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from typing import Iterable, Sequence

import numpy as np

# Largest coefficient magnitude we let int64 carry through one product-and-sum: above it the
# arrays switch to Python integers (dtype=object), which never overflow.
_INT64_SAFE = 2**62


def n_words(n: int) -> int:
    """Number of 64-bit words per X (or Z) half of an ``n``-qubit string."""
    return max(1, -(-n // 64))


def popcount_rows(words: np.ndarray) -> np.ndarray:
    """Bit count of each row of a ``(k, w)`` uint64 array (summed over the words)."""
    return np.bitwise_count(words).sum(axis=-1, dtype=np.int64)


def void_keys(strings: np.ndarray) -> np.ndarray:
    """One opaque fixed-size key per packed string: hashable (``.tolist()`` gives bytes) and sortable."""
    strings = np.ascontiguousarray(strings, dtype=np.uint64)
    return strings.view(np.dtype((np.void, 8 * strings.shape[1]))).ravel()


def unique_rows(strings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a ``(k, 2w)`` uint64 array: ``(first, inverse)`` with ``strings[first][inverse] == strings``.

    A lexicographic sort over the words (faster than ``np.unique`` on opaque byte keys).
    """
    k = strings.shape[0]
    if k == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort(strings.T[::-1])
    s = strings[order]
    new = np.ones(k, dtype=bool)
    new[1:] = (s[1:] != s[:-1]).any(axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(k, dtype=np.int64)
    inverse[order] = group
    return order[new], inverse


def encode(labels: str) -> np.ndarray:
    """Pack a label such as ``'XIZY'`` (qubit 0 first) into a ``(2w,)`` uint64 array."""
    n = len(labels)
    w = n_words(n)
    out = np.zeros(2 * w, dtype=np.uint64)
    for j, lab in enumerate(labels.upper()):
        bit = np.uint64(1) << np.uint64(j % 64)
        if lab in "XY":
            out[j // 64] |= bit
        if lab in "ZY":
            out[w + j // 64] |= bit
        if lab not in "IXYZ":
            raise ValueError(f"not a Pauli label: {lab!r}")
    return out


def decode(string: np.ndarray, n: int) -> str:
    """Inverse of :func:`encode`."""
    w = len(string) // 2
    out = []
    for j in range(n):
        x = int(string[j // 64] >> np.uint64(j % 64)) & 1
        z = int(string[w + j // 64] >> np.uint64(j % 64)) & 1
        out.append("IXZY"[x + 2 * z])
    return "".join(out)


def product_phase(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``P_a P_b = i^e P_c`` for rows of ``a`` and ``b`` (broadcast): returns ``(e mod 4, c)``."""
    w = a.shape[-1] // 2
    xa, za = a[..., :w], a[..., w:]
    xb, zb = b[..., :w], b[..., w:]
    c = a ^ b
    xc, zc = c[..., :w], c[..., w:]
    e = popcount_rows(xa & za) + popcount_rows(xb & zb) + 2 * popcount_rows(za & xb) - popcount_rows(xc & zc)
    return np.mod(e, 4), c


def anticommutes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Boolean mask: do the rows of ``a`` and ``b`` (broadcast) anticommute?"""
    w = a.shape[-1] // 2
    s = popcount_rows(a[..., :w] & b[..., w:]) + popcount_rows(a[..., w:] & b[..., :w])
    return (s & 1).astype(bool)


def commutator_terms(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``[P_a, P_b] / (2i)`` for paired rows: ``(mask, sign, c)`` for the anticommuting pairs only.

    ``mask`` selects the anticommuting pairs; ``sign`` (±1, int64) and ``c`` are given for those.
    """
    mask = anticommutes(a, b)
    a, b = np.broadcast_arrays(a, b)
    e, c = product_phase(a[mask], b[mask])
    # e is odd for anticommuting pairs; i^(e-1) is +1 for e = 1 and -1 for e = 3.
    sign = np.where(e == 1, 1, -1).astype(np.int64)
    return mask, sign, c


@dataclasses.dataclass(frozen=True)
class PauliSum:
    """``sum_k coeffs[k] * P(strings[k])``: distinct strings sorted by key, non-zero integer coefficients.

    ``coeffs`` is int64, or dtype=object (Python ints) once magnitudes could overflow int64.
    """

    strings: np.ndarray  # (k, 2w) uint64
    coeffs: np.ndarray  # (k,) int64 or object

    @property
    def n_terms(self) -> int:
        return int(self.coeffs.shape[0])

    @property
    def is_single_string(self) -> bool:
        return self.n_terms == 1

    def max_abs(self) -> int:
        return int(max((abs(int(c)) for c in self.coeffs), default=0))

    def l1(self) -> int:
        return int(sum(abs(int(c)) for c in self.coeffs))

    def primitive(self) -> "PauliSum":
        """The same direction divided by the gcd of its coefficients (sign fixed by the first term)."""
        if self.n_terms == 0:
            return self
        g = 0
        for c in self.coeffs:
            g = math.gcd(g, int(c))
        if int(self.coeffs[0]) < 0:
            g = -g
        if g == 1:
            return self
        coeffs = _as_int_array([int(c) // g for c in self.coeffs])
        return PauliSum(self.strings, coeffs)

    def labels(self, n: int) -> list[tuple[int, str]]:
        """``[(coefficient, label), ...]`` for printing and tests."""
        return [(int(c), decode(s, n)) for c, s in zip(self.coeffs, self.strings)]


def _as_int_array(values: Sequence[int]) -> np.ndarray:
    if all(-_INT64_SAFE < v < _INT64_SAFE for v in values):
        return np.asarray(values, dtype=np.int64).reshape(-1)
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def from_terms(strings: np.ndarray, coeffs: np.ndarray) -> PauliSum:
    """Combine duplicate strings, drop zero coefficients and sort: the canonical :class:`PauliSum`."""
    strings = np.ascontiguousarray(strings, dtype=np.uint64)
    if strings.shape[0] == 0:
        return PauliSum(strings.reshape(0, strings.shape[-1]), np.zeros(0, dtype=np.int64))
    keys = void_keys(strings)
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if coeffs.dtype == object:
        summed = np.zeros(len(uniq), dtype=object)
        np.add.at(summed, inverse, coeffs)
    else:
        summed = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(summed, inverse, coeffs.astype(np.int64))
    keep = summed != 0
    return PauliSum(strings[first][keep], summed[keep])


def from_fraction_terms(strings: np.ndarray, values: Iterable[float], max_denominator: int = 10**4) -> PauliSum:
    """A real-coefficient Pauli sum as the integer multiple of its direction with coprime coefficients.

    The Lie algebra is unchanged by rescaling a generator as a whole, but not by rescaling its terms
    one by one, so the *ratios* between coefficients must be kept exactly: they are divided by the
    largest one and read as fractions (``limit_denominator``); a ratio that is not such a fraction
    within 1e-10 is reported as ``ValueError`` (the caller falls back to floating point). Gate
    generators arrive rounded to 12 decimals, so ratios ``p/q`` with ``q <= 10^4`` pass; a larger
    ``max_denominator`` would not work: every real number is within 1e-10 of a fraction with a
    denominator of about 10^5, so irrational ratios could no longer be told apart.
    """
    values = [float(v) for v in values]
    scale = max((abs(v) for v in values), default=0.0)
    if scale == 0.0:
        return from_terms(np.zeros((0, strings.shape[1]), dtype=np.uint64), np.zeros(0, dtype=np.int64))
    fracs = []
    for v in values:
        r = v / scale
        f = Fraction(r).limit_denominator(max_denominator)
        if abs(float(f) - r) > 1e-10:
            raise ValueError(f"coefficient ratio {r!r} is not a rational number with a small denominator")
        fracs.append(f)
    lcm = 1
    for f in fracs:
        lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
    ints = [int(f * lcm) for f in fracs]
    return from_terms(strings, _as_int_array(ints)).primitive()


def commutator(a: PauliSum, b: PauliSum) -> PauliSum:
    """``[A, B] / (2i)`` with integer coefficients (exact)."""
    if a.n_terms == 0 or b.n_terms == 0:
        return from_terms(np.zeros((0, a.strings.shape[1]), dtype=np.uint64), np.zeros(0, dtype=np.int64))
    ia, ib = np.meshgrid(np.arange(a.n_terms), np.arange(b.n_terms), indexing="ij")
    ia, ib = ia.ravel(), ib.ravel()
    mask, sign, c = commutator_terms(a.strings[ia], b.strings[ib])
    coeffs = _pair_coeffs(a.coeffs[ia[mask]], b.coeffs[ib[mask]], sign, a.max_abs() * b.l1())
    return from_terms(c, coeffs)


def _pair_coeffs(ca: np.ndarray, cb: np.ndarray, sign: np.ndarray, bound: int) -> np.ndarray:
    """``ca * cb * sign`` in int64 when the summed result provably fits, else in Python integers."""
    if bound < _INT64_SAFE and ca.dtype != object and cb.dtype != object:
        return ca.astype(np.int64) * cb.astype(np.int64) * sign
    return ca.astype(object) * cb.astype(object) * sign.astype(object)


def batch_commutators(g: PauliSum, elements: Sequence[PauliSum]) -> list[PauliSum]:
    """``[g, b] / (2i)`` for every ``b`` in ``elements``, vectorized over all their terms at once.

    All terms of all elements are laid out in one array with an owner index; the products with
    ``g``'s terms are taken in one shot and regrouped by (owner, string) with a single sort.
    """
    if not elements:
        return []
    width = g.strings.shape[1]
    sizes = np.array([e.n_terms for e in elements], dtype=np.int64)
    strings = np.concatenate([e.strings for e in elements]) if sizes.sum() else np.zeros((0, width), np.uint64)
    big = any(e.coeffs.dtype == object for e in elements) or g.coeffs.dtype == object
    bound = g.l1() * max(e.max_abs() for e in elements)
    coeffs = np.concatenate([e.coeffs.astype(object if big else np.int64) for e in elements])
    owner = np.repeat(np.arange(len(elements)), sizes)
    kg = g.n_terms
    # pairs (term t of the elements, term j of g)
    t_idx = np.repeat(np.arange(strings.shape[0]), kg)
    j_idx = np.tile(np.arange(kg), strings.shape[0])
    mask, sign, c = commutator_terms(g.strings[j_idx], strings[t_idx])
    t_idx, j_idx = t_idx[mask], j_idx[mask]
    vals = _pair_coeffs(g.coeffs[j_idx], coeffs[t_idx], sign, bound)
    own = owner[t_idx]
    out: list[PauliSum] = [_empty(width)] * len(elements)
    if c.shape[0] == 0:
        return out
    # Sort by (owner, string key) and add up equal neighbours.
    keys = void_keys(c)
    _, key_rank = np.unique(keys, return_inverse=True)
    order = np.lexsort((key_rank, own))
    own, key_rank, c, vals = own[order], key_rank[order], c[order], vals[order]
    new_group = np.ones(len(own), dtype=bool)
    new_group[1:] = (own[1:] != own[:-1]) | (key_rank[1:] != key_rank[:-1])
    starts = np.flatnonzero(new_group)
    sums = np.add.reduceat(vals, starts)
    g_own = own[starts]
    g_str = c[starts]
    nz = sums != 0
    sums, g_own, g_str = sums[nz], g_own[nz], g_str[nz]
    bounds = np.searchsorted(g_own, np.arange(len(elements) + 1))
    for k in range(len(elements)):
        lo, hi = bounds[k], bounds[k + 1]
        if hi > lo:
            out[k] = PauliSum(g_str[lo:hi], sums[lo:hi])
    return out


def _empty(width: int) -> PauliSum:
    return PauliSum(np.zeros((0, width), dtype=np.uint64), np.zeros(0, dtype=np.int64))


def to_dense(ps: PauliSum, n: int) -> np.ndarray:
    """Dense ``2^n x 2^n`` matrix (big-endian: qubit 0 is the most significant bit), for small ``n``."""
    dim = 2**n
    out = np.zeros((dim, dim), dtype=np.complex128)
    for coeff, s in zip(ps.coeffs, ps.strings):
        out += float(coeff) * string_matrix(s, n)
    return out


def string_action(s: np.ndarray, n: int) -> tuple[int, np.ndarray]:
    """``P|b> = phase[b] |b ^ flip>`` on big-endian basis states: returns ``(flip, phase)``."""
    bits = decode(s, n)
    flip = 0
    zmask = 0
    ny = 0
    for j, lab in enumerate(bits):
        bit = 1 << (n - 1 - j)
        if lab in "XY":
            flip |= bit
        if lab in "ZY":
            zmask |= bit
        ny += lab == "Y"
    idx = np.arange(2**n, dtype=np.int64)
    parity = np.bitwise_count(idx & zmask) & 1
    # P = i^{#Y} X^x Z^z: Z^z acts first with sign (-1)^{|b & z|}.
    phase = (1j**ny) * (1 - 2 * parity.astype(np.float64))
    return flip, phase


def string_matrix(s: np.ndarray, n: int) -> np.ndarray:
    """Dense matrix of one packed Pauli string."""
    flip, phase = string_action(s, n)
    dim = 2**n
    m = np.zeros((dim, dim), dtype=np.complex128)
    idx = np.arange(dim)
    m[idx ^ flip, idx] = phase
    return m


def apply_to_state(ps: PauliSum, n: int, psi: np.ndarray) -> np.ndarray:
    """``A |psi>`` for a dense state vector (big-endian)."""
    out = np.zeros_like(psi, dtype=np.complex128)
    idx = np.arange(2**n)
    for coeff, s in zip(ps.coeffs, ps.strings):
        flip, phase = string_action(s, n)
        out[idx ^ flip] += float(coeff) * phase * psi
    return out
