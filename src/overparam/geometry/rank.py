"""Spectra and numerical ranks of real symmetric positive semi-definite matrices.

A numerical rank needs a tolerance. We count eigenvalues ``lambda > rtol * lambda_max``, with the
relative tolerance set by the precision of the states the matrix was built from:

* double-precision states (``cirq.Simulator`` in complex128, the differentiable engine):
  ``rtol = 1e-10``. Eigenvalues that are zero in exact arithmetic come out at about
  ``1e-16 * lambda_max``.
* single-precision states (qsim, complex64): ``rtol = 1e-9``. The QFIM is a Gram matrix, so an
  error ``eps ~ 1e-7`` in the state derivatives lifts exact zeros only to ``eps^2 ~ 1e-14``
  (measured: 3e-14 for tfim-hva n = 6, p = 10), leaving five orders of magnitude of margin.

How small can a real (non-zero in exact arithmetic) eigenvalue be? Measured on tfim-hva open,
n = 6 (orbit bound 18), 25 random points per depth (seed 2023, the supp2 points), smallest
``lambda_18 / lambda_max`` (or ``lambda_M`` below saturation): p = 6: 7e-10; p = 7: 1.4e-12;
p = 8: 1.1e-12; p = 9 (M = 18, exactly the bound): 8.2e-16, median 1.2e-8; p = 10: 1.2e-8;
p = 11: 1.4e-6; p = 12: 1.1e-6. A 40-digit mpmath recomputation of the p = 9 points confirms the
tiny values are real (8.239e-16, 5.316e-13, 9.456e-13 of lambda_max; double precision agrees to 3-4
digits). So no relative cut separates real from null eigenvalues at ``M`` near the orbit bound: there
the per-point rank can be undercounted by one or two (p = 9: ranks 17 and 18 at 1e-10), while past
saturation (p >= 10 here) the smallest real eigenvalue stays above 1e-8 and the cut is safe. Read
ranks near ``M = R`` as lower bounds (the maximum over points is what the figures use), and never use
a looser cut such as ``1e-4``, which would undercount everywhere.

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
