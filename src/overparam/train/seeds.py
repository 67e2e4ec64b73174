"""Seeds derived deterministically from the configuration, so a rerun reproduces every number."""

from __future__ import annotations

import hashlib
import json
from typing import Mapping

import numpy as np


def config_key(name: str, n: int, layers: int, options: Mapping[str, object]) -> str:
    """A canonical text for one configuration (options sorted, values as text)."""
    return json.dumps([name, int(n), int(layers), sorted((str(k), str(v)) for k, v in options.items())])


def seed_sequence(seed: int, name: str, n: int, layers: int, options: Mapping[str, object]) -> np.random.SeedSequence:
    """``SeedSequence`` from the config seed and a SHA-256 of the configuration.

    Python's ``hash`` is salted per process, so the configuration is hashed with SHA-256 instead.
    """
    digest = hashlib.sha256(config_key(name, n, layers, options).encode()).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.SeedSequence([int(seed), *words])


def initial_parameters(ansatz, count: int, seed: int = 0) -> np.ndarray:
    """``count`` initial parameter vectors ``(count, M)`` drawn from ``ansatz.init_range``.

    Run ``b`` uses its own child seed, so the first ``k`` runs do not depend on ``count``.
    """
    root = seed_sequence(seed, ansatz.name, ansatz.n, ansatz.layers, ansatz.options)
    rows = [ansatz.random_parameters(np.random.default_rng(child)) for child in root.spawn(count)]
    return np.stack(rows) if rows else np.zeros((0, ansatz.n_params))
