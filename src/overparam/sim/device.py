"""Where the simulators run: CPU (default) or one NVIDIA GPU (``--gpu`` / ``simulator.gpu: true``).

On the GPU, qsim runs through its CUDA backend (``qsimcirq.QSimOptions(use_gpu=True)``) and the
differentiable JAX engine places its arrays on ``jax.devices('cuda')[0]``. Both need a build with
CUDA support and a visible GPU; :func:`require_gpu` checks all three *before* anything is asked of
a GPU, because qsim's CUDA runtime error on a machine without a driver ends the whole process
instead of raising (see README, section "GPU: qsim with CUDA").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Callable

from overparam.errors import BadInput

README_SECTION = 'README.md, section "GPU: qsim with CUDA"'
INSTALL_HINT = (
    f"install qsim with CUDA: pip install --no-binary qsimcirq qsimcirq with the CUDA toolkit and "
    f"CUDACXX set, and jax[cuda12] ({README_SECTION})"
)
JAX_INSTALL_HINT = f"install jax[cuda12] on a machine with an NVIDIA driver ({README_SECTION})"

_state = {"gpu": False}


def gpu_enabled() -> bool:
    """True once :func:`use_gpu` switched this process to the GPU."""
    return _state["gpu"]


def qsim_gpu_support() -> str | None:
    """``None`` if the installed qsimcirq has a CUDA backend, else why not (one phrase)."""
    try:
        import qsimcirq
    except ImportError:  # pragma: no cover - qsimcirq is a hard dependency
        return "qsimcirq is not installed"
    if getattr(qsimcirq, "qsim_gpu", None) is None:
        version = getattr(qsimcirq, "__version__", "?")
        return f"the installed qsimcirq {version} has no CUDA backend (qsimcirq.qsim_gpu is None; PyPI wheels are CPU-only)"
    return None


def nvidia_gpu_visible(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """``None`` if ``nvidia-smi -L`` lists a GPU, else why not (one phrase)."""
    exe = which("nvidia-smi")
    if exe is None:
        return "no NVIDIA GPU is visible (nvidia-smi not found: no driver)"
    try:
        out = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"no NVIDIA GPU is visible (nvidia-smi failed: {exc})"
    if out.returncode != 0 or "GPU" not in out.stdout:
        return "no NVIDIA GPU is visible (nvidia-smi -L lists none)"
    return None


_JAX_PROBE = (
    "import jax, sys\n"
    "try:\n    print(len(jax.devices('cuda')))\n"
    "except RuntimeError as e:\n    print('0 ' + ' '.join(str(e).split())[:160])\n"
)


def jax_gpu_visible(in_process: bool = True) -> str | None:
    """``None`` if JAX sees a CUDA device, else why not (one phrase).

    ``in_process=False`` asks a child Python instead, so that the calling process (the Snakemake
    scheduler) never initialises CUDA or reserves GPU memory.
    """
    if in_process:
        import jax

        try:
            jax.devices("cuda")
            return None
        except RuntimeError:
            return "JAX has no CUDA device (install jax[cuda12])"
    env = dict(os.environ, XLA_PYTHON_CLIENT_PREALLOCATE="false")
    try:
        out = subprocess.run([sys.executable, "-c", _JAX_PROBE], capture_output=True, text=True, timeout=120, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"JAX could not be asked for a CUDA device ({exc})"
    first = (out.stdout.strip().split() or ["0"])[0]
    return None if first.isdigit() and int(first) > 0 else "JAX has no CUDA device (install jax[cuda12])"


def gpu_problems(in_process: bool = True, qsim: bool = True) -> list[str]:
    """Every reason the GPU path cannot run here (empty when it can).

    The driver is checked first; JAX is only asked when a GPU is visible (asking it without a
    driver just repeats the first reason). ``qsim=False`` (a command that simulates with the JAX
    engine only, ``--backend jax``) leaves qsim's CUDA build out of the reasons.
    """
    problems = [p for p in (qsim_gpu_support() if qsim else None, nvidia_gpu_visible()) if p]
    if not any(p.startswith("no NVIDIA GPU") for p in problems):
        jax_problem = jax_gpu_visible(in_process)
        if jax_problem:
            problems.append(jax_problem)
    return problems


def require_gpu(in_process: bool = True, qsim: bool = True) -> None:
    """Raise :class:`BadInput` (one line, exit 2) naming what is missing for the GPU path (qsim's
    CUDA build only when ``qsim``)."""
    problems = gpu_problems(in_process, qsim)
    if problems:
        raise BadInput(f"GPU requested but {'; and '.join(problems)}; {INSTALL_HINT if qsim else JAX_INSTALL_HINT}")


def use_gpu(enabled: bool, qsim: bool = True) -> None:
    """Select the device of this process's simulators (call before the first simulation).

    ``True`` checks the GPU path (:func:`require_gpu`), stops JAX from reserving most of the GPU's
    memory up front (qsim allocates its own state vectors beside it), and makes the engine's
    arrays live on the first CUDA device. ``False`` keeps JAX on the CPU unless ``JAX_PLATFORMS``
    says otherwise, so that the CPU and the GPU path are one switch apart. ``qsim=False``: the
    command runs the JAX engine only, so qsim's CUDA build is not required.
    """
    if not enabled:
        _state["gpu"] = False
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        return
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    require_gpu(in_process=True, qsim=qsim)
    import jax

    jax.config.update("jax_default_device", jax.devices("cuda")[0])
    _state["gpu"] = True


def qsim_options(threads: int, gpu: bool | None = None):
    """``qsimcirq.QSimOptions`` for this process: CUDA state vectors when the GPU is on."""
    import qsimcirq

    if gpu is None:
        gpu = gpu_enabled()
    if gpu:
        # gpu_mode 0: qsim's own CUDA kernels (1 would need NVIDIA cuStateVec, not shipped here).
        return qsimcirq.QSimOptions(use_gpu=True, gpu_mode=0, cpu_threads=threads)
    return qsimcirq.QSimOptions(cpu_threads=threads)
