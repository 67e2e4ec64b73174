"""benchmarks/record_training.py reads a workflow directory's training shards into per-M success counts."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from overparam.results.tables import TRAIN_HEADER, train_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_record_of_a_small_real_training_run(tmp_path):
    work = tmp_path / "run"
    shards = work / "results" / "data" / "train" / "fig3"
    shards.mkdir(parents=True)
    (work / "config").mkdir()
    config = {"fig3": {"success_threshold": 1e-4, "stop_below": 1e-11, "sweeps": [
        {"model": "tfim-periodic", "n": 4, "layers": [1, 2, 3]}]}}
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    for layers in (1, 2):  # 2 of the 3 planned depths, trained for real
        stem = shards / f"tfim-periodic_n4_L{layers}"
        subprocess.run(
            [sys.executable, "-m", "overparam", "train", "tfim-hva", "--opt", "boundary=periodic", "--n", "4",
             "--layers", str(layers), "--seeds", "4", "--steps", "150", "--lr", "0.05", "--seed", "1",
             "--label", "tfim-periodic", "--stop-below", "1e-11", "--curves", f"{stem}.npz", "--out", f"{stem}.json"],
            check=True, capture_output=True, cwd=ROOT,
        )
    out, table = tmp_path / "record.json", tmp_path / "configs.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "record_training.py"), "--workdir", str(work), "--exp", "fig3",
         "--json-out", str(out), "--csv-out", str(table)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    record = json.loads(out.read_text())
    assert len(record["rows"]) == 1
    row = dict(zip(record["columns"], record["rows"][0]))
    # The periodic n=4 TFIM: dim g 11 and orbit bound 4 (exact Lie-algebra engine).
    assert (row["dim g"], row["orbit bound"], row["configurations done / planned"]) == (11, 4, "2/3")
    rows = list(csv.DictReader(table.open()))
    assert [int(r["n_params"]) for r in rows] == [2, 4]
    for r in rows:
        shard = json.loads((shards / f"tfim-periodic_n4_L{r['layers']}.json").read_text())
        want = sum(loss < 1e-4 for loss in shard["final_losses"])
        assert int(r["successes"]) == want
        assert f"{r['n_params']}: {want}/4" in row["successes per M"]
        assert 0 < int(r["run_steps_needed"]) <= 4 * 150
        curves = np.load(shards / f"tfim-periodic_n4_L{r['layers']}.npz")["curves"]
        np.testing.assert_array_equal(shard["lowest_losses"], curves.min(axis=1))
        assert all(low <= final for low, final in zip(shard["lowest_losses"], shard["final_losses"]))
        assert int(r["reached_at_some_step"]) == int(np.sum(curves.min(axis=1) < 1e-4)) >= want
    first = next((int(r["n_params"]) for r in rows if int(r["reached_at_some_step"]) >= 0.9 * 4), "not reached")
    assert row["first M with >= 90 % below the threshold at some step"] == first
    # The per-run table carries the lowest loss and whether the run reached the threshold.
    runs = train_rows(sorted(shards.glob("*.json")))
    cols = dict(zip(TRAIN_HEADER, zip(*runs)))
    assert len(runs) == 8
    assert all(float(low) <= float(final) for low, final in zip(cols["lowest_loss"], cols["final_loss"]))
    assert [int(float(low) < 1e-4) for low in cols["lowest_loss"]] == list(cols["reached"])
    assert "tfim-periodic" in proc.stdout
