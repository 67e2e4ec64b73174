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
    hardware = config.get("hardware") or {}
    if hardware.get("enabled"):
        _check_hardware(hardware, models, smallest)
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


def _check_hardware(hardware: Mapping[str, Any], models: Mapping[str, Any], smallest: dict) -> None:
    """The enabled hardware target names a defined model and, for virtual runs, a virtual processor."""
    model = hardware.get("model", "tfim-periodic")
    if model not in models:
        raise ConfigError(f"hardware.model: model {model!r} is not defined; defined models: {', '.join(models)}")
    n, layers = hardware.get("n", 4), min(hardware.get("layers", [1]))
    old = smallest.get(model)
    smallest[model] = (min(n, old[0]), min(layers, old[1])) if old else (n, layers)
    backends = hardware.get("backends", ["virtual-noiseless", "virtual-noisy"])
    if any(b.startswith("virtual") for b in backends):
        from overparam.sim.google.backends import virtual_processors

        processor = hardware.get("processor", "rainbow")
        if processor not in virtual_processors():
            raise ConfigError(
                f"hardware.processor: {processor!r} is not a virtual processor; accepted: {', '.join(virtual_processors())}"
            )
