"""QFIM rank versus M for every prefix of one deep circuit, from a single Jacobian per point.

Write the circuit as ``U(theta) = U_rest(theta_{>M}) U_M(theta_{<=M})`` where ``U_M`` holds every
gate of the first ``M`` parameters (in order of first appearance). For the first ``M`` parameters
``d_j psi = U_rest d_j psi_M``, and ``U_rest`` is unitary, so the leading ``M x M`` block of the
deep circuit's QFIM *is* the QFIM of the truncated circuit ``U_M`` at the same angles. One
Jacobian of the deepest circuit at a random point therefore gives the rank for every ``M`` at
once (one compilation of the engine instead of one per depth), which is what makes sizes beyond
the paper's reach cheap. A prefix is only used where the circuit really splits there (no gate of
a later parameter in a moment before the last gate of an earlier one).
"""

from __future__ import annotations

import time

import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.geometry.qfim import BACKEND_PRECISION, qfim
from overparam.geometry.rank import RTOL, spectrum_rank
from overparam.seeding import rng_for
from overparam.sim.generators import normalize_circuit, parametrized_operations

# A second, tighter cut: double-precision zeros sit at ~1e-16 lambda_max, while just below the
# critical M the smallest genuine eigenvalues of the deep models reach ~1e-10 lambda_max (measured:
# tfim-hva open n = 12), right at the standard cut. Both ranks are reported.
TIGHT_RTOL = 1e-13


def prefix_sizes(ansatz: Ansatz) -> list[int]:
    """Every ``M`` at which the circuit splits into (first ``M`` parameters) then (the rest).

    Requires the ansatz's parameter order to follow the circuit (checked, not assumed).
    """
    circuit = normalize_circuit(ansatz.circuit)
    first: dict = {}
    last: dict = {}
    for pop in parametrized_operations(circuit):
        first[pop.symbol] = min(first.get(pop.symbol, pop.moment), pop.moment)
        last[pop.symbol] = max(last.get(pop.symbol, pop.moment), pop.moment)
    symbols = list(ansatz.symbols)
    sizes = []
    for m in range(1, len(symbols) + 1):
        head, tail = symbols[:m], symbols[m:]
        head_end = max((last[s] for s in head if s in last), default=-1)
        tail_start = min((first[s] for s in tail if s in first), default=len(circuit))
        # Operations of one moment act on disjoint qubits and commute, so a moment shared by the
        # last head gate and the first tail gate can be split between the two parts.
        if head_end <= tail_start:
            sizes.append(m)
    return sizes


def prefix_ranks(
    ansatz: Ansatz, samples: int, seed: int, backend: str = "jax", engine=None
) -> dict:
    """QFIM spectra and ranks of every prefix circuit at ``samples`` random points.

    Returns ``n_params``, ``prefixes`` (the ``M`` values), ``tolerance``, ``tight_tolerance``,
    ``compile_seconds`` and ``samples``: per point its ``seconds`` and one record per ``M`` with
    ``rank``, ``tight_rank``, ``gap`` and the whole ``spectrum``.
    """
    sizes = prefix_sizes(ansatz)
    rtol = RTOL[BACKEND_PRECISION[backend]]
    rng = rng_for(seed, ansatz.name, ansatz.n, ansatz.layers, sorted(ansatz.options.items()), "prefix")
    points = ansatz.random_parameters(rng, samples)
    compile_seconds = 0.0
    if backend == "jax" and engine is None:
        from overparam.sim.engine import build_engine

        t0 = time.perf_counter()
        engine = build_engine(ansatz)
        # Compilation is timed apart from the points: it is paid once per circuit.
        engine.jacobian(np.zeros(ansatz.n_params))
        compile_seconds = time.perf_counter() - t0
    out = []
    for x in points:
        t0 = time.perf_counter()
        full = qfim(ansatz, x, backend, engine=engine)
        seconds = time.perf_counter() - t0
        records = []
        for m in sizes:
            res = spectrum_rank(full[:m, :m], rtol)
            tight = spectrum_rank(full[:m, :m], TIGHT_RTOL)
            records.append(
                {"n_params": m, "rank": res.rank, "tight_rank": tight.rank, "gap": res.gap,
                 "spectrum": [float(v) for v in res.eigenvalues]}
            )
        out.append({"seconds": seconds, "records": records})
    return {
        "n_params": ansatz.n_params,
        "prefixes": sizes,
        "tolerance": rtol,
        "tight_tolerance": TIGHT_RTOL,
        "compile_seconds": compile_seconds,
        "samples": out,
    }
