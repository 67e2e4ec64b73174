"""Helpers shared by the tests that run the real workflow in a copy of the repository."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


# A tiny study of the XXZ example (examples/xxz), added to the shared quick run (tests/conftest.py) so
# that the user-ansatz path (study tables, page, tutorial numbers) runs through the same workflow.
TINY_STUDY = """
pythonpath: [examples/xxz]
models:
  xxz: {ansatz: "xxz_hva:xxz_hva", options: {delta: "0.5"}}
studies:
  xxz:
    model: xxz
    title: "XXZ (test)"
    dla: {sizes: [4]}
    qfim: {samples: 2, runs: [{n: 4, layers: [1, 2]}]}
    train: {runs: 2, steps: 30, lr: 0.05, success_threshold: 1.0e-4, sweeps: [{n: 4, layers: [1]}]}
"""
# The snakemake arguments of the shared run: the quick config with the tiny study over it.
QUICK_RUN = ("--configfile", "config/quick.yaml", "config/tiny_xxz.yaml")


def copy_repo(dest: Path) -> Path:
    """Copy the repository's files (tracked, and untracked ones git does not ignore) into ``dest``."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout
    for rel in dict.fromkeys(filter(None, files.decode().split("\0"))):
        src, target = ROOT / rel, dest / rel
        if src.is_symlink() or src.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if src.is_symlink():
                target.symlink_to(src.readlink())
            else:
                shutil.copy2(src, target)
    return dest


def env_with_pythonpath(*paths: Path) -> dict:
    """The environment with ``paths`` and this checkout's ``src/`` on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(p) for p in paths] + [str(ROOT / "src")])
    return env


def snakemake(workdir: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run snakemake on 2 cores in ``workdir`` with this checkout's ``src/`` importable."""
    return subprocess.run([str(SNAKEMAKE), "--cores", "2", *args], cwd=workdir, capture_output=True, text=True,
                          env=env_with_pythonpath(), timeout=timeout)


def config_error_lines(out: subprocess.CompletedProcess) -> list[str]:
    """The ``config error: ...`` lines a run wrote to stderr."""
    return [line for line in out.stderr.splitlines() if line.startswith("config error")]


def read_table(repo: Path, name: str) -> list[dict]:
    """Rows of ``results/tables/<name>`` in ``repo``."""
    with open(repo / "results/tables" / name, newline="") as fh:
        return list(csv.DictReader(fh))


def workflow_config_error(config: dict) -> str | None:
    """The one-line error the Snakefile stops with for ``config`` (None when it is accepted): the
    checks of workflow/rules/common.smk, in its order, without starting snakemake."""
    from overparam.config.checks import ConfigError, check_config, schema_errors
    from overparam.config.studies import check_studies

    try:
        schema_errors(config, str(ROOT / "config/schema.yaml"), fill_defaults=True)
        check_config(config)
        check_studies(config)
    except ConfigError as err:
        return " ".join(str(err).split())
    return None


def edited_quick_config(edit: tuple[str, str]) -> dict:
    """config/config.yaml with config/quick.yaml merged over it (as ``--configfile config/quick.yaml``
    does), after replacing ``edit[0]`` by ``edit[1]`` in quick.yaml."""
    from snakemake.utils import update_config

    text = (ROOT / "config/quick.yaml").read_text()
    assert edit[0] in text

    merged = yaml.safe_load((ROOT / "config/config.yaml").read_text())  # the Snakefile's configfile
    update_config(merged, yaml.safe_load(text.replace(edit[0], edit[1], 1)))
    return merged
