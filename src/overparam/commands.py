"""Registry of CLI subcommands defined outside ``cli.py`` (filled as engines land)."""

from __future__ import annotations

from typing import Callable

REGISTRARS: list[Callable[..., None]] = []
