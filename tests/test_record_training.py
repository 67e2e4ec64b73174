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

from overparam.cli import main
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
        assert main(["train", "tfim-hva", "--opt", "boundary=periodic", "--n", "4", "--layers", str(layers),
                     "--runs", "4", "--steps", "150", "--lr", "0.05", "--seed", "1", "--label", "tfim-periodic",
                     "--stop-below", "1e-11", "--curves", f"{stem}.npz", "--out", f"{stem}.json"]) == 0
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


def _shard(model: str, n: int, layers: int, final: list[float], lowest: list[float], stop=None) -> dict:
    """A training shard as ``overparam train`` writes it (fields read by record_training.py)."""
    return {"model": model, "ansatz": "tfim-hva", "n": n, "layers": layers, "options": {"boundary": "open"},
            "n_params": 2 * layers, "steps": 3000, "lr": 0.01, "seed": 2023, "stop_below": stop,
            "fixed_floor": 1e-11, "backend": "fermion", "final_losses": final,
            "qsim_final_losses": [None] * len(final), "lowest_losses": lowest, "seconds": 1.0}


def _open_n4_workdir(tmp_path: Path, layers: list[int]) -> tuple[Path, Path]:
    """A workflow directory planning fig3 open n = 4 at ``layers`` (published protocol) with its DLA
    shard (dim g 16, orbit bound 8): ``(workdir, its fig3 shard folder)``."""
    work = tmp_path / "run"
    shards = work / "results" / "data" / "train" / "fig3"
    shards.mkdir(parents=True)
    (work / "config").mkdir()
    (work / "config" / "config.yaml").write_text(yaml.safe_dump({"fig3": {
        "success_threshold": 1e-4, "stop_below": None, "fixed_floor": 1e-11,
        "sweeps": [{"model": "tfim-open", "n": 4, "layers": layers}]}}))
    dla = work / "results" / "data" / "dla"
    dla.mkdir(parents=True)
    (dla / "tfim-open_n4.json").write_text(json.dumps({"dim": 16, "orbit_dim": 8}))
    return work, shards


def test_record_of_published_protocol_shards_gives_both_counts(tmp_path):
    """Synthetic shards (no training): the published protocol's count, the fixed protocol's from the same
    runs, the runs below the threshold at some step, the engine and the job seconds; the CSV is a record
    the replication tables read."""
    work, shards = _open_n4_workdir(tmp_path, [4, 8])
    # Runs: stuck; converged to the floor; kicked back up after the floor (a fixed-protocol success only);
    # below 1e-4 without reaching the floor; below 1e-4 once, then above it again (no success either way).
    final = [5e-3, 2e-5, 3e-3, 5e-5, 2e-3]
    lowest = [5e-3, 1e-12, 5e-12, 2e-5, 5e-5]
    (shards / "tfim-open_n4_L4.json").write_text(json.dumps(_shard("tfim-open", 4, 4, final, lowest)))
    (shards / "tfim-open_n4_L8.json").write_text(json.dumps(_shard("tfim-open", 4, 8, [1e-13] * 5, [1e-13] * 5)))
    bench = work / "benchmarks" / "out" / "train_run"
    bench.mkdir(parents=True)
    (bench / "fig3_tfim-open_n4_L4.tsv").write_text("s\th:m:s\tmax_rss\tcpu_time\n12.5\t0:00:12\t100\t11.0\n")
    out, table = tmp_path / "record.json", tmp_path / "fig3-published-protocol.csv"
    argv = ["--workdir", str(work), "--exp", "fig3", "--json-out", str(out), "--csv-out", str(table),
            "--sweep-wall-s", "90"]
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "record_training.py"), *argv],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    rows = {int(r["layers"]): r for r in csv.DictReader(table.open())}
    low = rows[4]
    assert (low["successes"], low["fixed_successes"], low["reached_at_some_step"]) == ("2", "3", "4")
    assert (low["protocol"], low["engine"], low["job_wall_s"], low["job_cpu_s"]) == ("published", "fermion", "12.5",
                                                                                      "11.0")
    assert low["best_final_loss"] == "2.000e-05" and low["median_final_loss"] == "2.000e-03"
    assert low["max_engine_qsim_difference"] == ""  # the qsim re-check was skipped (null)
    assert rows[8]["job_wall_s"] == "" and rows[8]["fixed_successes"] == "5"
    record = json.loads(out.read_text())
    assert record["sweep_wall_s"] == {"fig3": 90.0}
    summary = dict(zip(record["columns"], record["rows"][0]))
    assert summary["protocol"] == "published" and summary["first M with >= 90 % successes, fixed protocol"] == 16
    # The record plugs into the replication tables: both protocols beside the published count.
    from overparam.results.tables import write_csv
    from overparam.results.tables.replication import REPLICATION_HEADER, replication_rows

    pub = tmp_path / "training.csv"
    write_csv(pub, ("experiment", "model", "n", "layers", "n_params", "runs", "successes", "reached_at_some_step"),
              [["fig3", "tfim-open", 4, 4, 8, 5, 1, 4], ["fig3", "tfim-open", 4, 8, 16, 5, 5, 5]])
    rep = {int(r[3]): dict(zip(REPLICATION_HEADER, r)) for r in replication_rows([pub, table])}
    assert (rep[4]["regenerated_k"], rep[4]["regenerated_fixed"], rep[4]["regenerated_protocol"]) == (2, 3, "published")
    assert rep[4]["verdict"] == "agrees" and rep[4]["fixed_verdict"] == "agrees"


