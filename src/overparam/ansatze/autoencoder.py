"""Quantum autoencoder with the HEA (experiment 5).

The HEA acts on ``n`` qubits (4 in the paper) and should compress a training set of orthonormal
states into the first ``n - trash`` qubits: the loss is ``1 -`` the mean probability, over the
training states, of finding the last ``trash`` qubits in ``|0...0>``. The authors used fixed states;
here the training set is a fixed-seed random orthonormal set of 4 states (QR of a complex Gaussian
matrix), a fixed training set of the same size as theirs.
"""

from __future__ import annotations

import cirq
import numpy as np

from overparam.ansatze.base import Ansatz, ZeroProjectorLoss, from_circuit
from overparam.ansatze.hea import hea_circuit
from overparam.ansatze.entry import Entry, Option
from overparam.errors import BadInput

N_TRAINING_STATES = 4


def training_states(n: int, seed: int, count: int = N_TRAINING_STATES) -> np.ndarray:
    """``count`` orthonormal ``n``-qubit states (rows), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    gauss = rng.normal(size=(2**n, count)) + 1j * rng.normal(size=(2**n, count))
    q, r = np.linalg.qr(gauss)
    # Fix the phase freedom of QR so the set depends on the seed only, not on the LAPACK build.
    q = q * (np.diag(r) / np.abs(np.diag(r))).conj()
    return q.T.copy()


def _parse_nonneg(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


def autoencoder_hea(n: int, layers: int, trash: int = 2, state_seed: int = 0) -> Ansatz:
    """The autoencoder on ``n`` qubits whose last ``trash`` qubits are discarded."""
    if not 1 <= trash <= n - 1:
        raise BadInput(f"option trash={trash} is not accepted for n={n}; expected an integer between 1 and n-1={n - 1}")
    if 2**n < N_TRAINING_STATES:
        raise BadInput(f"n={n} has fewer than {N_TRAINING_STATES} orthonormal states")
    qubits = cirq.LineQubit.range(n)
    return from_circuit(
        "autoencoder-hea",
        hea_circuit(qubits, layers),
        n=n,
        layers=layers,
        options={"trash": trash, "state_seed": state_seed},
        loss=ZeroProjectorLoss(tuple(qubits[n - trash :])),
        input_states=list(training_states(n, state_seed)),
        init_range=(0.0, 2 * np.pi),
        qubits=qubits,
    )


ENTRY = Entry(
    "autoencoder-hea",
    "Quantum autoencoder: the hardware-efficient ansatz compresses a fixed-seed random orthonormal "
    "set of 4 states; loss 1 - mean P(trash qubits in |0>)",
    options=(
        Option("trash", 2, _parse_nonneg, "an integer between 1 and n-1"),
        Option("state_seed", 0, _parse_nonneg, "a non-negative integer"),
    ),
    min_n=2,
    max_n=12,
    builder=autoencoder_hea,
)
