"""The CSV tables behind the figures (``results/tables/<figure-id>.csv``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Sequence

from overparam.fileio import read_json, write_text


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


SUPP2_HEADER = (
    "model", "ansatz", "options", "n", "layers", "n_params", "sample", "rank", "tolerance", "gap", "spectrum",
)


def supp2_rows(sweep_files: Iterable[str | Path]) -> list[list]:
    """One row per random point: its QFIM rank, the cut and the whole spectrum (space-separated)."""
    rows = []
    for path in sweep_files:
        data = read_json(path)
        label = data.get("model") or data["ansatz"]
        for rec in data["records"]:
            for k, (rank, gap, spec) in enumerate(zip(rec["ranks"], rec["gaps"], rec["spectra"])):
                rows.append(
                    [
                        label, data["ansatz"], options_label(data["options"]), data["n"], rec["layers"],
                        rec["n_params"], k, rank, rec["tolerance"], f"{gap:.6g}",
                        " ".join(f"{v:.12g}" for v in spec),
                    ]
                )
    return rows


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


TABLES = {"supp2": (SUPP2_HEADER, supp2_rows), "hardware": (HARDWARE_HEADER, hardware_rows)}
