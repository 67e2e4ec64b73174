"""Initial parameters of training runs, from the project's seed scheme (:mod:`overparam.seeding`)."""

from __future__ import annotations

import numpy as np

from overparam.seeding import config_seed_sequence as seed_sequence

__all__ = ["initial_parameters", "seed_sequence"]


def initial_parameters(ansatz, count: int, seed: int = 0) -> np.ndarray:
    """``count`` initial parameter vectors ``(count, M)`` drawn from ``ansatz.init_range``.

    Run ``b`` uses its own child seed, so the first ``k`` runs do not depend on ``count``.
    """
    root = seed_sequence(seed, ansatz.name, ansatz.n, ansatz.layers, ansatz.options)
    rows = [ansatz.random_parameters(np.random.default_rng(child)) for child in root.spawn(count)]
    return np.stack(rows) if rows else np.zeros((0, ansatz.n_params))
