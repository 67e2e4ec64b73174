"""``overparam landscape`` (fig1): critical points and 2-D loss slices of a shallow and a deep model.

It trains both depths of one periodic model from many initialisations, polishes every end point to
a critical point, classifies it by its Hessian, carries the shallow model's minima into the deep
model and evaluates the loss on a slice through a spurious minimum (shallow) and through its
carried-over image (deep); see :mod:`overparam.geometry.landscape`.
"""

from __future__ import annotations

import argparse
from collections import Counter

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


def cmd_landscape(args: argparse.Namespace) -> dict:
    """Run ``overparam landscape`` and emit its JSON object."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.landscape import landscape_payload
    from overparam.sim.budget import check_memory, describe, landscape_bytes, loss_terms

    quiet_jax_logging()
    deep = build_ansatz(args.ansatz, args.n, args.over, parse_options(args.opt))
    check_memory(
        landscape_bytes(deep.n_qubits, deep.n_params, len(deep.states()), args.inits, args.grid,
                        loss_terms=loss_terms(deep)),
        describe(f"landscape (--inits {args.inits}, --grid {args.grid})", deep),
        args.max_memory_gb,
    )
    payload = landscape_payload(args.ansatz, args.n, parse_options(args.opt), args.under, args.over, args.inits,
                                args.steps, args.lr, args.seed, args.grid, args.loss_tol, args.label)

    def human(p: dict) -> str:
        lines = [f"layers={d['layers']} M={d['n_params']}: {d['counts']} (best loss {d['best_loss']:.3e})"
                 for d in p["depths"]]
        idx = Counter(c["hessian_index"] for c in p["carried"])
        lines.append(f"carried minima of layers={p['under']} into layers={p['over']}: Hessian index counts {dict(idx)}")
        return "\n".join(lines)

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``landscape``."""
    p = sub.add_parser("landscape", help="critical points and 2-D loss slices of a shallow and a deep model (fig1)",
                       description="The ansatz must have periodic layers (the same parameters per layer).")
    add_ansatz_args(p, layers="none")
    p.add_argument("--under", type=positive_int("--under", 1), required=True, help="layers of the shallow model")
    p.add_argument("--over", type=positive_int("--over", 2), required=True, help="layers of the deep model")
    p.add_argument("--inits", type=positive_int("--inits", 2), default=50,
                   help="initialisations per depth (default 50)")
    p.add_argument("--steps", type=positive_int("--steps", 1), default=2000,
                   help="Adam steps before polishing (default 2000)")
    p.add_argument("--lr", type=finite_float("--lr", 0.0), default=0.01, help="Adam learning rate (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="base seed of the initialisations (default 0)")
    p.add_argument("--grid", type=positive_int("--grid", 5), default=81, help="grid points per slice axis (default 81)")
    p.add_argument("--loss-tol", type=finite_float("--loss-tol", 0.0), default=1e-9,
                   help="minima within this of the best loss are global")
    add_label_and_out(p)
    add_memory_flag(p)
    add_common(p)
    p.set_defaults(func=cmd_landscape)
