"""fig3: residual energy versus optimisation step for the TFIM VQE (experiment 1).

One panel per boundary condition (rows) and size (columns); one colour per number of parameters M.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from overparam.figures.training import draw_grid, load_shards


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Draw fig3 from the training shards in ``data`` (``.npz``); ``table`` is fig3.csv."""
    panels: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for shard in load_shards(data or []):
        panels[(str(shard["model"]), int(shard["n"]))].append(shard)
    return draw_grid(dict(panels), out_stem, label="residual energy E(θ) − E₀")
