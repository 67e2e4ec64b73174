"""Registry of CLI subcommands defined outside ``cli.py`` (filled as engines land)."""

from __future__ import annotations

from typing import Callable

from overparam import hardware_cli

REGISTRARS: list[Callable[..., None]] = [hardware_cli.register]
