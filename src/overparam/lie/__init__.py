"""Exact dynamical Lie algebra (DLA) and orbit dimension of any Cirq ansatz.

Entry point: :func:`analyze`. The pieces: :mod:`~overparam.lie.pauli` (packed Pauli strings, integer
Pauli sums), :mod:`~overparam.lie.frame` (generators read off the circuit into one Clifford frame),
:mod:`~overparam.lie.closure` and :mod:`~overparam.lie.fp` (exact closure),
:mod:`~overparam.lie.orbit` (orbit of the input state), :mod:`~overparam.lie.dense` (floating-point
fallback for small ``n``). The algorithm and its exactness argument are in ``docs/lie.md``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.lie.closure import Closure, integer_closure, lie_closure
from overparam.lie.dense import dense_closure, dense_orbit_dim
from overparam.lie.frame import DENSE_STATE_MAX_QUBITS, FrameGenerators, frame_generators
from overparam.lie.orbit import orbit_dim_state, orbit_dim_zero_state

__all__ = [
    "Closure",
    "DLAResult",
    "FamilyResult",
    "analyze",
    "analyze_family",
    "dla_row",
    "frame_generators",
    "lie_closure",
]

#: Most layers :func:`analyze_family` adds before it gives up on the algebra settling.
FAMILY_MAX_LAYERS = 64


@dataclasses.dataclass(frozen=True)
class DLAResult:
    """Dimension of the DLA and of the orbit of the input state(s).

    Attributes:
        dim: dimension of the dynamical Lie algebra (exact unless ``method == "dense"``).
        orbit_dim: dimension of the orbit of the input state: the bound on the QFIM rank (the
            largest over the input states when the ansatz has several), ``None`` if not computed.
        orbit_dims: one orbit dimension per input state.
        seconds: wall-clock time of the whole analysis.
        method: how the algebra was decided: ``"pauli-strings"`` (hash set), ``"modp"`` (two prime
            fields agreed), ``"rational"`` (exact rational elimination) or ``"dense"`` (floating
            point, small ``n``: a non-Clifford fixed gate between rotations).
        orbit_method: ``"pauli-strings"``, ``"modp"``, ``"rational"`` (exact, ``|0...0>`` in the
            Clifford frame) or ``"dense"`` (state vector, numerical rank).
        n_qubits: number of qubits.
        n_generators: number of symbols with a non-zero generator (``M`` of one layer's worth).
        note: why a fallback was used, if one was.
    """

    dim: int
    orbit_dim: int | None
    orbit_dims: tuple[int, ...]
    seconds: float
    method: str
    orbit_method: str
    n_qubits: int
    n_generators: int
    note: str = ""

    def as_dict(self) -> dict:
        """JSON-ready dict (the ``overparam dla --json`` payload needs ``dim``, ``orbit_dim``, ``seconds``)."""
        return dataclasses.asdict(self) | {"orbit_dims": list(self.orbit_dims)}


def analyze(ansatz: Ansatz, orbit: bool = True, max_dim: int | None = None) -> DLAResult:
    """DLA dimension and orbit dimension of ``ansatz``, read from its circuit.

    Raises :class:`BadInput` (before any long computation) for gates that are not rotations
    ``exp(-i s P)`` with ``s`` entering linearly, non-Hermitian generators, or circuits that need a
    dense fallback above its size limit. ``max_dim`` aborts with ``RuntimeError`` past that size.
    """
    t0 = time.perf_counter()
    frame = frame_generators(ansatz)
    if frame.dense is not None:
        return _analyze_dense(frame, orbit, max_dim, t0)
    if orbit and frame.input_states is not None and frame.n > DENSE_STATE_MAX_QUBITS:
        raise BadInput(
            f"the orbit of a non-stabilizer input state needs a state vector, supported up to "
            f"n = {DENSE_STATE_MAX_QUBITS} qubits (got {frame.n}); ask for the DLA dimension only"
        )
    closure = lie_closure(frame.generators, max_dim=max_dim)
    dims: tuple[int, ...] = ()
    orbit_method = ""
    if orbit:
        if frame.input_states is None:
            d, orbit_method = orbit_dim_zero_state(closure)
            dims = (d,)
        else:
            basis = closure.basis if closure.basis is not None else integer_closure(closure.generators)
            dims = tuple(orbit_dim_state(basis, frame.n, psi) for psi in frame.input_states)
            orbit_method = "dense"
    return DLAResult(
        dim=closure.dim,
        orbit_dim=max(dims) if dims else None,
        orbit_dims=dims,
        seconds=time.perf_counter() - t0,
        method=closure.method,
        orbit_method=orbit_method,
        n_qubits=frame.n,
        n_generators=len(frame.generators),
        note=frame.reason,
    )


def _analyze_dense(frame: FrameGenerators, orbit: bool, max_dim: int | None, t0: float) -> DLAResult:
    basis = dense_closure(frame.dense or (), max_dim=max_dim)
    dims = tuple(dense_orbit_dim(basis, psi) for psi in frame.input_states or ()) if orbit else ()
    return DLAResult(
        dim=len(basis),
        orbit_dim=max(dims) if dims else None,
        orbit_dims=dims,
        seconds=time.perf_counter() - t0,
        method="dense",
        orbit_method="dense" if orbit else "",
        n_qubits=frame.n,
        n_generators=len(frame.dense or ()),
        note=frame.reason,
    )


@dataclasses.dataclass(frozen=True)
class FamilyResult:
    """The algebra of a whole ansatz family (every depth), from :func:`analyze_family`.

    Attributes:
        ansatz: the ansatz at the depth where the algebra first reached its final dimension.
        result: the analysis at that depth (its ``seconds`` cover the whole search).
        layers_checked: the deepest circuit analysed (one more layer than ``ansatz.layers``: the
            layer that showed the algebra had stopped growing).
        dims: the algebra's dimension at depth 1, 2, ..., ``layers_checked``.
    """

    ansatz: Ansatz
    result: DLAResult
    layers_checked: int
    dims: tuple[int, ...]

    def as_dict(self) -> dict:
        """JSON-ready dict: the analysis plus ``layers``, ``layers_checked`` and ``dims_by_layers``."""
        return self.result.as_dict() | {
            "layers": self.ansatz.layers,
            "layers_checked": self.layers_checked,
            "dims_by_layers": list(self.dims),
        }


def analyze_family(
    build: Callable[[int], Ansatz],
    orbit: bool = True,
    max_dim: int | None = None,
    max_layers: int = FAMILY_MAX_LAYERS,
) -> FamilyResult:
    """DLA and orbit of the ansatz family ``build(1), build(2), ...``: layers are added until the
    algebra stops growing.

    Generators are read in the frame of the input state, so the ``k``-layer circuit's generators are
    among the ``(k+1)``-layer circuit's and ``g_k ⊆ g_{k+1}``. Fixed gates ``F`` between layers
    conjugate the later layers' generators: ``g_{k+1} = Lie(g_1 ∪ F† g_k F)``. Once
    ``dim g_{k+1} = dim g_k`` the two are equal, ``g_k`` is invariant under ``F``, and by induction
    every deeper circuit has the same algebra: ``g_k`` is the family's, exactly. (The argument needs
    every layer to be the same circuit on fresh parameters, as for every registered ansatz.)

    Raises :class:`BadInput` if the algebra still grows after ``max_layers`` layers.
    """
    if max_layers < 2:
        raise BadInput(f"max_layers={max_layers} is not accepted; expected an integer >= 2")
    t0 = time.perf_counter()
    dims: list[int] = []
    ansatz = build(1)
    result = analyze(ansatz, orbit=False, max_dim=max_dim)
    dims.append(result.dim)
    for layers in range(2, max_layers + 1):
        deeper = build(layers)
        deeper_result = analyze(deeper, orbit=False, max_dim=max_dim)
        dims.append(deeper_result.dim)
        if deeper_result.dim == result.dim:
            if orbit:
                result = analyze(ansatz, orbit=True, max_dim=max_dim)
            result = dataclasses.replace(result, seconds=time.perf_counter() - t0)
            return FamilyResult(ansatz=ansatz, result=result, layers_checked=layers, dims=tuple(dims))
        ansatz, result = deeper, deeper_result
    raise BadInput(
        f"the algebra still grows at {max_layers} layers (dims {dims[0]} ... {dims[-1]}); "
        "ask for one depth with --layers"
    )


def dla_row(ansatz: Ansatz, result: DLAResult | None = None) -> dict:
    """One row of ``results/tables/dla.csv``: ``ansatz, n, options, dim, orbit_dim`` and the rest."""
    result = result or analyze(ansatz)
    options = ";".join(f"{k}={v}" for k, v in sorted(ansatz.options.items()))
    return {
        "ansatz": ansatz.name,
        "n": ansatz.n,
        "layers": ansatz.layers,
        "options": options,
        "n_qubits": result.n_qubits,
        "dim": result.dim,
        "orbit_dim": result.orbit_dim,
        "method": result.method,
        "orbit_method": result.orbit_method,
        "seconds": round(result.seconds, 4),
    }
