"""Ansätze: parametrized Cirq circuits, the registry, and a user's own ``package.module:function``."""

from overparam.ansatze.base import Ansatz, EnergyLoss, Loss, ZeroProjectorLoss, circuit_symbols, from_circuit
from overparam.ansatze.entry import Entry, Option
from overparam.ansatze.registry import build_ansatz, parse_options, registered

__all__ = [
    "Ansatz",
    "EnergyLoss",
    "Entry",
    "Loss",
    "Option",
    "ZeroProjectorLoss",
    "build_ansatz",
    "circuit_symbols",
    "from_circuit",
    "parse_options",
    "registered",
]
