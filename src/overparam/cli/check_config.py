"""``overparam check-config``: the workflow's config checks, before Snakemake reads the files.

Snakemake loads ``--configfile`` before the project's code runs, so a missing file or malformed YAML
would reach the user as Snakemake's traceback; this command (run by ``make run`` and ``make quick``)
names the file and line instead, then runs the same schema and model checks as the workflow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from overparam.cli.common import add_common, emit_json
from overparam.errors import BadInput


def cmd_check_config(args: argparse.Namespace) -> dict:
    """Load, merge and check the config files; every problem is one line (exit 2)."""
    from overparam.config import ConfigError
    from overparam.config.checks import check_config, schema_errors
    from overparam.config.load import merged_config

    root = Path(args.root)
    default = root / "config" / "config.yaml"
    try:
        config = merged_config(args.configfiles, default if default.exists() else None)
        schema_errors(config, str(root / "config" / "schema.yaml"))
        check_config(config)
    except ConfigError as err:
        raise BadInput(f"config error: {err}") from None
    payload = {"configfiles": [str(p) for p in args.configfiles], "ok": True}
    emit_json(args, payload)
    return payload


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``check-config``."""
    p = sub.add_parser("check-config", help="check workflow config files (existence, YAML, schema, models)")
    p.add_argument("configfiles", nargs="*", help="files passed to snakemake --configfile (over config/config.yaml)")
    p.add_argument("--root", default=".", help="repository root holding config/ (default: .)")
    add_common(p)
    p.set_defaults(func=cmd_check_config)
