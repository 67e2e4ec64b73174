"""Bad input, in process: every case exits 2 with exactly one stderr line naming the bad value, no
traceback, and writes nothing.

Size guards refuse from an estimate made before anything is allocated, so these cases are fast even
where the request (n = 30, 40, 1000) could never run. The config cases call the loader the workflow
calls (``schema_errors``); the Snakemake end-to-end ones live in ``tests/test_workflow.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from overparam.cli import main

TFIM = ["tfim-hva"]


def _files(tmp: Path) -> set[Path]:
    return {p for p in tmp.rglob("*")}


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, str]:
    """Small broken inputs: JSON shards, CSV tables and .npz shards."""
    good_npz = tmp_path / "good.npz"
    np.savez(good_npz, curves=np.ones((2, 5)), n_params=np.array(4))
    raw = good_npz.read_bytes()
    files = {
        "empty.json": "",
        "truncated.json": '{"ansatz": "tfim-hva", "n": 4, "recor',
        "corrupt.json": "\x00\x01garbage{{",
        "array.json": "[1, 2, 3]",
        "schema.json": json.dumps({"ansatz": "tfim-hva", "n": 4}),
        "empty.csv": "",
        "header_only.csv": "model,n,n_params,max_rank,orbit_dim,dla_dim\n",
        "columns.csv": "model,n\ntfim,4\n",
        "nonnumeric.csv": "model,ansatz,options,n,layers,n_params,samples,min_rank,max_rank,dla_dim,orbit_dim\n"
        "tfim,tfim-hva,,four,1,2,3,2,2,3,3\n",
        "ragged.csv": "model,n\ntfim,4,extra\n",
        "malformed.yaml": "seed: 1\nfig2: [unclosed\n",
        "list.yaml": "- 1\n- 2\n",
        "nan.yaml": "fig3:\n  lr: .nan\n",
        "big.yaml": "fig2:\n  samples: 2\n  runs:\n    - {model: tfim-periodic, n: 40, layers: [1]}\n",
        "large_m.yaml": "large:\n  transition:\n    sweeps:\n      - {model: tfim-open, n: 12, n_params: [72, 73]}\n",
    }
    out = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        out[name] = str(tmp_path / name)
    (tmp_path / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "garbage.npz").write_bytes(b"not a zip at all")
    (tmp_path / "empty.npz").write_bytes(b"")
    for name in ("truncated.npz", "garbage.npz", "empty.npz"):
        out[name] = str(tmp_path / name)
    (tmp_path / "outdir").mkdir()
    out["outdir"] = str(tmp_path / "outdir")
    out["out"] = str(tmp_path / "result.json")
    out["missing"] = str(tmp_path / "no_such_file.json")
    return out


# (id, argv with {placeholders} for bad_files, a substring the one stderr line must contain)
CASES: list[tuple[str, list[str], str]] = [
    # ---- size guards: refused from the estimate, before allocating --------------------------------
    ("qfim-n30", ["qfim", *TFIM, "--n", "30", "--layers", "1", "--backend", "qsim"], "--max-memory-gb"),
    ("qfim-n30-jax", ["qfim", *TFIM, "--n", "30", "--layers", "1", "--backend", "jax"], "needs about"),
    ("qfim-n28-cirq", ["qfim", *TFIM, "--n", "28", "--layers", "2", "--backend", "cirq"], "needs about"),
    ("qfim-n300", ["qfim", *TFIM, "--n", "300", "--layers", "1", "--backend", "qsim"], "10^"),
    ("qfim-sweep-n30", ["qfim-sweep", *TFIM, "--n", "30", "--layers", "1,2", "--backend", "qsim"],
     "qfim-sweep (qsim) of tfim-hva n=30"),
    ("qfim-prefix-n40", ["qfim-prefix", *TFIM, "--n", "40", "--layers", "1"], "qfim-prefix of tfim-hva n=40"),
    ("train-n1000", ["train", *TFIM, "--n", "1000", "--layers", "1", "--backend", "jax"], "train (jax, --runs 10"),
    ("train-n40", ["train", *TFIM, "--n", "40", "--layers", "1", "--runs", "1", "--backend", "jax"], "40 qubits"),
    ("train-limit", ["train", *TFIM, "--n", "20", "--layers", "2", "--backend", "jax", "--max-memory-gb", "0.1"],
     "--max-memory-gb 0.1"),
    ("fermion-limit", ["train", *TFIM, "--n", "1000", "--layers", "1", "--max-memory-gb", "0.5"], "train (fermion"),
    ("qfim-limit", ["qfim", *TFIM, "--n", "16", "--layers", "2", "--max-memory-gb", "0.01"], "the limit is"),
    ("landscape-n30", ["landscape", *TFIM, "--n", "30", "--under", "1", "--over", "2"], "landscape"),
    ("noisy-limit", ["noisy-qfim", *TFIM, "--n", "8", "--layers", "2", "--max-memory-gb", "0.2"], "noisy-qfim"),
    ("noisy-n12", ["noisy-qfim", *TFIM, "--n", "12", "--layers", "1", "--max-memory-gb", "1"], "needs about"),
    ("dla-max-dim", ["dla", *TFIM, "--n", "12", "--opt", "boundary=open", "--max-dim", "20"], "--max-dim"),
    ("max-memory-nan", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--max-memory-gb", "nan"], "--max-memory-gb"),
    ("max-memory-neg", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--max-memory-gb", "-1"], "--max-memory-gb"),
    ("max-memory-zero", ["train", *TFIM, "--n", "4", "--layers", "1", "--max-memory-gb", "0"], "--max-memory-gb"),
    ("dla-max-dim-0", ["dla", *TFIM, "--n", "4", "--max-dim", "0"], "--max-dim"),
    # ---- non-finite and out-of-range numbers -------------------------------------------------------
    ("train-lr-inf", ["train", *TFIM, "--n", "4", "--layers", "1", "--lr", "inf"], "--lr 'inf'"),
    ("train-lr-nan", ["train", *TFIM, "--n", "4", "--layers", "1", "--lr", "nan"], "--lr 'nan'"),
    ("train-lr-neg", ["train", *TFIM, "--n", "4", "--layers", "1", "--lr", "-0.1"], "--lr '-0.1'"),
    ("train-lr-zero", ["train", *TFIM, "--n", "4", "--layers", "1", "--lr", "0"], "--lr '0'"),
    ("train-lr-text", ["train", *TFIM, "--n", "4", "--layers", "1", "--lr", "fast"], "--lr 'fast'"),
    ("train-stop-nan", ["train", *TFIM, "--n", "4", "--layers", "1", "--stop-below", "nan"], "--stop-below"),
    ("train-stop-inf", ["train", *TFIM, "--n", "4", "--layers", "1", "--stop-below", "inf"], "--stop-below"),
    ("train-stop-neg", ["train", *TFIM, "--n", "4", "--layers", "1", "--stop-below", "-1e-3"], "--stop-below"),
    ("train-floor-nan", ["train", *TFIM, "--n", "4", "--layers", "1", "--fixed-floor", "nan"], "--fixed-floor"),
    ("train-spectra-neg", ["train", *TFIM, "--n", "4", "--layers", "1", "--spectra", "-1"], "--spectra -1"),
    ("train-spectra-many", ["train", *TFIM, "--n", "4", "--layers", "1", "--runs", "2", "--spectra", "3"],
     "--spectra 3"),
    ("train-runs-0", ["train", *TFIM, "--n", "4", "--layers", "1", "--runs", "0"], "--runs 0"),
    ("train-steps-0", ["train", *TFIM, "--n", "4", "--layers", "1", "--steps", "0"], "--steps 0"),
    ("train-depths-one-out", ["train", *TFIM, "--n", "4", "--layers", "1,2", "--out", "{out}"], "{layers}"),
    ("train-depths-one-curves", ["train", *TFIM, "--n", "4", "--layers", "1,2", "--curves", "{out}"], "--curves"),
    ("train-depths-size", ["train", *TFIM, "--n", "4", "--layers", "1,0"], "--layers '1,0'"),
    ("landscape-lr-nan", ["landscape", *TFIM, "--n", "4", "--under", "1", "--over", "2", "--lr", "nan"], "--lr"),
    ("landscape-tol-inf", ["landscape", *TFIM, "--n", "4", "--under", "1", "--over", "2", "--loss-tol", "inf"],
     "--loss-tol"),
    ("landscape-order", ["landscape", *TFIM, "--n", "4", "--under", "3", "--over", "2"], "--under 3"),
    ("noisy-local-nan", ["noisy-qfim", *TFIM, "--n", "4", "--layers", "1", "--local", "nan"], "--local"),
    ("noisy-global-inf", ["noisy-qfim", *TFIM, "--n", "4", "--layers", "1", "--global", "inf"], "--global"),
    ("noisy-local-text", ["noisy-qfim", *TFIM, "--n", "4", "--layers", "1", "--local", "a,b"], "--local"),
    ("noisy-local-range", ["noisy-qfim", *TFIM, "--n", "4", "--layers", "1", "--local", "2"], "2"),
    ("hardware-z-inf", ["hardware-qfim", *TFIM, "--n", "4", "--layers", "1", "--z", "inf"], "--z 'inf'"),
    ("hardware-z-zero", ["hardware-qfim", *TFIM, "--n", "4", "--layers", "1", "--z", "0"], "--z '0'"),
    ("spectra-below-nan", ["spectra", *TFIM, "--n", "4", "--layers", "1", "--shard", "{truncated.npz}",
                           "--converged-below", "nan"], "--converged-below"),
    ("spectra-random-neg", ["spectra", *TFIM, "--n", "4", "--layers", "1", "--shard", "{truncated.npz}",
                            "--random", "-1"], "--random"),
    ("spectra-mem-inf", ["spectra", *TFIM, "--n", "4", "--layers", "1", "--shard", "{truncated.npz}",
                         "--max-memory-mb", "inf"], "--max-memory-mb"),
    ("table-threshold-nan", ["table", "fig3", "{schema.json}", "--out", "{out}", "--success-threshold", "nan"],
     "--success-threshold"),
    ("option-g-inf", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--opt", "g=inf"], "g='inf'"),
    ("option-g-nan", ["train", *TFIM, "--n", "4", "--layers", "1", "--opt", "g=nan"], "g='nan'"),
    # ---- neighbours: sizes, names, options ---------------------------------------------------------
    ("qfim-n1", ["qfim", *TFIM, "--n", "1", "--layers", "1"], "--n 1"),
    ("qfim-n-text", ["qfim", *TFIM, "--n", "four", "--layers", "1"], "'four'"),
    ("qfim-opt-size", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--opt", "size=3"], "'size'"),
    ("qfim-backend-quest", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--backend", "quest"], "'quest'"),
    ("sweep-layers-text", ["qfim-sweep", *TFIM, "--n", "4", "--layers", "1,x"], "1,x"),
    ("qfim-layers-0", ["qfim", *TFIM, "--n", "4", "--layers", "0"], "--layers 0"),
    ("qfim-samples-0", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--samples", "0"], "--samples 0"),
    ("qfim-backend", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--backend", "gpu9"], "gpu9"),
    ("qfim-unknown", ["qfim", "no-such-ansatz", "--n", "4", "--layers", "1"], "no-such-ansatz"),
    ("qfim-opt-malformed", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--opt", "boundary"], "boundary"),
    ("qfim-opt-unknown", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--opt", "colour=red"], "colour"),
    ("qfim-opt-choice", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--opt", "boundary=twisted"], "twisted"),
    ("sweep-layers", ["qfim-sweep", *TFIM, "--n", "4", "--layers", "0,1"], "--layers"),
    ("qaqc-n-max", ["qfim", "qaqc-hea", "--n", "9", "--layers", "1"], "--n 9"),
    ("dla-max-layers", ["dla", *TFIM, "--n", "4", "--max-layers", "1"], "--max-layers"),
    ("user-module", ["qfim", "no_such_module_xyz:build", "--n", "4", "--layers", "1"], "no_such_module_xyz"),
    # ---- bad files: one line naming the file ------------------------------------------------------
    ("table-empty-json", ["table", "fig2", "{empty.json}", "--out", "{out}"], "empty.json"),
    ("table-truncated-json", ["table", "fig2", "{truncated.json}", "--out", "{out}"], "truncated.json"),
    ("table-corrupt-json", ["table", "supp2", "{corrupt.json}", "--out", "{out}"], "corrupt.json"),
    ("table-array-json", ["table", "fig2", "{array.json}", "--out", "{out}"], "array.json"),
    ("table-schema-json", ["table", "fig2", "{schema.json}", "--out", "{out}"], "schema.json"),
    ("table-train-schema", ["table", "fig3", "{schema.json}", "--out", "{out}"], "schema.json"),
    ("table-missing-file", ["table", "fig2", "{missing}", "--out", "{out}"], "no_such_file.json"),
    ("table-spectra-npz", ["table", "fig3_spectra", "{truncated.npz}", "--out", "{out}"], "truncated.npz"),
    ("table-garbage-npz", ["table", "fig3_spectra", "{garbage.npz}", "--out", "{out}"], "garbage.npz"),
    ("table-unknown", ["table", "fig99", "{schema.json}", "--out", "{out}"], "fig99"),
    ("table-out-dir", ["table", "fig2", "{schema.json}", "--out", "{outdir}"], "directory"),
    ("figure-empty-csv", ["figure", "fig2", "{empty.csv}", "--out", "{outdir}/fig"], "empty.csv"),
    ("figure-header-only", ["figure", "fig2", "{header_only.csv}", "--out", "{outdir}/fig"], "header_only.csv"),
    ("figure-columns", ["figure", "fig2", "{columns.csv}", "--out", "{outdir}/fig"], "columns.csv"),
    ("figure-nonnumeric", ["figure", "fig2", "{nonnumeric.csv}", "--out", "{outdir}/fig"], "nonnumeric.csv"),
    ("figure-ragged", ["figure", "fig2", "{ragged.csv}", "--out", "{outdir}/fig"], "ragged.csv"),
    ("figure-missing", ["figure", "fig2", "{missing}", "--out", "{outdir}/fig"], "no_such_file.json"),
    ("figure-unknown", ["figure", "fig99", "{columns.csv}", "--out", "{outdir}/fig"], "fig99"),
    ("figure-npz", ["figure", "fig3", "{header_only.csv}", "--out", "{outdir}/fig", "--data", "{truncated.npz}"],
     "truncated.npz"),
    ("spectra-truncated-npz", ["spectra", *TFIM, "--n", "4", "--layers", "1", "--shard", "{truncated.npz}"],
     "truncated.npz"),
    ("spectra-empty-npz", ["spectra", *TFIM, "--n", "4", "--layers", "1", "--shard", "{empty.npz}"], "empty.npz"),
    ("qfim-out-dir", ["qfim", *TFIM, "--n", "4", "--layers", "1", "--out", "{outdir}"], "--out"),
    ("train-curves-dir", ["train", *TFIM, "--n", "4", "--layers", "1", "--curves", "{outdir}"], "--curves"),
    ("dla-out-dir", ["dla", *TFIM, "--n", "4", "--out", "{outdir}"], "--out"),
    # ---- config files, checked before Snakemake reads them -----------------------------------------
    ("config-missing", ["check-config", "{missing}"], "does not exist"),
    ("config-malformed", ["check-config", "{malformed.yaml}"], "line 3 column 1"),
    ("config-not-mapping", ["check-config", "{list.yaml}"], "list.yaml"),
    ("config-nan", ["check-config", "{nan.yaml}"], "fig3.lr: nan"),
    ("config-n-too-big", ["check-config", "{big.yaml}"], "fig2"),
    ("config-large-m", ["check-config", "{large_m.yaml}"], "large.transition.sweeps[0].n_params: M = 73"),
]


@pytest.mark.parametrize("argv, needle", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_line(argv, needle, bad_files, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # check-config reads config/ from the root
    monkeypatch.delenv("OVERPARAM_MAX_MEMORY_GB", raising=False)
    before = _files(tmp_path)
    for key, value in bad_files.items():
        argv = [a.replace("{" + key + "}", value) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip() and " INFO " not in line]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert needle in lines[0], lines[0]
    assert _files(tmp_path) == before, "something was written"


def test_memory_limit_from_environment(monkeypatch, capsys):
    monkeypatch.setenv("OVERPARAM_MAX_MEMORY_GB", "0.01")
    assert main(["qfim", "tfim-hva", "--n", "16", "--layers", "2"]) == 2
    assert "OVERPARAM_MAX_MEMORY_GB=0.01" in capsys.readouterr().err
    monkeypatch.setenv("OVERPARAM_MAX_MEMORY_GB", "lots")
    assert main(["qfim", "tfim-hva", "--n", "4", "--layers", "1"]) == 2
    assert "'lots'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "edit, needle",
    [
        (lambda c: c["fig3"].update(lr=float("nan")), "fig3.lr: nan"),
        (lambda c: c["fig3"].update(success_threshold=float("inf")), "fig3.success_threshold: inf"),
        (lambda c: c["fig2"]["runs"][0].update(n=40), "fig2.runs.0.n"),
        (lambda c: c["fig3"]["sweeps"][0].update(n=1000), "fig3.sweeps.0.n"),
        (lambda c: c["ext1"]["local"].append(float("nan")), "ext1.local"),
    ],
    ids=["lr-nan", "threshold-inf", "qfim-n40", "train-n1000", "noise-nan"],
)
def test_config_rejects_nonfinite_and_oversized(edit, needle):
    import yaml

    from overparam.config.checks import ConfigError, schema_errors

    root = Path(__file__).resolve().parents[1]
    config = yaml.safe_load((root / "config" / "quick.yaml").read_text())
    edit(config)
    with pytest.raises(ConfigError) as info:
        schema_errors(config, str(root / "config" / "schema.yaml"))
    message = str(info.value)
    assert needle in message and "\n" not in message, message


def test_estimates_track_state_size():
    from overparam.sim import budget

    # One more qubit doubles every state-vector term; the fixed part stays.
    a, b = budget.jacobian_bytes(20, 8), budget.jacobian_bytes(21, 8)
    assert b - budget.FIXED_BYTES == 2 * (a - budget.FIXED_BYTES)
    assert budget.train_bytes(20, 8, 1, 10) > budget.train_bytes(20, 8, 1, 5)
    assert budget.train_bytes(20, 8, 1, 4, spectra=1) > budget.train_bytes(20, 8, 1, 4)
    assert budget.density_bytes(8, 4) > budget.jacobian_bytes(16, 4) - budget.FIXED_BYTES
    assert budget.human_bytes(2**1000) == "10^301 bytes"
    assert budget.human_bytes(3 * 2**40) == "3 TiB"
    assert os.path.basename(__file__) == "test_bad_input.py"
