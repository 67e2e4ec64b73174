"""Place, compile and validate a lowered circuit for a Google device, once, with free symbols.

The compiled circuit keeps the per-gate symbols of :mod:`.lowering`, so a whole batch of parameter
points (every parameter shift of a gradient or QFIM) is one sweep over resolvers, as on hardware.
Measurement of every placed qubit under one key is appended before compiling.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import cirq
import numpy as np

from overparam.errors import BadInput
from overparam.sim.google.backends import GoogleBackend
from overparam.sim.google.lowering import GateShift
from overparam.sim.google.placement import find_placement, interaction_graph

MEASUREMENT_KEY = "m"


@dataclasses.dataclass(frozen=True)
class CompiledCircuit:
    """A device-ready circuit: compiled, placed, validated, measuring ``qubits`` under key ``m``.

    ``qubits`` are the device qubits in the order of the logical qubits, so bit ``k`` of a
    measured bitstring belongs to logical qubit ``k`` (big-endian, as the state vectors).
    """

    circuit: cirq.Circuit
    qubits: tuple[cirq.Qid, ...]
    placement: dict[cirq.Qid, cirq.Qid]
    gates: tuple[GateShift, ...]
    gateset: str

    def resolvers(self, gate_values: np.ndarray) -> list[cirq.ParamResolver]:
        """One resolver per row of ``gate_values`` (shape ``(points, gates)``)."""
        symbols = [g.symbol for g in self.gates]
        return [cirq.ParamResolver(dict(zip(symbols, map(float, row)))) for row in np.atleast_2d(gate_values)]


def device_graph(device: cirq.Device) -> tuple[list[cirq.Qid], list[tuple[cirq.Qid, cirq.Qid]]]:
    """Qubits and couplers of a device, from its metadata."""
    meta = device.metadata
    if meta is None or not isinstance(meta, cirq.GridDeviceMetadata):
        raise BadInput(f"device {device} publishes no qubit grid; cannot place circuits on it")
    edges = [tuple(sorted(pair)) for pair in meta.qubit_pairs]
    return sorted(meta.qubit_set), edges  # type: ignore[return-value]


def require_qubits(backend: GoogleBackend, n: int) -> None:
    """BadInput when ``n`` logical qubits cannot fit the processor at all.

    Cheap, so callers run it before building an ansatz (building can already be costly at a size
    no device holds, e.g. an exact ground energy of 2^n states).
    """
    have = len(device_graph(backend.device)[0])
    if n > have:
        raise BadInput(f"the circuit needs {n} qubits but processor {backend.processor_id!r} has {have}; use n <= {have}")


def _target_gateset(device: cirq.Device, name: str | None) -> cirq.CompilationTargetGateset:
    targets = list(device.metadata.compilation_target_gatesets)
    if not targets:
        raise BadInput(f"device {device} names no compilation target gate set")
    if name is None:
        return targets[0]
    names = {type(t).__name__: t for t in targets}
    if name not in names:
        raise BadInput(f"gate set {name!r} is not offered by this device; accepted: {', '.join(names)}")
    return names[name]


def compile_for_device(
    circuit: cirq.Circuit,
    logical_qubits: Sequence[cirq.Qid],
    gates: Sequence[GateShift],
    backend: GoogleBackend,
) -> CompiledCircuit:
    """Place ``circuit`` on ``backend``'s grid, compile it to the device gate set, add measurements,
    validate against the device (BadInput with the device's message if it does not fit)."""
    device = backend.device
    qubits, edges = device_graph(device)
    placement = find_placement(interaction_graph(circuit, logical_qubits), edges, qubits, backend.processor_id)
    physical = tuple(placement[q] for q in logical_qubits)
    placed = circuit.transform_qubits(lambda q: placement[q])
    placed.append(cirq.measure(*physical, key=MEASUREMENT_KEY))
    target = _target_gateset(device, backend.spec.gateset)
    compiled = cirq.optimize_for_target_gateset(placed, gateset=target)
    # Moments the optimizer emptied would cost idle time (and idle noise) on hardware.
    compiled = cirq.drop_empty_moments(compiled)
    try:
        device.validate_circuit(compiled)
    except ValueError as err:
        raise BadInput(f"compiled circuit does not validate on processor {backend.processor_id!r}: {err}") from err
    return CompiledCircuit(compiled, physical, placement, tuple(gates), type(target).__name__)
