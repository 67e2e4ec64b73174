"""OVERPARAM_THREADS reaches every numerics library, XLA's intra-op pool included."""

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, os
import overparam
import jax, jax.numpy as jnp
x = jnp.ones((256, 256))
(x @ x).block_until_ready()
names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")]
print(json.dumps({"eigen": sum(n.startswith("tf_XLAEigen") for n in names),
                  "env": {v: os.environ.get(v) for v in overparam.THREAD_VARIABLES}}))
"""


def _probe(env_overrides: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PJRT_NPROC", "NPROC", "OVERPARAM_THREADS")}
    env.update(env_overrides)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2, reason="needs /proc and 2 cores")
def test_overparam_threads_limits_the_xla_pool():
    limited = _probe({"OVERPARAM_THREADS": "1"})
    assert limited["eigen"] == 1
    assert set(limited["env"].values()) == {"1"}
    # Without the limit XLA starts one pool thread per core: the probe can tell the two apart.
    unlimited = _probe({"PJRT_NPROC": "2"})
    assert unlimited["eigen"] == 2


def test_variables_set_by_the_user_are_kept():
    kept = _probe({"OVERPARAM_THREADS": "1", "OPENBLAS_NUM_THREADS": "3"})
    assert kept["env"]["OPENBLAS_NUM_THREADS"] == "3"
    assert kept["env"]["PJRT_NPROC"] == "1"


def test_a_malformed_value_sets_nothing():
    env = {"OVERPARAM_THREADS": "two"}
    result = _probe(env)
    assert result["env"]["PJRT_NPROC"] is None


@pytest.mark.parametrize("value", ["two", "0"])
def test_a_malformed_thread_count_is_refused_by_the_cli(value, monkeypatch, capsys):
    from overparam.cli.app import main

    monkeypatch.setenv("OVERPARAM_THREADS", value)
    assert main(["train", "tfim-hva", "--n", "4", "--layers", "2", "--runs", "2", "--steps", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"overparam: error: OVERPARAM_THREADS={value!r} is not accepted; use a positive integer (threads per job)"]
