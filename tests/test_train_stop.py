"""Runs that reach the round-off floor stop (train(stop_below=...)) without touching the others."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.ansatze import build_ansatz
from overparam.cli import main
from overparam.sim.engine import build_engine
from overparam.train.adam import train


@pytest.fixture(scope="module")
def setup():
    ansatz = build_ansatz("tfim-hva", 4, 4, {"boundary": "periodic"})
    engine = build_engine(ansatz)
    kwargs = dict(runs=6, steps=400, lr=0.05, seed=7, engine=engine, log=None, qsim_check=False)
    return ansatz, kwargs, train(ansatz, **kwargs)


def test_an_unreachable_floor_is_exactly_plain_adam(setup):
    ansatz, kwargs, plain = setup
    # Residual energies can round to a hair below 0 at convergence, so "unreachable" is negative.
    same = train(ansatz, stop_below=-1.0, **kwargs)
    np.testing.assert_array_equal(same.curves, plain.curves)
    np.testing.assert_array_equal(same.final_params, plain.final_params)


def test_stopped_runs_stay_flat_and_the_others_are_untouched(setup):
    ansatz, kwargs, plain = setup
    floor = 1e-6
    stopped = train(ansatz, stop_below=floor, **kwargs)
    reached = np.array([np.any(c <= floor) for c in plain.curves])
    assert reached.any(), "the test needs at least one run that converges within the steps"
    for b in range(kwargs["runs"]):
        if not reached[b]:
            np.testing.assert_array_equal(stopped.curves[b], plain.curves[b])
            continue
        first = int(np.argmax(plain.curves[b] <= floor))
        # Identical up to and including the step that reached the floor, then constant.
        np.testing.assert_array_equal(stopped.curves[b, : first + 1], plain.curves[b, : first + 1])
        assert np.all(stopped.curves[b, first:] == stopped.curves[b, first])
        assert stopped.final_losses[b] <= floor
        # The kept parameters are a point whose loss the engine recomputes at the floor.
        assert abs(float(stopped.final_losses[b]) - float(stopped.curves[b, first])) < 1e-12


@pytest.mark.parametrize("value", ["0", "-1e-11", "inf", "nan"])
def test_cli_rejects_a_bad_stop_below(value, capsys):
    assert main(["train", "tfim-hva", "--n", "4", "--layers", "2", "--seeds", "2", "--steps", "5",
                 f"--stop-below={value}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--stop-below" in err[0] and value in err[0]


def test_dropping_stopped_runs_from_the_batch_changes_no_number(setup, monkeypatch):
    """compact=True (stopped runs leave the batch, which shrinks and pads) against compact=False."""
    import io

    import overparam.train.adam as adam

    # Six runs are below the size at which compaction stops paying for its recompilation; let this
    # small batch shrink all the way so that every path of the compaction is exercised.
    monkeypatch.setattr(adam, "MIN_COMPACT_BATCH", 1)
    ansatz, kwargs, _ = setup
    kwargs = {**kwargs, "log_every": 10}
    floor = 1e-6
    full = train(ansatz, stop_below=floor, compact=False, **kwargs)
    log = io.StringIO()
    small = train(ansatz, stop_below=floor, compact=True, **{**kwargs, "log": log})
    batches = [int(line.split(" batch ")[1].split()[0]) for line in log.getvalue().splitlines()]
    assert min(batches) < kwargs["runs"], "the test needs runs that stop early enough to shrink the batch"
    # XLA may vectorise a smaller batch differently, so agreement is to round-off, not bit for bit.
    np.testing.assert_allclose(small.curves, full.curves, rtol=0, atol=1e-12)
    np.testing.assert_allclose(small.final_params, full.final_params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(small.final_losses, full.final_losses, rtol=0, atol=1e-12)
    assert np.array_equal(small.final_losses <= floor, full.final_losses <= floor)


def test_small_batches_are_not_recompiled_for_every_stopped_run():
    from overparam.train.adam import MIN_COMPACT_BATCH, _batch_sizes

    assert _batch_sizes(3) == [3, 0]
    assert _batch_sizes(50) == [50, 25, 13, 7, 0]
    assert all(s > MIN_COMPACT_BATCH for s in _batch_sizes(50)[:-2])


def test_a_configuration_whose_runs_all_stop_ends_early(setup):
    import io

    ansatz, kwargs, _ = setup
    log = io.StringIO()
    floor = 1e-3  # every run of this overparametrized model gets there well within the steps
    result = train(ansatz, stop_below=floor, **{**kwargs, "log_every": 10, "log": log})
    last_step = int(log.getvalue().splitlines()[-1].split(" step ")[1].split("/")[0])
    assert last_step < kwargs["steps"]
    assert np.all(result.final_losses <= floor)
    assert result.curves.shape == (kwargs["runs"], kwargs["steps"])
    # Each curve ends flat at the value its run stopped at.
    np.testing.assert_array_equal(result.curves[:, -1], result.curves[:, last_step - 1])
    reference = train(ansatz, stop_below=floor, compact=False, **{**kwargs, "log_every": 10})
    np.testing.assert_allclose(result.curves, reference.curves, rtol=0, atol=1e-12)


def test_one_published_protocol_run_gives_the_fixed_protocols_count(tmp_path):
    """The fixed_success column of a run without a stop equals the success of the same runs stopped
    at the floor."""

    from overparam.results.tables import TRAIN_HEADER, train_rows

    common = ["train", "tfim-hva", "--n", "4", "--layers", "4", "--opt", "boundary=periodic", "--runs", "6",
              "--steps", "400", "--lr", "0.05", "--seed", "7"]
    floor = "1e-6"
    assert main([*common, "--fixed-floor", floor, "--out", str(tmp_path / "published.json")]) == 0
    assert main([*common, "--stop-below", floor, "--out", str(tmp_path / "fixed.json")]) == 0
    published = [dict(zip(TRAIN_HEADER, r)) for r in train_rows([tmp_path / "published.json"], 1e-4)]
    fixed = [dict(zip(TRAIN_HEADER, r)) for r in train_rows([tmp_path / "fixed.json"], 1e-4)]
    assert {r["protocol"] for r in published} == {"published"}
    assert {r["protocol"] for r in fixed} == {"stop below 1e-06"}
    assert [r["fixed_success"] for r in published] == [r["success"] for r in fixed]
    assert [r["fixed_success"] for r in fixed] == [r["success"] for r in fixed]
    # A run kicked back up from the floor: a failure of the published protocol, a success of the fixed one.
    import json

    shard = json.loads((tmp_path / "published.json").read_text())
    shard["final_losses"][0], shard["lowest_losses"][0] = 3e-3, 1e-12
    (tmp_path / "kicked.json").write_text(json.dumps(shard))
    kicked = dict(zip(TRAIN_HEADER, train_rows([tmp_path / "kicked.json"], 1e-4)[0]))
    assert (kicked["success"], kicked["fixed_success"], kicked["reached"]) == (0, 1, 1)


def test_several_depths_in_one_process_give_the_shards_of_one_depth_each(tmp_path):
    """``--layers 2,3`` writes one shard per depth, each the same numbers as its depth trained alone;
    ``--qsim-check-runs`` leaves the other runs' qsim losses null."""
    import json

    common = ["train", "tfim-hva", "--n", "4", "--opt", "boundary=open", "--runs", "4", "--steps", "60",
              "--seed", "3", "--qsim-check-runs", "2"]
    assert main([*common, "--layers", "2,3", "--out", str(tmp_path / "both_L{layers}.json"),
                 "--curves", str(tmp_path / "both_L{layers}.npz")]) == 0
    for layers in (2, 3):
        assert main([*common, "--layers", str(layers), "--out", str(tmp_path / f"alone_L{layers}.json")]) == 0
        both = json.loads((tmp_path / f"both_L{layers}.json").read_text())
        alone = json.loads((tmp_path / f"alone_L{layers}.json").read_text())
        assert both["layers"] == layers and both["n_params"] == 2 * layers
        assert both["final_losses"] == alone["final_losses"]
        assert [v is None for v in both["qsim_final_losses"]] == [False, False, True, True]
        np.testing.assert_allclose(both["qsim_final_losses"][:2], both["final_losses"][:2], atol=1e-5)
        with np.load(tmp_path / f"both_L{layers}.npz") as shard:
            assert shard["curves"].shape == (4, 61) and int(shard["layers"]) == layers
