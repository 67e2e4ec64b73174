"""Spectra at random/converged points (fig4, supp1), the critical-M table and the landscape (fig1)."""

import csv
import json

import numpy as np
import pytest

from overparam.ansatze import build_ansatz
from overparam.cli import main
from overparam.errors import BadInput
from overparam.geometry import landscape as ls
from overparam.geometry.spectra import check_memory, check_shard, memory_estimate, point_spectra, select_points
from overparam.lie import analyze
from overparam.results.tables import CRITICAL_HEADER, critical_rows, fig1_rows
from overparam.results.tables.geometry import SPECTRA_HEADER, spectra_rows
from overparam.sim.engine import build_engine

OPEN = {"boundary": "open", "g": "1.0"}


@pytest.fixture(scope="module")
def open4():
    """tfim-hva open n = 4 at p = 3 (M = 6 < orbit bound 8) and p = 6 (M = 12), with engines."""
    shallow, deep = build_ansatz("tfim-hva", 4, 3, OPEN), build_ansatz("tfim-hva", 4, 6, OPEN)
    return shallow, build_engine(shallow), deep, build_engine(deep), analyze(deep).orbit_dim


def fd_hessian(engine, x, h=1e-4):
    """Central differences of the engine's loss alone (independent of its gradient and Hessian code)."""
    m = x.size
    eye = np.eye(m) * h
    pts = [x + eye[i] * si + eye[j] * sj for i in range(m) for j in range(m) for si in (1, -1) for sj in (1, -1)]
    f = engine.loss(np.array(pts)).reshape(m, m, 2, 2)
    return (f[:, :, 0, 0] - f[:, :, 0, 1] - f[:, :, 1, 0] + f[:, :, 1, 1]) / (4 * h * h)


def fd_gradient(engine, x, h=1e-6):
    eye = np.eye(x.size) * h
    f = engine.loss(np.concatenate([x + eye, x - eye]))
    return (f[: x.size] - f[x.size :]) / (2 * h)


@pytest.mark.slow
def test_spurious_minimum_of_shallow_model_is_a_saddle_of_the_deep_one(open4):
    shallow, eng_s, deep, eng_d, orbit = open4
    rng = np.random.default_rng(3)
    found = [ls.refine(eng_s, shallow.random_parameters(rng)) for _ in range(3)]
    best = min(p.loss for p in found)
    for p in found:
        kind = ls.classify(p, best, 1e-9)
        assert kind in ("global minimum", "spurious minimum")
        # Gradient ~ 0 by finite differences of the loss, and a positive semi-definite FD Hessian.
        assert np.abs(fd_gradient(eng_s, p.params)).max() < 1e-6
        fd = np.linalg.eigvalsh(fd_hessian(eng_s, p.params))
        assert fd.min() > -1e-5 * np.abs(fd).max()
        np.testing.assert_allclose(np.sort(fd), p.hessian, atol=1e-5 * np.abs(fd).max())
        carried = ls.evaluate(eng_d, ls.embed_layers(p.params, 3, 6))
        assert abs(carried.loss - p.loss) < 1e-10
        assert np.abs(fd_gradient(eng_d, carried.params)).max() < 1e-6
        assert carried.index > 0 and ls.classify(carried, 0.0, 1e-9) == "saddle"
        # The negative direction really descends: the loss alone, no derivative code.
        vals, vecs = np.linalg.eigh(eng_d.hessian(carried.params))
        step = 1e-2 * vecs[:, 0]
        down = eng_d.loss(np.stack([carried.params + step, carried.params - step]))
        assert (down < carried.loss).all()
        # Hessian rank at the solution of the deep model never exceeds the orbit bound.
    deep_min = ls.refine(eng_d, deep.random_parameters(rng))
    assert deep_min.loss < 1e-9 and deep_min.index == 0
    assert deep.n_params - deep_min.zero_modes <= orbit


def test_embed_layers_layout():
    x = np.arange(1, 7, dtype=float)  # 3 layers of (zz, x)
    y = ls.embed_layers(x, 3, 5)
    assert y.tolist() == [0, 0, 1, 2, 0, 0, 3, 4, 5, 6]
    with pytest.raises(ValueError):
        ls.embed_layers(x, 3, 2)


