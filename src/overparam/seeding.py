"""Deterministic seeds: the same config seed and the same keys give the same numbers.

Every random stream of the project is a ``numpy.random.SeedSequence`` derived from the config's
seed and a SHA-256 of what the stream is for (Python's ``hash`` is salted per process, so it is
not used). Two derivations exist and both are kept bit-for-bit, because changing either would
change published numbers:

- :func:`seed_sequence_for` (random parameter points of the QFIM sweeps, noise and hardware runs):
  the first 63 bits of the SHA-256 of ``[seed, *keys]`` as JSON;
- :func:`config_seed_sequence` (initial parameters of training runs): the config seed followed by
  four 32-bit words of the SHA-256 of the configuration ``[name, n, layers, options]``, whose
  children (``spawn``) give one stream per run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

import numpy as np


def derive_seed(base_seed: int, *keys: Any) -> int:
    """A 63-bit seed from ``base_seed`` and any JSON-serialisable keys (stable across runs/platforms)."""
    blob = json.dumps([int(base_seed), *keys], sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big") >> 1


def seed_sequence_for(base_seed: int, *keys: Any) -> np.random.SeedSequence:
    """The ``SeedSequence`` of :func:`derive_seed` (what ``default_rng(derive_seed(...))`` uses)."""
    return np.random.SeedSequence(derive_seed(base_seed, *keys))


def rng_for(base_seed: int, *keys: Any) -> np.random.Generator:
    """A numpy Generator on :func:`seed_sequence_for`."""
    return np.random.default_rng(seed_sequence_for(base_seed, *keys))


def config_key(name: str, n: int, layers: int, options: Mapping[str, object]) -> str:
    """A canonical text for one configuration (options sorted, values as text)."""
    return json.dumps([name, int(n), int(layers), sorted((str(k), str(v)) for k, v in options.items())])


def config_seed_sequence(
    seed: int, name: str, n: int, layers: int, options: Mapping[str, object]
) -> np.random.SeedSequence:
    """``SeedSequence`` from the config seed and a SHA-256 of the configuration (see the module docstring)."""
    digest = hashlib.sha256(config_key(name, n, layers, options).encode()).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.SeedSequence([int(seed), *words])
