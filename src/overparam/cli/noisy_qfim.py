"""``overparam noisy-qfim``: SLD QFIM spectra and ranks under depolarizing noise (experiment 6).

For every depth, the same random points as ``overparam qfim`` are evaluated noiselessly, under
each local strength alone and under each global strength alone; the pure-state QFIM at the same
points checks the noiseless limit in the same run (see :mod:`overparam.geometry.sld`).
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

from overparam.cli.common import (
    add_ansatz_args,
    add_common,
    add_label_and_out,
    add_memory_flag,
    emit,
    positive_int,
    quiet_jax_logging,
)


def _strength_list(flag: str) -> Callable[[str], list[float]]:
    def parse(raw: str) -> list[float]:
        # Range checks are done by check_strength (BadInput, exit 2) so the message is the same
        # one the library gives; here only the syntax.
        try:
            values = [float(v) for v in raw.replace(",", " ").split()]
            if not all(math.isfinite(v) for v in values):
                raise ValueError(raw)
            return values
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{flag} {raw!r} is not accepted; expected finite numbers in [0, 1] separated by commas"
            ) from None

    return parse


def cmd_noisy_qfim(args: argparse.Namespace) -> dict:
    """Run ``overparam noisy-qfim`` and emit its JSON object."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.sld import noisy_qfim_payload
    from overparam.sim.budget import check_memory, density_bytes, describe

    quiet_jax_logging()
    deepest = build_ansatz(args.ansatz, args.n, max(args.layers), parse_options(args.opt))
    check_memory(density_bytes(deepest.n_qubits, deepest.n_params), describe("noisy-qfim", deepest),
                 args.max_memory_gb)
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

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``noisy-qfim``."""
    from overparam.sim.noise import NOISE_CONVENTION

    p = sub.add_parser(
        "noisy-qfim",
        help="SLD QFIM spectra and ranks of the mixed output state under depolarizing noise",
        description=__doc__.splitlines()[0] + " Noise convention: " + NOISE_CONVENTION + ".",
    )
    add_ansatz_args(p, layers="sweep")
    p.add_argument("--local", type=_strength_list("--local"), default=[],
                   help="local depolarizing strengths p in [0,1], e.g. 1e-4,1e-3")
    p.add_argument(
        "--global", dest="global_q", type=_strength_list("--global"), default=[],
        help="global depolarizing q in [0,1] (rho -> q rho + (1-q) I/d), e.g. 0.95,0.99",
    )
    p.add_argument("--samples", type=positive_int("--samples", 1), default=5,
                   help="random points per depth (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    add_label_and_out(p)
    add_memory_flag(p)
    add_common(p)
    p.set_defaults(func=cmd_noisy_qfim)