def test_classify_names_points():
    mk = lambda loss, g, eig: ls.CriticalPoint(np.zeros(2), loss, g, np.array(eig))  # noqa: E731
    assert ls.classify(mk(0.0, 1e-9, [0.0, 1.0]), 0.0, 1e-9) == "global minimum"
    assert ls.classify(mk(0.1, 1e-9, [0.5, 1.0]), 0.0, 1e-9) == "spurious minimum"
    assert ls.classify(mk(0.1, 1e-9, [-0.5, 1.0]), 0.0, 1e-9) == "saddle"
    assert ls.classify(mk(0.1, 1e-2, [0.5, 1.0]), 0.0, 1e-9) == "not converged"


def shard(ansatz, losses, rng):
    runs = len(losses)
    return {
        "initial_params": ansatz.random_parameters(rng, runs),
        "final_params": ansatz.random_parameters(rng, runs),
        "final_losses": np.asarray(losses, dtype=float),
        "n": np.array(ansatz.n), "layers": np.array(ansatz.layers), "n_params": np.array(ansatz.n_params),
        "options": np.array(json.dumps({k: str(v) for k, v in ansatz.options.items()}, sort_keys=True)),
    }


def test_shard_points_and_bad_input(open4, rng):
    _, _, deep, _, _ = open4
    s = shard(deep, [1e-2, 1e-9, 1e-6], rng)
    pts = select_points(s, 2, 5, 1e-4)
    assert pts.kind == ("random", "random", "converged", "converged") and pts.run == (0, 1, 1, 2)
    with pytest.raises(BadInput, match="no converged run"):
        select_points(s, 1, 1, 1e-12)
    with pytest.raises(BadInput, match="holds 3 runs"):
        select_points(s, 4, 1, 1e-4)
    check_shard(s, deep, "x.npz")
    with pytest.raises(BadInput, match="layers=6"):
        check_shard(s, build_ansatz("tfim-hva", 4, 5, OPEN), "x.npz")
    with pytest.raises(BadInput, match="options"):
        check_shard(s, build_ansatz("tfim-hva", 4, 6, {"boundary": "periodic", "g": "1.0"}), "x.npz")
    assert memory_estimate(10, 208) > memory_estimate(4, 12)
    with pytest.raises(BadInput, match="MiB"):
        check_memory(deep, limit_bytes=1024)


def test_spectra_cli_bad_input_exits_2(tmp_path, open4, rng, capsys):
    _, _, deep, _, _ = open4
    path = tmp_path / "s.npz"
    np.savez(path, **shard(deep, [1e-2, 1e-3], rng))
    base = ["spectra", "tfim-hva", "--n", "4", "--layers", "6", "--opt", "boundary=open", "--shard", str(path)]
    assert main(base + ["--random", "1", "--solutions", "1"]) == 2  # nothing below 1e-4
    assert "no converged run" in capsys.readouterr().err
    assert main(base + ["--random", "1", "--max-memory-mb", "1"]) == 2
    assert main(base[:-1] + [str(tmp_path / "missing.npz")]) == 2


@pytest.mark.slow
def test_spectra_ranks_below_orbit_bound_and_table(open4, rng, tmp_path):
    _, _, deep, eng_d, orbit = open4
    x_conv = ls.refine(eng_d, deep.random_parameters(rng)).params
    points = np.stack([deep.random_parameters(rng), x_conv])
    recs = point_spectra(eng_d, deep, points)
    for rec in recs:
        assert max(rec["qfim_rank"]) <= orbit
    assert recs[0]["qfim_rank"] == [orbit]  # M = 12 > 8: saturated at a random point
    assert recs[1]["hessian_rank"] <= orbit and recs[1]["hessian_index"] == 0 and recs[1]["grad_norm"] < 1e-6
    payload = {
        "model": "tfim-open", "ansatz": "tfim-hva", "n": 4, "layers": 6, "options": OPEN, "n_params": 12,
        "qfim_tolerance": 1e-10, "hessian_tolerance": 1e-5,
        "points": [{"kind": k, "run": i, **r} for i, (k, r) in enumerate(zip(("random", "converged"), recs))],
    }
    dla = {"model": "tfim-open", "ansatz": "tfim-hva", "n": 4, "options": OPEN, **analyze(deep).as_dict()}
    (tmp_path / "s.json").write_text(json.dumps(payload))
    (tmp_path / "d.json").write_text(json.dumps(dla))
    rows = [dict(zip(SPECTRA_HEADER, map(str, r))) for r in spectra_rows([tmp_path / "s.json", tmp_path / "d.json"])]
    assert len(rows) == 2 * 2 * 12
    for r in rows:
        assert r["point"] in ("random", "converged") and r["matrix"] in ("qfim", "hessian")
        assert 1 <= int(r["index"]) <= 12 and int(r["orbit_dim"]) == orbit
        # Bounded by the orbit: every QFIM rank, and the Hessian rank at a solution (at a random point
        # the Hessian is indefinite and not bounded that way: here it has full rank 12).
        if r["matrix"] == "qfim" or r["point"] == "converged":
            assert int(r["rank"]) <= orbit
    qf = [float(r["eigenvalue"]) for r in rows if r["matrix"] == "qfim" and r["point"] == "random"]
    assert qf == sorted(qf, reverse=True)


