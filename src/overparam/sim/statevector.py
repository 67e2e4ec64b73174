"""Forward state-vector simulation through qsim (the reference) or ``cirq.Simulator``.

qsim computes in single precision (complex64); every state leaves this module as complex128 so
that downstream linear algebra (QFIM spectra, ranks) runs in double precision.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Sequence

import cirq
import numpy as np

from overparam.errors import BadInput

BACKENDS = ("qsim", "cirq")


def default_threads() -> int:
    """Threads for qsim: ``OVERPARAM_THREADS`` if set, else every core this process may use."""
    env = os.environ.get("OVERPARAM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise BadInput(f"backend {backend!r} is not accepted; use one of {', '.join(BACKENDS)}")
    return backend


def simulator(backend: str = "qsim", threads: int | None = None) -> cirq.SimulatesFinalState:
    """A cached simulator for ``backend`` ('qsim' in complex64, 'cirq' in complex128).

    qsim runs on the GPU when :func:`overparam.sim.device.use_gpu` switched this process to it.
    """
    from overparam.sim.device import gpu_enabled

    return _simulator(backend, threads, gpu_enabled())


@lru_cache(maxsize=8)
def _simulator(backend: str, threads: int | None, gpu: bool) -> cirq.SimulatesFinalState:
    check_backend(backend)
    if backend == "cirq":
        return cirq.Simulator(dtype=np.complex128)
    import qsimcirq

    from overparam.sim.device import qsim_options

    return qsimcirq.QSimSimulator(qsim_options=qsim_options(threads or default_threads(), gpu))


def simulate_state(
    circuit: cirq.AbstractCircuit,
    qubits: Sequence[cirq.Qid],
    resolver: cirq.ParamResolverOrSimilarType = None,
    initial_state: np.ndarray | None = None,
    backend: str = "qsim",
) -> np.ndarray:
    """Final state of ``circuit`` on ``qubits`` (big-endian), as complex128.

    ``initial_state`` need not be normalized: it is normalized for the simulator and the result is
    scaled back, so the map is linear (the QFIM code applies circuits to non-unit vectors).
    """
    dim = 2 ** len(qubits)
    scale = 1.0
    if initial_state is None:
        init: int | np.ndarray = 0
    else:
        vec = np.asarray(initial_state, dtype=np.complex128).reshape(-1)
        scale = float(np.linalg.norm(vec))
        if scale == 0.0:
            return np.zeros(dim, dtype=np.complex128)
        dtype = np.complex64 if backend == "qsim" else np.complex128
        init = (vec / scale).astype(dtype)
    if not len(circuit):
        state = np.zeros(dim, dtype=np.complex128) if isinstance(init, int) else init.astype(np.complex128)
        if isinstance(init, int):
            state[0] = 1.0
        return state * scale
    result = simulator(backend).simulate(
        circuit, param_resolver=resolver, qubit_order=list(qubits), initial_state=init
    )
    return np.asarray(result.final_state_vector, dtype=np.complex128) * scale
