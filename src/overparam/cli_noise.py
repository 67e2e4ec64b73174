"""``overparam noisy-qfim``: SLD QFIM spectra and ranks under depolarizing noise (experiment 6).

For every depth, the same random points (drawn exactly as ``overparam qfim`` draws them, so the
noiseless curve can be compared point by point) are evaluated noiselessly, under each local
strength alone and under each global strength alone. The pure-state QFIM of the state-vector
engine (``cirq`` backend, complex128) is computed at the same points as an in-run check of the
noiseless limit.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Callable

import numpy as np


log = logging.getLogger(__name__)

NOISE_CONVENTION = (
    "local: cirq.depolarize(p) on every qubit an operation acts on, after every operation "
    "(input-preparation gates included); global: rho -> q rho + (1-q) I/2^n once at the end"
)


def _int_list(flag: str) -> Callable[[str], list[int]]:
    def parse(raw: str) -> list[int]:
        try:
            values = [int(v) for v in raw.replace(",", " ").split()]
        except ValueError:
            values = []
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError(f"{flag} {raw!r} is not accepted; expected integers >= 1, e.g. 1,2,3")
        return values

    return parse


def _strength_list(flag: str) -> Callable[[str], list[float]]:
    def parse(raw: str) -> list[float]:
        # Range checks are done by check_strength (BadInput, exit 2) so the message is the same
        # one the library gives; here only the syntax.
        try:
            return [float(v) for v in raw.replace(",", " ").split()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{flag} {raw!r} is not accepted; expected numbers in [0, 1] separated by commas"
            ) from None

    return parse


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
    from overparam.ansatze import build_ansatz
    from overparam.geometry.qfim import qfim
    from overparam.geometry.rank import RTOL, spectrum_rank
    from overparam.geometry.sld import SUPPORT_CUTOFF, noise_settings, noisy_qfim_records, sld_qfim
    from overparam.seeding import rng_for
    from overparam.sim.density import NoiseModel, check_size, check_strength

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


def cmd_noisy_qfim(args: argparse.Namespace) -> dict:
    """Run ``overparam noisy-qfim`` and emit its JSON object."""
    from overparam.ansatze import parse_options
    from overparam.cli import _emit, quiet_jax_logging

    quiet_jax_logging()
    payload = noisy_qfim_payload(
        args.ansatz, args.n, parse_options(args.opt), args.layers, args.local, args.global_q,
        args.samples, args.seed, args.label,
    )

    def human(p: dict) -> str:
        lines = []
        for r in p["records"]:
            lines.append(
                f"layers={r['layers']} M={r['n_params']} noise={r['noise']} {r['strength']:g}: ranks {r['ranks']}"
            )
        lines.append(f"noiseless SLD vs pure-state QFIM: max |difference| {p['noiseless_max_deviation']:.2e}")
        return "\n".join(lines)

    _emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction, add_ansatz_args, add_common, positive_int) -> None:
    """Add the ``noisy-qfim`` subcommand."""
    p = sub.add_parser(
        "noisy-qfim",
        help="SLD QFIM spectra and ranks of the mixed output state under depolarizing noise",
        description=__doc__.splitlines()[0] + " Noise convention: " + NOISE_CONVENTION + ".",
    )
    p.add_argument("ansatz", help="registered name or package.module:function")
    p.add_argument("--n", type=positive_int("--n", 2), required=True, help="number of qubits (size parameter)")
    p.add_argument("--layers", type=_int_list("--layers"), required=True, help="depths, e.g. 1,2,3,4")
    p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="ansatz option (repeatable)")
    p.add_argument("--local", type=_strength_list("--local"), default=[], help="local depolarizing strengths p in [0,1], e.g. 1e-4,1e-3")
    p.add_argument(
        "--global", dest="global_q", type=_strength_list("--global"), default=[],
        help="global depolarizing q in [0,1] (rho -> q rho + (1-q) I/d), e.g. 0.95,0.99",
    )
    p.add_argument("--samples", type=positive_int("--samples", 1), default=5, help="random points per depth (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    p.add_argument("--label", help="model name recorded in the output (default: the ansatz name)")
    p.add_argument("--out", help="also write the JSON object to this file (atomically)")
    add_common(p)
    p.set_defaults(func=cmd_noisy_qfim)
