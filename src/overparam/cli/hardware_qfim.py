"""``overparam hardware-qfim``: QFIM rank versus depth on a Google processor (virtual or real).

Every argument is checked (backend kind, processor id, credentials for the real engine, ansatz
options, device fit) before the first job is submitted.
"""

from __future__ import annotations

import argparse
import time

from overparam.cli.common import (
    add_ansatz_args,
    add_common,
    add_label_and_out,
    add_memory_flag,
    emit,
    finite_float,
    positive_int,
)


def cmd_hardware_qfim(args: argparse.Namespace) -> dict:
    """Run the sweep and print/write one JSON object (see :mod:`overparam.geometry.hardware_sweep`)."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.hardware_sweep import hardware_qfim_sweep
    from overparam.sim.google import BackendSpec, compile_for_device, lower_circuit, open_backend
    from overparam.sim.google.backends import _check_spec, check_engine_access
    from overparam.sim.budget import check_memory, describe, hardware_bytes
    from overparam.sim.google.compiler import require_qubits

    options = parse_options(args.opt)
    spec = BackendSpec(
        kind=args.backend,
        processor_id=args.processor,
        project_id=args.project_id,
        noisy_simulator=args.noisy_simulator,
    )
    _check_spec(spec)
    if spec.kind == "engine":
        check_engine_access(spec)
    # Fail on a device that cannot hold the ansatz, or a bad ansatz, before any job runs.
    backend = open_backend(spec) if spec.kind != "engine" else None
    if backend is not None:
        require_qubits(backend, args.n)
    deepest = build_ansatz(args.ansatz, args.n, max(args.layers), options)
    if spec.kind != "engine":
        noisy_density = spec.kind == "virtual-noisy" and spec.noisy_simulator == "density-matrix"
        check_memory(hardware_bytes(deepest, noisy_density), describe("hardware-qfim", deepest), args.max_memory_gb)
    lowered = lower_circuit(deepest)
    if backend is not None:
        compile_for_device(lowered.circuit, lowered.qubits, lowered.gates, backend)
    t0 = time.perf_counter()
    records = hardware_qfim_sweep(
        args.ansatz, args.n, options, args.layers, args.samples, args.seed, spec, args.repetitions, args.z
    )
    payload = {
        "model": args.label or args.ansatz,
        "ansatz": args.ansatz,
        "n": args.n,
        "options": options,
        "backend": spec.kind,
        "processor": spec.processor_id,
        "noisy_simulator": spec.noisy_simulator if spec.kind == "virtual-noisy" else None,
        "repetitions": args.repetitions,
        "z": args.z,
        "seed": args.seed,
        "records": records,
        "seconds": time.perf_counter() - t0,
    }

    def human(p: dict) -> str:
        return "\n".join(
            f"layers={r['layers']} M={r['n_params']}: shot ranks {[s['rank'] for s in r['samples']]}, "
            f"exact ranks {[s['exact_rank'] for s in r['samples']]}"
            for r in p["records"]
        )

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``hardware-qfim``."""
    from overparam.sim.google_kinds import BACKEND_KINDS, NOISY_SIMULATORS

    p = sub.add_parser("hardware-qfim", help="QFIM rank vs depth from shots on a Google processor (virtual or real)")
    add_ansatz_args(p, layers="sweep")
    p.add_argument("--backend", choices=BACKEND_KINDS, default="virtual-noiseless", help="google backend kind")
    p.add_argument("--processor", default="rainbow", help="processor id (virtual: rainbow, weber, willow_pink)")
    p.add_argument("--project-id", help="Google Cloud project (engine backend only)")
    p.add_argument(
        "--noisy-simulator", choices=NOISY_SIMULATORS, default="density-matrix",
        help="simulator behind virtual-noisy (default density-matrix)",
    )
    p.add_argument("--repetitions", type=positive_int("--repetitions", 2), default=4000, help="shots per circuit")
    p.add_argument("--samples", type=positive_int("--samples", 1), default=1, help="random points per depth")
    p.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    p.add_argument("--z", type=finite_float("--z", 0.0), default=3.0,
                   help="rank cut in units of the shot noise (default 3)")
    add_label_and_out(p)
    add_memory_flag(p)
    add_common(p)
    p.set_defaults(func=cmd_hardware_qfim)
