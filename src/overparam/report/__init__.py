"""The Jupyter Book: pages rendered from the tables and figures (no physics engine here)."""
