"""Checks of user studies (config ``studies:``) and user ansätze, run before the DAG starts.

A *study* sends one model (usually a user's ``package.module:function``) through the whole analysis
of the paper: DLA and orbit dimension, QFIM rank versus M, critical M, training transition, and its
own book page. Everything here is fast: it builds each circuit once and reads its generators, it
never simulates.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from overparam.ansatze import build_ansatz
from overparam.config import ConfigError
from overparam.errors import BadInput


def check_ansatz(spec: str, n: int, layers: int, options: Mapping[str, Any] | None = None, *, train: bool = False):
    """Build ``spec`` and check every gate is a differentiable rotation; return the ansatz.

    Raises :class:`BadInput` with one line naming the ansatz (for a user's, its module) and the
    problem: the module cannot be imported, the function returns no parametrized Cirq circuit, a
    gate is unsupported, or (``train=True``) the ansatz defines no loss.
    """
    from overparam.sim.generators import symbol_generators

    opts = {k: str(v) for k, v in (options or {}).items()}
    ansatz = build_ansatz(spec, n, layers, opts)
    who = f"ansatz {spec!r}" + (f" (module {spec.partition(':')[0]!r})" if ":" in spec else "")
    try:
        generators = symbol_generators(ansatz.circuit)
    except BadInput as err:
        raise BadInput(f"{who}: unsupported gate: {err}") from err
    except Exception as err:  # noqa: BLE001 - a user's gate may fail inside Cirq in any way
        raise BadInput(f"{who}: unsupported gate ({type(err).__name__}: {err})") from err
    idle = [str(s) for s, g in generators.items() if not len(g)]
    if idle:
        raise BadInput(f"{who}: symbol {idle[0]} has no generator; expected rotations exp(-i s P)")
    if train and ansatz.loss is None:
        raise BadInput(
            f"{who} defines no loss, so it cannot be trained; return an overparam.ansatze.Ansatz with an "
            "EnergyLoss or ZeroProjectorLoss (see README: Your own ansatz)"
        )
    return ansatz


def add_python_path(entries: Sequence[str], root: str | Path) -> list[str]:
    """Put the config's ``pythonpath`` directories (relative to ``root``) in front of the import path.

    Both this process (the config check) and every job it starts (through ``PYTHONPATH``) see them.
    """
    import sys

    if isinstance(entries, (str, bytes)) or not isinstance(entries, Sequence):
        return []  # not a list: the schema check that follows names the key and what is accepted
    added = []
    for entry in entries:
        path = str((Path(root) / entry).resolve())
        if not Path(path).is_dir():
            raise ConfigError(f"pythonpath: {entry!r} is not a directory; expected a path relative to the repository")
        added.append(path)
    if added:
        old = os.environ.get("PYTHONPATH", "")
        os.environ["PYTHONPATH"] = os.pathsep.join(added + ([old] if old else []))
        sys.path[:0] = [p for p in added if p not in sys.path]
    return added


def study_sizes(study: Mapping[str, Any]) -> list[int]:
    """Every size a study touches (DLA sizes, QFIM and training sizes), sorted."""
    sizes = set(study["dla"]["sizes"])
    sizes |= {r["n"] for r in study["qfim"]["runs"]}
    sizes |= {s["n"] for s in study["train"]["sweeps"]}
    return sorted(sizes)


def check_studies(config: Mapping[str, Any]) -> None:
    """Every study names a defined model whose ansatz builds, has only supported gates, and has a loss.

    Also checks every user ansatz (``package.module:function``) in ``models`` at its smallest size.
    Raises :class:`ConfigError` (``<key path>: <one line>``).
    """
    models = config["models"]
    studies = config.get("studies") or {}
    checked: set[str] = set()
    for name, study in studies.items():
        model = study["model"]
        if model not in models:
            raise ConfigError(
                f"studies.{name}.model: model {model!r} is not defined; defined models: {', '.join(models)}"
            )
        spec = models[model]
        train_n = {s["n"] for s in study["train"]["sweeps"]}
        for n in study_sizes(study):
            try:
                check_ansatz(spec["ansatz"], n, 1, spec.get("options"), train=n in train_n)
            except BadInput as err:
                raise ConfigError(f"studies.{name} (model {model}, n={n}): {err}") from err
        for r in study["qfim"]["runs"]:
            _check_layers(f"studies.{name}.qfim", r["layers"])
        for s in study["train"]["sweeps"]:
            _check_layers(f"studies.{name}.train", s["layers"])
        checked.add(model)
    for model, spec in models.items():
        if model in checked or ":" not in spec["ansatz"]:
            continue
        n = _smallest_size(config, model)
        try:
            check_ansatz(spec["ansatz"], n, 1, spec.get("options"))
        except BadInput as err:
            raise ConfigError(f"models.{model}: {err}") from err


def _check_layers(where: str, layers: Sequence[int]) -> None:
    if len(set(layers)) != len(layers):
        raise ConfigError(f"{where}: layers {list(layers)} repeat a depth; expected distinct depths")


def _smallest_size(config: Mapping[str, Any], model: str) -> int:
    """The smallest size at which ``model`` is used anywhere in the config (4 if it is not used)."""
    sizes = []
    for body in config.values():
        if not isinstance(body, Mapping):
            continue
        for key in ("runs", "sweeps"):
            for run in body.get(key) or []:
                if isinstance(run, Mapping) and run.get("model") == model:
                    sizes += list(run.get("sizes") or [run.get("n", 4)])
    return min(sizes) if sizes else 4
