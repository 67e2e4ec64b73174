"""QFIM rank versus depth measured on a Google (virtual) processor, beside the exact QFIM.

At each depth and random point the QFIM is estimated from shots (parameter shift on
compute-uncompute fidelities, :mod:`overparam.sim.google.estimators`) and computed exactly from
state vectors (:func:`overparam.geometry.qfim.qfim`, double precision); the record keeps both
spectra, both ranks, the shot-noise cut and how far the estimate is from the exact matrix in units
of its own shot error.
"""

from __future__ import annotations

import logging
import time
from typing import Mapping, Sequence

import numpy as np

from overparam.ansatze import build_ansatz
from overparam.geometry.qfim import qfim_spectrum
from overparam.geometry.qfim import qfim as exact_qfim
from overparam.geometry.shot_rank import shot_noise_rank
from overparam.seeding import rng_for
from overparam.sim.google import BackendSpec, open_backend
from overparam.sim.google.estimators import estimate_qfim, qfim_program

log = logging.getLogger(__name__)


def hardware_qfim_sweep(
    name: str,
    n: int,
    options: Mapping[str, str],
    layers: Sequence[int],
    samples: int,
    seed: int,
    spec: BackendSpec,
    repetitions: int,
    z: float,
) -> list[dict]:
    """One record per depth with the shot-based and the exact QFIM at ``samples`` random points.

    The random points are drawn exactly as ``overparam qfim`` draws them (same seed, same key), so
    the same config seed gives the same points for every backend.
    """
    ansaetze = [build_ansatz(name, n, p, options) for p in layers]
    backend = open_backend(spec)
    records = []
    for ansatz in ansaetze:
        t0 = time.perf_counter()
        program = qfim_program(ansatz, backend)
        rng = rng_for(seed, ansatz.name, ansatz.n, ansatz.layers, sorted(ansatz.options.items()))
        points = ansatz.random_parameters(rng, samples)
        rec: dict = {
            "layers": ansatz.layers,
            "n_params": ansatz.n_params,
            "gates": len(program.lowered.gates),
            "device_qubits": [str(q) for q in program.compiled.qubits],
            "gateset": program.compiled.gateset,
            "compiled_moments": len(program.compiled.circuit),
            "samples": [],
        }
        for k, x in enumerate(points):
            est = estimate_qfim(ansatz, x, backend, repetitions, program)
            shot = shot_noise_rank(est.value, est.error, z)
            exact = exact_qfim(ansatz, x, "cirq")
            exact_rank = qfim_spectrum(ansatz, x, "cirq")
            # Entry-wise deviation in units of the shot error (noiseless: ~N(0,1); noisy: bias shows).
            with np.errstate(divide="ignore", invalid="ignore"):
                zdev = np.abs(est.value - exact) / est.error
            rec["samples"].append(
                {
                    "sample": k,
                    "point": [float(v) for v in x],
                    "rank": shot.rank,
                    "spectrum": shot.as_dict()["eigenvalues"],
                    "tolerance": shot.tolerance,
                    "noise": shot.noise,
                    "exact_rank": exact_rank.rank,
                    "exact_spectrum": [float(v) for v in exact_rank.eigenvalues],
                    "max_abs_deviation": float(np.max(np.abs(est.value - exact))),
                    "max_z": float(np.nanmax(zdev)),
                    "circuits": est.circuits,
                }
            )
        rec["seconds"] = time.perf_counter() - t0
        log.info(
            "%s %s n=%d layers=%d M=%d: shot ranks %s, exact ranks %s (%.1f s)",
            spec.kind, spec.processor_id, n, ansatz.layers, ansatz.n_params,
            [s["rank"] for s in rec["samples"]], [s["exact_rank"] for s in rec["samples"]], rec["seconds"],
        )
        records.append(rec)
    return records
