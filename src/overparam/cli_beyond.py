"""``overparam qfim-prefix``: QFIM rank versus M for every prefix of one deep circuit ("beyond the paper").

One Jacobian of the deepest circuit per random point gives the QFIM of every truncated circuit
(its leading blocks; see :mod:`overparam.geometry.prefix`), so sizes beyond the paper's n <= 10 are
reached with one engine compilation. ``--gpu`` runs the engine (and qsim) on the GPU.
"""

from __future__ import annotations

import argparse
import logging
import time

log = logging.getLogger(__name__)


def device_label() -> str:
    """Where the numbers were computed: the JAX device (GPU) or the CPU."""
    from overparam.sim.device import gpu_enabled

    if gpu_enabled():
        import jax

        return f"gpu: {jax.devices('cuda')[0].device_kind}"
    from overparam.results.provenance import cpu_model

    return f"cpu: {cpu_model()}"


def cmd_qfim_prefix(args: argparse.Namespace) -> dict:
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.cli import _emit, ansatz_header
    from overparam.geometry.prefix import prefix_ranks
    from overparam.geometry.qfim import check_qfim_backend

    backend = check_qfim_backend(args.backend)
    options = parse_options(args.opt)
    t0 = time.perf_counter()
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    build_seconds = time.perf_counter() - t0
    log.info("%s n=%d layers=%d M=%d built in %.1f s", args.ansatz, args.n, args.layers, ansatz.n_params, build_seconds)
    result = prefix_ranks(ansatz, args.samples, args.seed, backend)
    for k, smp in enumerate(result["samples"]):
        log.info("point %d: QFIM in %.2f s, rank at M=%d: %d", k, smp["seconds"], ansatz.n_params,
                 smp["records"][-1]["rank"])
    payload = {
        **ansatz_header(args, ansatz),
        "backend": backend,
        "seed": args.seed,
        "device": device_label(),
        "build_seconds": build_seconds,
        **result,
        "seconds": time.perf_counter() - t0,
    }

    def human(p: dict) -> str:
        lines = []
        for k, smp in enumerate(p["samples"]):
            ranks = " ".join(f"{r['n_params']}:{r['rank']}" for r in smp["records"])
            lines.append(f"point {k} ({smp['seconds']:.2f} s) M:rank {ranks}")
        return "\n".join(lines)

    _emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction, add_ansatz_args, add_common, positive_int) -> None:
    """Add the ``qfim-prefix`` subcommand."""
    from overparam.cli import add_gpu_flag

    p = sub.add_parser("qfim-prefix", help="QFIM rank for every M from one deep circuit (one Jacobian per point)",
                       description=__doc__.splitlines()[0])
    add_ansatz_args(p)
    p.add_argument("--samples", type=positive_int("--samples", 1), default=3, help="random points (default 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    p.add_argument("--backend", default="jax", help="jax (default, engine, float64), qsim or cirq")
    p.add_argument("--label", help="model name recorded in the output")
    p.add_argument("--out", help="also write the JSON object to this file (atomically)")
    add_common(p)
    add_gpu_flag(p)
    p.set_defaults(func=cmd_qfim_prefix)
