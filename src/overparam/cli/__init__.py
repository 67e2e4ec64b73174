"""The ``overparam`` command line (also ``python -m overparam``).

Every subcommand accepts ``--json`` (one JSON object on stdout, logs on stderr). Bad input exits
with status 2 and one line on stderr naming the bad value and what is accepted, before any
simulation starts.

One module per command (or small family of commands), each with a ``register(sub)`` that adds its
subcommands; :mod:`overparam.cli.common` holds what they share, and :mod:`overparam.cli.app` the
parser, the list of commands and :func:`main`. The science the commands run lives in the library
packages (``geometry/``, ``lie/``, ``train/``, ...).
"""

from overparam.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
