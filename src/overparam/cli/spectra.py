"""``overparam spectra`` (fig4, supp1): QFIM and Hessian spectra at a training shard's random
initial points and at its converged solutions (see :mod:`overparam.geometry.spectra`).
"""

from __future__ import annotations

import argparse

from overparam.cli.common import (
    add_ansatz_args,
    add_common,
    add_label_and_out,
    add_memory_flag,
    emit,
    finite_float,
    positive_int,
    quiet_jax_logging,
)


def cmd_spectra(args: argparse.Namespace) -> dict:
    """Run ``overparam spectra`` and emit its JSON object."""
    from overparam.ansatze import parse_options
    from overparam.geometry.spectra import spectra_payload

    quiet_jax_logging()
    max_mb = args.max_memory_mb
    if max_mb is None and args.max_memory_gb is not None:
        max_mb = args.max_memory_gb * 1024
    payload = spectra_payload(args.ansatz, args.n, args.layers, parse_options(args.opt), args.shard, args.random,
                              args.solutions, args.converged_below, max_mb, args.label, args.polish)

    def human(p: dict) -> str:
        return "\n".join(
            f"{r['kind']} run {r['run']}: loss {r['loss']:.3e} QFIM rank {r['qfim_rank']} Hessian rank "
            f"{r['hessian_rank']} index {r['hessian_index']}" for r in p["points"]
        )

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spectra``."""
    p = sub.add_parser("spectra", help="QFIM and Hessian spectra at a training shard's random and converged points")
    add_ansatz_args(p)
    p.add_argument("--shard", required=True,
                   help="training shard (.npz from 'overparam train --curves') of this ansatz")
    p.add_argument("--random", type=positive_int("--random", 0), default=5,
                   help="random points: the shard's first initial angles (default 5)")
    p.add_argument("--solutions", type=positive_int("--solutions", 0), default=5,
                   help="converged solutions, lowest loss first (default 5)")
    p.add_argument("--converged-below", type=finite_float("--converged-below", 0.0), default=1e-4,
                   help="a run is converged below this final loss")
    p.add_argument("--max-memory-mb", type=finite_float("--max-memory-mb", 0.0), default=None,
                   help="refuse requests estimated above this many MiB (default: --max-memory-gb)")
    p.add_argument("--polish", action="store_true", help="polish converged solutions with trust-region Newton first")
    add_label_and_out(p)
    add_memory_flag(p)
    add_common(p)
    p.set_defaults(func=cmd_spectra)
