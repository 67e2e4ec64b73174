"""The free-fermion engine: loss, gradient, QFIM and Hessian on the ``2n x 2n`` covariance matrix.

The state is the real antisymmetric covariance ``M_uv = i <gamma_u gamma_v>`` (``u != v``). A group
``U = exp(-i theta G)`` with ``G = (i/4) sum A_uv gamma_u gamma_v`` moves the Majoranas as
``U^dag gamma U = R gamma`` with ``R = expm(theta A)`` in ``SO(2n)``, so ``M -> R M R^T``; for the
pair form of :mod:`overparam.sim.fermion.program` that is two elementwise passes (rows, then
columns) of ``cos``/``sin`` and one gather. The loss is ``(1/4) <h, M> + c``.

* Gradient: adjoint, like the state-vector engine. From ``Lambda = dL/dM = h/4`` the reverse pass
  adds ``<Lambda, [A, M]>`` to the group's parameter and uncomputes one group from both ``M`` and
  ``Lambda`` (``R^T . R``); no intermediate state is stored, memory is two matrices per column.
* QFIM: with ``B_k = Q_k A_k Q_k^T`` the generator of group ``k`` moved to the output
  (``Q_k = R_K ... R_{k+1}``) and ``M`` the output covariance, Wick's theorem gives for a pure
  Gaussian state ``F_kl = -(1/2) [tr(B_k B_l) + tr(B_k M B_l M)]``; parameters sharing several
  groups add their ``B``.
* Hessian: forward mode over the adjoint gradient.

Everything is float64; parameter batches ``(B, M)`` run as one computation.
"""

from __future__ import annotations

from typing import Callable

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from overparam.ansatze.base import Ansatz  # noqa: E402
from overparam.sim.fermion.program import FermionProgram, compile_fermion  # noqa: E402


def _rotate(mats: jnp.ndarray, partner: jnp.ndarray, coef: jnp.ndarray, theta: jnp.ndarray) -> jnp.ndarray:
    """``R M R^T`` for each ``M`` of ``mats`` ``(C, D, D)``, ``R = expm(theta_c A)`` in pair form."""
    ang = theta[:, None] * coef[None, :]
    c, s = jnp.cos(ang), jnp.sin(ang)
    mats = c[:, :, None] * mats + s[:, :, None] * mats[:, partner, :]
    return mats * c[:, None, :] + mats[:, :, partner] * s[:, None, :]


def _commutator(mats: jnp.ndarray, partner: jnp.ndarray, coef: jnp.ndarray) -> jnp.ndarray:
    """``[A, M]`` for pair-form ``A``: ``a_r M[p(r), c] + a_c M[r, p(c)]``."""
    return coef[None, :, None] * mats[:, partner, :] + coef[None, None, :] * mats[:, :, partner]


