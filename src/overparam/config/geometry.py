"""Semantic checks of the geometry sections of the workflow config (``spectra``, ``fig1``).

Called from :func:`overparam.config.checks.check_config`, before the DAG starts: a spectra depth
must have a training run to take its random points and solutions from, ``fig4`` must pick sizes the
``spectra`` section computes, and the landscape's shallow depth must be below its deep one.
"""

from __future__ import annotations

from typing import Any, Mapping

from overparam.config import ConfigError

TRAINING_SECTIONS = ("fig3", "supp4", "supp5")


def check_geometry_config(config: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming the key path and what is accepted."""
    models = config.get("models", {})
    spectra = config.get("spectra")
    if spectra:
        source = spectra.get("source", "fig3")
        if source not in TRAINING_SECTIONS or source not in config:
            raise ConfigError(f"spectra.source: {source!r} is not a configured training experiment; accepted: "
                              f"{', '.join(s for s in TRAINING_SECTIONS if s in config)}")
        trained: dict[tuple[str, int], set[int]] = {}
        for sweep in config[source]["sweeps"]:
            trained.setdefault((sweep["model"], int(sweep["n"])), set()).update(sweep["layers"])
        computed = set()
        for k, run in enumerate(spectra["runs"]):
            key = (run["model"], int(run["n"]))
            depths = trained.get(key)
            if not depths:
                raise ConfigError(f"spectra.runs[{k}]: {run['model']} n={run['n']} has no {source} training run; "
                                  f"accepted (model, n): {', '.join(f'{m} n={n}' for m, n in sorted(trained))}")
            if run["depth"] not in depths:
                raise ConfigError(f"spectra.runs[{k}].depth: depth {run['depth']} of {run['model']} n={run['n']} "
                                  f"has no {source} training run to take a solution from; "
                                  f"accepted: one of {sorted(depths)}")
            computed.add(key)
        for k, pick in enumerate(spectra.get("fig4", [])):
            if (pick["model"], int(pick["n"])) not in computed:
                raise ConfigError(f"spectra.fig4[{k}]: {pick['model']} n={pick['n']} is not among spectra.runs; "
                                  f"accepted: {', '.join(f'{m} n={n}' for m, n in sorted(computed))}")
    fig1 = config.get("fig1")
    if fig1:
        if fig1["model"] not in models:
            raise ConfigError(
                f"fig1.model: model {fig1['model']!r} is not defined; defined models: {', '.join(models)}"
            )
        if not fig1["under"] < fig1["over"]:
            raise ConfigError(
                f"fig1.under: {fig1['under']} is not accepted; expected fewer layers than fig1.over ({fig1['over']})"
            )
