"""Exact, differentiable density-matrix simulation of an ansatz under depolarizing noise.

Noise model (:class:`overparam.sim.noise.NoiseModel`, experiment 6 of the paper; the convention is
fixed here and in the tests):

* **local**: after *every* operation of the circuit (the fixed input-preparation gates such as the
  Hadamards included, since a device applies noise after them too), a single-qubit depolarizing
  channel of strength ``p`` acts on *each* qubit the operation touches, exactly as
  ``cirq.depolarize(p)``::

      rho -> (1 - p) rho + p/3 (X rho X + Y rho Y + Z rho Z)

  A two-qubit gate is therefore followed by ``depolarize(p)`` on each of its two qubits (not a
  two-qubit depolarizing channel). ``p`` must lie in ``[0, 1]``.
* **global**: once, at the end, ``rho -> q rho + (1 - q) I / 2^n`` (the paper's extended-data noise figure). A global
  depolarizing channel commutes with every unitary and every other global channel, so applying it
  once with ``q`` equals applying it after every gate with strengths whose product is ``q``.
  ``q`` must lie in ``[0, 1]`` (``q = 1`` is noiseless).

The program is compiled automatically from the Cirq circuit: fixed gates enter through
``cirq.unitary``; a parametrized gate ``op = exp(-i s G) V`` (see :mod:`overparam.sim.generators`)
enters as its generator ``G`` (diagonalised once, ``exp(-i s G) = W exp(-i s g) W^dag``) and its
fixed part ``V`` (the gate at ``s = 0``). The identity part of ``G`` is a global phase and cancels in
``U rho U^dag``. Everything runs in JAX double precision (x64 is switched on only inside this
module's calls, so other JAX users keep their own setting) and ``d rho / d theta_j`` comes from
forward-mode automatic differentiation.

The density matrix costs ``4^n`` complex numbers and its Jacobian ``M 4^n``; :data:`MAX_QUBITS`
bounds ``n`` so that a request that would not fit in memory fails with one line before computing.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import cirq
import jax
import jax.numpy as jnp
import numpy as np

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.sim.generators import normalize_circuit, operation_generator
from overparam.sim.noise import NoiseModel

# 8 qubits: rho is 256 x 256 (1 MiB), its Jacobian at M = 100 parameters about 100 MiB, and the
# stacked gates 2 MiB per operation (a few hundred MiB for a deep circuit). At 10 qubits each of
# these grows 16-fold, past the memory of a workstation.
MAX_QUBITS = 8


def check_size(n_qubits: int) -> None:
    """Refuse density matrices that would not fit in memory (one line, before any computation)."""
    if n_qubits > MAX_QUBITS:
        raise BadInput(
            f"{n_qubits} qubits are too many for exact density matrices (4^n entries and their "
            f"Jacobian); expected at most {MAX_QUBITS} qubits"
        )


@dataclasses.dataclass(frozen=True)
class Step:
    """One compiled operation: ``U = exp(-i s G) V`` on ``axes`` (``param`` is ``None`` if fixed).

    For a parametrized step ``eigvecs``/``eigvals`` diagonalise ``G``; ``fixed`` is ``V`` (or the
    whole unitary of a fixed gate).
    """

    axes: tuple[int, ...]
    fixed: np.ndarray
    param: int | None = None
    eigvals: np.ndarray | None = None
    eigvecs: np.ndarray | None = None


def compile_steps(ansatz: Ansatz) -> tuple[Step, ...]:
    """Turn the ansatz circuit into a flat list of :class:`Step`, in circuit order."""
    circuit = normalize_circuit(ansatz.circuit)
    index = {q: k for k, q in enumerate(ansatz.qubits)}
    column = {s: j for j, s in enumerate(ansatz.symbols)}
    steps = []
    for op in circuit.all_operations():
        axes = tuple(index[q] for q in op.qubits)
        if not cirq.is_parameterized(op):
            steps.append(Step(axes, np.asarray(cirq.unitary(op), dtype=np.complex128)))
            continue
        sym, gen = operation_generator(op)
        # The fixed part V is the gate with its symbol set to zero (exponent a*s + b -> b).
        fixed = np.asarray(cirq.unitary(cirq.resolve_parameters(op, {sym: 0.0})), dtype=np.complex128)
        g = gen.matrix(op.qubits) if len(gen) else np.zeros((2 ** len(axes),) * 2, dtype=np.complex128)
        vals, vecs = np.linalg.eigh(np.asarray(g, dtype=np.complex128))
        steps.append(Step(axes, fixed, column[sym], vals, vecs))
    return tuple(steps)


def embed(matrix: np.ndarray, axes: Sequence[int], n: int) -> np.ndarray:
    """The ``k``-qubit ``matrix`` acting on ``axes`` of ``n`` qubits, as a ``2^n x 2^n`` matrix."""
    k = len(axes)
    full = np.eye(2**n, dtype=np.complex128).reshape((2,) * (2 * n))
    moved = np.tensordot(matrix.reshape((2,) * (2 * k)), full, axes=(list(range(k, 2 * k)), list(axes)))
    return np.moveaxis(moved, list(range(k)), list(axes)).reshape(2**n, 2**n)


def embed_diagonal(values: np.ndarray, axes: Sequence[int], n: int) -> np.ndarray:
    """The diagonal of ``diag(values)`` on ``axes`` tensored with the identity elsewhere."""
    k = len(axes)
    basis = np.arange(2**n)
    local = np.zeros(2**n, dtype=np.int64)
    for j, a in enumerate(axes):
        # big-endian: qubit a is bit (n-1-a) of the full index and bit (k-1-j) of the local one
        local |= ((basis >> (n - 1 - a)) & 1) << (k - 1 - j)
    return np.asarray(values, dtype=np.float64)[local]


@dataclasses.dataclass(frozen=True)
class StackedSteps:
    """Every step as full-space arrays of one shape, so the circuit runs as one ``lax.scan``.

    Step ``t`` applies ``U_t = left[t] diag(exp(-i theta[param[t]] phases[t])) right[t]`` and then
    ``cirq.depolarize(p)`` on the qubits with ``noisy[t] = 1``. A fixed gate has ``phases = 0``
    (so its ``param`` is irrelevant) and ``left = I``. With a scan the compile time does not grow
    with the depth, which an unrolled Python loop would make the dominant cost.
    """

    left: np.ndarray  # (T, d, d): eigenvectors W of the embedded generator
    right: np.ndarray  # (T, d, d): W^dag V
    phases: np.ndarray  # (T, d): eigenvalues of the embedded generator
    param: np.ndarray  # (T,) int
    noisy: np.ndarray  # (T, n) float, 1 on the qubits the operation touches


def stack_steps(steps: Sequence[Step], n: int) -> StackedSteps:
    """Embed every compiled step into the full ``2^n`` space and stack them."""
    d = 2**n
    left, right, phases, params, noisy = [], [], [], [], []
    for st in steps:
        mask = np.zeros(n)
        mask[list(st.axes)] = 1.0
        noisy.append(mask)
        if st.param is None:
            left.append(np.eye(d, dtype=np.complex128))
            right.append(embed(st.fixed, st.axes, n))
            phases.append(np.zeros(d))
            params.append(0)
        else:
            w = embed(st.eigvecs, st.axes, n)
            left.append(w)
            right.append(w.conj().T @ embed(st.fixed, st.axes, n))
            phases.append(embed_diagonal(st.eigvals, st.axes, n))
            params.append(st.param)
    return StackedSteps(
        np.stack(left), np.stack(right), np.stack(phases), np.asarray(params, dtype=np.int32), np.stack(noisy)
    )


def _depolarize(rho: jnp.ndarray, p: jnp.ndarray, axis: int, n: int) -> jnp.ndarray:
    """``cirq.depolarize(p)`` on qubit ``axis`` of ``rho`` (shape ``(2,) * 2n``).

    Uses ``sum_{P in I,X,Y,Z} P A P = 2 Tr(A) I``, so ``(1-p) rho + p/3 (X rho X + Y rho Y + Z rho Z)
    = (1 - 4p/3) rho + (4p/3) (I/2 (x) Tr_axis rho)``: one partial trace instead of three products.
    """
    reduced = jnp.trace(rho, axis1=axis, axis2=n + axis)
    mixed = jnp.expand_dims(reduced, (axis, n + axis))
    shape = [1] * (2 * n)
    shape[axis] = shape[n + axis] = 2
    half_identity = (0.5 * jnp.eye(2, dtype=rho.dtype)).reshape(shape)
    return (1.0 - 4.0 * p / 3.0) * rho + (4.0 * p / 3.0) * mixed * half_identity


def _run(
    theta: jnp.ndarray,
    p: jnp.ndarray,
    q: jnp.ndarray,
    rho_in: jnp.ndarray,
    steps: tuple[jnp.ndarray, ...],
) -> jnp.ndarray:
    """``rho(theta, p, q, rho_in)``: one ``lax.scan`` over the stacked steps (see :class:`StackedSteps`).

    The steps are arguments, not constants baked into the program, so the compiled code depends
    only on the shapes (qubits, steps, parameters) and is reused by every circuit that shares them;
    at 8 qubits baked-in constants would also make XLA copy hundreds of MB into the program.
    """
    d = rho_in.shape[0]
    n = d.bit_length() - 1

    def step(rho: jnp.ndarray, x: tuple) -> tuple[jnp.ndarray, None]:
        left, right, phases, param, noisy = x
        u = (left * jnp.exp(-1j * theta[param] * phases)) @ right
        rho = (u @ rho @ u.conj().T).reshape((2,) * (2 * n))
        for a in range(n):
            # strength 0 on untouched qubits: (1 - 0) rho + 0 is rho exactly
            rho = _depolarize(rho, p * noisy[a], a, n)
        return rho.reshape(d, d), None

    rho, _ = jax.lax.scan(step, rho_in, steps)
    return q * rho + (1.0 - q) * jnp.eye(d, dtype=rho.dtype) / d


def _run_with_rho(*args: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    rho = _run(*args)
    return rho, rho


_forward = jax.jit(_run)
# jacfwd: M is small (tens) and rho has 4^n outputs, so forward mode is the cheap side. The
# Jacobian program also returns rho (has_aux), so a QFIM needs one compilation, not two.
_jacobian = jax.jit(jax.jacfwd(_run_with_rho, argnums=0, has_aux=True))


def _circuit_key(ansatz: Ansatz) -> tuple:
    # Circuits are not hashable by content across rebuilds; their repr plus the qubit/symbol
    # order is, and two ansätze with the same key compile to the same steps.
    return (repr(ansatz.circuit), tuple(map(str, ansatz.qubits)), tuple(map(str, ansatz.symbols)))


_STEPS: dict[tuple, StackedSteps] = {}
_STEPS_KEPT = 16  # a sweep over depths needs one entry per depth; older ones are dropped


def stacked_steps(ansatz: Ansatz) -> StackedSteps:
    """The (cached) stacked steps of ``ansatz``; raises :class:`BadInput` if ``n`` is too big."""
    check_size(ansatz.n_qubits)
    key = _circuit_key(ansatz)
    if key not in _STEPS:
        while len(_STEPS) >= _STEPS_KEPT:
            _STEPS.pop(next(iter(_STEPS)))
        _STEPS[key] = stack_steps(compile_steps(ansatz), ansatz.n_qubits)
    return _STEPS[key]


def input_density(ansatz: Ansatz, input_index: int = 0) -> np.ndarray:
    """``|psi_in><psi_in|`` for the ansatz's ``input_index``-th input state (``|0...0>`` by default)."""
    dim = 2**ansatz.n_qubits
    state = ansatz.states()[input_index]
    if state is None:
        state = np.zeros(dim, dtype=np.complex128)
        state[0] = 1.0
    return np.outer(state, state.conj())


