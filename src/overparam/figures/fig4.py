"""fig4: QFIM and Hessian spectra at random points and converged solutions, one size per boundary."""

from __future__ import annotations

from pathlib import Path

from overparam.figures.spectra import draw_grid, load


def draw(table: str | Path, out_stem: str | Path, data: list | None = None) -> list[Path]:
    """Columns: the (model, n) groups of the table; rows: QFIM, Hessian."""
    keys = sorted(load(table))
    return draw_grid(table, out_stem, [[(m, n, matrix) for m, n in keys] for matrix in ("qfim", "hessian")])
