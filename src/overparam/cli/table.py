"""``overparam table``: assemble a figure's CSV table from the JSON outputs of the simulations."""

from __future__ import annotations

import argparse

from overparam.cli.common import add_common, emit_json, finite_float
from overparam.errors import BadInput


def _missing_key_file(inputs: list[str], key: object) -> str:
    """Which input lacks ``key`` at its top level (the usual case), for a one-line message."""
    from overparam.fileio import read_json_object

    for path in inputs:
        if path.endswith(".json") and key not in read_json_object(path):
            return f"{path!r} has no key {key!r}; it is not an output of the command this table reads"
    return f"an input lacks the key {key!r}; it is not an output of the command this table reads"


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
    try:
        rows = make_rows(args.inputs, **kwargs)
    except KeyError as err:
        raise BadInput(f"table {args.figure}: {_missing_key_file(args.inputs, err.args[0])}") from err
    except (TypeError, ValueError, IndexError) as err:
        raise BadInput(
            f"table {args.figure}: an input has a value of the wrong type or shape ({err}); "
            f"expected the outputs of the command behind figure {args.figure!r}"
        ) from err
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
    p.add_argument("--success-threshold", type=finite_float("--success-threshold", 0.0),
                   help="training tables: final loss counted as success")
    add_common(p)
    p.set_defaults(func=cmd_table)
