"""Tables of the training runs (fig3, supp4, supp5) and the spectra at their solutions."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.results.tables.base import lie_bounds, options_label, split_outputs


TRAIN_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "seed", "final_loss", "qsim_final_loss", "steps",
    "lr", "base_seed", "dla_dim", "orbit_dim", "qfim_rank", "hessian_rank", "success", "success_threshold",
    "lowest_loss", "reached", "protocol", "fixed_success",
)


def train_rows(files: Iterable[str | Path], success_threshold: float = 1e-4) -> list[list]:
    """One row per training run (initialisation ``seed`` of a configuration).

    ``success`` says the final loss is below ``success_threshold``; ``reached`` says the loss was below
    it at some step (the lowest loss of the run's curve), which differs when Adam left a minimum again.
    ``protocol`` is ``published`` (Adam for every step, as the paper) or ``stop below X`` (a run stops
    at the floor X); ``fixed_success`` is the run's success under the fixed protocol: for a published-
    protocol run, a final loss below the threshold or a lowest loss at or below the shard's
    ``fixed_floor`` (where the fixed protocol would have stopped it); for a stopped run, ``success``.
    """
    rows = []
    data, dla = split_outputs(files)
    for run in data:
        label = run.get("model") or run["ansatz"]
        bounds = lie_bounds(dla, label, run["n"])
        qranks = run.get("qfim_ranks", [])
        hranks = run.get("hessian_ranks", [])
        # Shards written before lowest_losses existed leave the last two columns empty.
        lowest = run.get("lowest_losses", [])
        stop = run.get("stop_below")
        protocol = "published" if stop is None else f"stop below {stop:g}"
        floor = run.get("fixed_floor")
        for k, (loss, qloss) in enumerate(zip(run["final_losses"], run["qsim_final_losses"])):
            low = lowest[k] if k < len(lowest) else None
            rows.append(
                [label, run["ansatz"], options_label(run["options"]), run["n"], run["layers"], run["n_params"], k,
                 f"{loss:.10g}", "" if qloss is None else f"{qloss:.10g}", run["steps"], run["lr"], run["seed"], *bounds,
                 max(qranks[k]) if k < len(qranks) else "", hranks[k] if k < len(hranks) else "",
                 int(loss < success_threshold), success_threshold,
                 "" if low is None else f"{low:.10g}", "" if low is None else int(low < success_threshold),
                 protocol, fixed_protocol_success(loss, low, stop, floor, success_threshold)]
            )
    return rows


def fixed_protocol_success(loss: float, low: float | None, stop: float | None, floor: float | None,
                           threshold: float) -> int | str:
    """1 or 0: whether a run succeeds under the fixed protocol (Adam stops at the round-off floor).

    A run trained with a stop (``stop`` not None) ran the fixed protocol: its final loss decides. A
    run trained without one (the published protocol) would have followed the same trajectory until
    its loss first reached ``floor`` and then stopped there, so it is a fixed-protocol success when
    its final loss is below ``threshold`` or its lowest loss ``low`` is at or below ``floor``. ``""``
    when a shard from before ``lowest_losses`` and ``fixed_floor`` existed cannot tell.
    """
    if stop is not None:
        return int(loss < threshold)
    if low is None or floor is None:  # a shard from before these fields: not decidable
        return ""
    return int(loss < threshold or low <= floor)


TRAIN_SPECTRA_HEADER = ("model", "ansatz", "options", "n", "layers", "n_params", "run", "matrix", "index", "eigenvalue")


def train_spectra_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per eigenvalue of the QFIM (per input state) and Hessian at trained solutions."""
    import json

    from overparam.fileio import read_npz

    rows = []
    for path in files:
        z = read_npz(path, "training shard")
        if "qfim_spectra" not in z:
            continue
        meta = [str(z["model"]), str(z["ansatz"]), options_label(json.loads(str(z["options"]))),
                int(z["n"]), int(z["layers"]), int(z["n_params"])]
        qfim, hess = z["qfim_spectra"], z["hessian_spectra"]
        for run in range(qfim.shape[0]):
            for state in range(qfim.shape[1]):
                name = "qfim" if qfim.shape[1] == 1 else f"qfim_state{state}"
                rows += [[*meta, run, name, i, f"{v:.12g}"] for i, v in enumerate(qfim[run, state])]
            rows += [[*meta, run, "hessian", i, f"{v:.12g}"] for i, v in enumerate(hess[run])]
    return rows