def test_critical_table(tmp_path):
    def write(name, header, rows):
        with open(tmp_path / name, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)

    write("dla.csv", ["model", "n", "dim", "orbit_dim"], [["m", 4, 16, 8]])
    write("supp2.csv", ["model", "ansatz", "options", "n", "layers", "n_params", "sample", "rank"],
          [["m", "a", "", 4, p, 2 * p, s, r] for p, rs in ((2, (4, 4)), (3, (5, 6)), (4, (8, 7)), (5, (8, 8)))
           for s, r in enumerate(rs)])
    write("fig2.csv", ["model", "ansatz", "options", "n", "layers", "n_params", "samples", "max_rank"],
          [["m", "a", "", 4, p, 2 * p, 2, r] for p, r in ((1, 2), (2, 4), (3, 6))])
    rows = [dict(zip(CRITICAL_HEADER, map(str, r))) for r in critical_rows(
        [tmp_path / "fig2.csv", tmp_path / "supp2.csv", tmp_path / "dla.csv"])]
    by = {r["source"]: r for r in rows}
    assert by["supp2"]["m_critical"] == "8" and by["supp2"]["max_rank"] == "8" and by["supp2"]["saturated"] == "1"
    assert by["supp2"]["samples"] == "2" and by["supp2"]["dla_dim"] == "16" and by["supp2"]["within_dim_g"] == "1"
    assert by["fig2"]["m_critical"] == "6" and by["fig2"]["saturated"] == "0" and by["fig2"]["m_before"] == "4"


@pytest.mark.slow
def test_landscape_cli_end_to_end(tmp_path):
    out = tmp_path / "l.json"
    argv = ["landscape", "tfim-hva", "--n", "4", "--opt", "boundary=open", "--under", "3", "--over", "6",
            "--inits", "4", "--steps", "150", "--grid", "7", "--seed", "2023", "--out", str(out)]
    assert main(argv) == 0
    d = json.loads(out.read_text())
    for dep in d["depths"]:
        for p in dep["points"]:
            if p["kind"].endswith("minimum"):
                assert p["grad_norm"] < d["grad_tol"] and p["hessian_index"] == 0
    assert d["carried"] and all(c["kind"] == "saddle" and c["hessian_index"] > 0 for c in d["carried"])
    assert d["slices"][0]["markers"][0]["kind"] == "spurious minimum"
    assert d["slices"][1]["markers"][0]["kind"] == "saddle"
    rows = fig1_rows([out])
    assert sum(1 for r in rows if r[6] == "grid") == 2 * 7 * 7
    assert main(argv[:6] + ["--under", "6", "--over", "3"]) == 2


def test_config_checks_name_the_bad_key():
    import yaml

    from overparam.config.checks import ConfigError, check_config

    with open("config/quick.yaml") as fh:
        base = yaml.safe_load(fh)
    check_config(base)
    cases = [
        (("spectra", "runs", 0, "depth"), 3, "spectra.runs[0].depth: depth 3"),
        (("spectra", "runs", 0, "n"), 6, "has no fig3 training run"),
        (("spectra", "fig4", 0, "n"), 6, "spectra.fig4[0]"),
        (("fig1", "under"), 6, "fig1.under"),
        (("fig1", "model"), "tfim-opne", "fig1.model"),
    ]
    for path, value, needle in cases:
        cfg = yaml.safe_load(yaml.safe_dump(base))
        node = cfg
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        with pytest.raises(ConfigError, match=needle.replace("[", r"\[").replace("]", r"\]")):
            check_config(cfg)
