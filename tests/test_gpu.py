"""The GPU switch: a clean one-line failure where it cannot run, the right qsim options where it can.

No GPU is needed: where the machine has no CUDA qsim / GPU the real failure is checked; the
GPU-capable path is checked with a fake qsimcirq module (never a real CUDA call).
"""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from overparam.sim import device, statevector

GPU_WORKS = not device.gpu_problems()
needs_no_gpu = pytest.mark.skipif(GPU_WORKS, reason="this machine can run the GPU path")


@needs_no_gpu
@pytest.mark.parametrize(
    "argv",
    [
        ["qfim", "tfim-hva", "--n", "4", "--layers", "2"],
        ["qfim-sweep", "tfim-hva", "--n", "4", "--layers", "1,2"],
        ["qfim-prefix", "tfim-hva", "--n", "4", "--layers", "2"],
        ["qfim", "tfim-hva", "--n", "4", "--layers", "2", "--backend", "jax"],
        ["train", "tfim-hva", "--n", "4", "--layers", "2", "--runs", "1", "--steps", "2"],
    ],
)
def test_gpu_flag_fails_in_one_line_before_any_simulation(argv, capsys, monkeypatch):
    from overparam.cli import main

    def boom(*a, **k):  # any simulation before the check would trip this
        raise AssertionError("simulated before the GPU check")

    monkeypatch.setattr(statevector, "_simulator", boom)
    monkeypatch.setattr("overparam.sim.engine.build_engine", boom)
    assert main([*argv, "--gpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    line = err[0]
    assert line.startswith("overparam: error: GPU requested but ")
    assert "README.md" in line and "GPU: qsim with CUDA" in line
    import qsimcirq

    if argv[0] == "qfim-prefix" or "jax" in argv:  # JAX engine only: qsim's CUDA build does not apply
        assert "qsim" not in line.split("README.md")[0], line
        assert "jax[cuda12]" in line
    else:
        assert "pip install --no-binary qsimcirq" in line
        if qsimcirq.qsim_gpu is None:
            assert "qsimcirq.qsim_gpu is None" in line
    assert not device.gpu_enabled()


@needs_no_gpu
def test_gpu_flag_exit_status_2_as_a_process():
    out = subprocess.run(
        [sys.executable, "-m", "overparam", "qfim", "tfim-hva", "--n", "4", "--layers", "1", "--gpu", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "GPU requested" in out.stderr


def test_no_nvidia_smi_is_named(tmp_path):
    assert "nvidia-smi not found" in device.nvidia_gpu_visible(lambda name: None)
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'No devices were found'\nexit 6\n")
    fake.chmod(0o755)
    assert "lists none" in device.nvidia_gpu_visible(lambda name: str(fake))
    fake.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-x)'\n")
    assert device.nvidia_gpu_visible(lambda name: str(fake)) is None


def _fake_qsimcirq(monkeypatch) -> types.SimpleNamespace:
    """A stand-in qsimcirq with a CUDA backend that records how it is asked to simulate."""
    calls = types.SimpleNamespace(options=[], simulators=[])

    class QSimOptions:
        def __init__(self, **kwargs):
            self.kwargs = kwargs
            calls.options.append(kwargs)

    class QSimSimulator:
        def __init__(self, qsim_options=None):
            calls.simulators.append(qsim_options)

    fake = types.ModuleType("qsimcirq")
    fake.QSimOptions = QSimOptions
    fake.QSimSimulator = QSimSimulator
    fake.qsim_gpu = object()
    fake.__version__ = "0.0-fake-cuda"
    monkeypatch.setitem(sys.modules, "qsimcirq", fake)
    return calls


def test_gpu_capable_qsim_gets_use_gpu_options(monkeypatch):
    calls = _fake_qsimcirq(monkeypatch)
    monkeypatch.setattr(device, "nvidia_gpu_visible", lambda: None)
    monkeypatch.setattr(device, "jax_gpu_visible", lambda in_process=True: None)
    assert device.qsim_gpu_support() is None
    assert device.gpu_problems() == []
    device.require_gpu()  # nothing missing: no exception
    statevector._simulator.cache_clear()
    monkeypatch.setitem(device._state, "gpu", True)
    try:
        statevector.simulator("qsim", threads=3)
        assert calls.options[-1] == {"use_gpu": True, "gpu_mode": 0, "cpu_threads": 3}
        assert calls.simulators[-1].kwargs["use_gpu"] is True
        monkeypatch.setitem(device._state, "gpu", False)
        statevector.simulator("qsim", threads=3)  # a CPU simulator is a different cached object
        assert calls.options[-1] == {"cpu_threads": 3}
    finally:
        statevector._simulator.cache_clear()


def test_each_missing_piece_is_named(monkeypatch):
    _fake_qsimcirq(monkeypatch)
    monkeypatch.setattr(device, "nvidia_gpu_visible", lambda: None)
    monkeypatch.setattr(device, "jax_gpu_visible", lambda in_process=True: "JAX has no CUDA device (install jax[cuda12])")
    with pytest.raises(device.BadInput) as err:
        device.require_gpu()
    msg = str(err.value)
    assert "JAX has no CUDA device" in msg and "qsim_gpu" not in msg and "\n" not in msg
    sys.modules["qsimcirq"].qsim_gpu = None
    assert "qsimcirq.qsim_gpu is None" in device.qsim_gpu_support()


def test_real_qsim_options_object_for_the_gpu():
    # Building the options object touches no CUDA; only a simulator run would.
    opts = device.qsim_options(2, gpu=True)
    assert opts.use_gpu is True and opts.gpu_mode == 0 and opts.cpu_threads == 2
    assert device.qsim_options(2, gpu=False).use_gpu is False


@needs_no_gpu
@pytest.mark.workflow
def test_workflow_gpu_switch_fails_at_config_load(tmp_path):
    from helpers import copy_repo, snakemake

    repo = copy_repo(tmp_path / "repo")
    out = snakemake(repo, "--configfile", "config/quick.yaml", "config/gpu.yaml", "--dry-run")
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.startswith("config error")]
    assert len(lines) == 1 and lines[0].startswith("config error: simulator.gpu: GPU requested but ")
    assert "Building DAG" not in out.stdout + out.stderr


def test_use_gpu_puts_the_engine_on_the_cuda_device(monkeypatch):
    import jax
    import numpy as np

    from overparam.ansatze import build_ansatz
    from overparam.sim.engine import build_engine

    stand_in = jax.devices("cpu")[0]  # plays the CUDA device; the wiring is what is tested
    real_devices = jax.devices
    monkeypatch.setattr(device, "require_gpu", lambda in_process=True, qsim=True: None)
    monkeypatch.setattr(jax, "devices", lambda backend=None: [stand_in] if backend == "cuda" else real_devices(backend))
    monkeypatch.setitem(device._state, "gpu", False)
    try:
        device.use_gpu(True)
        assert device.gpu_enabled()
        assert jax.config.jax_default_device == stand_in
        engine = build_engine(build_ansatz("tfim-hva", 3, 1, {}))
        psi = engine._state_of(jax.numpy.zeros(2), 0)
        assert psi.devices() == {stand_in} and np.isclose(float(jax.numpy.linalg.norm(psi)), 1.0)
    finally:
        jax.config.update("jax_default_device", None)
