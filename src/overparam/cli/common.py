"""What every ``overparam`` command shares: the parser class, argument types, the common and
ansatz arguments, and how a result is written (``--json``, ``--out``, or a human line).

Command modules import from here and from nothing else in :mod:`overparam.cli`, so the package has
no import cycle: :mod:`overparam.cli.app` imports the command modules, they import this one.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from typing import Any, Callable, Literal

from overparam.errors import BadInput
from overparam.fileio import json_text

ANSATZ_HELP = "registered name (see 'overparam ansatz list') or package.module:function"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def positive_int(name: str, minimum: int) -> Callable[[str], int]:
    """An argument type: an integer ``>= minimum``; the error names ``name``, the value and the bound."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} {raw!r} is not accepted; expected an integer >= {minimum}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} {value} is not accepted; expected an integer >= {minimum}")
        return value

    return parse


def finite_float(
    name: str, minimum: float | None = None, maximum: float | None = None, strict: bool = True
) -> Callable[[str], float]:
    """An argument type: a finite float (``nan`` and ``inf`` are refused) within the given bounds.

    ``strict`` makes ``minimum`` exclusive (``> minimum``); ``maximum`` is always inclusive. The
    error names ``name``, the raw value and what is accepted.
    """
    parts = ["a finite number"]
    if minimum is not None:
        parts.append(f"{'>' if strict else '>='} {minimum:g}")
    if maximum is not None:
        parts.append(f"<= {maximum:g}")
    accepted = " ".join(parts[:2]) + (f" and {parts[2]}" if len(parts) > 2 else "")

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        ok = math.isfinite(value)
        if ok and minimum is not None:
            ok = value > minimum if strict else value >= minimum
        if ok and maximum is not None:
            ok = value <= maximum
        if not ok:
            raise argparse.ArgumentTypeError(f"{name} {raw!r} is not accepted; expected {accepted}")
        return value

    return parse


def layer_list(raw: str) -> list[int]:
    """The ``--layers`` type of a sweep: depths ``>= 1`` separated by commas or spaces (``1,2,3``)."""
    try:
        values = [int(v) for v in raw.replace(",", " ").split()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--layers {raw!r} is not accepted; expected integers >= 1, e.g. 1,2,3")
    return values


def add_common(p: argparse.ArgumentParser) -> None:
    """``--json`` (one JSON object on stdout, logs on stderr) and ``-v`` (progress log)."""
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("-v", "--verbose", action="store_true", help="progress log on stderr")


def add_ansatz_args(
    p: argparse.ArgumentParser,
    layers: Literal["one", "sweep", "none"] = "one",
    layers_default: int | None = None,
) -> None:
    """The ansatz, ``--n``, ``--layers`` and the repeatable ``--opt KEY=VALUE``.

    ``layers`` is ``"one"`` (one depth, required unless ``layers_default`` is given), ``"sweep"``
    (a list of depths, see :func:`layer_list`) or ``"none"`` (the command takes its depths from
    other flags).
    """
    p.add_argument("ansatz", help=ANSATZ_HELP)
    p.add_argument("--n", type=positive_int("--n", 2), required=True, help="number of qubits (size parameter)")
    if layers == "sweep":
        p.add_argument("--layers", type=layer_list, required=True, help="depths, e.g. 1,2,3,4")
    elif layers == "one" and layers_default is None:
        p.add_argument("--layers", type=positive_int("--layers", 1), required=True, help="number of layers")
    elif layers == "one":
        p.add_argument("--layers", type=positive_int("--layers", 1), default=layers_default, help="number of layers")
    p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="ansatz option (repeatable)")


def add_memory_flag(p: argparse.ArgumentParser) -> None:
    """``--max-memory-gb``: the memory limit a command's estimate is checked against before simulating."""
    from overparam.sim.budget import ENV_MAX_MEMORY

    p.add_argument(
        "--max-memory-gb", type=finite_float("--max-memory-gb", 0.0), default=None, metavar="GB",
        help=f"refuse (exit 2) when the estimated memory exceeds this many GiB (default: ${ENV_MAX_MEMORY}, "
        "else the available memory)",
    )


def check_out_paths(args: argparse.Namespace) -> None:
    """Refuse an output path (``--out``, ``--curves``) that is a directory, before any computation."""
    for flag in ("out", "curves"):
        path = getattr(args, flag, None)
        if path and os.path.isdir(path):
            raise BadInput(f"--{flag} {path!r} is a directory; expected a file path")


def add_label_and_out(p: argparse.ArgumentParser) -> None:
    """``--label`` (model name recorded in the output) and ``--out`` (JSON file, written atomically)."""
    p.add_argument("--label", help="model name recorded in the output (default: the ansatz name)")
    p.add_argument("--out", help="also write the JSON object to this file (atomically)")


def add_gpu_flag(p: argparse.ArgumentParser) -> None:
    """``--gpu``: qsim on CUDA and the JAX engine on the GPU (checked before any simulation)."""
    p.add_argument("--gpu", action="store_true",
                   help="run qsim (use_gpu=True) and the JAX engine on the GPU; exits 2 if either cannot")


def emit(args: argparse.Namespace, payload: dict[str, Any], human: Callable[[dict], str]) -> None:
    """Write ``payload`` to ``--out`` (if given), print it as JSON (``--json``), else print ``human(payload)``.

    The human line is skipped when the result went to ``--out`` (the file is the output).
    """
    if getattr(args, "out", None):
        from overparam.fileio import write_json

        write_json(args.out, payload)
    if args.json:
        sys.stdout.write(json_text(payload) + "\n")
    elif not getattr(args, "out", None):
        sys.stdout.write(human(payload) + "\n")


def emit_json(args: argparse.Namespace, payload: dict[str, Any]) -> None:
    """Print ``payload`` as JSON if ``--json`` was given (commands whose output is the files they write)."""
    if args.json:
        sys.stdout.write(json_text(payload) + "\n")


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
