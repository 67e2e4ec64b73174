"""A workflow killed with SIGKILL mid-run resumes as the README says: unlock, then rerun-incomplete.

Snakemake leaves its lock behind when it is killed, so the resume command alone stops with a
LockException; ``snakemake --unlock`` clears it. Outputs are written atomically, so the killed run
leaves no half-written shard, and the resumed shards equal those of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
# Shards of two different jobs (fig3 trains the depths of one sweep entry in one bundle job).
SHARDS = ["results/data/train/fig3/tfim-periodic_n4_L4", "results/data/train/fig3/tfim-open_n4_L8"]
TARGETS = [f"{s}.{ext}" for s in SHARDS for ext in ("json", "npz")]
# Keys that measure time or the machine, not the physics.
TIMING_KEYS = {"seconds", "wall_seconds", "compile_seconds", "run_seconds", "provenance", "timings", "host"}


def _copy_repo(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src, target = ROOT / rel, dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_file():
            shutil.copy2(src, target)
    return dest


def _snakemake(repo: Path, *args: str) -> subprocess.CompletedProcess:
    # Targets first: --configfile takes every word after it.
    cmd = [str(SNAKEMAKE), *args, "--cores", "1", "--configfile", "config/quick.yaml"]
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=900)


def _physics(path: Path) -> dict:
    obj = json.loads(path.read_text())
    return {k: v for k, v in obj.items() if k not in TIMING_KEYS and "seconds" not in k}


@pytest.mark.slow
@pytest.mark.workflow
def test_sigkill_then_unlock_then_rerun_incomplete(tmp_path, quick_workflow):
    repo = _copy_repo(tmp_path / "killed")
    cmd = [str(SNAKEMAKE), *TARGETS, "--cores", "1", "--configfile", "config/quick.yaml"]
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    first, second = (repo / f"{s}.json" for s in SHARDS)
    deadline = time.monotonic() + 600
    # Kill while a job is running: after the first shard, once the second job's log exists.
    while time.monotonic() < deadline and proc.poll() is None:
        logs = list((repo / "logs/train/fig3").glob("*.log")) if (repo / "logs/train/fig3").is_dir() else []
        if (first.exists() or second.exists()) and len(logs) == 2:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the workflow finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = [p for p in (first, second) if p.exists()]
    assert len(done) == 1, "expected exactly one finished shard at the kill"
    json.loads(done[0].read_text())  # complete, not half-written

    locked = _snakemake(repo, "--rerun-incomplete", *TARGETS)
    if locked.returncode != 0:  # the documented reason for --unlock
        assert "lock" in (locked.stdout + locked.stderr).lower()
        unlock = _snakemake(repo, "--unlock", *TARGETS)
        assert unlock.returncode == 0, unlock.stderr[-2000:]
        resumed = _snakemake(repo, "--rerun-incomplete", *TARGETS)
        assert resumed.returncode == 0, resumed.stderr[-3000:]

    clean, _ = quick_workflow  # the uninterrupted run of the same config
    for shard in SHARDS:
        assert _physics(repo / f"{shard}.json") == _physics(clean / f"{shard}.json"), shard
        with np.load(repo / f"{shard}.npz") as a, np.load(clean / f"{shard}.npz") as b:
            assert sorted(a.files) == sorted(b.files)
            for key in (k for k in a.files if "seconds" not in k):
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"{shard}.npz[{key}]")
