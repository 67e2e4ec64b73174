"""Shot-based estimators that work on hardware: loss, parameter-shift gradient and QFIM.

Every estimate carries its one-standard-deviation shot error. Measured quantities are independent
across circuits (each parameter point is its own set of shots), and every estimator here is a
*linear* combination of measured means, so errors propagate exactly as
``var(sum_p a_p m_p) = sum_p a_p^2 var(m_p)``.

* Probabilities (``P(0...0)``) use the binomial variance ``p(1-p)/N`` with the Laplace estimate
  ``p = (k+1)/(N+2)``, so that a point measured at exactly 0 or 1 is not given a zero error.
* Energies use the sample variance of the per-shot value ``sum_k c_k (-1)^(parity_k)`` of each
  qubit-wise commuting measurement group (so correlations within a group are counted), divided
  by ``N``.

Parameter shift (each gate ``exp(-i g c P)``, shift ``s = pi/(4c)``, see :mod:`.lowering`):
``d f/d g_k = c_k [f(g_k + s_k) - f(g_k - s_k)]``, and for a symbol shared by several gates the
sum over its gates.

QFIM from the compute-uncompute fidelity ``f(a, b) = |<psi(b)|psi(a)>|^2 = P(0...0)`` of
``U(b)^dag U(a)``: ``F = -2 Hess_b f`` at ``b = a`` (``f = 1 - F/4 (db, db) + ...``). Per pair of
gates ``k != l``: ``c_k c_l [f(++) - f(+-) - f(-+) + f(--)]`` (the four-term shift formula); on the
diagonal, ``2 c_k^2 [f(b_k + 2 s_k) - f(b_k)]`` (``f(b + 2s) = f(b - 2s)``: the two shifted gates
differ by a sign only). ``f(a, a)`` is measured, not assumed to be 1, so that on a noisy device the
diagonal is not biased by the fidelity lost to noise.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Sequence

import cirq
import numpy as np
import sympy

from overparam.ansatze.base import Ansatz, EnergyLoss, ZeroProjectorLoss
from overparam.errors import BadInput
from overparam.sim.google.backends import GoogleBackend
from overparam.sim.google.compiler import MEASUREMENT_KEY, CompiledCircuit, compile_for_device
from overparam.sim.google.lowering import GateShift, LoweredCircuit, lower_circuit

log = logging.getLogger(__name__)

# Quantum Engine's limit on repetitions summed over one job's sweep (engine_validator); jobs are
# split to stay under it, on the virtual engines as on the real one.
MAX_JOB_REPETITIONS = 5_000_000


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A shot-based estimate: ``value`` with one-sigma shot ``error`` (same shape)."""

    value: np.ndarray
    error: np.ndarray
    repetitions: int
    circuits: int

    def as_dict(self) -> dict:
        return {
            "value": np.asarray(self.value).tolist(),
            "error": np.asarray(self.error).tolist(),
            "repetitions": self.repetitions,
            "circuits": self.circuits,
        }


# --- running -----------------------------------------------------------------------------------


def _check_repetitions(repetitions: int) -> int:
    if not isinstance(repetitions, (int, np.integer)) or repetitions < 2:
        raise BadInput(f"repetitions {repetitions!r} is not accepted; expected an integer >= 2")
    if repetitions > MAX_JOB_REPETITIONS:
        raise BadInput(f"repetitions {repetitions} is not accepted; expected at most {MAX_JOB_REPETITIONS}")
    return int(repetitions)


