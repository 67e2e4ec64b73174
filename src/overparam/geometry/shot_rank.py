"""Rank of a QFIM measured with shots: a cut tied to the shot error, not to float precision.

A shot-noisy estimate ``F_hat = F + E`` has every eigenvalue within ``||E||_2`` of the exact one
(Weyl's inequality), and ``||E||_2 <= ||E||_F``. The estimators give each entry's one-sigma error
``sigma_ij``, so ``noise = sqrt(sum_ij sigma_ij^2)`` is the root-mean-square of ``||E||_F``. We keep
eigenvalues above ``z * noise`` (``z = 3`` by default): an exactly-zero eigenvalue then lands above
the cut only if the shot noise is three times its r.m.s. Frobenius size, so the measured rank is,
with high probability, a *lower bound* on the true rank; eigenvalues smaller than the cut are not
resolved by that many shots. The whole spectrum is kept so a reader can see both sides of the cut.
"""

from __future__ import annotations

import dataclasses

import numpy as np

DEFAULT_Z = 3.0


@dataclasses.dataclass(frozen=True)
class ShotRank:
    """Descending eigenvalues, the rank above ``tolerance = z * noise`` and the inputs of the cut."""

    eigenvalues: np.ndarray
    rank: int
    tolerance: float
    noise: float
    z: float

    def as_dict(self) -> dict:
        return {
            "eigenvalues": [float(v) for v in self.eigenvalues],
            "rank": self.rank,
            "tolerance": self.tolerance,
            "noise": self.noise,
            "z": self.z,
        }


def shot_noise_rank(value: np.ndarray, error: np.ndarray, z: float = DEFAULT_Z) -> ShotRank:
    """Numerical rank of a measured symmetric matrix with entry errors ``error`` (module doc)."""
    if not z > 0:
        raise ValueError(f"z must be positive, got {z}")
    sym = 0.5 * (np.asarray(value, dtype=float) + np.asarray(value, dtype=float).T)
    vals = np.sort(np.linalg.eigvalsh(sym))[::-1]
    noise = float(np.sqrt(np.sum(np.asarray(error, dtype=float) ** 2)))
    tolerance = z * noise
    return ShotRank(vals, int(np.count_nonzero(vals > tolerance)), tolerance, noise, float(z))