class FermionEngine:
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

    def _xs(self, thetas: jnp.ndarray) -> tuple:
        xs = (self._partner, self._coef, thetas)
        return xs + (self._basis,) if self._dense else xs

    def _apply(self, mats, x, sign: float):
        partner, coef, th = x[:3]
        if not self._dense:
            return _rotate(mats, partner, coef, sign * th)
        o = x[3]
        inner = jnp.einsum("ab,cbd,de->cae", o.T, mats, o)
        return jnp.einsum("ab,cbd,de->cae", o, _rotate(inner, partner, coef, sign * th), o.T)

    def _forward(self, values: jnp.ndarray) -> jnp.ndarray:
        """Output covariances ``(B, D, D)`` for parameters ``(B, M)``."""
        batch = values.shape[0]
        thetas = values[:, self._params].T  # (K, B)
        mats = jnp.broadcast_to(self._cov0, (batch, self._d, self._d))

        def step(m, x):
            return self._apply(m, x, 1.0), None

        mats, _ = jax.lax.scan(step, mats, self._xs(thetas))
        return mats

    def _value(self, mats: jnp.ndarray) -> jnp.ndarray:
        return 0.25 * jnp.sum(self._h[None] * mats, axis=(1, 2)) + self._const

    def _loss_impl(self, values: jnp.ndarray) -> jnp.ndarray:
        return self._value(self._forward(values))

    def _loss_and_grad_impl(self, values: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        batch = values.shape[0]
        thetas = values[:, self._params].T
        mats = self._forward(values)
        losses = self._value(mats)
        lam = jnp.broadcast_to(0.25 * self._h, mats.shape)
        # M and Lambda travel stacked so every uncompute step is one pass over 2B matrices.
        pair = jnp.concatenate([mats, lam], axis=0)

        def step(carry, x):
            th = x[2]
            m, lm = carry[:batch], carry[batch:]
            if self._dense:
                o = x[3]
                m_in = jnp.einsum("ab,cbd,de->cae", o.T, m, o)
                lm_in = jnp.einsum("ab,cbd,de->cae", o.T, lm, o)
                g = jnp.sum(lm_in * _commutator(m_in, x[0], x[1]), axis=(1, 2))
            else:
                g = jnp.sum(lm * _commutator(m, x[0], x[1]), axis=(1, 2))
            th2 = jnp.concatenate([th, th])
            carry = self._apply(carry, (x[0], x[1], th2) + tuple(x[3:]), -1.0)
            return carry, g

        _, g = jax.lax.scan(step, pair, self._xs(thetas), reverse=True)  # (K, B)
        grads = jnp.zeros((self.n_params, batch)).at[self._params].add(g)
        return losses, grads.T

    def _qfim_impl(self, values: jnp.ndarray) -> jnp.ndarray:
        thetas = values[None, :][:, self._params].T  # (K, 1)
        mat = self._forward(values[None, :])[0]
        d = self._d

        # W = Q^T, walked backwards: B_k = W^T A_k W, then W <- R_k^T W.
        def step(w, x):
            partner, coef, th = x[:3]
            ang = -th[0] * coef
            if self._dense:
                o = x[3]
                idx = jnp.arange(d)
                a_full = o @ jnp.zeros((d, d)).at[idx, partner].add(coef) @ o.T
                # R^T = O R'^T O^T with (R'^T v)_r = cos(a_r t) v_r - sin(a_r t) v_p(r).
                rot_t = jnp.diag(jnp.cos(ang)).at[idx, partner].add(jnp.sin(ang))
                return o @ rot_t @ o.T @ w, w.T @ (a_full @ w)
            aw = coef[:, None] * w[partner, :]
            b = w.T @ aw
            w = jnp.cos(ang)[:, None] * w + jnp.sin(ang)[:, None] * w[partner, :]
            return w, b

        _, bs = jax.lax.scan(step, jnp.eye(d), self._xs(thetas), reverse=True)  # (K, D, D)
        per_param = jnp.zeros((self.n_params, d, d)).at[self._params].add(bs)
        flat = per_param.reshape(self.n_params, -1)
        left = (per_param @ mat).reshape(self.n_params, -1)
        right = (mat[None] @ per_param).reshape(self.n_params, -1)
        f = 0.5 * (flat @ flat.T - left @ right.T)
        return 0.5 * (f + f.T)

    # ---- public API ---------------------------------------------------------------------------

    def _check(self, values, batched: bool) -> jnp.ndarray:
        arr = np.asarray(values, dtype=np.float64)
        if batched and arr.ndim == 1:
            arr = arr[None, :]
        if arr.shape[-1] != self.n_params or arr.ndim != (2 if batched else 1):
            want = "(B, M)" if batched else "(M,)"
            raise ValueError(f"expected parameters of shape {want} with M = {self.n_params}, got {arr.shape}")
        return jnp.asarray(arr)

    def _require_loss(self) -> None:
        if self._h is None:
            raise ValueError(f"ansatz {self.ansatz.name!r} has no loss")

    def covariance(self, values: np.ndarray) -> np.ndarray:
        """Output Majorana covariance matrices ``(B, 2n, 2n)`` of a batch ``(B, M)``."""
        return np.asarray(self._covariance(self._check(values, True)))

    def loss(self, values: np.ndarray) -> np.ndarray:
        """Loss of each parameter vector: ``(B, M)`` -> ``(B,)`` (``(M,)`` -> ``(1,)``)."""
        self._require_loss()
        return np.asarray(self._loss(self._check(values, True)))

    def loss_and_grad(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Losses ``(B,)`` and gradients ``(B, M)`` of a batch, by the adjoint reverse pass."""
        self._require_loss()
        per, grads = self._loss_and_grad(self._check(values, True))
        return np.asarray(per), np.asarray(grads)

    def jax_loss_and_grad(self) -> Callable[[jnp.ndarray], tuple[jnp.ndarray, jnp.ndarray]]:
        """The jitted ``values (B, M) -> (losses (B,), grads (B, M))`` on JAX arrays (for training)."""
        self._require_loss()
        return self._loss_and_grad

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