def _args(ansatz: Ansatz, values: Sequence[float], noise: NoiseModel, input_index: int) -> tuple:
    """The arguments of ``_run`` as float64/complex128 JAX arrays (call inside the x64 context)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size != ansatz.n_params:
        raise ValueError(f"expected {ansatz.n_params} parameter values, got {values.size}")
    st = stacked_steps(ansatz)
    return (
        jnp.asarray(values),
        jnp.asarray(noise.local, dtype=jnp.float64),
        jnp.asarray(noise.global_q, dtype=jnp.float64),
        jnp.asarray(input_density(ansatz, input_index)),
        tuple(jnp.asarray(a) for a in (st.left, st.right, st.phases, st.param, st.noisy)),
    )


def density_matrix(
    ansatz: Ansatz, values: Sequence[float], noise: NoiseModel = NoiseModel(), input_index: int = 0
) -> np.ndarray:
    """The noisy output state ``rho(theta)`` (shape ``(2^n, 2^n)``, complex128)."""
    with jax.enable_x64(True):
        return np.asarray(_forward(*_args(ansatz, values, noise, input_index)))


def density_jacobian(
    ansatz: Ansatz, values: Sequence[float], noise: NoiseModel = NoiseModel(), input_index: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(rho, d_rho)`` with ``d_rho[j] = d rho / d theta_j`` (shape ``(M, 2^n, 2^n)``), complex128."""
    with jax.enable_x64(True):
        jac, rho = _jacobian(*_args(ansatz, values, noise, input_index))
        jac, rho = np.asarray(jac), np.asarray(rho)
    return rho, np.moveaxis(jac, -1, 0)


