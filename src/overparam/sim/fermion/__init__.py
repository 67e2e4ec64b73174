"""Free-fermion (matchgate) backend: exact simulation on the ``2n x 2n`` Majorana covariance matrix."""

from overparam.sim.fermion.engine import FermionEngine, build_fermion_engine
from overparam.sim.fermion.program import FermionProgram, NotFreeFermion, compile_fermion, free_fermion_reason

__all__ = [
    "FermionEngine",
    "FermionProgram",
    "NotFreeFermion",
    "build_fermion_engine",
    "compile_fermion",
    "free_fermion_reason",
]
