"""Majorana operators of a Jordan-Wigner frame, and Pauli strings read as Majorana bilinears.

A *frame* is a choice ``(a, b, c)`` of the three Pauli axes (a permutation of X, Y, Z) along the
ansatz's qubit order ``0 .. n-1``::

    gamma_{2j}   = c_0 c_1 ... c_{j-1} a_j
    gamma_{2j+1} = c_0 c_1 ... c_{j-1} b_j

These ``2n`` Hermitian operators anticommute and square to one. The parity ``P = c_0 c_1 ... c_{n-1}``
commutes with every product of two of them. A Pauli string ``Q`` is a *bilinear* when
``Q = phi gamma_u gamma_v`` for a phase ``phi`` (a single ``c_j``, or ``x_i c_{i+1} ... c_{j-1} y_j``
with ``x in {a c, b c}``, ``y in {a, b}`` up to phase); it is a *parity bilinear* when ``Q P`` is a
bilinear (the closing bond of a periodic chain). In a state with ``P = s`` a parity bilinear acts
as ``s`` times the bilinear. A Hermitian quadratic operator is written
``G = (i/4) sum_{uv} A_uv gamma_u gamma_v`` with ``A`` real antisymmetric.

Pauli strings are handled here as ``{qubit index: 'X'|'Y'|'Z'}`` with an explicit phase, so the
frame arithmetic never goes through dense matrices.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

import numpy as np

PAULIS = ("X", "Y", "Z")
# Single-qubit products p q = phase * r.
_PRODUCT: dict[tuple[str, str], tuple[complex, str]] = {}
for _p in PAULIS:
    _PRODUCT[(_p, _p)] = (1.0, "I")
for _p, _q, _r in (("X", "Y", "Z"), ("Y", "Z", "X"), ("Z", "X", "Y")):
    _PRODUCT[(_p, _q)] = (1j, _r)
    _PRODUCT[(_q, _p)] = (-1j, _r)

_MATRICES = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}

PauliDict = Mapping[int, str]


def multiply(left: PauliDict, right: PauliDict) -> tuple[complex, dict[int, str]]:
    """``left * right = phase * string`` for two Pauli strings on qubit indices."""
    phase: complex = 1.0
    out = dict(left)
    for q, p in right.items():
        if q in out:
            ph, r = _PRODUCT[(out[q], p)]
            phase *= ph
            if r == "I":
                del out[q]
            else:
                out[q] = r
        else:
            out[q] = p
    return phase, out


@dataclasses.dataclass(frozen=True)
class Frame:
    """A Jordan-Wigner frame ``(a, b, c)`` on ``n`` qubits (see the module docstring)."""

    a: str
    b: str
    c: str
    n: int

    @property
    def label(self) -> str:
        return f"a={self.a}, b={self.b}, string={self.c}"

    def parity(self) -> dict[int, str]:
        """The parity ``P = prod_j c_j`` as a Pauli string."""
        return {j: self.c for j in range(self.n)}

    def pair(self, u: int, v: int) -> tuple[complex, dict[int, str]]:
        """``gamma_u gamma_v = phase * string`` for ``u < v``."""
        i, j = u // 2, v // 2
        x = self.a if u % 2 == 0 else self.b
        y = self.a if v % 2 == 0 else self.b
        if i == j:
            return multiply({i: x}, {i: y})
        # gamma_u gamma_v = x_i c_i c_{i+1} ... c_{j-1} y_j (the strings below i cancel).
        phase, head = multiply({i: x}, {i: self.c})
        string = dict(head)
        string.update({k: self.c for k in range(i + 1, j)})
        string[j] = y
        return phase, string

    def bilinear(self, string: PauliDict) -> tuple[int, int, complex] | None:
        """``(u, v, phi)`` with ``string = phi gamma_u gamma_v`` (``u < v``), or None."""
        if not string:
            return None
        lo, hi = min(string), max(string)
        for u in (2 * lo, 2 * lo + 1):
            for v in (2 * hi, 2 * hi + 1):
                if u >= v:
                    continue
                phase, cand = self.pair(u, v)
                if cand == dict(string):
                    return u, v, 1.0 / phase
        return None


def frames(n: int) -> list[Frame]:
    """All six frames; those with the string axis ``Z`` (the textbook Jordan-Wigner map) first."""
    out = []
    for c in ("Z", "X", "Y"):
        a, b = [p for p in PAULIS if p != c]
        # (a, b, c) cyclic first: then c_j = -i gamma_{2j} gamma_{2j+1}.
        if _PRODUCT[(a, b)] != (1j, c):
            a, b = b, a
        out.append(Frame(a, b, c, n))
        out.append(Frame(b, a, c, n))
    return out


@dataclasses.dataclass(frozen=True)
class Bilinear:
    """``coefficient * string == t * i gamma_u gamma_v`` (in the parity sector, for a parity term)."""

    u: int
    v: int
    t: float
    parity: bool


def read_term(frame: Frame, string: PauliDict, coefficient: complex, sector: int | None) -> Bilinear | None:
    """The bilinear form of ``coefficient * string`` in ``frame``, or None when it is not one.

    A parity bilinear needs the parity ``sector`` (``+1`` or ``-1``); with ``sector=None`` it is
    not accepted.
    """
    found = frame.bilinear(string)
    parity = False
    phi: complex = 1.0
    if found is None:
        if sector is None:
            return None
        # Q = psi Q' P with Q P = psi Q' (P^2 = 1), so in the sector P = s, Q = s psi Q'.
        psi, moved = multiply(string, frame.parity())
        found = frame.bilinear(moved)
        if found is None:
            return None
        phi, parity = psi * sector, True
    u, v, phase = found
    # coefficient * phi * phase * gamma_u gamma_v = t * i gamma_u gamma_v.
    t = complex(coefficient) * phi * phase / 1j
    if abs(t.imag) > 1e-12 * max(1.0, abs(t)):
        return None
    return Bilinear(u, v, float(t.real), parity)


def add_bilinear(matrix: np.ndarray, term: Bilinear) -> None:
    """Add ``t i gamma_u gamma_v`` to ``G = (i/4) sum A_uv gamma_u gamma_v``: ``A_uv += 2t``, ``A_vu -= 2t``."""
    matrix[term.u, term.v] += 2.0 * term.t
    matrix[term.v, term.u] -= 2.0 * term.t


def _expect(state: np.ndarray, pauli: str) -> complex:
    return complex(np.conj(state) @ _MATRICES[pauli] @ state)


def product_covariance(frame: Frame, states: np.ndarray) -> tuple[np.ndarray, complex]:
    """Covariance ``M_uv = i <gamma_u gamma_v>`` (``u != v``) and ``<P>`` of a product state.

    ``states`` is ``(n, 2)``: qubit ``j`` in ``states[j]``. ``O(n^2)`` with running products of
    ``<c_k>`` along the chain.
    """
    n = frame.n
    ev = [{p: _expect(states[j], p) for p in PAULIS} for j in range(n)]
    ev_c = np.array([ev[j][frame.c] for j in range(n)])
    cov = np.zeros((2 * n, 2 * n), dtype=complex)
    xs = (frame.a, frame.b)
    for i in range(n):
        # Same site: gamma_{2i} gamma_{2i+1} = a_i b_i.
        ph, r = _PRODUCT[(frame.a, frame.b)]
        cov[2 * i, 2 * i + 1] = 1j * ph * ev[i][r]
        heads = []
        for x in xs:
            ph, r = _PRODUCT[(x, frame.c)]
            heads.append(ph * ev[i][r])
        middle: complex = 1.0
        for j in range(i + 1, n):
            for s, head in enumerate(heads):
                for t, y in enumerate(xs):
                    cov[2 * i + s, 2 * j + t] = 1j * head * middle * ev[j][y]
            middle *= ev_c[j]
    cov = cov - cov.T
    return cov, complex(np.prod(ev_c))


def _apply_string(psi: np.ndarray, string: PauliDict, n: int) -> np.ndarray:
    out = psi.reshape((2,) * n)
    for q, p in string.items():
        out = np.moveaxis(np.tensordot(_MATRICES[p], out, axes=([1], [q])), 0, q)
    return out.reshape(-1)


def dense_covariance(frame: Frame, psi: np.ndarray) -> tuple[np.ndarray, complex]:
    """Covariance and ``<P>`` of a state vector (big-endian, qubit 0 first), ``O(n 2^n)``."""
    n = frame.n
    vecs = []
    for u in range(2 * n):
        j = u // 2
        string = {k: frame.c for k in range(j)}
        string[j] = frame.a if u % 2 == 0 else frame.b
        vecs.append(_apply_string(psi, string, n))
    phi = np.stack(vecs)
    # <gamma_u gamma_v> = (gamma_u psi)^dag (gamma_v psi) since gamma_u is Hermitian.
    gram = np.conj(phi) @ phi.T
    cov = 1j * gram
    np.fill_diagonal(cov, 0.0)
    parity = complex(np.conj(psi) @ _apply_string(psi, frame.parity(), n))
    return cov, parity


def pair_form(matrix: np.ndarray, atol: float = 1e-12) -> tuple[np.ndarray, np.ndarray] | None:
    """``(partner, coef)`` when every row of antisymmetric ``matrix`` has at most one non-zero.

    Then ``expm(theta A)`` acts as ``(R v)_r = cos(coef_r theta) v_r + sin(coef_r theta) v_partner(r)``
    (disjoint 2 x 2 rotations); unpaired rows have ``partner = r``, ``coef = 0``.
    """
    d = matrix.shape[0]
    partner = np.arange(d)
    coef = np.zeros(d)
    for r in range(d):
        nz = np.flatnonzero(np.abs(matrix[r]) > atol)
        if len(nz) > 1:
            return None
        if len(nz) == 1:
            partner[r], coef[r] = nz[0], matrix[r, nz[0]]
    if np.any(partner[partner] != np.arange(d)):
        return None
    return partner, coef

