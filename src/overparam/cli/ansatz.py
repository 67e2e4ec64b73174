"""``overparam ansatz list`` (the registry) and ``overparam check-ansatz`` (a pre-flight build).

``check-ansatz`` is the fast check the workflow runs on every user ansatz before its DAG starts:
it builds the circuit once and checks every gate is a differentiable rotation; it never simulates.
"""

from __future__ import annotations

import argparse
import sys

from overparam.cli.common import Parser, add_ansatz_args, add_common, emit
from overparam.fileio import json_text


def cmd_ansatz_list(args: argparse.Namespace) -> dict:
    """Run ``overparam ansatz list``: every registered ansatz, its description and options."""
    from overparam.ansatze import registered

    entries = [
        {
            "name": e.name,
            "description": e.description,
            "options": [{"name": o.name, "default": o.default, "accepted": o.accepted} for o in e.options],
        }
        for e in registered()
    ]
    payload = {"ansaetze": entries}

    def human(p: dict) -> str:
        lines = []
        for e in p["ansaetze"]:
            opts = ", ".join(f"{o['name']}={o['default']} ({o['accepted']})" for o in e["options"])
            lines.append(f"{e['name']}: {e['description']}" + (f"\n    options: {opts}" if opts else ""))
        return "\n".join(lines)

    emit(args, payload, human)
    return payload


def cmd_check_ansatz(args: argparse.Namespace) -> dict:
    """Run ``overparam check-ansatz``: build once, check the gates (and the loss with ``--train``)."""
    from overparam.ansatze import parse_options
    from overparam.config.studies import check_ansatz

    ansatz = check_ansatz(args.ansatz, args.n, args.layers, parse_options(args.opt), train=args.train)
    payload = {
        "ansatz": args.ansatz,
        "n": args.n,
        "layers": args.layers,
        "n_params": ansatz.n_params,
        "n_qubits": ansatz.n_qubits,
        "loss": ansatz.loss.kind if ansatz.loss is not None else None,
        "ok": True,
    }
    sys.stdout.write((json_text(payload) if args.json else f"{args.ansatz}: ok, M = {ansatz.n_params}") + "\n")
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ansatz list`` and ``check-ansatz``."""
    p = sub.add_parser("ansatz", help="the ansatz registry")
    ans_sub = p.add_subparsers(dest="ansatz_command", required=True, parser_class=Parser)
    p_list = ans_sub.add_parser("list", help="list registered ansätze and their options")
    add_common(p_list)
    p_list.set_defaults(func=cmd_ansatz_list)

    p = sub.add_parser("check-ansatz", help="build an ansatz once and check its gates (no simulation)")
    add_ansatz_args(p, layers_default=1)
    p.add_argument("--train", action="store_true", help="also require a loss (the ansatz will be trained)")
    add_common(p)
    p.set_defaults(func=cmd_check_ansatz)
