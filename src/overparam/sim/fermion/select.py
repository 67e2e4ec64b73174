"""Choosing a simulation backend: the free-fermion engine wherever the circuit allows it.

``auto`` analyses the circuit once (:func:`~overparam.sim.fermion.program.compile_fermion`): when
every parametrized generator and the loss are Majorana bilinears and the input state is a pure
Gaussian state it picks ``fermion``, otherwise the caller's state-vector ``fallback``. Asking for
``fermion`` on a circuit that is not free-fermionic is bad input (one line naming the first gate or
term that breaks it), raised before any simulation.
"""

from __future__ import annotations

from typing import Sequence

from overparam.ansatze.base import Ansatz
from overparam.errors import BadInput
from overparam.sim.fermion.program import NotFreeFermion, compile_fermion

AUTO = "auto"
FERMION = "fermion"


def check_backend_name(backend: str, accepted: Sequence[str]) -> str:
    """``backend`` if it is ``auto``, ``fermion`` or one of ``accepted``; else :class:`BadInput`."""
    names = (AUTO, FERMION, *accepted)
    if backend not in names:
        raise BadInput(f"backend {backend!r} is not accepted; use one of {', '.join(names)}")
    return backend


def resolve_backend(ansatz: Ansatz, backend: str, fallback: str) -> str:
    """The backend that will run ``ansatz``: ``auto`` becomes ``fermion`` or ``fallback``.

    ``fermion`` on a circuit that is not free-fermionic raises :class:`NotFreeFermion` (a
    :class:`BadInput`); other names pass through unchanged.
    """
    if backend == FERMION:
        compile_fermion(ansatz)
        return FERMION
    if backend == AUTO:
        try:
            compile_fermion(ansatz)
        except NotFreeFermion:
            return fallback
        return FERMION
    return backend
