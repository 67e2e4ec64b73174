"""The batched loss interface shared by the differentiable engines (state vector and free fermion).

Training and geometry call :meth:`BatchedLoss.loss`, :meth:`BatchedLoss.loss_and_grad` and
:meth:`BatchedLoss.jax_loss_and_grad` without knowing which engine is behind them; each engine sets
``n_params`` and the jitted ``_loss`` and ``_loss_and_grad`` and says whether it has a loss.
"""

from __future__ import annotations

from typing import Callable

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402


class BatchedLoss:
    """Loss and adjoint gradient of a batch of parameter vectors ``(B, M)``, float64."""

    n_params: int
    _loss: Callable[[jnp.ndarray], jnp.ndarray]
    _loss_and_grad: Callable[[jnp.ndarray], tuple[jnp.ndarray, jnp.ndarray]]

    def _has_loss(self) -> bool:
        raise NotImplementedError

    def _check(self, values, batched: bool) -> jnp.ndarray:
        arr = np.asarray(values, dtype=np.float64)
        if batched and arr.ndim == 1:
            arr = arr[None, :]
        if arr.shape[-1] != self.n_params or arr.ndim != (2 if batched else 1):
            want = "(B, M)" if batched else "(M,)"
            raise ValueError(f"expected parameters of shape {want} with M = {self.n_params}, got {arr.shape}")
        return jnp.asarray(arr)

    def _require_loss(self) -> None:
        if not self._has_loss():
            raise ValueError(f"ansatz {self.ansatz.name!r} has no loss")  # type: ignore[attr-defined]

    def loss(self, values: np.ndarray) -> np.ndarray:
        """Loss of each parameter vector: ``values`` ``(B, M)`` -> ``(B,)`` (``(M,)`` -> ``(1,)``)."""
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
