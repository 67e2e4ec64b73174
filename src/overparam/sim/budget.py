"""How much memory a simulation will need, estimated from the built circuit before anything is allocated.

Every simulating command calls one of the ``*_bytes`` estimates below with the qubit count of the
built circuit (not the requested ``n``: a QAQC circuit has ``2n`` qubits), its parameter count and
the command's batch, then :func:`check_memory`, which refuses in one line (:class:`BadInput`) when
the estimate exceeds the limit. The limit is, first found: ``--max-memory-gb``, the environment
variable ``OVERPARAM_MAX_MEMORY_GB``, else the machine's available memory (``MemAvailable`` of
``/proc/meminfo``).

The estimates count state-vector columns. With ``D = 2^q`` amplitudes for ``q`` qubits:

* the JAX engine is complex128 (16 bytes per amplitude). Its Jacobian pass carries the state and all
  ``M`` derivative columns through every gate; XLA keeps the scan's input and output buffers, the
  tangent terms of a rotation and the real/imaginary stack of the QFIM product, so
  ``jacobian_bytes = FIXED + JACOBIAN_COPIES * 16 * D * (M + 1)``;
* training runs ``B`` parameter vectors on ``S`` input states as ``S * B`` columns; the adjoint
  reverse pass carries the state and its cotangent, and the compiled Adam chunk keeps both passes'
  buffers; the loss observable's ``T`` Pauli terms are assembled as a sparse matrix for the qsim
  re-check of the final losses: ``train_bytes = TRAIN_FIXED + TRAIN_COPIES * 16 * D * S * B +
  SPARSE_BYTES * D * T`` (plus, with ``--spectra``, the Hessian's forward mode over the adjoint
  gradient: ``M`` directions, each a (state, cotangent) pair, ``HESSIAN_COPIES * 16 * D * S * M``,
  and one Jacobian);
* qsim and Cirq differentiate through the forward simulator: the ``(D, M)`` complex128 Jacobian,
  a few states, and the sparse generator of the widest (moment, symbol) group, assembled from
  ``(row, col, value)`` triples of 32 bytes per term and amplitude:
  ``FIXED + 16 * D * (M + STATE_COPIES) + SPARSE_BYTES * D * T``;
* the free-fermion engine (``--backend fermion``/``auto`` on a matchgate circuit) carries two
  real ``2q x 2q`` matrices per column (the Majorana rotation and its adjoint) and, for the QFIM, a
  complex ``q x q`` block per parameter: polynomial in ``q`` (not measured here; from the engine's
  own description, with the same copy factors);
* density matrices (``noisy-qfim``; the noisy virtual processor of ``hardware-qfim``) have ``D^2``
  entries and a Jacobian of ``M`` of them.

``FIXED`` is the interpreter with NumPy, Cirq, qsim and JAX loaded plus compilation. The constants
were set from peak RSS (``/usr/bin/time -f %M``) of ``overparam qfim``/``qfim-prefix``/``train`` on
``tfim-hva`` (4 layers, M = 8; train with 4 runs) at 14, 18 and 20 qubits, in MiB (measured /
estimated):

========================  ===========  ===========  ===========
command                   n = 14       n = 18       n = 20
========================  ===========  ===========  ===========
qfim --backend jax        498 / 525    682 / 728    1341 / 1376
qfim-prefix (jax)         500 / 525    702 / 728    1333 / 1376
qfim --backend qsim       258 / 530    585 / 856    1784 / 2016
train --runs 4            610 / 674    940 / 1312   (not run)
========================  ===========  ===========  ===========

The estimates are deliberately a little high: a refusal costs a flag, an overrun costs the machine.
"""

from __future__ import annotations

import math
import os

from overparam.errors import BadInput

#: Environment variable holding the memory limit in GiB (``--max-memory-gb`` takes precedence).
ENV_MAX_MEMORY = "OVERPARAM_MAX_MEMORY_GB"
#: The option every simulating command takes to set the limit.
FLAG = "--max-memory-gb"

GIB = 2**30
MIB = 2**20
#: Interpreter with NumPy, SciPy, Cirq, qsimcirq and JAX imported, plus XLA compilation.
FIXED_BYTES = 512 * MIB
#: The same plus optax and the compiled Adam chunks.
TRAIN_FIXED_BYTES = 640 * MIB
#: Bytes of one complex128 amplitude (the engine, and Cirq's/qsim's returned states).
AMPLITUDE = 16
JACOBIAN_COPIES = 6
TRAIN_COPIES = 6
HESSIAN_COPIES = 4
STATE_COPIES = 6
SPARSE_BYTES = 64


def available_bytes() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes (``None`` where the platform has no such file)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_limit(max_memory_gb: float | None = None) -> tuple[int | None, str]:
    """The limit in bytes and where it came from: the flag, the environment, or available memory."""
    if max_memory_gb is not None:
        return int(max_memory_gb * GIB), f"{FLAG} {max_memory_gb:g}"
    raw = os.environ.get(ENV_MAX_MEMORY)
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and value > 0):
            raise BadInput(f"{ENV_MAX_MEMORY}={raw!r} is not accepted; expected a positive number of GiB")
        return int(value * GIB), f"{ENV_MAX_MEMORY}={raw}"
    return available_bytes(), "the available memory (MemAvailable)"


def human_bytes(count: int) -> str:
    """``count`` bytes as MiB, GiB or TiB, or a power of ten when it is astronomically large."""
    if count < GIB:
        return f"{count / MIB:.3g} MiB"
    if count < 2**40:
        return f"{count / GIB:.3g} GiB"
    if count < 2**60:
        return f"{count / 2**40:.3g} TiB"
    return f"10^{len(str(count)) - 1} bytes"


