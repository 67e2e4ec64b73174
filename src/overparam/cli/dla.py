"""``overparam dla``: the exact dynamical Lie algebra of an ansatz and the dimension of its orbit."""

from __future__ import annotations

import argparse

from overparam.cli.common import add_ansatz_args, add_common, add_label_and_out, ansatz_header, emit


def cmd_dla(args: argparse.Namespace) -> dict:
    """Run ``overparam dla`` and emit its JSON object."""
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.lie import analyze

    options = parse_options(args.opt)
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    result = analyze(ansatz, orbit=not args.no_orbit)
    payload = {**ansatz_header(args, ansatz), **result.as_dict()}

    def human(p: dict) -> str:
        return (
            f"{p['ansatz']} n={p['n']}: dim g = {p['dim']} ({p['method']}), "
            f"orbit dim = {p['orbit_dim']} ({p['orbit_method']}), {p['seconds']:.3f} s"
        )

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``dla``."""
    p = sub.add_parser("dla", help="exact dynamical Lie algebra and orbit dimension")
    add_ansatz_args(p, layers_default=1)
    p.add_argument("--no-orbit", action="store_true", help="skip the orbit dimension")
    add_label_and_out(p)
    add_common(p)
    p.set_defaults(func=cmd_dla)
