"""Google hardware through ``cirq_google``: virtual processors offline, the real engine by config.

* :mod:`.backends`   opens a processor: ``virtual-noiseless``, ``virtual-noisy`` or ``engine``.
* :mod:`.placement`  puts the logical qubits on a connected line/ring of the device grid.
* :mod:`.lowering`   rewrites each parametrized gate as ``exp(-i g c P)`` with its own symbol ``g``.
* :mod:`.compiler`   places, compiles to the device's gate set once (symbolically), validates.
* :mod:`.estimators` shot-based loss, parameter-shift gradient and QFIM, each with its shot error.
"""

from overparam.sim.google.backends import BACKEND_KINDS, BackendSpec, GoogleBackend, open_backend
from overparam.sim.google.compiler import CompiledCircuit, compile_for_device
from overparam.sim.google.estimators import (
    Estimate,
    estimate_energy,
    estimate_gradient,
    estimate_loss,
    estimate_qfim,
    estimate_zero_probability,
)
from overparam.sim.google.lowering import GateShift, LoweredCircuit, lower_circuit
from overparam.sim.google.placement import find_placement

__all__ = [
    "BACKEND_KINDS",
    "BackendSpec",
    "CompiledCircuit",
    "Estimate",
    "GateShift",
    "GoogleBackend",
    "LoweredCircuit",
    "compile_for_device",
    "estimate_energy",
    "estimate_gradient",
    "estimate_loss",
    "estimate_qfim",
    "estimate_zero_probability",
    "find_placement",
    "lower_circuit",
    "open_backend",
]
