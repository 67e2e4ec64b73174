"""The CSV tables behind the figures (``results/tables/<name>.csv``), one module per family.

:data:`TABLES` maps each table's name to its header and the function that builds its rows from the
engine's output files; ``overparam table <name>`` writes it.
"""

from __future__ import annotations

from typing import Callable, Sequence

from overparam.results.critical import first_m, first_m_at
from overparam.results.tables import (
    beyond, capacity, circuits, critical, failures, geometry, hardware, large, noise, qfim, replication, training,
)
from overparam.results.tables.base import gap_text, lie_bounds, options_label, read_csv, split_outputs, write_csv
from overparam.results.tables.beyond import BEYOND_HEADER, beyond_rows
from overparam.results.tables.capacity import CAPACITY_HEADER, capacity_rows
from overparam.results.tables.circuits import SUPP3_HEADER, supp3_rows
from overparam.results.tables.critical import CRITICAL_HEADER, critical_rows
from overparam.results.tables.failures import (
    BUDGET_HEADER, FAILURES_HEADER, SUMMARY_HEADER, budget_rows, failures_rows, failures_summary_rows,
)
from overparam.results.tables.geometry import FIG1_HEADER, fig1_rows
from overparam.results.tables.hardware import HARDWARE_HEADER, hardware_rows
from overparam.results.tables.noise import EXT1_HEADER, ext1_rows
from overparam.results.tables.replication import (
    RANKS_HEADER, REPLICATION_HEADER, replication_ranks_rows, replication_rows,
)
from overparam.results.tables.qfim import DLA_HEADER, FIG2_HEADER, SWEEP_HEADER, dla_rows, fig2_rows, sweep_rows
from overparam.results.tables.training import TRAIN_HEADER, TRAIN_SPECTRA_HEADER, train_rows, train_spectra_rows

TABLES: dict[str, tuple[Sequence[str], Callable[..., list[list]]]] = {
    "dla": (DLA_HEADER, dla_rows),
    "fig2": (FIG2_HEADER, fig2_rows),
    "supp2": (SWEEP_HEADER, sweep_rows),
    "fig3": (TRAIN_HEADER, train_rows),
    "supp4": (TRAIN_HEADER, train_rows),
    "supp5": (TRAIN_HEADER, train_rows),
    "fig3_spectra": (TRAIN_SPECTRA_HEADER, train_spectra_rows),
    "supp4_spectra": (TRAIN_SPECTRA_HEADER, train_spectra_rows),
    "supp5_spectra": (TRAIN_SPECTRA_HEADER, train_spectra_rows),
    "ext1": (EXT1_HEADER, ext1_rows),
    "supp3": (SUPP3_HEADER, supp3_rows),
    "hardware": (HARDWARE_HEADER, hardware_rows),
    "fig4": (geometry.SPECTRA_HEADER, geometry.spectra_rows),
    "supp1": (geometry.SPECTRA_HEADER, geometry.spectra_rows),
    "critical": (CRITICAL_HEADER, critical_rows),
    "fig1": (FIG1_HEADER, fig1_rows),
    "beyond": (BEYOND_HEADER, beyond_rows),
    "failures": (FAILURES_HEADER, failures_rows),
    "failures_summary": (SUMMARY_HEADER, failures_summary_rows),
    "failures_budget": (BUDGET_HEADER, budget_rows),
    "large_train": (TRAIN_HEADER, train_rows),
    "large": (large.LARGE_HEADER, large.large_rows),
    "large_crossings": (large.CROSSINGS_HEADER, large.large_crossings_rows),
    "large_qfim": (SWEEP_HEADER, sweep_rows),
    "crossover": (large.CROSSOVER_HEADER, large.crossover_rows),
    "capacity": (CAPACITY_HEADER, capacity_rows),
    **{f"replication_{exp}": (REPLICATION_HEADER, replication.experiment_rows(exp))
       for exp in replication.TRAINING_EXPERIMENTS},
    "replication_ranks": (RANKS_HEADER, replication_ranks_rows),
    "replication_spectra": (replication.SPECTRA_HEADER, replication.replication_spectra_rows),
}

__all__ = [
    "BEYOND_HEADER", "CAPACITY_HEADER", "RANKS_HEADER", "REPLICATION_HEADER", "capacity", "capacity_rows",
    "replication", "replication_ranks_rows", "replication_rows", "CRITICAL_HEADER", "DLA_HEADER", "EXT1_HEADER",
    "FIG1_HEADER", "FIG2_HEADER", "HARDWARE_HEADER",
    "SUPP3_HEADER", "SWEEP_HEADER", "TABLES", "TRAIN_HEADER", "TRAIN_SPECTRA_HEADER", "beyond", "beyond_rows",
    "circuits", "critical", "critical_rows", "failures", "failures_rows", "FAILURES_HEADER", "dla_rows", "ext1_rows",
    "fig1_rows", "fig2_rows", "first_m", "gap_text",
    "first_m_at", "geometry", "hardware", "hardware_rows", "large", "lie_bounds", "noise", "options_label", "qfim", "read_csv",
    "split_outputs", "supp3_rows", "sweep_rows", "train_rows", "train_spectra_rows", "training", "write_csv",
]
