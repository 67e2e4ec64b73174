"""The hardware target end to end through Snakemake, on a tiny config (virtual processors only)."""

import csv

import pytest

from test_workflow import copy_repo, snakemake


def _enable(cfg, **edits):
    text = cfg.read_text().replace("  enabled: false", "  enabled: true", 1)
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new, 1)
    cfg.write_text(text)


@pytest.mark.workflow
def test_hardware_target_builds_from_the_noisy_virtual_engine(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    _enable(repo / "config/quick.yaml", **{"layers: [1, 2]\n  samples": "layers: [1]\n  samples",
                                           "repetitions: 1000": "repetitions: 300"})
    out = snakemake(repo, "results/figures/hardware.png", "--configfile", "config/quick.yaml")
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


@pytest.mark.workflow
def test_hardware_config_errors_exit_2(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    _enable(repo / "config/quick.yaml", **{"  model: tfim-periodic\n  n: 4": "  model: tfim-ring\n  n: 4"})
    out = snakemake(repo, "--configfile", "config/quick.yaml", "--dry-run")
    assert out.returncode == 2
    lines = [l for l in out.stderr.splitlines() if l.startswith("config error")]
    assert len(lines) == 1 and "tfim-ring" in lines[0]
    repo2 = copy_repo(tmp_path / "repo2")
    _enable(repo2 / "config/quick.yaml", **{"processor: rainbow": "processor: sycamore"})
    out = snakemake(repo2, "--configfile", "config/quick.yaml", "--dry-run")
    assert out.returncode == 2 and "sycamore" in out.stderr
