"""Registry of CLI subcommands defined outside ``cli.py``."""

from __future__ import annotations

from typing import Callable

from overparam import cli_beyond, cli_circuits, cli_geometry, cli_noise, hardware_cli

REGISTRARS: list[Callable[..., None]] = [cli_noise.register, cli_circuits.register, hardware_cli.register]
REGISTRARS.append(cli_geometry.register)
REGISTRARS.append(cli_beyond.register)

# User studies (issue 6): check-ansatz, study render/tutorial.
from overparam import cli_study  # noqa: E402

REGISTRARS.append(cli_study.register)
