"""Provenance of a result: git commit, config hash, package versions, CPU/GPU, rule wall times."""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

PACKAGES = ("overparam", "cirq-core", "qsimcirq", "numpy", "scipy", "jax", "optax", "snakemake", "jupyter-book")


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
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


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
    return {
        "git_commit": git_commit(root),
        "config_hash": config_digest,
        "packages": package_versions(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "gpu": "none",
    }
