"""QFIM rank versus depth at random parameter points (experiment 3 of the paper)."""

from __future__ import annotations

import logging
import time
from typing import Mapping, Sequence

from overparam.ansatze import build_ansatz
from overparam.geometry.qfim import qfim_spectrum, resolve_qfim_backend
from overparam.seeding import rng_for

log = logging.getLogger(__name__)


def qfim_samples(ansatz, samples: int, seed: int, backend: str) -> dict:
    """QFIM spectra and ranks of ``ansatz`` at ``samples`` random points drawn from its init range.

    ``backend`` may be ``auto``; the result's ``backend`` is the one that ran.
    """
    backend = resolve_qfim_backend(ansatz, backend)
    rng = rng_for(seed, ansatz.name, ansatz.n, ansatz.layers, sorted(ansatz.options.items()))
    points = ansatz.random_parameters(rng, samples)
    engine = None
    if backend == "jax":
        from overparam.sim.engine import build_engine

        engine = build_engine(ansatz)
    elif backend == "fermion":
        from overparam.sim.fermion import build_fermion_engine

        engine = build_fermion_engine(ansatz)
    results = [qfim_spectrum(ansatz, x, backend, engine=engine) for x in points]
    ranks = [r.rank for r in results]
    return {
        "n_params": ansatz.n_params,
        "ranks": ranks,
        "max_rank": max(ranks),
        "spectra": [[float(v) for v in r.eigenvalues] for r in results],
        "gaps": [r.gap for r in results],
        "tolerance": results[0].tolerance,
        "backend": backend,
    }


def qfim_rank_sweep(
    name: str,
    n: int,
    options: Mapping[str, str],
    layers: Sequence[int],
    samples: int,
    seed: int,
    backend: str,
) -> list[dict]:
    """One record per depth: ``layers``, ``n_params``, ``ranks``, ``spectra``, ``gaps``, ``seconds``.

    Every ansatz is built first, so bad options fail before any simulation.
    """
    ansaetze = [build_ansatz(name, n, p, options) for p in layers]
    for ansatz in ansaetze:
        resolve_qfim_backend(ansatz, backend)  # a forced backend that cannot run fails before any simulation
    records = []
    start = time.perf_counter()
    for k, ansatz in enumerate(ansaetze):
        t0 = time.perf_counter()
        rec = qfim_samples(ansatz, samples, seed, backend)
        rec = {"layers": ansatz.layers, **rec, "seconds": time.perf_counter() - t0}
        records.append(rec)
        elapsed = time.perf_counter() - start
        done = sum(a.n_params for a in ansaetze[: k + 1])
        left = elapsed / done * (sum(a.n_params for a in ansaetze) - done)
        log.info(
            "%s n=%d layers=%d M=%d: max rank %d (%d/%d depths, %.1f s elapsed, ~%.0f s left)",
            name, n, ansatz.layers, ansatz.n_params, rec["max_rank"], k + 1, len(ansaetze), elapsed, left,
        )
    return records
