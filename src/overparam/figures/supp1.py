"""supp1: QFIM and Hessian spectra at random points and converged solutions for every size."""

from __future__ import annotations

from pathlib import Path

from overparam.figures.spectra import draw_grid, load


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Rows: each model's QFIM then Hessian; columns: its sizes."""
    keys = sorted(load(table))
    models = list(dict.fromkeys(m for m, _ in keys))
    layout = []
    for model in models:
        sizes = [n for m, n in keys if m == model]
        layout += [[(model, n, matrix) for n in sizes] for matrix in ("qfim", "hessian")]
    return draw_grid(table, out_stem, layout)