def jacobian_bytes(n_qubits: int, n_params: int) -> int:
    """The JAX engine's Jacobian and QFIM at one point (``qfim --backend jax``, ``qfim-prefix``)."""
    return FIXED_BYTES + JACOBIAN_COPIES * AMPLITUDE * 2**n_qubits * (n_params + 1)


def forward_jacobian_bytes(n_qubits: int, n_params: int, widest_group: int) -> int:
    """qsim/Cirq state derivatives: the Jacobian, a few states and the widest sparse generator."""
    dim = 2**n_qubits
    return FIXED_BYTES + AMPLITUDE * dim * (n_params + STATE_COPIES) + SPARSE_BYTES * dim * max(1, widest_group)


def train_bytes(
    n_qubits: int, n_params: int, n_states: int, runs: int, spectra: int = 0, loss_terms: int = 0
) -> int:
    """Batched Adam on ``runs`` vectors and ``n_states`` inputs (a loss of ``loss_terms`` Pauli terms),
    plus the Hessian when ``spectra > 0``."""
    dim = 2**n_qubits
    need = TRAIN_FIXED_BYTES + TRAIN_COPIES * AMPLITUDE * dim * max(1, n_states) * runs
    need += SPARSE_BYTES * dim * loss_terms
    if spectra > 0:
        need += HESSIAN_COPIES * AMPLITUDE * dim * max(1, n_states) * n_params
        need += JACOBIAN_COPIES * AMPLITUDE * dim * (n_params + 1)
    return need


def landscape_bytes(
    n_qubits: int, n_params: int, n_states: int, inits: int, grid: int, chunk: int = 4096, loss_terms: int = 0
) -> int:
    """Training ``inits`` vectors with Hessians at the end points, and the loss on a ``grid x grid`` slice
    evaluated ``chunk`` points at a time."""
    slice_columns = min(grid * grid, chunk) * max(1, n_states)
    return max(
        train_bytes(n_qubits, n_params, n_states, inits, spectra=1, loss_terms=loss_terms),
        FIXED_BYTES + TRAIN_COPIES * AMPLITUDE * 2**n_qubits * slice_columns,
    )


def fermion_bytes(n_qubits: int, n_params: int, columns: int = 1, qfim: bool = False) -> int:
    """The free-fermion engine: ``2q x 2q`` float64 pairs per column, plus ``q x q`` complex blocks per
    parameter for a QFIM."""
    side = 2 * n_qubits
    need = FIXED_BYTES + TRAIN_COPIES * 8 * side * side * 2 * max(1, columns)
    if qfim:
        need += JACOBIAN_COPIES * 16 * n_qubits * n_qubits * (n_params + 1)
    return need


def density_bytes(n_qubits: int, n_params: int) -> int:
    """An exact density matrix and its Jacobian (``4^q`` entries each, complex128, a few copies)."""
    return FIXED_BYTES + JACOBIAN_COPIES * AMPLITUDE * 4**n_qubits * (n_params + 1)


def hardware_bytes(ansatz, noisy_density: bool) -> int:
    """``hardware-qfim`` on a simulated processor: the exact Cirq QFIM beside the shots, and on the
    density-matrix simulator the ``4^q``-entry mixed state (a few copies)."""
    need = forward_jacobian_bytes(ansatz.n_qubits, ansatz.n_params, widest_group(ansatz.circuit))
    if noisy_density:
        need += JACOBIAN_COPIES * AMPLITUDE * 4**ansatz.n_qubits
    return need


def loss_terms(ansatz) -> int:
    """Pauli terms of the ansatz's energy loss (0 for other losses)."""
    observable = getattr(ansatz.loss, "observable", None)
    return len(observable) if observable is not None else 0


def widest_group(circuit) -> int:
    """Most parametrized operations in one moment: a bound on the terms of one sparse generator."""
    import cirq

    return max((sum(1 for op in m if cirq.is_parameterized(op)) for m in circuit), default=1)


def qfim_bytes(ansatz, backend: str) -> int:
    """One QFIM of ``ansatz`` on a resolved ``backend`` (``fermion``, ``jax``, ``qsim`` or ``cirq``)."""
    if backend == "fermion":
        return fermion_bytes(ansatz.n_qubits, ansatz.n_params, 1, qfim=True)
    if backend == "jax":
        return jacobian_bytes(ansatz.n_qubits, ansatz.n_params)
    return forward_jacobian_bytes(ansatz.n_qubits, ansatz.n_params, widest_group(ansatz.circuit))


def check_memory(need: int, what: str, max_memory_gb: float | None = None) -> int:
    """Raise :class:`BadInput` (one line: estimate, limit, the option raising it) when ``need`` is over the limit.

    ``what`` names the computation (``"qfim of tfim-hva n=30 layers=1 (30 qubits, M=2)"``).
    Returns ``need``.
    """
    limit, source = memory_limit(max_memory_gb)
    if limit is not None and need > limit:
        raise BadInput(
            f"{what} needs about {human_bytes(need)} of memory; the limit is {human_bytes(limit)} "
            f"({source}); lower --n or the depth/batch, or raise the limit with {FLAG} "
            f"(or {ENV_MAX_MEMORY})"
        )
    return need


def describe(command: str, ansatz) -> str:
    """``"<command> of <name> n=<n> layers=<L> (<q> qubits, M=<M>)"`` for a refusal message."""
    return (
        f"{command} of {ansatz.name} n={ansatz.n} layers={ansatz.layers} "
        f"({ansatz.n_qubits} qubits, M={ansatz.n_params})"
    )
