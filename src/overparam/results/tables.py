"""The CSV tables behind the figures (``results/tables/<figure-id>.csv``)."""

from __future__ import annotations

import csv
import io
import json
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
                        f"{rec['global']:g}", k, rank, rec["tolerance"], f"{gap:.6g}", f"{lam:.6g}", f"{pur:.12g}",
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
                    c["text_diagram"], json.dumps(c["layout"], separators=(",", ":")),
                ]
            )
    return rows


TABLES = {
    "supp2": (SUPP2_HEADER, supp2_rows),
    "ext1": (EXT1_HEADER, ext1_rows),
    "supp3": (SUPP3_HEADER, supp3_rows),
}
