"""The ``overparam`` parser (every command, registered in one place) and :func:`main`."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Sequence

from overparam.cli import (
    ansatz,
    book,
    check_config,
    circuits,
    classify,
    dla,
    figure,
    hardware_qfim,
    landscape,
    noisy_qfim,
    qfim,
    spectra,
    study,
    table,
    train,
)
from overparam.cli.common import Parser, check_out_paths
from overparam.errors import BadInput

DESCRIPTION = "The ``overparam`` command line (also ``python -m overparam``)."

# Every command, in the order ``overparam --help`` lists them: each module's ``register(sub)``
# adds its subcommand(s) to the parser.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    ansatz.register,  # ansatz list, check-ansatz
    circuits.register,
    check_config.register,
    dla.register,
    qfim.register,  # qfim, qfim-sweep, qfim-prefix
    noisy_qfim.register,
    hardware_qfim.register,
    train.register,
    classify.register,
    spectra.register,
    landscape.register,
    table.register,
    figure.register,
    book.register,  # book render
    study.register,  # study render, study tutorial
)


def build_parser() -> argparse.ArgumentParser:
    """The ``overparam`` parser with every command of :data:`COMMANDS`."""
    parser = Parser(prog="overparam", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and map :class:`BadInput` (and argparse's errors) to exit status 2."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:
        # argparse exits 2 after its one-line error (0 after --help); in process, return the status.
        return int(done.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose or not args.json else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # matplotlib's PDF backend subsets fonts through fontTools, which logs every glyph at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    try:
        # An output path that cannot be written is refused before the computation, not after it
        # (a figure's --out is a stem: STEM.png and STEM.pdf are the files).
        if args.command != "figure":
            check_out_paths(args)
        # A malformed thread count is refused here, not when the first simulator is built.
        from overparam.sim.statevector import default_threads

        default_threads()
        # The device is settled (and a requested GPU checked) before any simulation starts.
        from overparam.sim.device import use_gpu

        use_gpu(bool(getattr(args, "gpu", False)), qsim=getattr(args, "backend", "qsim") != "jax")
        args.func(args)
    except BadInput as err:
        sys.stderr.write(f"overparam: error: {err}\n")
        return 2
    return 0
