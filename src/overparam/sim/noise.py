"""The depolarizing noise model of the noisy-QFIM experiment, without its simulator.

:class:`NoiseModel` and :func:`check_strength` need neither Cirq nor JAX, so the command line can
describe and check a noise setting before :mod:`overparam.sim.density` (which simulates it) loads.
The convention is stated in full in :mod:`overparam.sim.density`; :data:`NOISE_CONVENTION` is the
one-line form recorded in every output.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from overparam.errors import BadInput

NOISE_CONVENTION = (
    "local: cirq.depolarize(p) on every qubit an operation acts on, after every operation "
    "(input-preparation gates included); global: rho -> q rho + (1-q) I/2^n once at the end"
)


@dataclasses.dataclass(frozen=True)
class NoiseModel:
    """Local depolarizing strength ``local`` after every gate and global strength ``global_q``."""

    local: float = 0.0
    global_q: float = 1.0

    def __post_init__(self) -> None:
        check_strength("local", self.local)
        check_strength("global", self.global_q)

    @property
    def noiseless(self) -> bool:
        return self.local == 0.0 and self.global_q == 1.0


def check_strength(kind: str, value: float) -> float:
    """Return ``value`` if it is a noise strength in ``[0, 1]``, else raise :class:`BadInput`."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{kind} noise strength {value!r} is not accepted; expected a number in [0, 1]") from None
    if not np.isfinite(v) or not 0.0 <= v <= 1.0:
        raise BadInput(f"{kind} noise strength {value!r} is not accepted; expected a number in [0, 1]")
    return v
