"""``overparam classify``: what stopped the failed runs of one training shard.

Reads a training shard (``.npz`` with the final parameters), analyses the end point of every run
whose final loss is at or above the success threshold, continues it with scipy's local optimizers,
and writes one JSON object per configuration (labels ``converges``, ``local-minimum``, ``saddle``,
``unresolved``). No training is rerun.
"""

from __future__ import annotations

import argparse
import math
import sys

from overparam.cli.common import add_common, emit_json, positive_int
from overparam.errors import BadInput


def _positive_float(name: str):
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{name} {raw!r} is not accepted; expected a positive finite float")
        return value

    return parse


def cmd_classify(args: argparse.Namespace) -> dict:
    """Check the shard, classify its failures, write ``--out``."""
    from overparam.train.classify import Thresholds, classify_file

    if not args.out:
        raise BadInput("--out is required: the JSON file the classification is written to")
    thresholds = Thresholds(gtol=args.gtol, quasi_newton_iter=args.bfgs_iter, max_iter=args.newton_iter)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.verbose else None
    summary = classify_file(args.shard, args.out, success_threshold=args.success_threshold,
                            experiment=args.experiment, thresholds=thresholds, log=log, backend=args.backend)
    emit_json(args, {k: v for k, v in summary.items() if k != "results"})
    return summary


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``classify``."""
    p = sub.add_parser("classify", help="classify the failed runs of a training shard (minimum, saddle, slow)")
    p.add_argument("shard", help="training shard (.npz written by 'overparam train --curves')")
    p.add_argument("--out", required=True, help="JSON file of the classification (written atomically)")
    p.add_argument("--success-threshold", type=_positive_float("--success-threshold"), default=1e-4,
                   help="a run with final loss at or above it failed (default 1e-4)")
    p.add_argument("--experiment", help="experiment name recorded in the output (default: the shard's folder)")
    p.add_argument("--gtol", type=_positive_float("--gtol"), default=1e-10,
                   help="gradient norm of a critical point (default 1e-10)")
    p.add_argument("--bfgs-iter", type=positive_int("--bfgs-iter", 0), default=5000,
                   help="BFGS iterations of the continuation (default 5000)")
    p.add_argument("--newton-iter", type=positive_int("--newton-iter", 0), default=100,
                   help="trust-region Newton iterations (one exact Hessian each) after BFGS (default 100)")
    p.add_argument("--backend", default="auto",
                   help="engine: auto (free-fermion for matchgate circuits such as the TFIM chains, else the "
                        "state-vector engine; default), fermion, or jax (state vector)")
    add_common(p)
    p.set_defaults(func=cmd_classify)
