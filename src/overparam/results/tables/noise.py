"""Table of ext1: the SLD QFIM rank and spectrum under depolarizing noise."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from overparam.fileio import read_json_object as read_json
from overparam.results.tables.base import gap_text, options_label


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

