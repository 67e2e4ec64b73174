"""``overparam train``: Adam from random initialisations, the paper's training protocol.

``--runs K`` is the number of independent runs (``--seeds K`` stays accepted as its alias);
``--seed`` is the base seed every run's initial angles derive from. ``--layers 4,6,8`` trains several
depths in one process, one after the other; ``--out`` and ``--curves`` then name one file per depth
through ``{layers}`` (``run_L{layers}.json``).
"""

from __future__ import annotations

import argparse
import sys

from overparam.cli.common import (
    add_ansatz_args,
    add_common,
    add_gpu_flag,
    add_label_and_out,
    add_memory_flag,
    finite_float,
    json_text,
    positive_int,
)
from overparam.errors import BadInput


LAYERS_FIELD = "{layers}"


def _per_depth_path(template: str | None, flag: str, layers: int, several: bool) -> str | None:
    """``--out``/``--curves`` for one depth: ``{layers}`` in the path is the depth, and with several
    depths the path must contain it."""
    if template is None:
        return None
    if several and LAYERS_FIELD not in template:
        raise BadInput(
            f"--{flag} {template!r} names one file for several depths; expected a path containing "
            f"{LAYERS_FIELD} (e.g. run_L{LAYERS_FIELD}.json), one file per depth"
        )
    return template.replace(LAYERS_FIELD, str(layers))


def cmd_train(args: argparse.Namespace) -> list[dict]:
    """Check every argument of every depth, then train each depth in turn and emit its JSON object.

    Several depths (``--layers 4,6,8``) train one after the other in this process: a workflow job
    then pays the start-up (importing Cirq and JAX, seconds) once for all of them, which matters
    where one depth trains in seconds (the free-fermion engine). Each depth's files are written as
    soon as it finishes.
    """
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.sim.budget import check_memory, describe, fermion_bytes, loss_terms, train_bytes
    from overparam.sim.fermion.select import check_backend_name, resolve_backend

    options = parse_options(args.opt)
    depths = list(dict.fromkeys(args.layers))
    several = len(depths) > 1
    if args.spectra > args.runs:
        raise BadInput(f"--spectra {args.spectra} is not accepted; expected at most --runs ({args.runs})")
    backend_name = check_backend_name(args.backend, ("jax",))
    jobs = []
    for layers in depths:
        out = _per_depth_path(args.out, "out", layers, several)
        curves = _per_depth_path(args.curves, "curves", layers, several)
        ansatz = build_ansatz(args.ansatz, args.n, layers, options)
        if ansatz.loss is None:
            raise BadInput(
                f"ansatz {args.ansatz!r} defines no loss; return an overparam.ansatze.Ansatz with an "
                "EnergyLoss or ZeroProjectorLoss to train it"
            )
        backend = resolve_backend(ansatz, backend_name, "jax")
        if backend == "fermion":
            need = fermion_bytes(ansatz.n_qubits, ansatz.n_params, args.runs, qfim=args.spectra > 0)
        else:
            need = train_bytes(ansatz.n_qubits, ansatz.n_params, len(ansatz.states()), args.runs, args.spectra,
                               loss_terms(ansatz))
        check_memory(need, describe(f"train ({backend}, --runs {args.runs}, --spectra {args.spectra})", ansatz),
                     args.max_memory_gb)
        jobs.append((ansatz, backend, out, curves))
    outs = [job[2] for job in jobs if job[2]] + [job[3] for job in jobs if job[3]]
    if len(set(outs)) < len(outs):
        raise BadInput(f"--out and --curves name the same file twice among {outs}; expected one file per output")

    from overparam.train.experiment import run_training

    payloads = []
    for ansatz, backend, out, curves in jobs:
        payload = run_training(
            ansatz,
            model=args.label or args.ansatz,
            runs=args.runs,
            steps=args.steps,
            lr=args.lr,
            seed=args.seed,
            spectra=args.spectra,
            curves_path=curves,
            stop_below=args.stop_below,
            fixed_floor=args.fixed_floor,
            backend=backend,
            qsim_runs=args.qsim_check_runs,
        )
        payloads.append(payload)
        if out:
            from overparam.fileio import write_json

            write_json(out, payload)

    def human(p: dict) -> str:
        losses = ", ".join(f"{v:.3e}" for v in p["final_losses"])
        return f"{p['ansatz']} n={p['n']} layers={p['layers']} M={p['n_params']}: final losses {losses}"

    if args.json:
        sys.stdout.write(json_text(payloads[0] if not several else payloads) + "\n")
    elif not args.out:
        sys.stdout.write("".join(human(p) + "\n" for p in payloads))
    return payloads


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``train``."""
    p = sub.add_parser("train", help="train with Adam from random initialisations (paper protocol)")
    add_ansatz_args(p, layers="sweep")
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
    p.add_argument("--curves", help="write loss curves and metadata to this .npz file (with several depths: a "
                                     "path containing {layers}, one file per depth)")
    add_label_and_out(p)
    add_memory_flag(p)
    add_common(p)
    add_gpu_flag(p)
    p.set_defaults(func=cmd_train)
