"""Figure layout checks a reader would notice: legend entries for lines that are not on the axes,
legends over data, panels too small to read."""

from __future__ import annotations

import csv

import pytest

FIG2_HEADER = ["model", "n", "n_params", "max_rank", "orbit_dim", "dla_dim"]


def _write(path, header, rows):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def drawn(monkeypatch):
    """Draw with a module's ``save`` replaced: the Figure is kept for inspection instead of written."""
    figures = []

    def keep(fig, stem):
        figures.append(fig)
        return []

    def draw(module, *args, **kwargs):
        monkeypatch.setattr(module, "save", keep)
        module.draw(*args, **kwargs)
        return figures[-1]

    return draw


def test_fig2_names_dim_g_on_the_axes_only_when_it_is_drawn(tmp_path, drawn):
    from overparam.figures import fig2

    rows = [["tfim-open", 4, m, min(m, 8), 8, 16] for m in (2, 4, 6, 8, 10, 12)]  # dim g = 16 > max M
    rows += [["qaqc", 2, m, min(m, 15), 15, 15] for m in (8, 12, 16, 20)]  # dim g = 15 inside
    rows += [["tfim-periodic", 4, m, min(m, 4), 4, 11] for m in (2, 4, 6)]
    fig = drawn(fig2, _write(tmp_path / "fig2.csv", FIG2_HEADER, rows), tmp_path / "fig2")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 3
    columns = {round(ax.get_position().x0, 2) for ax in panels}
    assert len(columns) <= 2, "at most two panels a row"
    for ax in panels:
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        left, right = ax.get_xlim()
        for line in ax.get_lines():
            if "dim" in line.get_label() and line.get_label() in legend:  # the vertical M = dim g line
                xs = line.get_xdata()
                assert len(xs) and all(left <= x <= right for x in xs), (ax.get_title(), line.get_label())
        notes = [t.get_text() for t in ax.texts]
        if ax.get_title().startswith("tfim-open"):
            assert not any("dim" in entry for entry in legend) and any("= 16" in t for t in notes)
        if ax.get_title().startswith("qaqc"):
            assert any("= 15" in entry for entry in legend) and not notes
