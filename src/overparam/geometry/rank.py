"""Spectra and numerical ranks of real symmetric positive semi-definite matrices.

A numerical rank needs a tolerance. We count eigenvalues ``lambda > rtol * lambda_max``, with the
relative tolerance set by the precision of the states the matrix was built from:

* double-precision states (``cirq.Simulator`` in complex128, the differentiable engine):
  ``rtol = 1e-10``. Eigenvalues that are zero in exact arithmetic come out at about
  ``1e-16 * lambda_max``.
* single-precision states (qsim, complex64): ``rtol = 1e-9``. The QFIM is a Gram matrix, so an
  error ``eps ~ 1e-7`` in the state derivatives lifts exact zeros only to ``eps^2 ~ 1e-14``
  (measured: 3e-14 for tfim-hva n = 6, p = 10), leaving five orders of magnitude of margin.

Measured non-zero QFIM eigenvalues of the paper's models go down to about ``6e-6 * lambda_max``
(tfim-hva open, n = 6, p = 10), so a looser cut such as ``1e-4`` would undercount the rank.

Every result also reports the *gap*: the ratio between the smallest kept and the largest dropped
eigenvalue, and the whole spectrum is always kept so a reader can judge the cut.
"""

from __future__ import annotations

import dataclasses

import numpy as np

RTOL = {"double": 1e-10, "single": 1e-9}

# The Hessian of the loss at a trained solution is only as null as the solution is converged: at a
# residual loss eps the would-be zero eigenvalues sit near sqrt(eps / gap) times the curvature
# (measured: |lambda| ~ 1e-9 lambda_max at loss 2e-14 for tfim-hva n = 4, larger at looser
# solutions). Hessian ranks therefore count |lambda| above 1e-5 lambda_max, and the whole spectrum
# is stored beside the solution's loss.
HESSIAN_RTOL = 1e-5


@dataclasses.dataclass(frozen=True)
class SpectrumRank:
    """Descending eigenvalues, the numerical rank and the gap around the cut."""

    eigenvalues: np.ndarray
    rank: int
    tolerance: float
    gap: float

    def as_dict(self) -> dict:
        return {
            "eigenvalues": [float(x) for x in self.eigenvalues],
            "rank": self.rank,
            "tolerance": self.tolerance,
            "gap": self.gap,
        }


def spectrum_rank(matrix: np.ndarray, rtol: float) -> SpectrumRank:
    """Eigen-decompose a real symmetric matrix and count eigenvalues above ``rtol * max``."""
    sym = 0.5 * (matrix + matrix.T)
    vals = np.sort(np.linalg.eigvalsh(sym))[::-1]
    top = float(vals[0]) if vals.size else 0.0
    if top <= 0.0:
        return SpectrumRank(vals, 0, rtol, float("inf"))
    cut = rtol * top
    rank = int(np.count_nonzero(vals > cut))
    kept_min = float(vals[rank - 1]) if rank else top
    dropped_max = float(abs(vals[rank])) if rank < vals.size else 0.0
    gap = kept_min / dropped_max if dropped_max > 0 else float("inf")
    return SpectrumRank(vals, rank, rtol, gap)
