"""replication_fig3: published and regenerated fig3 success fractions against M (Replication chapter)."""

from __future__ import annotations

from pathlib import Path

from overparam.figures.replication import draw_training

#: An empty table is a result here (nothing to compare in this build): the figure says so.
EMPTY_TABLE_OK = True


def draw(table: str | Path, out_stem: str | Path) -> list[Path]:
    """The panels of the ``replication_fig3`` table (see :func:`overparam.figures.replication.draw_training`)."""
    return draw_training(table, out_stem, "fig3")
