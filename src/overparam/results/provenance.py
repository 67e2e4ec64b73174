"""Provenance of a result: git commit, config hash, package versions, CPU/GPU, rule wall times."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

PACKAGES = (
    "overparam", "cirq-core", "cirq-google", "qsimcirq", "numpy", "scipy", "jax", "jaxlib", "optax", "matplotlib",
    "snakemake", "jupyter-book",
)


def config_hash(config: Mapping[str, Any]) -> str:
    """First 12 hex digits of the SHA-256 of the config as sorted JSON."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:12]


def git_commit(root: str | Path = ".") -> str:
    """The checked-out commit (with ``-dirty`` if the tree has changes), or ``unknown``."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    """Installed version of each package in ``PACKAGES`` (``not installed`` when absent)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` and the number of logical CPUs this process may use."""
    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 0
    return f"{name} ({cores} logical CPUs)" if cores else name


def gpu_model() -> str:
    """Name, memory and driver of every NVIDIA GPU that ``nvidia-smi`` lists, or ``none``."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "none"
    gpus = [", driver ".join(line.rsplit(", ", 1)) for line in out.splitlines() if line.strip()]
    return "; ".join(gpus) or "none"


def rule_wall_times(benchmark_dir: str | Path, rule: str) -> dict[str, float]:
    """Wall seconds per job of ``rule`` from Snakemake ``benchmark:`` files (``{job: seconds}``)."""
    out = {}
    for path in sorted(Path(benchmark_dir, rule).glob("*.tsv")):
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows:
            out[path.stem] = float(rows[-1]["s"])
    return out


def provenance(config_digest: str, root: str | Path = ".") -> dict[str, Any]:
    """Everything a page's provenance block states about the build that produced it."""
    return {
        "git_commit": git_commit(root),
        "config_hash": config_digest,
        "packages": package_versions(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "gpu": gpu_model(),
    }
