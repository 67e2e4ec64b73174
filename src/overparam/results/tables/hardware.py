"""Table of the hardware page: shot-based QFIM ranks on virtual Google processors."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.fileio import read_json_object as read_json
from overparam.results.tables.base import options_label


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


