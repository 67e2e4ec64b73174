"""``overparam study render`` and ``overparam study tutorial``: a user study's figure, book page and
tutorial numbers, from the study's three tables (DLA, QFIM sweep, training).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from overparam.cli.common import Parser, add_common, emit_json
from overparam.errors import BadInput


def cmd_study_render(args: argparse.Namespace) -> dict:
    """Draw the study figure and write its book page (with the provenance and rule wall times)."""
    from overparam.figures.study import draw
    from overparam.fileio import write_text
    from overparam.report.study import study_page, summarize
    from overparam.results.provenance import provenance, rule_wall_times

    summary, settings = summarize(args.dla, args.qfim, args.train)
    paths = draw(args.dla, args.qfim, args.train, args.figure, title=args.title)
    wall: dict[str, float] = {}
    for rule in ("study_qfim", "study_train"):
        kind = rule.removeprefix("study_")
        wall.update(
            {f"{kind} {k.removeprefix(args.name + '_')}": v
             for k, v in rule_wall_times(args.benchmarks, rule).items() if k.startswith(f"{args.name}_")}
        )
    page = Path(args.page)
    (page.parent / "figures").mkdir(parents=True, exist_ok=True)
    png = next(p for p in paths if p.suffix == ".png")
    (page.parent / "figures" / png.name).write_bytes(png.read_bytes())
    write_text(page, study_page(args.name, args.title, summary, settings, provenance(args.config_hash), wall))
    payload = {"study": args.name, "page": str(page), "figure": [str(p) for p in paths]}
    emit_json(args, payload)
    return payload


def cmd_study_tutorial(args: argparse.Namespace) -> dict:
    """Write the numbers the tutorial page includes (a note when no study was run)."""
    from overparam.fileio import write_text
    from overparam.report.study import summarize, tutorial_numbers

    tables = [args.dla, args.qfim, args.train]
    if args.name and not all(tables):
        raise BadInput("study tutorial --name needs --dla, --qfim and --train tables")
    if args.name:
        summary, settings = summarize(*tables)
        write_text(args.out, tutorial_numbers(args.name, summary, settings))
    else:
        write_text(args.out, tutorial_numbers(None, None, None))
    payload = {"study": args.name, "out": args.out}
    emit_json(args, payload)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``study render`` and ``study tutorial``."""
    p_s = sub.add_parser("study", help="a user study's figure, book page and tutorial numbers")
    s_sub = p_s.add_subparsers(dest="study_command", required=True, parser_class=Parser)
    p_r = s_sub.add_parser("render", help="draw the study figure and write its book page")
    p_r.add_argument("name", help="study name (config key under studies:)")
    p_r.add_argument("--title", required=True, help="page title")
    p_r.add_argument("--dla", required=True, help="the study's DLA table")
    p_r.add_argument("--qfim", required=True, help="the study's QFIM sweep table (fig2 format)")
    p_r.add_argument("--train", required=True, help="the study's training table (fig3 format)")
    p_r.add_argument("--figure", required=True, help="figure stem: writes STEM.png and STEM.pdf")
    p_r.add_argument("--page", required=True, help="book page to write, e.g. book/generated/study_NAME.md")
    p_r.add_argument("--benchmarks", default="benchmarks/out", help="Snakemake benchmark directory (wall times)")
    p_r.add_argument("--config-hash", default="unknown", help="hash of the workflow config (provenance)")
    add_common(p_r)
    p_r.set_defaults(func=cmd_study_render)

    p_t = s_sub.add_parser("tutorial", help="write the numbers the tutorial page includes")
    p_t.add_argument("--name", help="the study shown (omit: write a note that none was run)")
    p_t.add_argument("--dla")
    p_t.add_argument("--qfim")
    p_t.add_argument("--train")
    p_t.add_argument("--out", required=True)
    add_common(p_t)
    p_t.set_defaults(func=cmd_study_tutorial)
