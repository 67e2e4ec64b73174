"""``overparam circuits``: layouts, gate counts and text diagrams of the ansätze (supp3).

By default every registered ansatz is described at a small size (see
:data:`overparam.ansatze.layout.SMALL_SIZES`); ``--add NAME:N[:key=value,...]`` adds more circuits,
a user's ``package.module:function`` included.
"""

from __future__ import annotations

import argparse

from overparam.cli.common import add_common, emit, positive_int
from overparam.errors import BadInput


def parse_panel(raw: str) -> tuple[str, int, dict[str, str]]:
    """``NAME:N`` or ``NAME:N:key=value,key=value`` (a user's ``pkg.mod:func`` keeps its colon)."""
    parts = raw.split(":")
    # A user's ansatz name is itself 'package.module:function', so count fields from the right.
    opts_raw = ""
    if len(parts) >= 3 and "=" in parts[-1]:
        opts_raw = parts.pop()
    if len(parts) < 2:
        raise BadInput(f"--add {raw!r} is malformed; expected NAME:N or NAME:N:key=value,...")
    name, size = ":".join(parts[:-1]), parts[-1]
    try:
        n = int(size)
    except ValueError:
        raise BadInput(f"--add {raw!r}: size {size!r} is not accepted; expected an integer >= 2") from None
    options = {}
    for pair in filter(None, opts_raw.split(",")):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInput(f"--add {raw!r}: option {pair!r} is malformed; expected key=value")
        options[key] = value
    return name, n, options


def circuits_payload(layers: int, extra: list[tuple[str, int, dict[str, str]]], registered: bool = True) -> dict:
    """Describe the default panels (if ``registered``) and ``extra``; all are built before any output."""
    from overparam.ansatze import build_ansatz
    from overparam.ansatze.layout import circuit_summary, default_panels

    panels = (default_panels() if registered else []) + list(extra)
    if not panels:
        raise BadInput("no circuits to describe; pass --add NAME:N or drop --no-registered")
    ansaetze = [build_ansatz(name, n, layers, options) for name, n, options in panels]
    return {"layers": layers, "circuits": [circuit_summary(a) for a in ansaetze]}


def cmd_circuits(args: argparse.Namespace) -> dict:
    """Run ``overparam circuits`` and emit its JSON object."""
    payload = circuits_payload(args.layers, [parse_panel(r) for r in args.add], not args.no_registered)

    def human(p: dict) -> str:
        blocks = []
        for c in p["circuits"]:
            opts = ";".join(f"{k}={v}" for k, v in sorted(c["options"].items()))
            counts = ", ".join(f"{k} {v}" for k, v in c["gate_counts"].items())
            blocks.append(
                f"{c['ansatz']} [{opts}] n={c['n']} layers={c['layers']}: {c['n_qubits']} qubits, "
                f"M={c['n_params']}, depth {c['depth']}, gates: {counts}\n{c['text_diagram']}"
            )
        return "\n\n".join(blocks)

    emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``circuits`` subcommand."""
    p = sub.add_parser("circuits", help="circuit layouts, gate counts and text diagrams of the ansätze (supp3)")
    p.add_argument("--layers", type=positive_int("--layers", 1), default=2, help="layers of every circuit (default 2)")
    p.add_argument(
        "--add", action="append", default=[], metavar="NAME:N[:k=v,...]",
        help="also describe this ansatz at size N (repeatable)",
    )
    p.add_argument("--no-registered", action="store_true", help="skip the registered ansätze")
    p.add_argument("--out", help="also write the JSON object to this file (atomically)")
    add_common(p)
    p.set_defaults(func=cmd_circuits)
