"""The hardware target end to end through Snakemake, on a tiny config (virtual processors only)."""

import csv
import shutil

import pytest
from helpers import QUICK_RUN, edited_quick_config, snakemake, workflow_config_error


def _enable(cfg, **edits):
    text = cfg.read_text().replace("  enabled: false", "  enabled: true", 1)
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new, 1)
    cfg.write_text(text)


@pytest.mark.slow
@pytest.mark.workflow
def test_hardware_target_builds_from_the_noisy_virtual_engine(quick_workflow, tmp_path):
    # A copy of the shared quick run: its DLA results are reused, only the hardware jobs run.
    repo = shutil.copytree(quick_workflow[0], tmp_path / "repo", symlinks=True)
    _enable(repo / "config/quick.yaml", **{"layers: [1, 2]\n  samples": "layers: [1]\n  samples",
                                           "repetitions: 1000": "repetitions: 300"})
    out = snakemake(repo, "results/figures/hardware.png", *QUICK_RUN)
    assert out.returncode == 0, out.stderr[-3000:]
    with open(repo / "results/tables/hardware.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["backend"] for r in rows} == {"virtual-noiseless", "virtual-noisy"}
    for r in rows:
        assert int(r["exact_rank"]) == 2 and int(r["n_params"]) == 2 and int(r["circuits"]) == 121
    noiseless = next(r for r in rows if r["backend"] == "virtual-noiseless")
    assert float(noiseless["max_z"]) < 5.0  # shot QFIM agrees with the exact one
    for ext in ("png", "pdf"):
        assert (repo / f"results/figures/hardware.{ext}").stat().st_size > 5000


@pytest.mark.parametrize(
    "key, value, needle",
    [
        ("model", "tfim-ring", "hardware.model: model 'tfim-ring' is not defined"),
        ("processor", "sycamore", "hardware.processor: 'sycamore' is not a virtual processor"),
    ],
)
def test_hardware_config_errors_name_the_key(key, value, needle):
    config = edited_quick_config(("seed: 2023", "seed: 2023"))
    config["hardware"].update({"enabled": True, key: value})
    error = workflow_config_error(config)
    assert error is not None and needle in error, error
