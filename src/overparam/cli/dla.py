"""``overparam dla``: the exact dynamical Lie algebra of an ansatz family and the dimension of its orbit."""

from __future__ import annotations

import argparse

from overparam.cli.common import add_ansatz_args, add_common, add_label_and_out, ansatz_header, emit, positive_int
from overparam.errors import BadInput

#: Default bound on the algebra's dimension. The closure's cost grows with it: on this project's
#: development machine the open-chain TFIM family (dim n^2, two closures) took 44 s / 270 MB at
#: n = 60 (dim 3600) and 165 s / 390 MB at n = 100 (dim 10^4); unbounded, n = 1000 ran past 300 s
#: to 13 GB. The closure stops as soon as its basis passes the bound, so a refusal costs at most
#: about the time of a closure of that dimension.
MAX_DIM = 4096


def cmd_dla(args: argparse.Namespace) -> dict:
    """Run ``overparam dla`` and emit its JSON object.

    Without ``--layers`` the family is analysed: layers are added until the algebra stops growing
    (:func:`overparam.lie.analyze_family`); ``--layers L`` analyses that one depth.
    """
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.lie import FAMILY_MAX_LAYERS, analyze, analyze_family

    options = parse_options(args.opt)
    try:
        if args.layers is None:
            family = analyze_family(
                lambda layers: build_ansatz(args.ansatz, args.n, layers, options),
                orbit=not args.no_orbit,
                max_dim=args.max_dim,
                max_layers=FAMILY_MAX_LAYERS if args.max_layers is None else args.max_layers,
            )
            args.layers = family.ansatz.layers
            payload = {**ansatz_header(args, family.ansatz), "family": True, **family.as_dict()}
        else:
            ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
            result = analyze(ansatz, orbit=not args.no_orbit, max_dim=args.max_dim)
            payload = {**ansatz_header(args, ansatz), "family": False, **result.as_dict()}
    except RuntimeError as err:
        if "exceeds" not in str(err):
            raise
        raise BadInput(
            f"the Lie algebra of {args.ansatz} n={args.n} has dimension above {args.max_dim} ({err}); "
            "the closure's time and memory grow with it; raise the bound with --max-dim or lower --n"
        ) from None

    def human(p: dict) -> str:
        depth = (
            f"family (settled at {p['layers']} layer(s), checked with {p['layers_checked']})"
            if p["family"]
            else f"{p['layers']} layer(s)"
        )
        return (
            f"{p['ansatz']} n={p['n']}, {depth}: dim g = {p['dim']} ({p['method']}), "
            f"orbit dim = {p['orbit_dim']} ({p['orbit_method']}), {p['seconds']:.3f} s"
        )

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``dla``."""
    p = sub.add_parser("dla", help="exact dynamical Lie algebra and orbit dimension of an ansatz family")
    add_ansatz_args(p, layers="none")
    p.add_argument(
        "--layers",
        type=positive_int("--layers", 1),
        default=None,
        help="analyse this one depth (default: the family, adding layers until the algebra stops growing)",
    )
    p.add_argument(
        "--max-layers",
        type=positive_int("--max-layers", 2),
        default=None,
        # Not imported here: the Lie engine's import costs seconds, paid by every command's parser.
        help="most layers tried for the family before giving up (default: the Lie engine's "
        "overparam.lie.FAMILY_MAX_LAYERS)",
    )
    p.add_argument(
        "--max-dim",
        type=positive_int("--max-dim", 1),
        default=MAX_DIM,
        help=f"stop (exit 2) once the algebra's dimension passes this (default {MAX_DIM}; its cost grows with it)",
    )
    p.add_argument("--no-orbit", action="store_true", help="skip the orbit dimension")
    add_label_and_out(p)
    add_common(p)
    p.set_defaults(func=cmd_dla)