# --- an independent reference: the same noise model as a Cirq circuit ----------------------------


def noisy_cirq_circuit(circuit: cirq.AbstractCircuit, local: float) -> cirq.Circuit:
    """``circuit`` with ``cirq.depolarize(local)`` on every qubit of every operation, right after it.

    Each operation gets its own moment followed by a moment of depolarizing channels, so the noise
    order is exactly "gate, then its noise" whatever the moment structure of the original.
    """
    out = cirq.Circuit()
    for op in circuit.all_operations():
        out.append(cirq.Moment([op]))
        if local > 0.0:
            out.append(cirq.Moment([cirq.depolarize(local).on(q) for q in op.qubits]))
    return out


def cirq_density_matrix(
    ansatz: Ansatz, values: Sequence[float], noise: NoiseModel = NoiseModel(), input_index: int = 0
) -> np.ndarray:
    """Reference ``rho(theta)`` from ``cirq.DensityMatrixSimulator`` in complex128 (for tests)."""
    check_size(ansatz.n_qubits)
    noisy = noisy_cirq_circuit(ansatz.circuit, noise.local)
    sim = cirq.DensityMatrixSimulator(dtype=np.complex128)
    result = sim.simulate(
        noisy,
        param_resolver=ansatz.resolver(values),
        qubit_order=list(ansatz.qubits),
        initial_state=input_density(ansatz, input_index),
    )
    rho = np.asarray(result.final_density_matrix, dtype=np.complex128)
    dim = rho.shape[0]
    return noise.global_q * rho + (1.0 - noise.global_q) * np.eye(dim) / dim

