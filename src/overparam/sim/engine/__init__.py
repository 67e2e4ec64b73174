"""Differentiable state-vector engine compiled from an ansatz's Cirq circuit (JAX, float64)."""

from overparam.sim.engine.engine import Engine, build_engine
from overparam.sim.engine.program import Program, compile_ansatz

__all__ = ["Engine", "Program", "build_engine", "compile_ansatz"]
