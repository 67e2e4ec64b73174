"""Losses evaluated on engine states (arrays ``(2^n, C)``), one value per column.

* :class:`~overparam.ansatze.base.EnergyLoss`: ``<psi|H|psi> - offset``. The Pauli strings of ``H``
  are grouped by the qubits they flip; a group is a diagonal ``D_F`` times the bit flip ``F``
  (``jnp.flip`` on those axes), so ``<psi|H|psi> = sum_F sum_y conj(psi(y)) D_F(y) psi(y xor F)``.
  A diagonal that is one number (the field term ``-g X_i``) is kept as a scalar, so the TFIM costs
  one pass for ``sum ZZ`` and one cheap pass per qubit for the field.
* :class:`~overparam.ansatze.base.ZeroProjectorLoss`: ``1 - sum |psi(y)|^2`` over ``y`` with the
  chosen qubits all ``0``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import cirq
import jax
import jax.numpy as jnp
import numpy as np

from overparam.ansatze.base import EnergyLoss, Loss, ZeroProjectorLoss
from overparam.errors import BadInput
from overparam.sim.engine.kernels import flip_bits, view_shape

StateLoss = Callable[[jnp.ndarray], jnp.ndarray]


def _bits(n: int) -> np.ndarray:
    """``bits[x, i]``: the bit of qubit ``i`` (big-endian) in basis index ``x``."""
    x = np.arange(2**n)[:, None]
    return (x >> (n - 1 - np.arange(n))[None, :]) & 1


def pauli_groups(observable: cirq.PauliSum, qubits: Sequence[cirq.Qid]) -> list[tuple[tuple[int, ...], np.ndarray | complex]]:
    """``[(flipped axes, D_F)]`` with ``D_F`` an array over the full basis or a single number."""
    n = len(qubits)
    index = {q: i for i, q in enumerate(qubits)}
    bits = _bits(n)
    groups: dict[tuple[int, ...], np.ndarray] = {}
    for ps in observable:
        flip, zaxes, n_y = [], [], 0
        for q, p in ps.items():
            if q not in index:
                raise BadInput(f"observable acts on qubit {q} outside the ansatz's qubits")
            i = index[q]
            if p == cirq.X:
                flip.append(i)
            elif p == cirq.Y:
                flip.append(i)
                zaxes.append(i)
                n_y += 1
            else:
                zaxes.append(i)
        f = tuple(sorted(flip))
        # (P psi)(y) = c i^ny (-1)^{popcount((y xor F) & z)} psi(y xor F)
        src = bits.copy()
        src[:, list(f)] ^= 1
        sign = 1 - 2 * (np.sum(src[:, zaxes], axis=1) % 2) if zaxes else np.ones(2**n)
        term = complex(ps.coefficient) * (1j**n_y) * sign
        groups[f] = groups.get(f, 0) + term
    out: list[tuple[tuple[int, ...], np.ndarray | complex]] = []
    for f, d in groups.items():
        d = np.asarray(d, dtype=np.complex128)
        if np.allclose(d, d[0], atol=0, rtol=0):
            out.append((f, complex(d[0])))
        elif np.all(d.imag == 0):
            out.append((f, d.real.copy()))
        else:
            out.append((f, d))
    return out


def energy_loss(loss: EnergyLoss, qubits: Sequence[cirq.Qid]) -> StateLoss:
    """``<psi|H|psi> - offset`` per column."""
    return energy_from_groups(pauli_groups(loss.observable, qubits), float(loss.offset))


def energy_from_groups(groups: list[tuple[tuple[int, ...], np.ndarray | complex]], offset: float) -> StateLoss:
    """``<psi|H|psi> - offset`` per column for ``H`` given as :func:`pauli_groups`."""

    def value(psi: jnp.ndarray) -> jnp.ndarray:
        conj = jnp.conj(psi)
        total = jnp.zeros(psi.shape[-1])
        for f, d in groups:
            prod = conj * flip_bits(psi, f)
            if isinstance(d, complex):
                term = d.real * jnp.real(prod) - d.imag * jnp.imag(prod)
            else:
                term = jnp.real(jnp.asarray(d)[:, None] * prod)
            total = total + jnp.sum(term, axis=0)
        return total - offset

    return value


def energy_loss_and_cotangent(loss: EnergyLoss, qubits: Sequence[cirq.Qid]):
    """``psi -> (<psi|H|psi> - offset, 2 H psi)`` per column, from one application of ``H``.

    For a Hermitian ``H`` the cotangent ``dL/dRe psi + i dL/dIm psi`` of ``<psi|H|psi>`` is
    ``2 H psi``, so the reverse pass starts from ``H psi`` without differentiating the loss.
    """
    return energy_and_cotangent_from_groups(pauli_groups(loss.observable, qubits), float(loss.offset))


def energy_and_cotangent_from_groups(groups: list[tuple[tuple[int, ...], np.ndarray | complex]], offset: float):
    """:func:`energy_loss_and_cotangent` for ``H`` given as :func:`pauli_groups`."""

    def value(psi: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        hpsi = jnp.zeros_like(psi)
        for f, d in groups:
            moved = flip_bits(psi, f)
            hpsi = hpsi + (d * moved if isinstance(d, complex) else jnp.asarray(d)[:, None] * moved)
        energy = jnp.sum(jnp.real(jnp.conj(psi) * hpsi), axis=0)
        return energy - offset, 2.0 * hpsi

    return value


def zero_projector_loss(loss: ZeroProjectorLoss, qubits: Sequence[cirq.Qid]) -> StateLoss:
    """``1 - P(loss.qubits all 0)`` per column."""
    index = {q: i for i, q in enumerate(qubits)}
    chosen = tuple(sorted(index[q] for q in loss.qubits))
    shape, axes = view_shape(len(qubits), chosen)

    def value(psi: jnp.ndarray) -> jnp.ndarray:
        sel = [slice(None)] * (len(shape) + 1)
        for a in axes:
            sel[a] = 0
        kept = psi.reshape(shape + (psi.shape[-1],))[tuple(sel)]
        kept = kept.reshape(-1, psi.shape[-1])
        return 1.0 - jnp.sum(jnp.real(kept) ** 2 + jnp.imag(kept) ** 2, axis=0)

    return value


def state_loss(loss: Loss | None, qubits: Sequence[cirq.Qid]) -> StateLoss:
    """The per-column loss function for ``loss``."""
    if isinstance(loss, EnergyLoss):
        return energy_loss(loss, qubits)
    if isinstance(loss, ZeroProjectorLoss):
        return zero_projector_loss(loss, qubits)
    raise BadInput("this ansatz has no loss; expected an EnergyLoss or a ZeroProjectorLoss")


def state_loss_and_cotangent(loss: Loss | None, qubits: Sequence[cirq.Qid]):
    """``psi -> (per-column loss, dL/dRe psi + i dL/dIm psi)`` for ``loss``.

    The energy uses :func:`energy_loss_and_cotangent`; other losses differentiate their value.
    """
    if isinstance(loss, EnergyLoss):
        return energy_loss_and_cotangent(loss, qubits)
    fn = state_loss(loss, qubits)

    def value(psi: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        def total(re, im):
            per = fn(re + 1j * im)
            return jnp.sum(per), per

        (_, per), (g_re, g_im) = jax.value_and_grad(total, argnums=(0, 1), has_aux=True)(jnp.real(psi), jnp.imag(psi))
        return per, g_re + 1j * g_im

    return value


def loss_from_statevector(loss: Loss, qubits: Sequence[cirq.Qid], states: Sequence[np.ndarray]) -> float:
    """The loss from plain state vectors (e.g. qsim's), averaged over the input states, in numpy."""
    psi = np.stack([np.asarray(s, dtype=np.complex128).reshape(-1) for s in states], axis=-1)
    values = np.asarray(state_loss(loss, qubits)(jnp.asarray(psi)))
    return float(np.mean(values))
