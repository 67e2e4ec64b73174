"""The QFIM rank of the pure output state: ``overparam qfim``, ``qfim-sweep`` and ``qfim-prefix``.

``qfim`` gives the spectra and ranks of one circuit at random points; ``qfim-sweep`` the maximal
rank versus depth (experiment 3). ``qfim-prefix`` gives the rank for every M from one deep circuit:
one Jacobian per random point gives the QFIM of every truncated circuit (its leading blocks; see
:mod:`overparam.geometry.prefix`), so sizes beyond the paper's n <= 10 are reached with one engine
compilation. ``--gpu`` runs the engine (and qsim) on the GPU.
"""

from __future__ import annotations

import argparse
import logging
import time

from overparam.cli.common import (
    add_ansatz_args,
    add_common,
    add_gpu_flag,
    add_label_and_out,
    add_memory_flag,
    ansatz_header,
    emit,
    positive_int,
)

log = logging.getLogger(__name__)


def cmd_qfim(args: argparse.Namespace) -> dict:
    """Run ``overparam qfim`` and emit its JSON object."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.qfim import resolve_qfim_backend
    from overparam.geometry.sweeps import qfim_samples
    from overparam.sim.budget import check_memory, describe, qfim_bytes

    options = parse_options(args.opt)
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    backend = resolve_qfim_backend(ansatz, args.backend)
    check_memory(qfim_bytes(ansatz, backend), describe(f"qfim ({backend})", ansatz), args.max_memory_gb)
    t0 = time.perf_counter()
    result = qfim_samples(ansatz, args.samples, args.seed, backend)
    payload = {
        "ansatz": args.ansatz,
        "n": args.n,
        "layers": args.layers,
        "options": {k: str(v) for k, v in ansatz.options.items()},
        "backend": backend,
        "seed": args.seed,
        **result,
        "seconds": time.perf_counter() - t0,
    }

    def human(p: dict) -> str:
        return (
            f"{p['ansatz']} n={p['n']} layers={p['layers']} M={p['n_params']}: "
            f"QFIM ranks {p['ranks']} (max {p['max_rank']}, rtol {p['tolerance']:g}, {p['backend']})"
        )

    emit(args, payload, human)
    return payload


def cmd_qfim_sweep(args: argparse.Namespace) -> dict:
    """Run ``overparam qfim-sweep`` and emit its JSON object."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.qfim import QFIM_BACKENDS, resolve_qfim_backend
    from overparam.geometry.sweeps import qfim_rank_sweep
    from overparam.sim.budget import check_memory, describe, qfim_bytes
    from overparam.sim.fermion.select import check_backend_name

    backend = check_backend_name(args.backend, QFIM_BACKENDS)
    options = parse_options(args.opt)
    # The deepest circuit needs the most memory; building it is cheap next to simulating it.
    deepest = build_ansatz(args.ansatz, args.n, max(args.layers), options)
    resolved = resolve_qfim_backend(deepest, backend)
    check_memory(qfim_bytes(deepest, resolved), describe(f"qfim-sweep ({resolved})", deepest), args.max_memory_gb)
    t0 = time.perf_counter()
    records = qfim_rank_sweep(args.ansatz, args.n, options, args.layers, args.samples, args.seed, backend)
    payload = {
        "model": args.label or args.ansatz,
        "ansatz": args.ansatz,
        "n": args.n,
        "options": options,
        "backend": backend,
        "seed": args.seed,
        "samples": args.samples,
        "records": records,
        "seconds": time.perf_counter() - t0,
    }

    def human(p: dict) -> str:
        return "\n".join(
            f"layers={r['layers']} M={r['n_params']} max rank {r['max_rank']}" for r in p["records"]
        )

    emit(args, payload, human)
    return payload


def device_label() -> str:
    """Where the numbers were computed: the JAX device (GPU) or the CPU."""
    from overparam.sim.device import gpu_enabled

    if gpu_enabled():
        import jax

        return f"gpu: {jax.devices('cuda')[0].device_kind}"
    from overparam.results.provenance import cpu_model

    return f"cpu: {cpu_model()}"


def cmd_qfim_prefix(args: argparse.Namespace) -> dict:
    """Run ``overparam qfim-prefix`` and emit its JSON object."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.prefix import prefix_ranks
    from overparam.geometry.qfim import check_qfim_backend
    from overparam.sim.budget import check_memory, describe, qfim_bytes

    backend = check_qfim_backend(args.backend)
    options = parse_options(args.opt)
    t0 = time.perf_counter()
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    build_seconds = time.perf_counter() - t0
    check_memory(qfim_bytes(ansatz, backend), describe("qfim-prefix", ansatz), args.max_memory_gb)
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

    emit(args, payload, human)
    return payload


def _add_points(p: argparse.ArgumentParser, samples: int, backend: str, backends: str) -> None:
    p.add_argument("--samples", type=positive_int("--samples", 1), default=samples,
                   help=f"random points (default {samples})")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    p.add_argument("--backend", default=backend, help=backends)
    add_memory_flag(p)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qfim``, ``qfim-sweep`` and ``qfim-prefix``."""
    auto_first = (
        "auto (default: fermion where the circuit is a matchgate circuit, else qsim), fermion (float64), "
        "qsim (complex64), cirq (complex128) or jax (engine, float64)"
    )

    p = sub.add_parser("qfim", help="QFIM spectra and ranks at random parameter points")
    add_ansatz_args(p)
    _add_points(p, samples=10, backend="auto", backends=auto_first)
    p.add_argument("--out", help="also write the JSON object to this file (atomically)")
    add_common(p)
    add_gpu_flag(p)
    p.set_defaults(func=cmd_qfim)

    p = sub.add_parser("qfim-sweep", help="QFIM rank versus depth (experiment 3)")
    add_ansatz_args(p, layers="sweep")
    _add_points(p, samples=10, backend="auto", backends=auto_first)
    add_label_and_out(p)
    add_common(p)
    add_gpu_flag(p)
    p.set_defaults(func=cmd_qfim_sweep)

    p = sub.add_parser("qfim-prefix", help="QFIM rank for every M from one deep circuit (one Jacobian per point)",
                       description="QFIM rank versus M for every prefix of one deep circuit (beyond the paper).")
    add_ansatz_args(p)
    _add_points(p, samples=3, backend="jax", backends="jax (default, engine, float64), qsim or cirq")
    add_label_and_out(p)
    add_common(p)
    add_gpu_flag(p)
    p.set_defaults(func=cmd_qfim_prefix)
