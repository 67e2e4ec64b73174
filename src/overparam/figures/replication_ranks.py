"""replication_ranks: published and regenerated maximal QFIM ranks of the supp2 sweeps against M."""

from __future__ import annotations

from pathlib import Path

from overparam.figures.replication import draw_ranks

#: An empty table is a result here (nothing to compare in this build): the figure says so.
EMPTY_TABLE_OK = True


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """The supp2 panels of the ``replication_ranks`` table (see :func:`overparam.figures.replication.draw_ranks`)."""
    return draw_ranks(table, out_stem, "supp2")
