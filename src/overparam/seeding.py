"""Deterministic seeds: the same config seed and the same experiment key give the same numbers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def derive_seed(base_seed: int, *keys: Any) -> int:
    """A 63-bit seed from ``base_seed`` and any JSON-serialisable keys (stable across runs/platforms)."""
    blob = json.dumps([int(base_seed), *keys], sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big") >> 1


def rng_for(base_seed: int, *keys: Any) -> np.random.Generator:
    """A numpy Generator seeded by :func:`derive_seed`."""
    return np.random.default_rng(derive_seed(base_seed, *keys))
