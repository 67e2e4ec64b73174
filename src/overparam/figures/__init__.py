"""Figures: one module per figure family; each reads a table and writes vector PDF and PNG."""
