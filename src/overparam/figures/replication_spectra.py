"""replication_spectra: published QFIM and Hessian spectra overlaid on the regenerated ones."""

from __future__ import annotations

from pathlib import Path

from overparam.figures.replication import draw_spectra

#: An empty table is a result here (nothing to compare in this build): the figure says so.
EMPTY_TABLE_OK = True


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """The ``replication_spectra`` table's overlays (see :func:`overparam.figures.replication.draw_spectra`)."""
    return draw_spectra(table, out_stem)
