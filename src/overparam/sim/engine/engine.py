"""The differentiable engine of one ansatz: loss, gradient, state, Jacobian, QFIM and Hessian.

Built automatically from the ansatz's Cirq circuit (:func:`compile_ansatz`); nothing is written per
ansatz. Two routes share the same kernels:

* :meth:`Engine.loss_and_grad`, for training and benchmarks: a batch of parameter vectors, the
  forward pass, then the adjoint reverse pass of :mod:`overparam.sim.engine.run` (no stored states).
* :meth:`Engine.jacobian`, :meth:`Engine.qfim`: the forward-mode Jacobian pass of
  :func:`~overparam.sim.engine.run.jacobian` (all ``M`` derivative columns carried beside the state);
  :meth:`Engine.hessian`: the same pass carrying the cotangent pulled back to the input
  (:func:`~overparam.sim.engine.run.second_order`) plus the Gauss-Newton part; tested against JAX
  forward mode over the adjoint gradient (:meth:`Engine.hessian_reference`). Used at single points.

Columns of the batched state are ``(input state s, parameter vector b)`` pairs in ``s``-major order;
the loss of a parameter vector is the mean over the input states.
"""

from __future__ import annotations


import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from overparam.ansatze.base import Ansatz  # noqa: E402
from overparam.sim.engine.losses import (  # noqa: E402
    energy_and_cotangent_from_groups,
    energy_from_groups,
    state_loss,
    state_loss_and_cotangent,
)
from overparam.sim.engine.program import Program, compile_ansatz  # noqa: E402
from overparam.sim.engine.run import adjoint, forward, jacobian, second_order  # noqa: E402
from overparam.sim.engine.eigen import eigen_layers  # noqa: E402
from overparam.sim.engine.symmetry import ReducedProgram, parity_reduce  # noqa: E402
from overparam.sim.batched import BatchedLoss  # noqa: E402


def _input_matrix(ansatz: Ansatz) -> np.ndarray:
    """Input states as the columns of a ``(2^n, S)`` complex matrix."""
    dim = 2**ansatz.n_qubits
    cols = []
    for s in ansatz.states():
        if s is None:
            s = np.zeros(dim, dtype=np.complex128)
            s[0] = 1.0
        cols.append(np.asarray(s, dtype=np.complex128).reshape(-1))
    return np.stack(cols, axis=1)


