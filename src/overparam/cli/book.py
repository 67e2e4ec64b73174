"""``overparam book render``: the book's figure pages from the tables and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from overparam.cli.common import Parser, add_common, emit_json
from overparam.errors import BadInput


def cmd_book_render(args: argparse.Namespace) -> dict:
    """Check the figure ids, then write their pages and return the manifest."""
    from overparam.report.pages import PAGES, render

    for fig in args.figures:
        if fig not in PAGES:
            raise BadInput(f"no book page for figure {fig!r}; accepted: {', '.join(sorted(PAGES))}")
    manifest = render(args.figures, Path(args.book), Path(args.tables), Path(args.figure_dir), args.config_hash,
                      Path(args.benchmarks), Path(args.bench_results))
    emit_json(args, manifest)
    return manifest


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``book render``."""
    p = sub.add_parser("book", help="the Jupyter Book")
    b_sub = p.add_subparsers(dest="book_command", required=True, parser_class=Parser)
    p = b_sub.add_parser("render", help="render the figure pages from tables and figures")
    p.add_argument("--figures", nargs="+", required=True, help="figure ids")
    p.add_argument("--book", default="book", help="book source directory (default book)")
    p.add_argument("--tables", default="results/tables")
    p.add_argument("--figure-dir", default="results/figures")
    p.add_argument("--config-hash", default="unknown", help="hash of the workflow config (provenance)")
    p.add_argument("--benchmarks", default="benchmarks/out", help="Snakemake benchmark files (rule wall times)")
    p.add_argument("--bench-results", default="benchmarks/results", help="committed benchmark JSON results")
    add_common(p)
    p.set_defaults(func=cmd_book_render)
