"""benchmarks/bench_tcng.py: TensorCircuit-NG's circuit and Gaussian-state simulators agree with the
project's engines before anything is timed, and the benchmark refuses cleanly without the package."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import jax
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench_tcng.py"
HAVE_TC = importlib.util.find_spec("tensorcircuit") is not None


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_tcng", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_TC, reason="tensorcircuit-ng is not installed (optional extra 'bench')")
def test_agreement_check_at_n4():
    bench = _bench_module()
    try:
        errors = bench.check_agreement(4, 3, 3, seed=5)
        assert jax.config.jax_enable_x64  # importing tensorcircuit switches it off; the benchmark switches it back
    finally:
        jax.config.update("jax_enable_x64", True)
    assert set(errors) == {"statevector", "tc-circuit", "tc-fgs"}
    for tool, err in errors.items():
        assert err["loss"] < 1e-10 and err["grad"] < 1e-10, (tool, err)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_TC, reason="tensorcircuit-ng is not installed (optional extra 'bench')")
def test_agreement_check_fails_on_a_wrong_circuit(monkeypatch):
    # The check can fail: a Gaussian-state circuit with the X rotation's sign flipped is caught.
    bench = _bench_module()
    try:
        tc = bench.import_tensorcircuit()
        real = tc.FGSSimulator.evol_cp
        monkeypatch.setattr(tc.FGSSimulator, "evol_cp", lambda self, i, chi=0: real(self, i, -chi))
        with pytest.raises(RuntimeError, match="tc-fgs"):
            bench.check_agreement(3, 2, 2, seed=1, statevector=False)
    finally:
        jax.config.update("jax_enable_x64", True)


@pytest.mark.slow  # a fresh interpreter importing JAX and Cirq
def test_benchmark_exits_2_naming_the_missing_package():
    code = ("import runpy, sys; sys.modules['tensorcircuit'] = None; "
            f"sys.argv = ['bench_tcng.py', '--cases', 'n10']; runpy.run_path({str(BENCH)!r}, run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "tensorcircuit-ng" in lines[0]
