"""SLD quantum Fisher information of a mixed output state ``rho(theta)`` (noise, experiment 6).

With ``rho = sum_k lambda_k |k><k|``::

    F_ij = 2 sum_{k,l: lambda_k + lambda_l > cutoff} Re(<k|d_i rho|l><l|d_j rho|k>) / (lambda_k + lambda_l)

Cut-off (:data:`SUPPORT_CUTOFF`): pairs with ``lambda_k + lambda_l <= 1e-12`` are dropped. ``rho``
has unit trace, so this is relative to ``Tr rho``. In double precision the eigenvalues of ``rho``
carry absolute errors of about ``1e-16 * n_ops``, so eigenvalues that are exactly zero (a pure or
low-rank state) come out at ``|lambda| < 1e-14`` and both members of such a pair lie in the
numerical kernel. A positive semi-definite family cannot move weight *within* its kernel at first
order (``<k|d rho|l> = 0`` for ``k, l`` in the kernel), so those pairs carry no information, only
roundoff divided by roundoff. The genuine smallest eigenvalues of the noisy states of the ext1
experiment are reported beside every spectrum (``min_eigenvalue``) so the margin to the cut can be
checked; for a pure state the formula with this cut-off is exactly the pure-state QFIM
``4 Re[<d_i psi|d_j psi> - <d_i psi|psi><psi|d_j psi>]`` (tested).

The sum is written as a Gram matrix ``F = 2 Re(A A^dag)`` with ``A_i[kl] = <k|d_i rho|l> /
sqrt(lambda_k + lambda_l)`` (``d_i rho`` is Hermitian), so ``F`` is positive semi-definite by
construction. Ranks use :func:`overparam.geometry.rank.spectrum_rank` with the double-precision
relative tolerance ``RTOL['double'] = 1e-10`` (the density matrices and their derivatives are exact
to double precision); every spectrum is kept whole.

:func:`noisy_qfim_payload` is the whole sweep behind ``overparam noisy-qfim`` (experiment 6): the
same random points per depth as ``overparam qfim``, evaluated noiselessly, under each local
strength alone and under each global strength alone, with the pure-state QFIM at the same points as
an in-run check of the noiseless limit.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Sequence

import numpy as np

from overparam.ansatze import build_ansatz
from overparam.ansatze.base import Ansatz
from overparam.geometry.qfim import qfim
from overparam.geometry.rank import RTOL, SpectrumRank, spectrum_rank
from overparam.seeding import rng_for
from overparam.sim.density import check_size, density_jacobian
from overparam.sim.noise import NOISE_CONVENTION, NoiseModel, check_strength

log = logging.getLogger(__name__)

SUPPORT_CUTOFF = 1e-12

def sld_qfim_from_derivatives(
    rho: np.ndarray, drho: np.ndarray, cutoff: float = SUPPORT_CUTOFF
) -> tuple[np.ndarray, np.ndarray]:
    """SLD QFIM from ``rho`` and ``drho[j] = d rho / d theta_j``; returns ``(F, eigenvalues of rho)``."""
    rho = np.asarray(rho, dtype=np.complex128)
    drho = np.asarray(drho, dtype=np.complex128)
    lam, vecs = np.linalg.eigh(0.5 * (rho + rho.conj().T))
    # d_i rho in the eigenbasis of rho: D_i = V^dag (d_i rho) V.
    dk = np.einsum("ak,jab,bl->jkl", vecs.conj(), drho, vecs, optimize=True)
    denom = lam[:, None] + lam[None, :]
    keep = denom > cutoff
    weights = np.zeros_like(denom)
    weights[keep] = 1.0 / np.sqrt(denom[keep])
    a = (dk * weights[None]).reshape(drho.shape[0], -1)
    return 2.0 * np.real(a @ a.conj().T), lam


@dataclasses.dataclass(frozen=True)
class NoisySpectrum:
    """The SLD QFIM spectrum at one point and the eigenvalue range of ``rho`` behind it."""

    spectrum: SpectrumRank
    rho_min_eigenvalue: float
    purity: float


def sld_qfim(ansatz: Ansatz, values: Sequence[float], noise: NoiseModel = NoiseModel(), input_index: int = 0) -> np.ndarray:
    """The SLD QFIM of ``ansatz`` at ``values`` under ``noise`` (shape ``(M, M)``)."""
    rho, drho = density_jacobian(ansatz, values, noise, input_index)
    return sld_qfim_from_derivatives(rho, drho)[0]


def sld_spectrum(
    ansatz: Ansatz,
    values: Sequence[float],
    noise: NoiseModel = NoiseModel(),
    input_index: int = 0,
    rtol: float | None = None,
) -> NoisySpectrum:
    """Sorted SLD QFIM spectrum and numerical rank (``rtol`` defaults to ``RTOL['double']``)."""
    rho, drho = density_jacobian(ansatz, values, noise, input_index)
    f, lam = sld_qfim_from_derivatives(rho, drho)
    tol = RTOL["double"] if rtol is None else rtol
    purity = float(np.real(np.vdot(rho, rho)))
    return NoisySpectrum(spectrum_rank(f, tol), float(lam.min()), purity)


def noise_settings(local: Sequence[float], global_q: Sequence[float]) -> list[NoiseModel]:
    """The noiseless reference, then each local strength alone, then each global strength alone."""
    settings = [NoiseModel()]
    settings += [NoiseModel(local=p) for p in local if p != 0.0]
    settings += [NoiseModel(global_q=q) for q in global_q if q != 1.0]
    return settings


def noise_label(noise: NoiseModel) -> tuple[str, float]:
    """``(kind, strength)`` of a single-kind setting: ``none``/``local``/``global``."""
    if noise.noiseless:
        return "none", 0.0
    if noise.global_q == 1.0:
        return "local", noise.local
    if noise.local == 0.0:
        return "global", noise.global_q
    return "local+global", noise.local


def noisy_qfim_records(ansatz: Ansatz, points: np.ndarray, settings: Sequence[NoiseModel]) -> list[dict]:
    """One record per noise setting: spectra and ranks at every point (the same points for all)."""
    records = []
    for noise in settings:
        t0 = time.perf_counter()
        results = [sld_spectrum(ansatz, x, noise) for x in points]
        kind, strength = noise_label(noise)
        ranks = [r.spectrum.rank for r in results]
        records.append(
            {
                "layers": ansatz.layers,
                "n_params": ansatz.n_params,
                "noise": kind,
                "local": noise.local,
                "global": noise.global_q,
                "strength": strength,
                "ranks": ranks,
                "max_rank": max(ranks),
                "spectra": [[float(v) for v in r.spectrum.eigenvalues] for r in results],
                "gaps": [r.spectrum.gap for r in results],
                "rho_min_eigenvalues": [r.rho_min_eigenvalue for r in results],
                "purities": [r.purity for r in results],
                "tolerance": results[0].spectrum.tolerance,
                "seconds": time.perf_counter() - t0,
            }
        )
        log.info(
            "%s n=%d layers=%d noise=%s %.3g: ranks %s", ansatz.name, ansatz.n, ansatz.layers, kind, strength, ranks
        )
    return records


def noisy_qfim_payload(
    ansatz_name: str,
    n: int,
    options: dict[str, str],
    layers: list[int],
    local: list[float],
    global_q: list[float],
    samples: int,
    seed: int,
    label: str | None = None,
) -> dict:
    """Compute the noisy-QFIM sweep; every input is checked before the first simulation."""
    for p in local:
        check_strength("local", p)
    for q in global_q:
        check_strength("global", q)
    ansaetze = [build_ansatz(ansatz_name, n, p, options) for p in layers]
    for a in ansaetze:
        check_size(a.n_qubits)
    settings = noise_settings(local, global_q)
    t_start = time.perf_counter()
    records, pure, deviation = [], [], 0.0
    for a in ansaetze:
        # Same derivation as overparam.geometry.sweeps.qfim_samples: identical points per depth.
        rng = rng_for(seed, a.name, a.n, a.layers, sorted(a.options.items()))
        points = a.random_parameters(rng, samples)
        records += noisy_qfim_records(a, points, settings)
        pure_spectra = []
        for x in points:
            f_pure = qfim(a, x, "cirq")
            deviation = max(deviation, float(np.abs(sld_qfim(a, x, NoiseModel()) - f_pure).max()))
            pure_spectra.append(spectrum_rank(f_pure, RTOL["double"]))
        pure.append(
            {
                "layers": a.layers,
                "n_params": a.n_params,
                "ranks": [s.rank for s in pure_spectra],
                "spectra": [[float(v) for v in s.eigenvalues] for s in pure_spectra],
            }
        )
        log.info("%s n=%d layers=%d done (%.1f s)", a.name, n, a.layers, time.perf_counter() - t_start)
    return {
        "model": label or ansatz_name,
        "ansatz": ansatz_name,
        "n": n,
        "options": {k: str(v) for k, v in ansaetze[0].options.items()},
        "seed": seed,
        "samples": samples,
        "local": list(local),
        "global": list(global_q),
        "noise_convention": NOISE_CONVENTION,
        "support_cutoff": SUPPORT_CUTOFF,
        "tolerance": RTOL["double"],
        "records": records,
        "pure_state": pure,
        "noiseless_max_deviation": deviation,
        "seconds": time.perf_counter() - t_start,
    }