def test_record_refuses_a_bad_sweep_wall(tmp_path):
    work = tmp_path / "run"
    (work / "config").mkdir(parents=True)
    (work / "config" / "config.yaml").write_text(yaml.safe_dump({"fig3": {"success_threshold": 1e-4, "sweeps": []}}))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "record_training.py"), "--workdir", str(work),
                           "--exp", "fig3", "--sweep-wall-s", "-3"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "-3" in proc.stderr


def test_a_bundle_job_counts_once_and_a_partial_qsim_check_is_reported(tmp_path):
    """Depths trained by one job (``<exp>_<model>_n<n>_L<first>-<last>.tsv``) add that job's time once to
    their (model, n) row; a shard whose qsim re-check covered some runs reports their largest difference."""
    work, shards = _open_n4_workdir(tmp_path, [4, 6, 8])
    for layers in (4, 6, 8):
        shard = _shard("tfim-open", 4, layers, [1e-3, 1e-13, 2e-13], [1e-3, 1e-13, 2e-13])
        shard["qsim_final_losses"] = [1e-3 + 2e-8, 1e-13 - 3e-9, None]
        (shards / f"tfim-open_n4_L{layers}.json").write_text(json.dumps(shard))
    bench = work / "benchmarks" / "out" / "train_run"
    bench.mkdir(parents=True)
    (bench / "fig3_tfim-open_n4_L4-6.tsv").write_text("s\th:m:s\tmax_rss\tcpu_time\n20.0\t0:00:20\t100\t19.0\n")
    (bench / "fig3_tfim-open_n4_L8.tsv").write_text("s\th:m:s\tmax_rss\tcpu_time\n15.0\t0:00:15\t100\t14.0\n")
    out, table = tmp_path / "record.json", tmp_path / "configs.csv"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "record_training.py"), "--workdir", str(work),
                           "--exp", "fig3", "--json-out", str(out), "--csv-out", str(table)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    rows = {int(r["layers"]): r for r in csv.DictReader(table.open())}
    assert [rows[k]["job_wall_s"] for k in (4, 6, 8)] == ["", "", "15.0"]
    assert {r["max_engine_qsim_difference"] for r in rows.values()} == {"2.0e-08"}
    record = json.loads(out.read_text())
    summary = dict(zip(record["columns"], record["rows"][0]))
    assert summary["jobs timed"] == 2
    assert (summary["job wall (min)"], summary["longest job wall (min)"]) == (f"{35 / 60:.1f}", f"{20 / 60:.1f}")
