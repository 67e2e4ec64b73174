"""Simulation: qsim and Cirq forward simulation, circuit generators, the differentiable engine."""