class Engine(BatchedLoss):
    """Differentiable simulator of ``ansatz`` in float64 / complex128 JAX."""

    def __init__(self, ansatz: Ansatz, symmetry: bool = True) -> None:
        self.ansatz = ansatz
        self.program: Program = compile_ansatz(ansatz)
        self.n_qubits = ansatz.n_qubits
        self.n_params = ansatz.n_params
        self._inputs = _input_matrix(ansatz)
        self._state_loss = state_loss(ansatz.loss, ansatz.qubits) if ansatz.loss is not None else None
        self._cotangent = state_loss_and_cotangent(ansatz.loss, ansatz.qubits) if ansatz.loss is not None else None
        # Loss and gradient (training, Hessians) run on half the state when the global bit flip is
        # a symmetry of the circuit, the input and the observable; states, Jacobians and the QFIM
        # always use the full program.
        self.reduced: ReducedProgram | None = (
            parity_reduce(self.program, self._inputs, ansatz.loss, ansatz.qubits) if symmetry else None
        )
        if self.reduced is not None:
            self._train_program, self._train_inputs = self.reduced.program, self.reduced.inputs
            self._train_loss = energy_from_groups(self.reduced.groups, self.reduced.offset)
            self._train_cotangent = energy_and_cotangent_from_groups(self.reduced.groups, self.reduced.offset)
        else:
            self._train_program, self._train_inputs = self.program, self._inputs
            self._train_loss, self._train_cotangent = self._state_loss, self._cotangent
        if symmetry:
            self._train_program = eigen_layers(self._train_program)
        self._loss_and_grad = jax.jit(self._loss_and_grad_impl)
        self._loss = jax.jit(self._loss_impl)
        self._final = jax.jit(self._final_states)
        self._jacobian = jax.jit(self._jacobian_impl, static_argnums=1)
        self._qfim = jax.jit(self._qfim_impl, static_argnums=1)
        # The Hessian: one forward pass carrying the Jacobian and the pulled-back cotangent
        # (run.second_order), 3.8x faster than forward mode over the adjoint gradient at QAQC n = 5,
        # M = 1370. The latter stays as the reference it is tested against: one jvp per direction
        # through the same two passes, which compiles far faster than reverse-over-reverse.
        self._hessian = jax.jit(self._hessian_impl)
        self._hessian_reference = jax.jit(jax.jacfwd(lambda v: self._loss_and_grad_impl(v[None, :])[1][0]))

    # ---- batched core -------------------------------------------------------------------------

    def _columns(self, values: jnp.ndarray, inputs: np.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        """Angles ``(M, S*B)`` and initial states ``(2^n, S*B)`` for a batch ``(B, M)``."""
        s = inputs.shape[1]
        thetas = jnp.tile(values.T, (1, s))
        init = jnp.repeat(jnp.asarray(inputs), values.shape[0], axis=1)
        return thetas, init

    def _final_states(self, values: jnp.ndarray, inputs: np.ndarray | None = None) -> jnp.ndarray:
        thetas, init = self._columns(values, self._inputs if inputs is None else inputs)
        return forward(self.program, thetas, init)

    def _per_vector(self, column_losses: jnp.ndarray, batch: int) -> jnp.ndarray:
        return jnp.mean(column_losses.reshape(-1, batch), axis=0)

    def _loss_impl(self, values: jnp.ndarray) -> jnp.ndarray:
        thetas, init = self._columns(values, self._train_inputs)
        psi = forward(self._train_program, thetas, init)
        return self._per_vector(self._train_loss(psi), values.shape[0])

    def _loss_and_grad_impl(self, values: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        batch = values.shape[0]
        thetas, init = self._columns(values, self._train_inputs)
        psi = forward(self._train_program, thetas, init)
        column_losses, lam = self._train_cotangent(psi)
        # The loss of a vector is the mean over its S input states: each column weighs 1/S.
        n_states = thetas.shape[1] // batch
        per = self._per_vector(column_losses, batch)
        grads = adjoint(self._train_program, thetas, psi, lam / n_states)  # (M, S*B)
        return per, jnp.sum(grads.T.reshape(-1, batch, self.n_params), axis=0)

    def _state_of(self, values: jnp.ndarray, input_index: int) -> jnp.ndarray:
        inputs = self._inputs[:, input_index : input_index + 1]
        return self._final_states(values[None, :], inputs).reshape(-1)

    def _jacobian_impl(self, values: jnp.ndarray, input_index: int) -> tuple[jnp.ndarray, jnp.ndarray]:
        return jacobian(self.program, values, jnp.asarray(self._inputs[:, input_index]))

    def _qfim_impl(self, values: jnp.ndarray, input_index: int) -> jnp.ndarray:
        psi, jac = self._jacobian_impl(values, input_index)
        overlap = jnp.conj(psi) @ jac
        # Re(J^H J) as one real product of the stacked real and imaginary parts.
        stacked = jnp.concatenate([jnp.real(jac), jnp.imag(jac)], axis=0)
        gram = stacked.T @ stacked
        return 4.0 * (gram - jnp.real(jnp.outer(jnp.conj(overlap), overlap)))

    def _hessian_impl(self, values: jnp.ndarray) -> jnp.ndarray:
        # L(psi(theta)) with lam = dL/dRe psi + i dL/dIm psi: the gradient is Re<lam|d_j psi>, so the
        # Hessian is Re<d_i lam|d_j psi> (lam's change along the Jacobian column, the Gauss-Newton
        # part) plus Re<lam|d_i d_j psi>, read off one forward pass that carries U^dagger lam.
        total = jnp.zeros((self.n_params, self.n_params))
        def apply_u(v: jnp.ndarray) -> jnp.ndarray:
            return forward(self.program, values[:, None], v[:, None])[:, 0]

        for s in range(self._inputs.shape[1]):
            state = jnp.asarray(self._inputs[:, s])
            psi, pull_back = jax.vjp(apply_u, state)
            _, lam = self._cotangent(psi[:, None])
            # vjp of a complex-linear map gives U^T c; U^dagger lam is its conjugate at c = conj(lam).
            chi = jnp.conj(pull_back(jnp.conj(lam[:, 0]))[0])
            _, jac, pairs, diag = second_order(self.program, values, state, chi)
            m = jac.shape[1]
            _, dlam = jax.jvp(lambda v: self._cotangent(v)[1], (jnp.broadcast_to(psi[:, None], (psi.shape[0], m)),),
                              (jac,))
            gauss_newton = jnp.real(jnp.conj(dlam).T @ jac)
            curvature = jnp.real(pairs + pairs.T) + jnp.diag(jnp.real(diag))
            total = total + gauss_newton + curvature
        return total / self._inputs.shape[1]

    # ---- public API ---------------------------------------------------------------------------

    def _has_loss(self) -> bool:
        return self._state_loss is not None

    def state(self, values: np.ndarray, input_index: int = 0) -> np.ndarray:
        """Output state ``U(theta)|psi_in>`` (``2^n`` complex128, big-endian as Cirq)."""
        return np.asarray(self._state_of(self._check(values, False), input_index))

    def states(self, values: np.ndarray) -> np.ndarray:
        """Output states for a batch ``(B, M)``: shape ``(S, B, 2^n)`` over the ``S`` input states."""
        vals = self._check(values, True)
        psi = np.asarray(self._final(vals)).reshape(2**self.n_qubits, -1, vals.shape[0])
        return np.transpose(psi, (1, 2, 0))

    def jacobian(self, values: np.ndarray, input_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """``(psi, J)`` with ``J[:, j] = d psi / d theta_j`` (shape ``(2^n, M)``), forward mode."""
        psi, jac = self._jacobian(self._check(values, False), input_index)
        return np.asarray(psi), np.asarray(jac)

    def qfim(self, values: np.ndarray, input_index: int = 0) -> np.ndarray:
        """QFIM ``4 Re[<d_i psi|d_j psi> - <d_i psi|psi><psi|d_j psi>]`` of one input state, ``(M, M)``."""
        return np.asarray(self._qfim(self._check(values, False), input_index))

    def hessian(self, values: np.ndarray) -> np.ndarray:
        """Hessian of the loss (mean over input states) at ``values``, ``(M, M)``."""
        self._require_loss()
        return np.asarray(self._hessian(self._check(values, False)))

    def hessian_reference(self, values: np.ndarray) -> np.ndarray:
        """The same Hessian by JAX forward mode over the adjoint gradient (the test oracle; slower)."""
        self._require_loss()
        return np.asarray(self._hessian_reference(self._check(values, False)))


def build_engine(ansatz: Ansatz, symmetry: bool = True) -> Engine:
    """Compile ``ansatz`` into an :class:`Engine` (JIT compilation happens on first use).

    ``symmetry=False`` keeps the loss and gradient on the full state even where the global bit flip
    is a symmetry (for checks of the reduced route).
    """
    return Engine(ansatz, symmetry)
