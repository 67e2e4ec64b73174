"""``overparam figure``: draw a figure (PNG and PDF) from its CSV table."""

from __future__ import annotations

import argparse

from overparam.cli.common import add_common, emit_json
from overparam.errors import BadInput


def orbit_bounds_from_dla(path: str) -> dict[tuple[str, int], int]:
    """``(model, n) -> orbit dimension`` from a ``dla.csv`` table (one line of error if unreadable)."""
    from overparam.results.tables import read_csv

    try:
        rows = read_csv(path)
    except OSError as exc:
        raise BadInput(f"--bounds {path!r} cannot be read ({exc.strerror}); expected results/tables/dla.csv") from exc
    if rows and "orbit_dim" not in rows[0]:
        raise BadInput(f"--bounds {path!r} has no orbit_dim column; expected results/tables/dla.csv")
    return {(r["model"], int(r["n"])): int(r["orbit_dim"]) for r in rows if r.get("orbit_dim")}


def cmd_figure(args: argparse.Namespace) -> dict:
    """Check the figure id and which inputs it reads, then draw it."""
    import importlib
    import inspect

    from overparam.figures import FIGURES

    if args.figure not in FIGURES:
        raise BadInput(f"no figure {args.figure!r}; accepted: {', '.join(FIGURES)}")
    module = importlib.import_module(f"overparam.figures.{args.figure}")
    accepted = inspect.signature(module.draw).parameters
    kwargs: dict = {}
    if "data" in accepted:
        kwargs["data"] = args.data
    elif args.data:
        raise BadInput(f"--data is not read by figure {args.figure!r}; it draws from its table alone")
    if args.bounds is not None:
        if "bounds" not in accepted:
            raise BadInput(f"--bounds is not drawn on figure {args.figure!r}; accepted for: ext1, hardware")
        kwargs["bounds"] = orbit_bounds_from_dla(args.bounds)
    from overparam.fileio import read_npz
    from overparam.results.tables import read_csv

    for path in args.data:
        if str(path).endswith(".npz"):
            read_npz(path, "--data")
    if not read_csv(args.table) and not getattr(module, "EMPTY_TABLE_OK", False):
        raise BadInput(f"table {args.table!r} has a header but no rows; nothing to draw")
    try:
        paths = module.draw(args.table, args.out, **kwargs)
    except KeyError as err:
        raise BadInput(
            f"table {args.table!r} has no column {err.args[0]!r}; expected the table of figure {args.figure!r}"
        ) from err
    except (TypeError, ValueError, IndexError) as err:
        raise BadInput(
            f"table {args.table!r} has a missing or non-numeric value ({err}); expected the table of "
            f"figure {args.figure!r}"
        ) from err
    payload = {"figure": args.figure, "paths": [str(p) for p in paths]}
    emit_json(args, payload)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``figure``."""
    p = sub.add_parser("figure", help="draw a figure (PNG and PDF) from its table")
    p.add_argument("figure", help="figure id")
    p.add_argument("table", help="the figure's CSV table")
    p.add_argument("--out", required=True, help="output stem: writes STEM.png and STEM.pdf")
    p.add_argument("--data", nargs="*", default=[], help="further inputs the figure reads (e.g. loss curves)")
    p.add_argument("--bounds", default=None, help="dla.csv whose orbit dimensions are drawn (ext1, hardware)")
    add_common(p)
    p.set_defaults(func=cmd_figure)
