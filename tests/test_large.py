"""Beyond the paper's sizes (config ``large``): M checked against the model, the transition tables
counted from the shards, the QFIM sweep on the free-fermion engine, the figures and the page."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from page_inputs import CROSSOVER_REPORT, PROV, write_inputs

from overparam.cli.app import main
from overparam.config import ConfigError
from overparam.config.large import large_jobs, layers_for
from overparam.results.replication import wilson_interval
from overparam.results.tables import read_csv
from overparam.results.transition import crossing

ROOT = Path(__file__).resolve().parents[1]


def _config(**large) -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    config["large"] = {"enabled": True, **large}
    return config


def test_every_m_becomes_its_depth():
    config = _config(transition={"sweeps": [{"model": "tfim-open", "n": 12, "n_params": [48, 216]}]},
                     qfim={"runs": [{"model": "tfim-periodic", "n": 20, "n_params": [10, 40]}]})
    assert large_jobs(config, "transition") == [
        {"model": "tfim-open", "n": 12, "n_params": 48, "layers": 24},
        {"model": "tfim-open", "n": 12, "n_params": 216, "layers": 108},
    ]
    assert large_jobs(config, "qfim") == [{"model": "tfim-periodic", "n": 20, "n_params": [10, 40], "layers": [5, 20]}]
    assert layers_for({"ansatz": "qaqc-hea", "options": {"unitary_seed": "0"}}, 2, 3) is None
    config["large"]["enabled"] = False
    assert large_jobs(config, "transition") == []


@pytest.mark.parametrize("part, key, m, needle", [
    ("transition", "sweeps", 73, "large.transition.sweeps[0].n_params: M = 73 is not accepted for model 'tfim-open'"),
    ("qfim", "runs", 1, "large.qfim.runs[0].n_params: M = 1 is not accepted"),
])
def test_an_m_that_is_no_depth_is_refused_in_one_line(part, key, m, needle):
    config = _config(**{part: {key: [{"model": "tfim-open", "n": 12, "n_params": [72, m]}]}})
    with pytest.raises(ConfigError) as info:
        large_jobs(config, part)
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert "2 + 2 x (layers - 1)" in str(info.value)  # what is accepted


def _shard(path: Path, model: str, n: int, m: int, final: list[float], lowest: list[float]) -> str:
    """A training summary as ``overparam train --out`` writes it (the keys the tables read)."""
    payload = {"model": model, "ansatz": "tfim-hva", "n": n, "layers": m // 2, "options": {"boundary": "open"},
               "n_params": m, "steps": 3000, "lr": 0.01, "seed": 2023, "stop_below": None, "fixed_floor": 1e-11,
               "backend": "fermion", "final_losses": final, "qsim_final_losses": [None] * len(final),
               "lowest_losses": lowest, "seconds": 1.0}
    path.write_text(json.dumps(payload))
    return str(path)


def _dla(path: Path, model: str, n: int, dim: int, orbit: int) -> str:
    path.write_text(json.dumps({"model": model, "ansatz": "tfim-hva", "n": n, "options": {"boundary": "open"},
                                "dim": dim, "orbit_dim": orbit, "method": "modp", "orbit_method": "modp",
                                "n_qubits": n, "seconds": 0.1}))
    return str(path)


def test_transition_tables_are_counted_from_the_shards(tmp_path):
    rng = np.random.default_rng(7)
    files, expect = [], {}
    for m, p_win, p_kick in ((40, 0.0, 0.0), (60, 0.3, 0.2), (100, 0.7, 0.2), (150, 0.95, 0.05)):
        u = rng.random(20)
        final = np.where(u < p_win, 10 ** rng.uniform(-9, -5, 20), 10 ** rng.uniform(-3, 0, 20))
        lowest = np.where(u < p_win + p_kick, 10 ** rng.uniform(-14, -11.5, 20), final)
        lowest = np.minimum(lowest, final)
        files.append(_shard(tmp_path / f"open_M{m}.json", "tfim-open", 10, m, final.tolist(), lowest.tolist()))
        expect[m] = (int(np.sum(final < 1e-4)), int(np.sum((final < 1e-4) | (lowest <= 1e-11))),
                     int(np.sum(lowest < 1e-4)))
    files.append(_dla(tmp_path / "dla.json", "tfim-open", 10, 100, 50))
    train, large, cross = (str(tmp_path / f"{t}.csv") for t in ("large_train", "large", "large_crossings"))
    assert main(["table", "large_train", *files, "--success-threshold", "1e-4", "--out", train]) == 0
    assert main(["table", "large", train, "--out", large]) == 0
    assert main(["table", "large_crossings", large, "--out", cross]) == 0
    rows = {int(r["n_params"]): r for r in read_csv(large)}
    assert sorted(rows) == sorted(expect)
    for m, (k, kf, reached) in expect.items():
        r = rows[m]
        counted = (int(r["runs"]), int(r["successes"]), int(r["fixed_successes"]), int(r["reached"]))
        assert counted == (20, k, kf, reached)
        assert (r["dla_dim"], r["orbit_dim"], r["protocol"]) == ("100", "50", "published")
        lo, hi = wilson_interval(k, 20)
        assert float(r["success_lo"]) == pytest.approx(lo, abs=1e-4)
        assert float(r["success_hi"]) == pytest.approx(hi, abs=1e-4)
    got = {(r["protocol"], float(r["level"])): r for r in read_csv(cross)}
    assert len(got) == 4
    for protocol, column in (("published", 0), ("fixed", 1)):
        counts = [(m, v[column], 20) for m, v in expect.items()]
        for level in (0.5, 0.9):
            c, r = crossing(counts, level), got[(protocol, level)]
            assert (r["m"], r["lo"], r["hi"]) == tuple("" if x is None else str(x) for x in (c.m, c.lo, c.hi))
            assert r["text"] == c.text() and (r["orbit_dim"], r["dla_dim"]) == ("50", "100")


def test_qfim_sweep_on_the_fermion_engine_saturates_at_the_orbit_dimension(tmp_path):
    sweep, dla, table = (str(tmp_path / f) for f in ("sweep.json", "dla.json", "large_qfim.csv"))
    tfim = ["tfim-hva", "--opt", "boundary=open", "--n", "6", "--label", "tfim-open"]
    assert main(["qfim-sweep", *tfim, "--layers", "3,9,12", "--samples", "2", "--backend", "auto", "--out", sweep]) == 0
    assert main(["dla", *tfim, "--out", dla]) == 0
    assert json.loads(Path(sweep).read_text())["records"][0]["backend"] == "fermion"
    assert main(["table", "large_qfim", sweep, dla, "--out", table]) == 0
    rows = read_csv(table)
    assert {r["orbit_dim"] for r in rows} == {"18"} and {r["dla_dim"] for r in rows} == {"36"}
    by_m: dict[int, list[int]] = {}
    for r in rows:
        by_m.setdefault(int(r["n_params"]), []).append(int(r["rank"]))
    assert sorted(by_m) == [6, 18, 24] and all(len(v) == 2 for v in by_m.values())
    assert by_m[6] == [6, 6]  # below the orbit dimension every parameter adds a direction
    assert by_m[24] == [18, 18]  # past it the rank is the orbit dimension, never more
    saturated = [float(r["gap"]) for r in rows if int(r["n_params"]) == 24]
    assert min(saturated) > 1e4  # a clean cut between kept and dropped eigenvalues


def test_crossover_table_keeps_measured_and_extrapolated_apart(tmp_path):
    path = tmp_path / "crossover.json"
    path.write_text(json.dumps(CROSSOVER_REPORT))
    out = str(tmp_path / "crossover.csv")
    assert main(["table", "crossover", str(path), "--out", out]) == 0
    rows = read_csv(out)
    assert len(rows) == 2 + 2 + 1 + 3
    kinds = {(r["n"], r["engine"]): r["kind"] for r in rows}
    assert kinds[("14", "statevector")] == "measured" and kinds[("20", "statevector")] == "extrapolated"
    assert ("50", "statevector") in kinds and kinds[("50", "fermion")] == "measured"
    assert {r["ratio_statevector_over_fermion"] for r in rows if r["n"] == "14"} == {"200"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"cases": {}}))
    assert main(["table", "crossover", str(bad), "--out", out + "2"]) == 2


@pytest.mark.parametrize("fig", ["large", "large_qfim", "crossover"])
def test_figures_draw_png_and_pdf(tmp_path, fig):
    tables = write_inputs(tmp_path)
    stem = tmp_path / "out" / fig
    assert main(["figure", fig, str(tables / f"{fig}.csv"), "--out", str(stem)]) == 0
    for ext in ("png", "pdf"):
        assert stem.with_suffix(f".{ext}").stat().st_size > 5000


def test_page_shows_the_tables_numbers(tmp_path):
    from overparam.report.pages import PAGES

    tables = write_inputs(tmp_path)
    page = PAGES["large"][0](tables / "large.csv", PROV, {"tfim-open_n12_M216": 600.0, "tfim-open_n12_M48": 60.0})
    assert page.startswith("# Beyond the paper's sizes")
    # Open n = 12: 0, 3, 6, 10 of 10 successes at M = 48, 96, 144, 216 (published protocol).
    assert "| tfim-open | 12 | 96 | 48 | 3/10 [" in page
    cross = {(r["model"], r["protocol"], r["level"]): r["text"] for r in read_csv(tables / "large_crossings.csv")}
    assert cross[("tfim-open", "published", "0.5")].startswith("144 [")
    assert cross[("tfim-open", "published", "0.9")].startswith("216 [")
    assert cross[("tfim-open", "fixed", "0.5")].startswith("96 [")  # 5 of 10 reached the floor at M = 96
    head = "| tfim-open | 12 | 72 | 144 | 48–216 (4 values) | 10 | "
    assert head + cross[("tfim-open", "published", "0.5")] in page
    # The QFIM table: open n = 20 reaches its orbit dimension 200 first at M = 200 (best point).
    assert ("| tfim-open | 20 | 200 | 400 | 2 | 100: 100 (1.0e+03); 200: 199–200 (1.0e+03); 400: 200 (1.0e+09) | 200 "
            "| 200 | 1.0e+03 | yes |") in page
    assert "not in this checkout" not in page and "n = 20 one step" in page
    assert "11.0 minutes of wall time" in page
    assert "final loss of\n12 runs from the state vector" in page and "largest difference is 2.0e-08" in page


def test_qsim_recheck_of_the_first_runs_only(tmp_path):
    out = tmp_path / "train.json"
    argv = ["train", "tfim-hva", "--opt", "boundary=open", "--n", "4", "--layers", "3", "--runs", "3", "--steps", "5",
            "--backend", "auto", "--qsim-check-runs", "1", "--out", str(out)]
    assert main(argv) == 0
    shard = json.loads(out.read_text())
    assert shard["backend"] == "fermion" and shard["qsim_final_losses"][1:] == [None, None]
    assert abs(shard["qsim_final_losses"][0] - shard["final_losses"][0]) < 1e-5  # qsim is complex64
    try:
        code = main(argv[:-4] + ["--qsim-check-runs", "-1"])
    except SystemExit as exc:  # argparse's refusal
        code = exc.code
    assert code == 2
