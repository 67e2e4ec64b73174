"""Ansätze: parametrized Cirq circuits, the registry, and a user's own ``package.module:function``."""

from overparam.ansatze.base import Ansatz, EnergyLoss, Loss, ZeroProjectorLoss, circuit_symbols, from_circuit
from overparam.ansatze.registry import Option, build_ansatz, parse_options, register, registered

__all__ = [
    "Ansatz",
    "EnergyLoss",
    "Loss",
    "Option",
    "ZeroProjectorLoss",
    "build_ansatz",
    "circuit_symbols",
    "from_circuit",
    "parse_options",
    "register",
    "registered",
]
