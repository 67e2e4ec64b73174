"""Read a workflow config file the way Snakemake does, but with one line naming the file and line.

Snakemake reads ``--configfile`` before the Snakefile runs, so a missing file or malformed YAML
surfaces as its own traceback or a message without file and line. ``overparam check-config``
(and ``make run``/``make quick``) read the files here first: :func:`load_config_file` names the
file, and for YAML errors the line and column; :func:`merged_config` lays the files over the
default ``config/config.yaml`` as Snakemake does (later files update earlier ones, key by key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from overparam.config import ConfigError


def load_config_file(path: str | Path) -> dict:
    """The mapping in the YAML (or JSON) file ``path``; :class:`ConfigError` naming file and line."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {str(path)!r} cannot be read ({getattr(err, 'strerror', None) or err})") from err
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"config file {str(path)!r}{where}: malformed YAML ({err.problem or err.context})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"config file {str(path)!r}: malformed YAML ({err})") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} holds a YAML {type(data).__name__}; expected a mapping of keys")
    return data


def update_config(base: dict, new: Mapping[str, Any]) -> dict:
    """Snakemake's key-by-key update: nested mappings merge, everything else is replaced."""
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            update_config(base[key], value)
        else:
            base[key] = value
    return base


def merged_config(paths: list[str | Path], default: str | Path | None) -> dict:
    """``default`` (the Snakefile's ``configfile:``) updated by every file of ``paths`` in order."""
    config = load_config_file(default) if default is not None else {}
    for path in paths:
        update_config(config, load_config_file(path))
    return config
