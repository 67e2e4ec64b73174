"""Figures: one module per figure family; each reads a table and writes vector PDF and PNG.

Every module exposes ``draw(table, out_stem, data=None)``.
"""

FIGURES = ("ext1", "fig2", "fig3", "hardware", "supp2", "supp3", "supp4", "supp5", "fig1", "fig4", "supp1", "beyond",
           "capacity", "replication_fig3", "replication_supp4", "replication_supp5", "replication_ranks",
           "replication_spectra", "failures", "large", "large_qfim", "crossover")
"""Every figure id ``overparam figure`` draws (its error message lists them in this order)."""
