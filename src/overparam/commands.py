"""Registry of CLI subcommands defined outside ``cli.py`` (filled as engines land)."""

from __future__ import annotations

from typing import Callable

from overparam import cli_circuits, cli_noise

REGISTRARS: list[Callable[..., None]] = [cli_noise.register, cli_circuits.register]
