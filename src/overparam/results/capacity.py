"""The capacity of a parametrized model from its QFIM spectra at random parameter points.

Two measures, both from the eigenvalues of the quantum Fisher information matrix ``F(θ)`` at
parameter points ``θ`` drawn uniformly from the ansatz's range:

* **Effective quantum dimension** (Haug, Bharti and Kim, PRX Quantum 2, 040309, 2021): the largest
  number of non-zero QFIM eigenvalues over the points, ``D = max_θ rank F(θ)``, each rank counted
  with the sweep's relative cut. It is the number of independent directions in which the state can
  move; it is bounded by the orbit dimension of the input state under the dynamical Lie algebra.
* **Normalised effective dimension** (Abbas et al., Nat. Comput. Sci. 1, 403, 2021), with the QFIM
  in place of the classical Fisher information:

  ``d_eff = 2 log( E_θ sqrt(det(1 + κ F̂(θ))) ) / log κ``,  ``κ = γ N / (2π log N)``,
  ``F̂(θ) = M F(θ) / E_θ[tr F(θ)]``,

  with ``N`` data samples, ``γ ∈ (0, 1]`` and ``M`` parameters; the expectation is the mean over the
  points. Directions with zero eigenvalue add nothing, so ``d_eff`` tracks the rank; for finite
  ``N`` each kept direction adds ``1 + log λ̂ / log κ`` (more than one for ``λ̂ > 1``), so ``d_eff``
  approaches ``D`` from the side set by the spectrum as ``N → ∞``.

Knows no physics engine: only eigenvalues.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

N_DATA = 10**6
GAMMA = 1.0


def kappa(n_data: int = N_DATA, gamma: float = GAMMA) -> float:
    """``γ N / (2π log N)``, Abbas et al.'s resolution constant (``N > 1`` data samples)."""
    if n_data <= 1 or not 0 < gamma <= 1:
        raise ValueError(f"need N > 1 and 0 < gamma <= 1, got N = {n_data}, gamma = {gamma}")
    return gamma * n_data / (2 * math.pi * math.log(n_data))


def abbas_effective_dimension(
    spectra: Sequence[Sequence[float]], n_data: int = N_DATA, gamma: float = GAMMA,
) -> float:
    """Abbas et al.'s effective dimension of the points' QFIM spectra (``M`` eigenvalues each).

    Round-off negatives are clipped to zero (a QFIM is positive semidefinite). The mean of
    ``sqrt(det)`` over points is taken in log space, so large ``κ`` does not overflow.
    """
    if not spectra:
        raise ValueError("need at least one spectrum")
    sizes = {len(s) for s in spectra}
    if len(sizes) != 1 or 0 in sizes:
        raise ValueError(f"spectra must share one non-zero length M, got lengths {sorted(sizes)}")
    m = sizes.pop()
    eig = np.clip(np.asarray(spectra, dtype=float), 0.0, None)
    mean_trace = float(eig.sum(axis=1).mean())
    if mean_trace <= 0:
        return 0.0
    k = kappa(n_data, gamma)
    normalised = m * eig / mean_trace
    half_logdet = 0.5 * np.log1p(k * normalised).sum(axis=1)  # log sqrt det(1 + κ F̂) per point
    top = half_logdet.max()
    log_mean = top + math.log(float(np.exp(half_logdet - top).mean()))
    return 2 * log_mean / math.log(k)


def quantum_dimension(ranks: Sequence[int]) -> int:
    """Haug et al.'s effective quantum dimension: the largest QFIM rank over the points."""
    if not ranks:
        raise ValueError("need at least one rank")
    return max(int(r) for r in ranks)
