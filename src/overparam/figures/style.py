"""Shared figure style: Okabe-Ito colour-blind-safe palette, labelled axes, PDF + PNG output."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from overparam.fileio import atomic_path  # noqa: E402

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def setup() -> None:
    """Apply the project's rcParams (call before drawing)."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 200,
            "font.size": 9,
            "axes.titlesize": 9,
            "axes.labelsize": 9,
            "legend.fontsize": 8,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "pdf.fonttype": 42,  # embed TrueType so the PDF text stays editable/searchable
            "svg.fonttype": "none",
        }
    )


def save(fig: plt.Figure, stem: str | Path) -> list[Path]:
    """Write ``stem.png`` and ``stem.pdf`` atomically and close the figure."""
    stem = Path(stem)
    out = []
    for ext in ("png", "pdf"):
        target = stem.with_suffix(f".{ext}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=ext, bbox_inches="tight", metadata=None if ext == "png" else {"CreationDate": None})
        out.append(target)
    plt.close(fig)
    return out
