"""Schema validation and model checks of the workflow config (run before the DAG starts)."""

from __future__ import annotations

import math
from typing import Any, Mapping, MutableMapping

from overparam.ansatze import build_ansatz
from overparam.config import ConfigError
from overparam.config.geometry import check_geometry_config
from overparam.config.large import check_large
from overparam.errors import BadInput

__all__ = ["ConfigError", "check_config", "schema_errors"]


def _runs(config: Mapping[str, Any]):
    """Every (section, index, model, sizes, layers) that names a model."""
    for section, body in config.items():
        if not isinstance(body, Mapping):
            continue
        for key in ("runs", "sweeps"):
            entries = body.get(key)
            if not isinstance(entries, list):
                continue
            for k, run in enumerate(entries):
                if isinstance(run, Mapping) and "model" in run:
                    sizes = run.get("sizes") or [run["n"]]
                    yield f"{section}.{key}[{k}]", run["model"], sizes, run.get("layers") or [1]


def check_config(config: Mapping[str, Any]) -> None:
    """Check model references and build every model once at its smallest size (fast, no simulation)."""
    models = config["models"]
    smallest: dict[str, tuple[int, int]] = {}
    for where, model, sizes, layers in _runs(config):
        if model not in models:
            raise ConfigError(f"{where}: model {model!r} is not defined; defined models: {', '.join(models)}")
        n, p = min(sizes), min(layers)
        old = smallest.get(model)
        smallest[model] = (min(n, old[0]), min(p, old[1])) if old else (n, p)
    for section in ("fig3", "supp4", "supp5"):
        train = config.get(section, {})
        floor, threshold = train.get("fixed_floor"), train.get("success_threshold")
        # The fixed protocol's count assumes a run stopped at the floor is a success.
        if floor is not None and threshold is not None and not floor < threshold:
            raise ConfigError(
                f"{section}.fixed_floor: {floor} is not accepted; expected a loss below success_threshold ({threshold})"
            )
        for k, sweep in enumerate(train.get("sweeps", [])):
            extra = set(sweep.get("spectra_at", [])) - set(sweep["layers"])
            if extra:
                raise ConfigError(
                    f"{section}.sweeps[{k}].spectra_at: depth {sorted(extra)[0]} has no training run; "
                    f"accepted: one of its layers {sweep['layers']}"
                )
    ext1 = config.get("ext1")
    if ext1:
        if ext1["model"] not in models:
            raise ConfigError(
                f"ext1.model: model {ext1['model']!r} is not defined; defined models: {', '.join(models)}"
            )
        n, p = ext1["n"], min(ext1["layers"])
        old = smallest.get(ext1["model"])
        smallest[ext1["model"]] = (min(n, old[0]), min(p, old[1])) if old else (n, p)
    for k, extra in enumerate((config.get("supp3") or {}).get("extra") or []):
        options = {key: str(v) for key, v in (extra.get("options") or {}).items()}
        try:
            build_ansatz(extra["ansatz"], extra["n"], 1, options)
        except BadInput as err:
            raise ConfigError(f"supp3.extra[{k}]: {err}") from err
    check_geometry_config(config)
    check_large(config)
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


def schema_errors(config: MutableMapping[str, Any], schema_path: str, *, fill_defaults: bool = False) -> None:
    """Validate against the JSON schema; raise ConfigError naming the key path and what is accepted.

    With ``fill_defaults`` the same pass writes the schema's defaults into ``config`` (in place, as
    snakemake's ``validate(..., set_default=True)`` does), so the schema is the only place a default
    is written and the config is validated once.
    """
    import copy

    import jsonschema
    import yaml

    _check_finite(config, "")
    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    cls = jsonschema.Draft202012Validator
    if fill_defaults:
        check_properties = cls.VALIDATORS["properties"]

        def properties_with_defaults(validator, properties, instance, schema):
            if validator.is_type(instance, "object"):
                for key, sub in properties.items():
                    if "default" in sub and key not in instance:
                        instance[key] = copy.deepcopy(sub["default"])
            yield from check_properties(validator, properties, instance, schema)

        cls = jsonschema.validators.extend(cls, {"properties": properties_with_defaults})
    error = jsonschema.exceptions.best_match(cls(schema).iter_errors(config if fill_defaults else dict(config)))
    if error is None:
        return
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    raise ConfigError(f"{where}: {error.message}")


def _check_finite(value: Any, where: str) -> None:
    """Refuse ``.nan`` and ``.inf`` anywhere in the config (JSON schema cannot say "finite")."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where or '(top level)'}: {value} is not accepted; expected a finite number")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_finite(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, (list, tuple)):
        for k, item in enumerate(value):
            _check_finite(item, f"{where}.{k}")


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
                f"hardware.processor: {processor!r} is not a virtual processor; "
                f"accepted: {', '.join(virtual_processors())}"
            )
