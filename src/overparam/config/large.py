"""The ``large`` section (book page "Beyond the paper's sizes"): its entries name M, checked here.

The transition and QFIM sweeps of ``large`` list the number of parameters M of each job, not its
depth, because the page compares M with the orbit dimension and dim g. An ansatz adds the same
number of parameters per layer, so M must be one of ``M(1) + (L - 1) * (M(2) - M(1))``; anything
else is refused in one line before the DAG starts, and :func:`large_jobs` turns every M into its
depth for the rules.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

from overparam.ansatze import build_ansatz
from overparam.config import ConfigError
from overparam.errors import BadInput


@functools.lru_cache(maxsize=None)
def _param_counts(ansatz: str, n: int, options: tuple[tuple[str, str], ...]) -> tuple[int, int]:
    """``(M at one layer, M added per further layer)`` of an ansatz at size ``n``."""
    one = build_ansatz(ansatz, n, 1, dict(options)).n_params
    two = build_ansatz(ansatz, n, 2, dict(options)).n_params
    return one, two - one


def layers_for(spec: Mapping[str, Any], n: int, n_params: int) -> int | None:
    """The depth whose circuit has exactly ``n_params`` parameters, or ``None`` if there is none."""
    options = tuple(sorted((k, str(v)) for k, v in (spec.get("options") or {}).items()))
    first, per_layer = _param_counts(spec["ansatz"], n, options)
    if per_layer <= 0 or n_params < first or (n_params - first) % per_layer:
        return None
    return 1 + (n_params - first) // per_layer


def large_jobs(config: Mapping[str, Any], part: str) -> list[dict]:
    """Every job of ``large.<part>`` (``transition``: one per (model, n, M); ``qfim``: one per
    (model, n) with all its depths) with ``layers`` filled in; :class:`ConfigError` naming the first
    entry whose model is undefined or whose M no depth of the model has."""
    large = config.get("large") or {}
    if not large.get("enabled"):
        return []
    section = large.get(part) or {}
    models = config["models"]
    key = "sweeps" if part == "transition" else "runs"
    jobs = []
    for k, entry in enumerate(section.get(key, [])):
        where = f"large.{part}.{key}[{k}]"
        model = entry["model"]
        if model not in models:
            raise ConfigError(f"{where}: model {model!r} is not defined; defined models: {', '.join(models)}")
        spec, n = models[model], entry["n"]
        try:
            depths = [layers_for(spec, n, m) for m in entry["n_params"]]
        except BadInput as err:
            raise ConfigError(f"{where}: {err}") from err
        for m, layers in zip(entry["n_params"], depths):
            if layers is None:
                options = tuple(sorted((k2, str(v)) for k2, v in (spec.get("options") or {}).items()))
                first, per = _param_counts(spec["ansatz"], n, options)
                raise ConfigError(
                    f"{where}.n_params: M = {m} is not accepted for model {model!r} at n = {n}; expected a "
                    f"parameter count of one of its depths: {first} + {per} x (layers - 1)"
                )
        if part == "transition":
            jobs += [{"model": model, "n": n, "n_params": m, "layers": layers} for m, layers in zip(entry["n_params"],
                                                                                                      depths)]
        else:
            jobs.append({"model": model, "n": n, "n_params": list(entry["n_params"]), "layers": depths})
    return jobs


def check_large(config: Mapping[str, Any]) -> None:
    """Check both parts of ``large`` (models defined, every M a depth of its model); no simulation."""
    large = config.get("large") or {}
    train = large.get("transition") or {}
    floor, threshold = train.get("fixed_floor"), train.get("success_threshold")
    if floor is not None and threshold is not None and not floor < threshold:
        raise ConfigError(
            f"large.transition.fixed_floor: {floor} is not accepted; expected a loss below success_threshold "
            f"({threshold})"
        )
    for part in ("transition", "qfim"):
        large_jobs(config, part)