def run_points(
    backend: GoogleBackend, compiled: CompiledCircuit, gate_values: np.ndarray, repetitions: int
) -> list[np.ndarray]:
    """Bits measured at every row of ``gate_values``: one ``(repetitions, n)`` uint8 array per row.

    The rows go out as sweeps of the one compiled circuit, in jobs of at most
    ``MAX_JOB_REPETITIONS`` shots.
    """
    resolvers = compiled.resolvers(gate_values)
    per_job = max(1, MAX_JOB_REPETITIONS // repetitions)
    out: list[np.ndarray] = []
    for start in range(0, len(resolvers), per_job):
        results = backend.sampler.run_sweep(
            compiled.circuit, params=resolvers[start : start + per_job], repetitions=repetitions
        )
        out.extend(np.asarray(r.measurements[MEASUREMENT_KEY], dtype=np.uint8) for r in results)
    return out


def _zero_probability(bits: np.ndarray, columns: Sequence[int] | None = None) -> tuple[float, float]:
    """``P(bits in columns all 0)`` and its binomial variance (Laplace-smoothed, module doc)."""
    sel = bits if columns is None else bits[:, list(columns)]
    n = sel.shape[0]
    k = int(np.count_nonzero(~sel.any(axis=1)))
    p_smooth = (k + 1) / (n + 2)
    return k / n, p_smooth * (1 - p_smooth) / n


# --- programs: compiled circuits plus how their bits become a loss ----------------------------


def _qwc_groups(observable: cirq.PauliSum) -> tuple[float, list[list[cirq.PauliString]]]:
    """Constant term and the Pauli strings in greedy qubit-wise-commuting groups (first fit)."""
    constant = 0.0
    groups: list[tuple[dict, list[cirq.PauliString]]] = []
    for ps in observable:
        coeff = complex(ps.coefficient)
        if abs(coeff.imag) > 1e-12:
            raise BadInput(f"observable term {ps} has a complex coefficient; expected a Hermitian PauliSum")
        if not ps:
            constant += coeff.real
            continue
        for basis, members in groups:
            if all(basis.get(q, p) == p for q, p in ps.items()):
                basis.update(ps.items())
                members.append(ps)
                break
        else:
            groups.append((dict(ps.items()), [ps]))
    return constant, [members for _, members in groups]


@dataclasses.dataclass(frozen=True)
class _Group:
    compiled: CompiledCircuit
    # per-shot value of this group from a (shots, n) bit array
    shot_values: Callable[[np.ndarray], np.ndarray]


@dataclasses.dataclass(frozen=True)
class LossProgram:
    """The circuits that measure an ansatz's loss, compiled once for a backend.

    ``loss = constant + sum_groups mean(shot_values(bits))`` for energies; for a zero-projector
    loss, ``1 - P(0...0 on the loss qubits)``.
    """

    lowered: LoweredCircuit
    groups: tuple[_Group, ...]
    constant: float
    binomial: bool  # True for zero-projector losses (binomial error), False for energies


def _parity_values(members: list[cirq.PauliString], qubits: Sequence[cirq.Qid]) -> Callable[[np.ndarray], np.ndarray]:
    index = {q: k for k, q in enumerate(qubits)}
    columns = [[index[q] for q in ps.qubits] for ps in members]
    coeffs = np.array([complex(ps.coefficient).real for ps in members])

    def values(bits: np.ndarray) -> np.ndarray:
        # int64: parities of uint8 bits would wrap around in 1 - 2 * parity.
        bits = bits.astype(np.int64)
        signs = np.stack([1 - 2 * (bits[:, cols].sum(axis=1) % 2) for cols in columns], axis=1)
        return signs @ coeffs

    return values


def loss_program(ansatz: Ansatz, backend: GoogleBackend) -> LossProgram:
    """Compile the measurement circuits of ``ansatz.loss`` (one per measurement group)."""
    lowered = lower_circuit(ansatz)
    loss = ansatz.loss
    qubits = lowered.qubits
    if isinstance(loss, EnergyLoss):
        constant, members = _qwc_groups(loss.observable)
        groups = []
        for group in members:
            basis = cirq.PauliString({q: p for ps in group for q, p in ps.items()})
            circuit = lowered.circuit + cirq.Circuit(basis.to_z_basis_ops())
            compiled = compile_for_device(circuit, qubits, lowered.gates, backend)
            groups.append(_Group(compiled, _parity_values(group, qubits)))
        return LossProgram(lowered, tuple(groups), constant - loss.offset, binomial=False)
    if isinstance(loss, ZeroProjectorLoss):
        index = {q: k for k, q in enumerate(qubits)}
        columns = [index[q] for q in loss.qubits]
        compiled = compile_for_device(lowered.circuit, qubits, lowered.gates, backend)
        return LossProgram(
            lowered,
            (_Group(compiled, lambda bits: -(~bits[:, columns].any(axis=1)).astype(float)),),
            1.0,
            binomial=True,
        )
    raise BadInput(f"ansatz {ansatz.name!r} has no loss to measure; expected an energy or zero-projector loss")


def _program_means(
    program: LossProgram, backend: GoogleBackend, gate_values: np.ndarray, repetitions: int
) -> tuple[np.ndarray, np.ndarray]:
    """Loss and its shot variance at each row of ``gate_values``."""
    rows = np.atleast_2d(gate_values)
    value = np.full(len(rows), program.constant, dtype=float)
    var = np.zeros(len(rows))
    for group in program.groups:
        for p, bits in enumerate(run_points(backend, group.compiled, rows, repetitions)):
            shots = group.shot_values(bits)
            value[p] += shots.mean()
            if program.binomial:
                k = int(np.count_nonzero(shots))  # shots are -1 for all-zero outcomes
                p_smooth = (k + 1) / (len(shots) + 2)
                var[p] += p_smooth * (1 - p_smooth) / len(shots)
            else:
                var[p] += shots.var(ddof=1) / len(shots)
    return value, var


# --- public estimators ---------------------------------------------------------------------------


def estimate_loss(
    ansatz: Ansatz, values: np.ndarray, backend: GoogleBackend, repetitions: int, program: LossProgram | None = None
) -> Estimate:
    """The ansatz's loss at ``values`` from measurements (energy minus offset, or ``1 - P(0...0)``)."""
    repetitions = _check_repetitions(repetitions)
    program = program or loss_program(ansatz, backend)
    value, var = _program_means(program, backend, program.lowered.gate_values(values)[None, :], repetitions)
    return Estimate(np.asarray(value[0]), np.sqrt(np.asarray(var[0])), repetitions, len(program.groups))


def estimate_energy(
    ansatz: Ansatz, values: np.ndarray, backend: GoogleBackend, repetitions: int
) -> Estimate:
    """``<psi|H|psi>`` (without the loss offset) for an ansatz with an energy loss."""
    if not isinstance(ansatz.loss, EnergyLoss):
        raise BadInput(f"ansatz {ansatz.name!r} has no energy observable")
    est = estimate_loss(ansatz, values, backend, repetitions)
    return dataclasses.replace(est, value=est.value + ansatz.loss.offset)


def shift_matrix(gates: Sequence[GateShift], base: np.ndarray) -> np.ndarray:
    """Rows ``base + s_k e_k`` then ``base - s_k e_k`` for every gate ``k``."""
    shifts = np.diag([g.shift for g in gates])
    return np.vstack([base + shifts, base - shifts])


def estimate_gradient(
    ansatz: Ansatz, values: np.ndarray, backend: GoogleBackend, repetitions: int, program: LossProgram | None = None
) -> Estimate:
    """Gradient of the loss by the parameter-shift rule, summed over the gates of each symbol."""
    repetitions = _check_repetitions(repetitions)
    program = program or loss_program(ansatz, backend)
    gates = program.lowered.gates
    base = program.lowered.gate_values(values)
    value, var = _program_means(program, backend, shift_matrix(gates, base), repetitions)
    grad, grad_var = gradient_from_shifts(gates, ansatz.n_params, value, var)
    return Estimate(grad, np.sqrt(grad_var), repetitions, 2 * len(gates) * len(program.groups))


def gradient_from_shifts(
    gates: Sequence[GateShift], n_params: int, values: np.ndarray, variances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and its variance from the losses at the rows of :func:`shift_matrix`.

    ``values[k]`` is the loss with gate ``k`` shifted by ``+s_k``, ``values[G + k]`` by ``-s_k``.
    """
    n_gates = len(gates)
    grad = np.zeros(n_params)
    grad_var = np.zeros(n_params)
    for k, gate in enumerate(gates):
        grad[gate.param] += gate.coefficient * (values[k] - values[n_gates + k])
        grad_var[gate.param] += gate.coefficient**2 * (variances[k] + variances[n_gates + k])
    return grad, grad_var


def estimate_zero_probability(
    backend: GoogleBackend, compiled: CompiledCircuit, gate_values: np.ndarray, repetitions: int
) -> Estimate:
    """``P(0...0)`` of ``compiled`` at each row of ``gate_values`` (binomial errors)."""
    repetitions = _check_repetitions(repetitions)
    probs, variances = zip(*(_zero_probability(bits) for bits in run_points(backend, compiled, gate_values, repetitions)))
    return Estimate(np.array(probs), np.sqrt(np.array(variances)), repetitions, len(probs))


# --- QFIM ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QfimProgram:
    """The compute-uncompute circuit ``U(b)^dag U(a)`` compiled once (gate symbols a then b)."""

    lowered: LoweredCircuit
    compiled: CompiledCircuit


def qfim_program(ansatz: Ansatz, backend: GoogleBackend) -> QfimProgram:
    """Compile ``U(b)^dag U(a)`` for ``ansatz`` on ``backend`` with per-gate symbols for a and b."""
    lowered = lower_circuit(ansatz)
    b_gates = tuple(dataclasses.replace(g, symbol=sympy.Symbol(f"b_{g.symbol.name}")) for g in lowered.gates)
    rename = cirq.ParamResolver({g.symbol: b.symbol for g, b in zip(lowered.gates, b_gates)})
    uncompute = cirq.inverse(cirq.resolve_parameters(lowered.circuit, rename))
    circuit = lowered.circuit + uncompute
    compiled = compile_for_device(circuit, lowered.qubits, lowered.gates + b_gates, backend)
    return QfimProgram(lowered, compiled)


def qfim_design(gates: Sequence[GateShift], n_params: int, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shifted ``b`` points and the linear map from their fidelities to the QFIM.

    Returns ``(points, A)`` with ``points`` of shape ``(P, G)`` (gate angles of ``b``) and ``A`` of
    shape ``(M, M, P)`` such that ``F = A @ f`` for the vector ``f`` of measured fidelities.
    """
    n_gates = len(gates)
    rows = [base.copy()]  # f(a, a)
    terms: list[tuple[int, int, int, float]] = []  # (k, l, row, weight on H_kl)
    for k, gk in enumerate(gates):
        r = base.copy()
        r[k] += 2 * gk.shift
        rows.append(r)
        w = 2 * gk.coefficient**2
        terms += [(k, k, len(rows) - 1, w), (k, k, 0, -w)]
    for k in range(n_gates):
        for l in range(k + 1, n_gates):
            w = gates[k].coefficient * gates[l].coefficient
            for sk, sl, sign in ((1, 1, 1.0), (1, -1, -1.0), (-1, 1, -1.0), (-1, -1, 1.0)):
                r = base.copy()
                r[k] += sk * gates[k].shift
                r[l] += sl * gates[l].shift
                rows.append(r)
                terms.append((k, l, len(rows) - 1, sign * w))
    design = np.zeros((n_params, n_params, len(rows)))
    for k, l, row, weight in terms:
        i, j = gates[k].param, gates[l].param
        # F = -2 H, and H_kl (k != l) enters both F_ij and F_ji.
        design[i, j, row] += -2.0 * weight
        if k != l:
            design[j, i, row] += -2.0 * weight
    return np.array(rows), design


def estimate_qfim(
    ansatz: Ansatz, values: np.ndarray, backend: GoogleBackend, repetitions: int, program: QfimProgram | None = None
) -> Estimate:
    """The QFIM at ``values`` from compute-uncompute fidelities by the parameter-shift rule.

    ``error[i, j]`` is the one-sigma shot error of ``value[i, j]`` (module doc).
    """
    repetitions = _check_repetitions(repetitions)
    program = program or qfim_program(ansatz, backend)
    lowered = program.lowered
    a = lowered.gate_values(values)
    points, design = qfim_design(lowered.gates, ansatz.n_params, a)
    gate_values = np.hstack([np.broadcast_to(a, points.shape), points])
    log.info("QFIM: %d circuits x %d shots", len(points), repetitions)
    fid = estimate_zero_probability(backend, program.compiled, gate_values, repetitions)
    value = design @ fid.value
    error = np.sqrt((design**2) @ (fid.error**2))
    return Estimate(0.5 * (value + value.T), error, repetitions, len(points))
