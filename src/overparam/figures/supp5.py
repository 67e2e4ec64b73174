"""supp5: quantum autoencoder (experiment 5): loss curves and QFIM spectra per training state."""

from __future__ import annotations

from pathlib import Path

from overparam.figures import supp4


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Same layout as supp4 with the autoencoder's loss (1 − mean P(trash in |00⟩))."""
    return supp4.draw(table, out_stem, data, label="loss 1 − P(trash = 0)")
