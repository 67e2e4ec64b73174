"""The free-fermion engine: loss, gradient, QFIM and Hessian on the ``2n x 2n`` covariance matrix.

The state is the real antisymmetric covariance ``M_uv = i <gamma_u gamma_v>`` (``u != v``). A group
``U = exp(-i theta G)`` with ``G = (i/4) sum A_uv gamma_u gamma_v`` moves the Majoranas as
``U^dag gamma U = R gamma`` with ``R = expm(theta A)`` in ``SO(2n)``, so ``M -> R M R^T``. The engine
carries the product ``O = R_K ... R_1`` instead (``M = O M_0 O^T`` at the end): each group is then
one elementwise pass over the rows of ``O`` (``cos``/``sin`` and one row gather for the pair form of
:mod:`overparam.sim.fermion.program`). The loss is ``(1/4) <h, M> + c``.

* Gradient: adjoint, like the state-vector engine. From ``Phi = dL/dO = -(1/2) h O M_0`` the
  reverse pass adds ``<Phi, A_k O_k>`` to the group's parameter and uncomputes one group from both
  ``O`` and ``Phi`` (``R_k^T``, rows again); no intermediate state is stored, memory is two
  ``2n x 2n`` matrices per column.
* QFIM: with ``B_k = Q_k A_k Q_k^T`` the generator of group ``k`` moved to the output
  (``Q_k = R_K ... R_{k+1}``) and ``M`` the output covariance, Wick's theorem gives for a pure
  Gaussian state ``F_kl = -(1/2) [tr(B_k B_l) + tr(B_k M B_l M)]``. With ``V`` (``2n x n``) spanning
  the ``iM = +1`` eigenspace this is ``4 Re sum_{i<j} E_k[i,j] conj(E_l[i,j])`` for the complex
  antisymmetric ``E_k = V^T B_k V``: the QFIM is the Gram matrix of ``n(n-1)`` real numbers per
  parameter (the rank is at most that). ``E_k`` comes from ``U_k = Q_k^T V``, walked backwards one
  row pass per group; parameters sharing several groups add their ``E``.
* Hessian: forward mode over the adjoint gradient.

Everything is float64; parameter batches ``(B, M)`` run as one computation.
"""

from __future__ import annotations


import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from overparam.ansatze.base import Ansatz  # noqa: E402
from overparam.sim.batched import BatchedLoss  # noqa: E402
from overparam.sim.fermion.program import FermionProgram, compile_fermion  # noqa: E402


