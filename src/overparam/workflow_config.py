"""Semantic checks of the workflow config beyond its JSON schema (run before the DAG starts)."""

from __future__ import annotations

from typing import Any, Mapping

from overparam.ansatze import build_ansatz
from overparam.errors import BadInput


class ConfigError(ValueError):
    """The config names something that does not exist or cannot be built."""


def check_config(config: Mapping[str, Any]) -> None:
    """Check model references and build every model once at its smallest size (fast, no simulation)."""
    models = config["models"]
    smallest: dict[str, tuple[int, int]] = {}
    for section in ("supp2",):
        for run in config.get(section, {}).get("runs", []):
            if run["model"] not in models:
                raise ConfigError(
                    f"{section}.runs: model {run['model']!r} is not defined; defined models: {', '.join(models)}"
                )
            n, layers = run["n"], min(run["layers"])
            old = smallest.get(run["model"])
            smallest[run["model"]] = (min(n, old[0]), min(layers, old[1])) if old else (n, layers)
    ext1 = config.get("ext1")
    if ext1:
        if ext1["model"] not in models:
            raise ConfigError(
                f"ext1.model: model {ext1['model']!r} is not defined; defined models: {', '.join(models)}"
            )
        n, layers = ext1["n"], min(ext1["layers"])
        old = smallest.get(ext1["model"])
        smallest[ext1["model"]] = (min(n, old[0]), min(layers, old[1])) if old else (n, layers)
    for k, extra in enumerate((config.get("supp3") or {}).get("extra") or []):
        options = {key: str(v) for key, v in (extra.get("options") or {}).items()}
        try:
            build_ansatz(extra["ansatz"], extra["n"], 1, options)
        except BadInput as err:
            raise ConfigError(f"supp3.extra[{k}]: {err}") from err
    for name, (n, layers) in smallest.items():
        spec = models[name]
        options = {k: str(v) for k, v in (spec.get("options") or {}).items()}
        try:
            build_ansatz(spec["ansatz"], n, layers, options)
        except BadInput as err:
            raise ConfigError(f"models.{name}: {err}") from err


def schema_errors(config: Mapping[str, Any], schema_path: str) -> None:
    """Validate against the JSON schema; raise ConfigError naming the key path and what is accepted."""
    import jsonschema
    import yaml

    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(dict(config)))
    if error is None:
        return
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    raise ConfigError(f"{where}: {error.message}")
