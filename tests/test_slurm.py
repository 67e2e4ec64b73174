"""Opt-in: the quick config through a real single-node SLURM (tests/slurm/run_slurm_test.sh).

Skipped unless ``OVERPARAM_SLURM_TEST=1``; needs root and apt-get (it installs Debian's slurm-wlm
and munge, starts munged, slurmctld and slurmd on localhost, and stops them again).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.workflow
@pytest.mark.skipif(os.environ.get("OVERPARAM_SLURM_TEST") != "1", reason="set OVERPARAM_SLURM_TEST=1 (needs root)")
def test_quick_config_through_slurm(tmp_path):
    env = dict(os.environ, OVERPARAM_PYTHON=sys.executable, SLURM_TEST_WORKDIR=str(tmp_path))
    proc = subprocess.run(
        ["bash", str(ROOT / "tests/slurm/run_slurm_test.sh")], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=7200,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "OK:" in proc.stderr
    assert (tmp_path / "repo/book/_build/html/index.html").is_file()
