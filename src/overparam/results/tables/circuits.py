"""Table of supp3: the circuits of the ansätze (sizes, gate counts, diagrams, layouts)."""

from __future__ import annotations

import json as _json
from pathlib import Path
from typing import Iterable

from overparam.fileio import read_json_object as read_json
from overparam.results.tables.base import options_label


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