def _magnitudes(coefs: list[np.ndarray], d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mags (K, U), spread (K, U, D), signs (K, D))`` with ``coef_k = signs_k * (mags_k @ spread_k)``.

    ``mags_k`` lists group ``k``'s distinct ``|a_r|`` (padded with zeros, so unpaired rows and padding
    give ``cos = 1``, ``sin = 0``); ``spread_k[u, r] = 1`` where row ``r`` has magnitude ``mags_k[u]``.
    """
    uniques = [np.unique(np.abs(c)) for c in coefs]
    width = max((len(u) for u in uniques), default=1) + 1
    mags = np.zeros((len(coefs), width))
    spread = np.zeros((len(coefs), width, d))
    signs = np.zeros((len(coefs), d))
    for k, (coef, uniq) in enumerate(zip(coefs, uniques)):
        mags[k, : len(uniq)] = uniq
        slot = np.searchsorted(uniq, np.abs(coef))
        spread[k, slot, np.arange(d)] = 1.0
        signs[k] = np.sign(coef)
    return mags, spread, signs


class FermionEngine(BatchedLoss):
    """Differentiable free-fermion simulator of a matchgate ``ansatz`` (float64 JAX).

    The interface follows :class:`overparam.sim.engine.Engine` for what training and geometry use:
    :meth:`loss`, :meth:`loss_and_grad`, :meth:`jax_loss_and_grad`, :meth:`qfim`, :meth:`hessian`.
    There is no state vector (that is the point), so no ``state``/``jacobian``.
    """

    kind = "fermion"

    def __init__(self, ansatz: Ansatz, program: FermionProgram | None = None) -> None:
        self.ansatz = ansatz
        self.program = program if program is not None else compile_fermion(ansatz)
        prog = self.program
        self.n_qubits = prog.n_qubits
        self.n_params = prog.n_params
        d = 2 * prog.n_qubits
        self._d = d
        groups = prog.groups
        self._params = jnp.asarray(np.array([g.param for g in groups], dtype=np.int64).reshape(-1))
        self._partner = jnp.asarray(np.stack([g.partner for g in groups]) if groups else np.zeros((0, d), int))
        self._coef = jnp.asarray(np.stack([g.coef for g in groups]) if groups else np.zeros((0, d)))
        self._dense = prog.dense
        # cos/sin per row need only the group's distinct |a_r| (one for every TFIM or XY layer): they are
        # evaluated for all groups at once before the scans, (K, B, U) numbers instead of (K, B, 2n)
        # per pass, and spread over the rows by a one-hot matrix (a zero magnitude marks unpaired rows).
        mags, spread, signs = _magnitudes([g.coef for g in groups], d)
        self._mags, self._cos_spread, self._sin_spread = (jnp.asarray(a) for a in (mags, spread, spread * signs[:, None, :]))
        self._basis = (
            jnp.asarray(np.stack([np.eye(d) if g.basis is None else g.basis for g in groups])) if self._dense else None
        )
        self._cov0 = jnp.asarray(prog.covariance)
        self._h = None if prog.loss_matrix is None else jnp.asarray(prog.loss_matrix)
        self._const = prog.loss_constant
        self._loss = jax.jit(self._loss_impl)
        self._loss_and_grad = jax.jit(self._loss_and_grad_impl)
        self._covariance = jax.jit(self._forward)
        self._qfim = jax.jit(self._qfim_impl)
        self._hessian = jax.jit(jax.jacfwd(lambda v: self._loss_and_grad_impl(v[None, :])[1][0]))

    # ---- passes ---------------------------------------------------------------------------

    def _trig(self, values: jnp.ndarray) -> tuple:
        """Per-group scan inputs for parameters ``(B, M)``: partner rows, and the rows' ``cos``/``sin``."""
        thetas = values[:, self._params].T  # (K, B)
        ang = thetas[:, :, None] * self._mags[:, None, :]  # (K, B, U)
        xs = (self._partner, self._coef, jnp.cos(ang), jnp.sin(ang), self._cos_spread, self._sin_spread)
        return xs + (self._basis,) if self._dense else xs

    @staticmethod
    def _cos_sin(x: tuple) -> tuple[jnp.ndarray, jnp.ndarray]:
        """``cos(a_r theta)``, ``sin(a_r theta)`` of one group, ``(B, D)`` each."""
        return x[2] @ x[4], x[3] @ x[5]

    def _apply(self, mats: jnp.ndarray, x: tuple, sign: float) -> jnp.ndarray:
        """``R X`` (``sign=1``) or ``R^T X`` (``sign=-1``) for one group ``x`` of :meth:`_trig`.

        Rows only: ``(R X)_r = cos(a_r t) X_r + sin(a_r t) X_p(r)``. Gathering rows is the cheap
        direction for XLA on the CPU (a column gather costs several times more), which is why the
        engine carries the rotation ``O`` rather than the covariance ``O M_0 O^T``.
        """
        c, s = self._cos_sin(x)
        if self._dense:
            mats = jnp.einsum("ba,cbd->cad", x[6], mats)
        out = c[:, :, None] * mats + sign * s[:, :, None] * mats[:, x[0], :]
        return jnp.einsum("ab,cbd->cad", x[6], out) if self._dense else out

    def _rotation(self, values: jnp.ndarray, xs: tuple | None = None) -> jnp.ndarray:
        """``O = R_K ... R_1`` for each parameter vector ``(B, M)``: shape ``(B, D, D)``."""
        batch = values.shape[0]
        eye = jnp.broadcast_to(jnp.eye(self._d), (batch, self._d, self._d))

        def step(o, x):
            return self._apply(o, x, 1.0), None

        rot, _ = jax.lax.scan(step, eye, self._trig(values) if xs is None else xs)
        return rot

    def _forward(self, values: jnp.ndarray) -> jnp.ndarray:
        """Output covariances ``O M_0 O^T`` ``(B, D, D)`` for parameters ``(B, M)``."""
        rot = self._rotation(values)
        return rot @ self._cov0 @ jnp.swapaxes(rot, 1, 2)

    def _value(self, mats: jnp.ndarray) -> jnp.ndarray:
        return 0.25 * jnp.sum(self._h[None] * mats, axis=(1, 2)) + self._const

    def _loss_impl(self, values: jnp.ndarray) -> jnp.ndarray:
        return self._value(self._forward(values))

    def _loss_and_grad_impl(self, values: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        batch = values.shape[0]
        xs = self._trig(values)
        rot = self._rotation(values, xs)
        rm0 = rot @ self._cov0
        losses = self._value(rm0 @ jnp.swapaxes(rot, 1, 2))
        # L = (1/4) <h, O M_0 O^T>: dL/dO = -(1/2) h O M_0 (h and M_0 antisymmetric).
        phi = -0.5 * (self._h[None] @ rm0)
        # The reverse pass reads dO_k/dtheta_k = A_k O_k and uncomputes one group from both O and
        # Phi (R_k^T), so nothing per group is stored.

        def step(carry, x):
            o, ph = carry
            partner, coef = x[:2]
            c, s = self._cos_sin(x)
            c, s = c[:, :, None], s[:, :, None]
            if self._dense:
                o = jnp.einsum("ba,cbd->cad", x[6], o)
                ph = jnp.einsum("ba,cbd->cad", x[6], ph)
            o_moved, ph_moved = o[:, partner, :], ph[:, partner, :]
            # <Phi, A O> = sum_r a_r Phi[r, :] . O[p(r), :]
            g = jnp.einsum("brc,brc->br", ph, o_moved) @ coef
            o, ph = c * o - s * o_moved, c * ph - s * ph_moved
            if self._dense:
                o = jnp.einsum("ab,cbd->cad", x[6], o)
                ph = jnp.einsum("ab,cbd->cad", x[6], ph)
            return (o, ph), g

        _, g = jax.lax.scan(step, (rot, phi), xs, reverse=True)  # (K, B)
        grads = jnp.zeros((self.n_params, batch)).at[self._params].add(g)
        return losses, grads.T

    def _qfim_impl(self, values: jnp.ndarray) -> jnp.ndarray:
        thetas = values[None, :][:, self._params].T  # (K, 1)
        mat = self._forward(values[None, :])[0]
        d, n = self._d, self._d // 2
        xs = (self._partner, self._coef, thetas) + ((self._basis,) if self._dense else ())
        # The pure state's M has eigenvalues +-i: P = V V^dag projects on iM = +1 (n columns).
        _, vecs = jnp.linalg.eigh(1j * mat)
        upper = jnp.triu_indices(n, 1)

        # U_k = Q_k^T V walked backwards (U <- R_k^T U); E_k = U_k^T A_k U_k = V^T B_k V.
        def step(u, x):
            partner, coef, th = x[:3]
            ang = -th[0] * coef
            if self._dense:
                o = x[3]
                idx = jnp.arange(d)
                a_full = o @ jnp.zeros((d, d)).at[idx, partner].add(coef) @ o.T
                # R^T = O R'^T O^T with (R'^T v)_r = cos(a_r t) v_r - sin(a_r t) v_p(r).
                rot_t = jnp.diag(jnp.cos(ang)).at[idx, partner].add(jnp.sin(ang))
                return o @ rot_t @ o.T @ u, (u.T @ (a_full @ u))[upper]
            moved = u[partner, :]
            e = u.T @ (coef[:, None] * moved)
            return jnp.cos(ang)[:, None] * u + jnp.sin(ang)[:, None] * moved, e[upper]

        _, es = jax.lax.scan(step, vecs[:, n:], xs, reverse=True)  # (K, n(n-1)/2), E_k antisymmetric
        per_param = jnp.zeros((self.n_params, es.shape[1]), dtype=es.dtype).at[self._params].add(es)
        # F_kl = -(1/2)[tr(B_k B_l) + tr(B_k M B_l M)] = 2 Re <E_l, E_k> = 4 Re sum_{i<j} E_k conj(E_l).
        stacked = jnp.concatenate([jnp.real(per_param), jnp.imag(per_param)], axis=1)
        f = 4.0 * (stacked @ stacked.T)
        return 0.5 * (f + f.T)

    # ---- public API ---------------------------------------------------------------------------

    def _has_loss(self) -> bool:
        return self._h is not None

    def covariance(self, values: np.ndarray) -> np.ndarray:
        """Output Majorana covariance matrices ``(B, 2n, 2n)`` of a batch ``(B, M)``."""
        return np.asarray(self._covariance(self._check(values, True)))

    def qfim(self, values: np.ndarray, input_index: int = 0) -> np.ndarray:
        """QFIM of the pure Gaussian output state at ``values``, ``(M, M)``."""
        if input_index != 0:
            raise ValueError("the fermion backend has one input state (input_index must be 0)")
        return np.asarray(self._qfim(self._check(values, False)))

    def hessian(self, values: np.ndarray) -> np.ndarray:
        """Hessian of the loss at ``values``, ``(M, M)``."""
        self._require_loss()
        return np.asarray(self._hessian(self._check(values, False)))


def build_fermion_engine(ansatz: Ansatz) -> FermionEngine:
    """Compile ``ansatz`` for the free-fermion backend (raises :class:`NotFreeFermion` when it is not)."""
    return FermionEngine(ansatz)
