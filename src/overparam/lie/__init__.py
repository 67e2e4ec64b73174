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

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.lie.closure import Closure, integer_closure, lie_closure
from overparam.lie.dense import dense_closure, dense_orbit_dim
from overparam.lie.frame import DENSE_STATE_MAX_QUBITS, FrameGenerators, frame_generators
from overparam.lie.orbit import orbit_dim_state, orbit_dim_zero_state

__all__ = ["Closure", "DLAResult", "analyze", "dla_row", "frame_generators", "lie_closure"]


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
