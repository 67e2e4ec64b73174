"""The ansatz object: a parametrized Cirq circuit plus what its experiments need.

An ansatz is *only* a ``cirq.Circuit`` whose free parameters are sympy symbols (a symbol shared by
several gates is one parameter), an input state, a loss and the range of initial angles. Generators,
differentiable programs and device compilations are all derived from the circuit elsewhere.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import cirq
import numpy as np
import sympy

from overparam.errors import BadInput


@dataclasses.dataclass(frozen=True)
class EnergyLoss:
    """Loss ``<psi|H|psi> - offset`` (``offset`` is the exact ground energy for a residual energy)."""

    observable: cirq.PauliSum
    offset: float = 0.0
    kind: str = "energy"


@dataclasses.dataclass(frozen=True)
class ZeroProjectorLoss:
    """Loss ``1 - P(qubits all measured in |0>)``, averaged over the ansatz's input states.

    With every qubit in ``qubits`` this is the Hilbert-Schmidt test (compiling); with the trash
    qubits only it is the quantum-autoencoder loss.
    """

    qubits: tuple[cirq.Qid, ...]
    kind: str = "zero-projector"


Loss = EnergyLoss | ZeroProjectorLoss


@dataclasses.dataclass(frozen=True)
class Ansatz:
    """A parametrized circuit with its experiment data.

    Attributes:
        name: registry name (or ``package.module:function`` for a user's ansatz).
        circuit: the parametrized ``cirq.Circuit``; fixed gates that prepare the input state from
            ``|0...0>`` belong to the circuit.
        qubits: qubit order used for every state vector (big-endian, as Cirq).
        symbols: the free parameters, in order of first appearance in the circuit.
        loss: the loss, or ``None`` when the ansatz only serves geometry (QFIM, DLA).
        input_states: state vectors the circuit acts on (``None``: the single state ``|0...0>``).
            The loss is the mean over them (the autoencoder's training set).
        init_range: initial angles are drawn uniformly from ``[low, high)``.
        n: the size parameter the ansatz was built with.
        layers: the number of layers it was built with.
        options: the options it was built with.
    """

    name: str
    circuit: cirq.Circuit
    qubits: tuple[cirq.Qid, ...]
    symbols: tuple[sympy.Symbol, ...]
    loss: Loss | None = None
    input_states: tuple[np.ndarray, ...] | None = None
    init_range: tuple[float, float] = (0.0, 2 * np.pi)
    n: int = 0
    layers: int = 0
    options: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @property
    def n_params(self) -> int:
        """Number of free parameters ``M`` after sharing."""
        return len(self.symbols)

    @property
    def n_qubits(self) -> int:
        return len(self.qubits)

    def resolver(self, values: Sequence[float]) -> cirq.ParamResolver:
        """Map a parameter vector (in ``symbols`` order) to a resolver."""
        values = np.asarray(values, dtype=float).reshape(-1)
        if values.size != self.n_params:
            raise ValueError(f"expected {self.n_params} parameter values, got {values.size}")
        return cirq.ParamResolver({s: float(v) for s, v in zip(self.symbols, values)})

    def states(self) -> tuple[np.ndarray | None, ...]:
        """The input states (``None`` stands for ``|0...0>``)."""
        return self.input_states if self.input_states is not None else (None,)

    def random_parameters(self, rng: np.random.Generator, count: int | None = None) -> np.ndarray:
        """Initial angles drawn uniformly from ``init_range`` (shape ``(M,)`` or ``(count, M)``)."""
        low, high = self.init_range
        shape = (self.n_params,) if count is None else (count, self.n_params)
        return rng.uniform(low, high, size=shape)


def circuit_symbols(circuit: cirq.Circuit) -> tuple[sympy.Symbol, ...]:
    """Free symbols of ``circuit`` in order of first appearance (moment by moment, op by op)."""
    seen: dict[sympy.Symbol, None] = {}
    for op in circuit.all_operations():
        for sym in sorted(cirq.parameter_symbols(op), key=lambda s: s.name):
            seen.setdefault(sym, None)
    return tuple(seen)


def _check_unitary(name: str, circuit: cirq.Circuit, symbols: Sequence[sympy.Symbol]) -> None:
    # Channels (amplitude damping, depolarizing, ...) make the output state mixed; every pure-state
    # command would then silently sample Kraus branches. Noise is added by the noisy-QFIM command.
    zeros = cirq.ParamResolver({s: 0.0 for s in symbols})
    for op in circuit.all_operations():
        if not cirq.has_unitary(cirq.resolve_parameters(op, zeros)):
            raise BadInput(
                f"ansatz {name!r} contains the non-unitary operation {op}; expected unitary gates "
                "(noise channels belong to `overparam noisy-qfim`)"
            )


def from_circuit(
    name: str,
    circuit: cirq.Circuit,
    *,
    n: int,
    layers: int,
    options: Mapping[str, object] | None = None,
    loss: Loss | None = None,
    input_states: Sequence[np.ndarray] | None = None,
    init_range: tuple[float, float] = (0.0, 2 * np.pi),
    qubits: Sequence[cirq.Qid] | None = None,
) -> Ansatz:
    """Build an :class:`Ansatz` from a parametrized circuit, checking that it really is one."""
    if not isinstance(circuit, cirq.AbstractCircuit):
        raise BadInput(
            f"ansatz {name!r} returned {type(circuit).__name__}; expected a cirq.Circuit "
            "or an overparam.ansatze.Ansatz"
        )
    circuit = cirq.Circuit(circuit) if not isinstance(circuit, cirq.Circuit) else circuit
    if cirq.is_measurement(circuit):
        raise BadInput(f"ansatz {name!r} contains measurements; expected a unitary circuit")
    symbols = circuit_symbols(circuit)
    _check_unitary(name, circuit, symbols)
    if not symbols:
        raise BadInput(
            f"ansatz {name!r} has no free parameters; expected gates with sympy-symbol angles"
        )
    qubit_order = tuple(qubits) if qubits is not None else tuple(sorted(circuit.all_qubits()))
    states = None
    if input_states is not None:
        dim = 2 ** len(qubit_order)
        states = []
        for k, s in enumerate(input_states):
            s = np.asarray(s, dtype=np.complex128).reshape(-1)
            if s.size != dim or not np.isclose(np.linalg.norm(s), 1.0, atol=1e-10):
                raise BadInput(
                    f"ansatz {name!r}: input state {k} must be a normalized vector of length {dim}"
                )
            states.append(s)
        states = tuple(states)
    return Ansatz(
        name=name,
        circuit=circuit,
        qubits=qubit_order,
        symbols=symbols,
        loss=loss,
        input_states=states,
        init_range=init_range,
        n=n,
        layers=layers,
        options=dict(options or {}),
    )
