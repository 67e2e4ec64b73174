"""``overparam table``: assemble a figure's CSV table from the JSON outputs of the simulations."""

from __future__ import annotations

import argparse

from overparam.cli.common import add_common, emit_json
from overparam.errors import BadInput


def cmd_table(args: argparse.Namespace) -> dict:
    """Check the figure id and threshold, then write the CSV (atomically)."""
    from overparam.results.tables import TABLES, write_csv

    if args.figure not in TABLES:
        raise BadInput(f"no table for figure {args.figure!r}; accepted: {', '.join(sorted(TABLES))}")
    header, make_rows = TABLES[args.figure]
    kwargs = {}
    if args.success_threshold is not None:
        if not args.success_threshold > 0:
            raise BadInput(f"--success-threshold {args.success_threshold} is not accepted; expected a positive float")
        kwargs["success_threshold"] = args.success_threshold
    rows = make_rows(args.inputs, **kwargs)
    write_csv(args.out, header, rows)
    payload = {"figure": args.figure, "rows": len(rows), "path": args.out}
    emit_json(args, payload)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``table``."""
    p = sub.add_parser("table", help="assemble a figure's CSV table from the engines' JSON outputs")
    p.add_argument("figure", help="figure id")
    p.add_argument("inputs", nargs="+", help="JSON files written by the simulation rules")
    p.add_argument("--out", required=True, help="CSV path")
    p.add_argument("--success-threshold", type=float, help="training tables: final loss counted as success")
    add_common(p)
    p.set_defaults(func=cmd_table)
