"""Runs the real Snakemake workflow on config/quick.yaml in a temporary copy of the repository."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def copy_repo(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(src.readlink())
        elif src.exists():
            shutil.copy2(src, target)
    return dest


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SNAKEMAKE), "--cores", "2", *args], cwd=workdir, capture_output=True, text=True, timeout=1800
    )


def read(repo: Path, name: str) -> list[dict]:
    with open(repo / "results/tables" / name, newline="") as fh:
        return list(csv.DictReader(fh))


def check_ranks_against_orbit_bound(repo: Path) -> None:
    """Every measured QFIM rank is at most the exact orbit dimension, and reaches it when saturated."""
    dla = {(r["model"], r["n"]): r for r in read(repo, "dla.csv")}
    assert {("tfim-open", "4"), ("tfim-periodic", "4"), ("qaqc", "2")} <= set(dla)
    assert dla[("tfim-open", "4")]["dim"] == "16"  # the open TFIM chain's DLA has dimension n^2
    for name, column in (("supp2.csv", "rank"), ("fig2.csv", "max_rank")):
        rows = read(repo, name)
        best: dict = {}
        for r in rows:
            key = (r["model"], r["n"])
            assert int(r[column]) <= int(r["orbit_dim"]), (name, r)
            assert r["orbit_dim"] == dla[key]["orbit_dim"]
            best[key] = max(best.get(key, 0), int(r[column]))
        # The quick config runs every model past M = orbit dimension, where the rank saturates.
        for key, top in best.items():
            assert top == int(dla[key]["orbit_dim"]), (name, key, top)


def check_training_tables(repo: Path) -> None:
    for fig in ("fig3", "supp4", "supp5"):
        for r in read(repo, f"{fig}.csv"):
            # qsim (complex64) recomputes every final loss from the final parameters.
            assert abs(float(r["final_loss"]) - float(r["qsim_final_loss"])) < 1e-5, r
            if r["qfim_rank"]:
                assert int(r["qfim_rank"]) <= int(r["orbit_dim"])


def check_geometry_outputs(repo: Path) -> None:
    """fig4/supp1 spectra, critical.csv and the fig1 landscape from the quick config."""
    for fig in ("fig1", "fig4", "supp1"):
        for ext in ("png", "pdf"):
            assert (repo / f"results/figures/{fig}.{ext}").stat().st_size > 5000
        assert (repo / f"book/_build/html/generated/{fig}.html").exists()
    fig4, supp1 = read(repo, "fig4.csv"), read(repo, "supp1.csv")
    assert fig4 and {(r["model"], r["n"]) for r in fig4} < {(r["model"], r["n"]) for r in supp1}
    assert {r["point"] for r in supp1} == {"random", "converged"}
    for r in supp1:
        # Every QFIM rank, and the Hessian rank at a solution, is at most the orbit bound.
        if r["matrix"] == "qfim" or r["point"] == "converged":
            assert int(r["rank"]) <= int(r["orbit_dim"]), r
    for r in read(repo, "critical.csv"):
        assert int(r["max_rank"]) <= int(r["orbit_dim"]) and r["within_dim_g"] == "1", r
    land = read(repo, "fig1.csv")
    carried = [r for r in land if r["item"] == "carried"]
    assert carried and all(r["kind"] == "saddle" and int(r["hessian_index"]) > 0 for r in carried)
    for r in land:
        if r["item"] == "endpoint" and r["kind"].endswith("minimum"):
            assert float(r["grad_norm"]) < 1e-6 and r["hessian_index"] == "0", r


@pytest.mark.workflow
def check_beyond_outputs(repo: Path) -> None:
    """The quick config's beyond runs (periodic n = 5, open n = 4) saturate at their exact orbit bound."""
    rows = read(repo, "beyond.csv")
    assert {(r["model"], r["n"]) for r in rows} == {("tfim-periodic", "5"), ("tfim-open", "4")}
    for r in rows:
        assert int(r["rank"]) <= int(r["orbit_dim"])
    for model, orbit in (("tfim-periodic", 4), ("tfim-open", 8)):
        mine = [r for r in rows if r["model"] == model]
        assert {int(r["orbit_dim"]) for r in mine} == {orbit}
        assert max(int(r["rank"]) for r in mine) == orbit
    assert (repo / "benchmarks/out/beyond_data/tfim-open_n4.tsv").exists()


@pytest.mark.workflow
def test_quick_workflow_end_to_end(quick_workflow):
    repo, out = quick_workflow  # shared with tests/test_browser.py (conftest.py)
    assert out.returncode == 0, out.stderr[-3000:]
    table = repo / "results/tables/supp2.csv"
    header = table.read_text().splitlines()[0]
    assert header.startswith("model,ansatz,options,n,layers,n_params,sample,rank")
    assert len(table.read_text().splitlines()) > 10
    for ext in ("png", "pdf"):
        assert (repo / f"results/figures/supp2.{ext}").stat().st_size > 5000
    for fig in ("fig2", "fig3", "supp2", "supp3", "supp4", "supp5", "ext1", "beyond"):
        assert len((repo / f"results/tables/{fig}.csv").read_text().splitlines()) > 3
        for ext in ("png", "pdf"):
            assert (repo / f"results/figures/{fig}.{ext}").stat().st_size > 5000
        assert (repo / f"book/_build/html/generated/{fig}.html").exists()
    check_ranks_against_orbit_bound(repo)
    check_training_tables(repo)
    check_geometry_outputs(repo)
    check_beyond_outputs(repo)
    index = repo / "book/_build/html/index.html"
    assert index.exists()
    page = (repo / "book/_build/html/generated/supp2.html").read_text()
    assert "supp2: QFIM rank versus depth" in page and "Provenance" in page
    # A second run has nothing to do: plotting never reruns a simulation.
    again = snakemake(repo, "--configfile", "config/quick.yaml", "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.workflow
@pytest.mark.parametrize(
    "edit, needle",
    [
        (("seed: 2023", "sede: 2023"), "sede"),
        (("samples: 3", "samples: 0"), "0"),
        (("{model: tfim-open, n: 4", "{model: tfim-opne, n: 4"), "tfim-opne"),
        (("boundary: open", "boundary: opne"), "opne"),
        (("local: [1.0e-3, 1.0e-1]", "local: [1.0e-3, 1.5]"), "1.5"),
        (("model: tfim-periodic\n  n: 4", "model: tfim-periodc\n  n: 4"), "tfim-periodc"),
    ],
)
def test_config_errors_exit_2_naming_the_key(tmp_path, edit, needle):
    repo = copy_repo(tmp_path / "repo")
    cfg = repo / "config/quick.yaml"
    text = cfg.read_text()
    assert edit[0] in text
    cfg.write_text(text.replace(edit[0], edit[1], 1))
    out = snakemake(repo, "--configfile", "config/quick.yaml", "--dry-run")
    assert out.returncode == 2, out.stderr[-2000:]
    lines = [l for l in out.stderr.splitlines() if l.startswith("config error")]
    assert len(lines) == 1 and needle in lines[0]
