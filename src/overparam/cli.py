"""The ``overparam`` command line (also ``python -m overparam``).

Every subcommand accepts ``--json`` (one JSON object on stdout, logs on stderr). Bad input exits
with status 2 and one line on stderr naming the bad value and what is accepted, before any
simulation starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any, Callable, Sequence

from overparam.errors import BadInput

log = logging.getLogger("overparam")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _positive_int(name: str, minimum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} {raw!r} is not accepted; expected an integer >= {minimum}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} {value} is not accepted; expected an integer >= {minimum}")
        return value

    return parse


def _emit(args: argparse.Namespace, payload: dict[str, Any], human: Callable[[dict], str]) -> None:
    if getattr(args, "out", None):
        from overparam.fileio import write_json

        write_json(args.out, payload)
    if args.json:
        sys.stdout.write(json.dumps(payload) + "\n")
    elif not getattr(args, "out", None):
        sys.stdout.write(human(payload) + "\n")


def _add_ansatz_args(p: argparse.ArgumentParser, layers_default: int | None = None) -> None:
    p.add_argument("ansatz", help="registered name (see 'overparam ansatz list') or package.module:function")
    p.add_argument("--n", type=_positive_int("--n", 2), required=True, help="number of qubits (size parameter)")
    if layers_default is None:
        p.add_argument("--layers", type=_positive_int("--layers", 1), required=True, help="number of layers")
    else:
        p.add_argument("--layers", type=_positive_int("--layers", 1), default=layers_default, help="number of layers")
    p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="ansatz option (repeatable)")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("-v", "--verbose", action="store_true", help="progress log on stderr")


def add_gpu_flag(p: argparse.ArgumentParser) -> None:
    """``--gpu``: qsim on CUDA and the JAX engine on the GPU (checked before any simulation)."""
    p.add_argument("--gpu", action="store_true",
                   help="run qsim (use_gpu=True) and the JAX engine on the GPU; exits 2 if either cannot")


# --- ansatz list -----------------------------------------------------------------------------


def cmd_ansatz_list(args: argparse.Namespace) -> dict:
    from overparam.ansatze import registered

    entries = []
    for e in registered():
        entries.append(
            {
                "name": e.name,
                "description": e.description,
                "options": [
                    {"name": o.name, "default": o.default, "accepted": o.accepted} for o in e.options
                ],
            }
        )
    payload = {"ansaetze": entries}

    def human(p: dict) -> str:
        lines = []
        for e in p["ansaetze"]:
            opts = ", ".join(f"{o['name']}={o['default']} ({o['accepted']})" for o in e["options"])
            lines.append(f"{e['name']}: {e['description']}" + (f"\n    options: {opts}" if opts else ""))
        return "\n".join(lines)

    _emit(args, payload, human)
    return payload


# --- qfim --------------------------------------------------------------------------------------


def cmd_qfim(args: argparse.Namespace) -> dict:
    from overparam.ansatze import build_ansatz, parse_options
    from overparam.geometry.qfim import resolve_qfim_backend
    from overparam.geometry.sweeps import qfim_samples

    options = parse_options(args.opt)
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    backend = resolve_qfim_backend(ansatz, args.backend)
    t0 = time.perf_counter()
    result = qfim_samples(ansatz, args.samples, args.seed, backend)
    payload = {
        "ansatz": args.ansatz,
        "n": args.n,
        "layers": args.layers,
        "options": {k: str(v) for k, v in ansatz.options.items()},
        "backend": backend,
        "seed": args.seed,
        **result,
        "seconds": time.perf_counter() - t0,
    }

    def human(p: dict) -> str:
        return (
            f"{p['ansatz']} n={p['n']} layers={p['layers']} M={p['n_params']}: "
            f"QFIM ranks {p['ranks']} (max {p['max_rank']}, rtol {p['tolerance']:g}, {p['backend']})"
        )

    _emit(args, payload, human)
    return payload


def _layer_list(raw: str) -> list[int]:
    try:
        values = [int(v) for v in raw.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--layers {raw!r} is not accepted; expected integers >= 1, e.g. 1,2,3")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--layers {raw!r} is not accepted; expected integers >= 1, e.g. 1,2,3")
    return values


def cmd_qfim_sweep(args: argparse.Namespace) -> dict:
    from overparam.ansatze import parse_options
    from overparam.geometry.qfim import QFIM_BACKENDS
    from overparam.geometry.sweeps import qfim_rank_sweep
    from overparam.sim.fermion.select import check_backend_name

    backend = check_backend_name(args.backend, QFIM_BACKENDS)
    options = parse_options(args.opt)
    t0 = time.perf_counter()
    records = qfim_rank_sweep(args.ansatz, args.n, options, args.layers, args.samples, args.seed, backend)
    payload = {
        "model": args.label or args.ansatz,
        "ansatz": args.ansatz,
        "n": args.n,
        "options": options,
        "backend": backend,
        "seed": args.seed,
        "samples": args.samples,
        "records": records,
        "seconds": time.perf_counter() - t0,
    }

    def human(p: dict) -> str:
        return "\n".join(
            f"layers={r['layers']} M={r['n_params']} max rank {r['max_rank']}" for r in p["records"]
        )

    _emit(args, payload, human)
    return payload


def ansatz_header(args: argparse.Namespace, ansatz) -> dict:
    """The identifying keys every one-circuit result starts with (model label, ansatz, size, options)."""
    return {
        "model": args.label or args.ansatz,
        "ansatz": args.ansatz,
        "n": args.n,
        "layers": args.layers,
        "options": {k: str(v) for k, v in ansatz.options.items()},
    }


def quiet_jax_logging() -> None:
    """JAX reports at INFO that it found no TPU; that is noise in a progress log, not news."""
    logging.getLogger("jax._src.xla_bridge").setLevel(logging.WARNING)


# --- dla ---------------------------------------------------------------------------------------


def cmd_dla(args: argparse.Namespace) -> dict:
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

    _emit(args, payload, human)
    return payload


# --- train -------------------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> dict:
    from overparam.ansatze import build_ansatz, parse_options

    if not (args.lr > 0):
        raise BadInput(f"--lr {args.lr} is not accepted; expected a positive float")
    options = parse_options(args.opt)
    ansatz = build_ansatz(args.ansatz, args.n, args.layers, options)
    if ansatz.loss is None:
        raise BadInput(
            f"ansatz {args.ansatz!r} defines no loss; return an overparam.ansatze.Ansatz with an "
            "EnergyLoss or ZeroProjectorLoss to train it"
        )
    if args.spectra > args.seeds:
        raise BadInput(f"--spectra {args.spectra} is not accepted; expected at most --seeds ({args.seeds})")
    if args.stop_below is not None and not (0 < args.stop_below < float("inf")):
        raise BadInput(f"--stop-below {args.stop_below} is not accepted; expected a positive float (a loss)")
    from overparam.sim.fermion.select import check_backend_name, resolve_backend
    from overparam.train.experiment import run_training

    backend = resolve_backend(ansatz, check_backend_name(args.backend, ("jax",)), "jax")
    payload = run_training(
        ansatz,
        model=args.label or args.ansatz,
        runs=args.seeds,
        steps=args.steps,
        lr=args.lr,
        seed=args.seed,
        spectra=args.spectra,
        curves_path=args.curves,
        stop_below=args.stop_below,
        backend=backend,
    )

    def human(p: dict) -> str:
        losses = ", ".join(f"{v:.3e}" for v in p["final_losses"])
        return f"{p['ansatz']} n={p['n']} layers={p['layers']} M={p['n_params']}: final losses {losses}"

    _emit(args, payload, human)
    return payload


# --- tables, figures, book ---------------------------------------------------------------------


def cmd_table(args: argparse.Namespace) -> dict:
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
    if args.json:
        sys.stdout.write(json.dumps(payload) + "\n")
    return payload


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
    paths = module.draw(args.table, args.out, **kwargs)
    payload = {"figure": args.figure, "paths": [str(p) for p in paths]}
    if args.json:
        sys.stdout.write(json.dumps(payload) + "\n")
    return payload


def cmd_book_render(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from overparam.report.pages import PAGES, render

    for fig in args.figures:
        if fig not in PAGES:
            raise BadInput(f"no book page for figure {fig!r}; accepted: {', '.join(sorted(PAGES))}")
    manifest = render(args.figures, Path(args.book), Path(args.tables), Path(args.figure_dir), args.config_hash,
                      Path(args.benchmarks), Path(args.bench_results))
    if args.json:
        sys.stdout.write(json.dumps(manifest) + "\n")
    return manifest


# --- parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="overparam", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p_ans = sub.add_parser("ansatz", help="the ansatz registry")
    ans_sub = p_ans.add_subparsers(dest="ansatz_command", required=True, parser_class=_Parser)
    p_list = ans_sub.add_parser("list", help="list registered ansätze and their options")
    _add_common(p_list)
    p_list.set_defaults(func=cmd_ansatz_list)

    p_q = sub.add_parser("qfim", help="QFIM spectra and ranks at random parameter points")
    _add_ansatz_args(p_q)
    p_q.add_argument("--samples", type=_positive_int("--samples", 1), default=10, help="random points (default 10)")
    p_q.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    p_q.add_argument("--backend", default="auto", help="auto (default: fermion where the circuit is a matchgate "
                     "circuit, else qsim), fermion (float64), qsim (complex64), cirq (complex128) or jax (engine, float64)")
    p_q.add_argument("--out", help="also write the JSON object to this file (atomically)")
    _add_common(p_q)
    add_gpu_flag(p_q)
    p_q.set_defaults(func=cmd_qfim)

    p_s = sub.add_parser("qfim-sweep", help="QFIM rank versus depth (experiment 3)")
    p_s.add_argument("ansatz", help="registered name or package.module:function")
    p_s.add_argument("--n", type=_positive_int("--n", 2), required=True)
    p_s.add_argument("--layers", type=_layer_list, required=True, help="depths, e.g. 1,2,3,4")
    p_s.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE")
    p_s.add_argument("--samples", type=_positive_int("--samples", 1), default=10)
    p_s.add_argument("--seed", type=int, default=0)
    p_s.add_argument("--backend", default="auto", help="auto (default), fermion, qsim, cirq or jax, as for qfim")
    p_s.add_argument("--label", help="model name recorded in the output (default: the ansatz name)")
    p_s.add_argument("--out", help="write the JSON object to this file (atomically)")
    _add_common(p_s)
    add_gpu_flag(p_s)
    p_s.set_defaults(func=cmd_qfim_sweep)

    p_d = sub.add_parser("dla", help="exact dynamical Lie algebra and orbit dimension")
    _add_ansatz_args(p_d, layers_default=1)
    p_d.add_argument("--no-orbit", action="store_true", help="skip the orbit dimension")
    p_d.add_argument("--label", help="model name recorded in the output")
    p_d.add_argument("--out", help="also write the JSON object to this file (atomically)")
    _add_common(p_d)
    p_d.set_defaults(func=cmd_dla)

    p_tr = sub.add_parser("train", help="train with Adam from random initialisations (paper protocol)")
    _add_ansatz_args(p_tr)
    p_tr.add_argument("--seeds", type=_positive_int("--seeds", 1), default=10, help="initialisations (default 10)")
    p_tr.add_argument("--steps", type=_positive_int("--steps", 1), default=3000, help="Adam steps (default 3000)")
    p_tr.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    p_tr.add_argument("--seed", type=int, default=0, help="base seed of the initialisations (default 0)")
    p_tr.add_argument("--spectra", type=int, default=0, metavar="K",
                      help="QFIM and Hessian spectra at the final parameters of the first K runs")
    p_tr.add_argument("--stop-below", type=float, default=None, metavar="LOSS",
                      help="a run whose loss reaches LOSS keeps its parameters from then on (default: never)")
    p_tr.add_argument("--backend", default="auto", help="auto (default: fermion where the circuit is a matchgate "
                      "circuit, else jax), fermion (free-fermion engine) or jax (state-vector engine); float64")
    p_tr.add_argument("--curves", help="write loss curves and metadata to this .npz file")
    p_tr.add_argument("--label", help="model name recorded in the output")
    p_tr.add_argument("--out", help="also write the JSON object to this file (atomically)")
    _add_common(p_tr)
    add_gpu_flag(p_tr)
    p_tr.set_defaults(func=cmd_train)

    p_t = sub.add_parser("table", help="assemble a figure's CSV table from the engines' JSON outputs")
    p_t.add_argument("figure", help="figure id")
    p_t.add_argument("inputs", nargs="+", help="JSON files written by the simulation rules")
    p_t.add_argument("--out", required=True, help="CSV path")
    p_t.add_argument("--success-threshold", type=float, help="training tables: final loss counted as success")
    _add_common(p_t)
    p_t.set_defaults(func=cmd_table)

    p_f = sub.add_parser("figure", help="draw a figure (PNG and PDF) from its table")
    p_f.add_argument("figure", help="figure id")
    p_f.add_argument("table", help="the figure's CSV table")
    p_f.add_argument("--out", required=True, help="output stem: writes STEM.png and STEM.pdf")
    p_f.add_argument("--data", nargs="*", default=[], help="further inputs the figure reads (e.g. loss curves)")
    p_f.add_argument("--bounds", default=None, help="dla.csv whose orbit dimensions are drawn (ext1, hardware)")
    _add_common(p_f)
    p_f.set_defaults(func=cmd_figure)

    p_b = sub.add_parser("book", help="the Jupyter Book")
    b_sub = p_b.add_subparsers(dest="book_command", required=True, parser_class=_Parser)
    p_br = b_sub.add_parser("render", help="render the figure pages from tables and figures")
    p_br.add_argument("--figures", nargs="+", required=True, help="figure ids")
    p_br.add_argument("--book", default="book", help="book source directory (default book)")
    p_br.add_argument("--tables", default="results/tables")
    p_br.add_argument("--figure-dir", default="results/figures")
    p_br.add_argument("--config-hash", default="unknown", help="hash of the workflow config (provenance)")
    p_br.add_argument("--benchmarks", default="benchmarks/out", help="Snakemake benchmark files (rule wall times)")
    p_br.add_argument("--bench-results", default="benchmarks/results", help="committed benchmark JSON results")
    _add_common(p_br)
    p_br.set_defaults(func=cmd_book_render)

    for register_commands in _EXTRA_COMMANDS:
        register_commands(sub, _add_ansatz_args, _add_common, _positive_int)
    return parser


# Subcommands defined in other modules register themselves here (``register(sub, ...)``).
_EXTRA_COMMANDS: list[Callable[..., None]] = []


def _load_extra_commands() -> None:
    from overparam import commands

    _EXTRA_COMMANDS[:] = commands.REGISTRARS


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and map :class:`BadInput` to exit status 2."""
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or not args.json else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # matplotlib's PDF backend subsets fonts through fontTools, which logs every glyph at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    try:
        # The device is settled (and a requested GPU checked) before any simulation starts.
        from overparam.sim.device import use_gpu

        use_gpu(bool(getattr(args, "gpu", False)))
        args.func(args)
    except BadInput as err:
        sys.stderr.write(f"overparam: error: {err}\n")
        return 2
    return 0
