"""``overparam train``: Adam from random initialisations, the paper's training protocol.

``--runs K`` is the number of independent runs (``--seeds K`` stays accepted as its alias);
``--seed`` is the base seed every run's initial angles derive from.
"""

from __future__ import annotations

import argparse

from overparam.cli.common import (
    add_ansatz_args,
    add_common,
    add_gpu_flag,
    add_label_and_out,
    add_memory_flag,
    emit,
    finite_float,
    positive_int,
)
from overparam.errors import BadInput


def cmd_train(args: argparse.Namespace) -> dict:
    """Check every argument, train, and emit the JSON object (final losses, optional spectra)."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.sim.budget import check_memory, describe, fermion_bytes, loss_terms, train_bytes

    options = parse_options(args.opt)
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    if ansatz.loss is None:
        raise BadInput(
            f"ansatz {args.ansatz!r} defines no loss; return an overparam.ansatze.Ansatz with an "
            "EnergyLoss or ZeroProjectorLoss to train it"
        )
    if args.spectra > args.runs:
        raise BadInput(f"--spectra {args.spectra} is not accepted; expected at most --runs ({args.runs})")
    from overparam.sim.fermion.select import check_backend_name, resolve_backend
    from overparam.train.experiment import run_training

    backend = resolve_backend(ansatz, check_backend_name(args.backend, ("jax",)), "jax")
    if backend == "fermion":
        need = fermion_bytes(ansatz.n_qubits, ansatz.n_params, args.runs, qfim=args.spectra > 0)
    else:
        need = train_bytes(ansatz.n_qubits, ansatz.n_params, len(ansatz.states()), args.runs, args.spectra,
                           loss_terms(ansatz))
    check_memory(need, describe(f"train ({backend}, --runs {args.runs}, --spectra {args.spectra})", ansatz),
                 args.max_memory_gb)

    payload = run_training(
        ansatz,
        model=args.label or args.ansatz,
        runs=args.runs,
        steps=args.steps,
        lr=args.lr,
        seed=args.seed,
        spectra=args.spectra,
        curves_path=args.curves,
        stop_below=args.stop_below,
        fixed_floor=args.fixed_floor,
        backend=backend,
        qsim_runs=args.qsim_check_runs,
    )

    def human(p: dict) -> str:
        losses = ", ".join(f"{v:.3e}" for v in p["final_losses"])
        return f"{p['ansatz']} n={p['n']} layers={p['layers']} M={p['n_params']}: final losses {losses}"

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``train``."""
    p = sub.add_parser("train", help="train with Adam from random initialisations (paper protocol)")
    add_ansatz_args(p)
    p.add_argument("--runs", "--seeds", dest="runs", type=positive_int("--runs", 1), default=10, metavar="K",
                   help="independent runs, i.e. random initialisations (default 10; --seeds is an alias)")
    p.add_argument("--steps", type=positive_int("--steps", 1), default=3000, help="Adam steps (default 3000)")
    p.add_argument("--lr", type=finite_float("--lr", 0.0), default=0.01, help="learning rate (default 0.01)")
    p.add_argument("--seed", type=int, default=0, help="base seed of the initialisations (default 0)")
    p.add_argument("--spectra", type=positive_int("--spectra", 0), default=0, metavar="K",
                   help="QFIM and Hessian spectra at the final parameters of the first K runs")
    p.add_argument("--stop-below", type=finite_float("--stop-below", 0.0), default=None, metavar="LOSS",
                   help="a run whose loss reaches LOSS keeps its parameters from then on (default: never)")
    p.add_argument("--backend", default="auto",
                   help="auto (default: fermion where the circuit is a matchgate circuit, else jax), fermion "
                        "(free-fermion engine) or jax (state-vector engine); float64")
    p.add_argument("--fixed-floor", type=finite_float("--fixed-floor", 0.0), default=1e-11, metavar="LOSS",
                   help="round-off floor of the fixed protocol, recorded for its success count: a run whose "
                        "lowest loss reaches it would have stopped there under --stop-below LOSS (default 1e-11)")
    p.add_argument("--qsim-check-runs", type=positive_int("--qsim-check-runs", 0), default=None, metavar="K",
                   help="recompute the final losses of only the first K runs with qsim (default: every run, up to "
                        "24 qubits; 0: none); the others' qsim losses are recorded as null")
    p.add_argument("--curves", help="write loss curves and metadata to this .npz file")
    add_label_and_out(p)
    add_memory_flag(p)
    add_common(p)
    add_gpu_flag(p)
    p.set_defaults(func=cmd_train)
