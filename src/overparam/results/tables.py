"""The CSV tables behind the figures (``results/tables/<figure-id>.csv``)."""

from __future__ import annotations

import csv
import io
import json as _json
from pathlib import Path
from typing import Iterable, Sequence

from overparam.fileio import read_json, write_text


def first_m_at(fractions: Iterable[tuple[int, float]], level: float = 0.9) -> int | str:
    """The smallest M whose success fraction is at least ``level``, or ``"not reached"``."""
    return min((m for m, frac in fractions if frac >= level), default="not reached")


def gap_text(gap: float | None) -> str:
    """A spectral gap for a CSV cell; JSON's ``null`` (nothing dropped below the cut) is ``inf``."""
    return "inf" if gap is None else f"{gap:.6g}"


def options_label(options: dict) -> str:
    """``key=value`` pairs joined by ``;`` (stable order), the ``options`` column of every table."""
    return ";".join(f"{k}={v}" for k, v in sorted(options.items()))


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write a CSV with a header atomically."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    write_text(path, buf.getvalue())


def read_csv(path: str | Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _split(files: Iterable[str | Path]) -> tuple[list[dict], dict[tuple[str, int], dict]]:
    """Engine outputs and the DLA results among them, the latter keyed by ``(model, n)``."""
    data, dla = [], {}
    for path in files:
        obj = read_json(path)
        if "dim" in obj and "orbit_dim" in obj:
            dla[(obj.get("model") or obj["ansatz"], int(obj["n"]))] = obj
        else:
            data.append(obj)
    return data, dla


def _bounds(dla: dict, model: str, n: int) -> list:
    entry = dla.get((model, int(n)))
    return [entry["dim"], entry["orbit_dim"]] if entry else ["", ""]


DLA_HEADER = ("model", "ansatz", "n", "options", "dim", "orbit_dim", "method", "orbit_method", "n_qubits", "seconds")


def dla_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per model and size: exact DLA dimension and orbit dimension."""
    _, dla = _split(files)
    return [
        [model, d["ansatz"], n, options_label(d["options"]), d["dim"], d["orbit_dim"], d["method"],
         d["orbit_method"], d["n_qubits"], f"{d['seconds']:.4g}"]
        for (model, n), d in dla.items()
    ]


SWEEP_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "sample", "rank", "tolerance", "gap",
    "dla_dim", "orbit_dim", "spectrum",
)


def sweep_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per random point: its QFIM rank, the cut, the Lie bounds and the whole spectrum."""
    rows = []
    data, dla = _split(files)
    for sweep in data:
        label = sweep.get("model") or sweep["ansatz"]
        bounds = _bounds(dla, label, sweep["n"])
        for rec in sweep["records"]:
            for k, (rank, gap, spec) in enumerate(zip(rec["ranks"], rec["gaps"], rec["spectra"])):
                rows.append(
                    [
                        label, sweep["ansatz"], options_label(sweep["options"]), sweep["n"], rec["layers"],
                        rec["n_params"], k, rank, rec["tolerance"], gap_text(gap), *bounds,
                        " ".join(f"{v:.12g}" for v in spec),
                    ]
                )
    return rows


FIG2_HEADER = ("model", "ansatz", "options", "n", "layers", "n_params", "samples", "min_rank", "max_rank",
               "dla_dim", "orbit_dim")


def fig2_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per model, size and depth: the range of QFIM ranks and the Lie bounds."""
    rows = []
    data, dla = _split(files)
    for sweep in data:
        label = sweep.get("model") or sweep["ansatz"]
        for rec in sweep["records"]:
            rows.append(
                [label, sweep["ansatz"], options_label(sweep["options"]), sweep["n"], rec["layers"],
                 rec["n_params"], len(rec["ranks"]), min(rec["ranks"]), max(rec["ranks"]),
                 *_bounds(dla, label, sweep["n"])]
            )
    return rows


TRAIN_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "seed", "final_loss", "qsim_final_loss", "steps",
    "lr", "base_seed", "dla_dim", "orbit_dim", "qfim_rank", "hessian_rank", "success", "success_threshold",
    "lowest_loss", "reached",
)


def train_rows(files: Iterable[str | Path], success_threshold: float = 1e-4) -> list[list]:
    """One row per training run (initialisation ``seed`` of a configuration).

    ``success`` says the final loss is below ``success_threshold``; ``reached`` says the loss was below
    it at some step (the lowest loss of the run's curve), which differs when Adam left a minimum again.
    """
    rows = []
    data, dla = _split(files)
    for run in data:
        label = run.get("model") or run["ansatz"]
        bounds = _bounds(dla, label, run["n"])
        qranks = run.get("qfim_ranks", [])
        hranks = run.get("hessian_ranks", [])
        # Shards written before lowest_losses existed leave the last two columns empty.
        lowest = run.get("lowest_losses", [])
        for k, (loss, qloss) in enumerate(zip(run["final_losses"], run["qsim_final_losses"])):
            low = lowest[k] if k < len(lowest) else None
            rows.append(
                [label, run["ansatz"], options_label(run["options"]), run["n"], run["layers"], run["n_params"], k,
                 f"{loss:.10g}", f"{qloss:.10g}", run["steps"], run["lr"], run["seed"], *bounds,
                 max(qranks[k]) if k < len(qranks) else "", hranks[k] if k < len(hranks) else "",
                 int(loss < success_threshold), success_threshold,
                 "" if low is None else f"{low:.10g}", "" if low is None else int(low < success_threshold)]
            )
    return rows


TABLES = {
    "dla": (DLA_HEADER, dla_rows),
    "fig2": (FIG2_HEADER, fig2_rows),
    "supp2": (SWEEP_HEADER, sweep_rows),
    "fig3": (TRAIN_HEADER, train_rows),
    "supp4": (TRAIN_HEADER, train_rows),
    "supp5": (TRAIN_HEADER, train_rows),
}


SPECTRA_HEADER = ("model", "ansatz", "options", "n", "layers", "n_params", "run", "matrix", "index", "eigenvalue")


def spectra_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per eigenvalue of the QFIM (per input state) and Hessian at trained solutions."""
    import json

    import numpy as np

    rows = []
    for path in files:
        with np.load(path, allow_pickle=False) as z:
            if "qfim_spectra" not in z.files:
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


TABLES.update({f"{exp}_spectra": (SPECTRA_HEADER, spectra_rows) for exp in ("fig3", "supp4", "supp5")})
EXT1_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "noise", "strength", "local", "global", "sample",
    "rank", "tolerance", "gap", "rho_min_eigenvalue", "purity", "spectrum",
)


def ext1_rows(noise_files: Iterable[str | Path]) -> list[list]:
    """One row per (depth, noise setting, random point): the SLD QFIM rank and whole spectrum.

    ``noise`` is ``none``, ``local`` (strength p), ``global`` (strength q) or ``pure-state``: the
    state-vector QFIM at the same points, kept beside the noiseless SLD result as its check.
    """
    rows = []
    for path in noise_files:
        data = read_json(path)
        label = data.get("model") or data["ansatz"]
        head = [label, data["ansatz"], options_label(data["options"]), data["n"]]
        for rec in data["records"]:
            for k, (rank, gap, spec, lam, pur) in enumerate(
                zip(rec["ranks"], rec["gaps"], rec["spectra"], rec["rho_min_eigenvalues"], rec["purities"])
            ):
                rows.append(
                    head + [
                        rec["layers"], rec["n_params"], rec["noise"], f"{rec['strength']:g}", f"{rec['local']:g}",
                        f"{rec['global']:g}", k, rank, rec["tolerance"], gap_text(gap), f"{lam:.6g}", f"{pur:.12g}",
                        " ".join(f"{v:.12g}" for v in spec),
                    ]
                )
        for rec in data["pure_state"]:
            for k, (rank, spec) in enumerate(zip(rec["ranks"], rec["spectra"])):
                rows.append(
                    head + [
                        rec["layers"], rec["n_params"], "pure-state", "0", "0", "1", k, rank, data["tolerance"],
                        "", "", "", " ".join(f"{v:.12g}" for v in spec),
                    ]
                )
    return rows


SUPP3_HEADER = (
    "ansatz", "options", "n", "layers", "n_qubits", "n_params", "n_ops", "n_multi_qubit", "n_parametrized",
    "depth", "gate_counts", "text_diagram", "layout",
)


def supp3_rows(circuit_files: Iterable[str | Path]) -> list[list]:
    """One row per drawn circuit: sizes, gate counts (``kind=count;...``), depth, diagram, layout JSON."""
    rows = []
    for path in circuit_files:
        for c in read_json(path)["circuits"]:
            rows.append(
                [
                    c["ansatz"], options_label(c["options"]), c["n"], c["layers"], c["n_qubits"], c["n_params"],
                    c["n_ops"], c["n_multi_qubit"], c["n_parametrized"], c["depth"],
                    ";".join(f"{k}={v}" for k, v in c["gate_counts"].items()),
                    c["text_diagram"], _json.dumps(c["layout"], separators=(",", ":")),
                ]
            )
    return rows


TABLES.update({"ext1": (EXT1_HEADER, ext1_rows), "supp3": (SUPP3_HEADER, supp3_rows)})
HARDWARE_HEADER = (
    "backend", "processor", "model", "ansatz", "options", "n", "layers", "n_params", "sample", "repetitions",
    "rank", "exact_rank", "tolerance", "noise", "z", "max_z", "max_abs_deviation", "circuits", "device_qubits",
    "spectrum", "exact_spectrum",
)


def hardware_rows(sweep_files: Iterable[str | Path]) -> list[list]:
    """One row per (backend, depth, random point): shot-based QFIM rank and spectrum beside the exact ones.

    ``tolerance`` is the shot-noise cut (``z`` times ``noise``, the r.m.s. Frobenius norm of the
    estimate's error); ``max_z`` is the largest entry-wise deviation from the exact QFIM in units of
    its own shot error.
    """
    rows = []
    for path in sweep_files:
        data = read_json(path)
        label = data.get("model") or data["ansatz"]
        for rec in data["records"]:
            for smp in rec["samples"]:
                rows.append(
                    [
                        data["backend"], data["processor"], label, data["ansatz"], options_label(data["options"]),
                        data["n"], rec["layers"], rec["n_params"], smp["sample"], data["repetitions"],
                        smp["rank"], smp["exact_rank"], f"{smp['tolerance']:.6g}", f"{smp['noise']:.6g}", data["z"],
                        f"{smp['max_z']:.4g}", f"{smp['max_abs_deviation']:.6g}", smp["circuits"],
                        " ".join(q.replace(" ", "") for q in rec["device_qubits"]),
                        " ".join(f"{v:.8g}" for v in smp["spectrum"]),
                        " ".join(f"{v:.12g}" for v in smp["exact_spectrum"]),
                    ]
                )
    return rows


TABLES["hardware"] = (HARDWARE_HEADER, hardware_rows)


# Geometry figures (fig1, fig4, supp1) and the critical-M table.
from overparam.results.geometry_tables import GEOMETRY_TABLES  # noqa: E402

TABLES.update(GEOMETRY_TABLES)
# --- beyond (issue 8): QFIM rank for every prefix M of one deep circuit, sizes beyond the paper ----
BEYOND_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "sample", "rank", "tight_rank", "tolerance",
    "tight_tolerance", "gap", "dla_dim", "orbit_dim", "backend", "device", "point_seconds", "compile_seconds",
    "spectrum",
)


def beyond_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per (model, size, random point, M): the rank at the standard and the tight cut, the
    Lie bounds, where and how fast the point's Jacobian was computed, and the whole spectrum."""
    rows = []
    data, dla = _split(files)
    for run in data:
        label = run.get("model") or run["ansatz"]
        bounds = _bounds(dla, label, run["n"])
        for k, smp in enumerate(run["samples"]):
            for rec in smp["records"]:
                rows.append(
                    [label, run["ansatz"], options_label(run["options"]), run["n"], run["layers"], rec["n_params"], k,
                     rec["rank"], rec["tight_rank"], run["tolerance"], run["tight_tolerance"], gap_text(rec["gap"]),
                     *bounds, run["backend"], run["device"], f"{smp['seconds']:.4g}", f"{run['compile_seconds']:.4g}",
                     " ".join(f"{v:.8g}" for v in rec["spectrum"])]
                )
    return rows


TABLES["beyond"] = (BEYOND_HEADER, beyond_rows)
