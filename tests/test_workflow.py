"""Runs the real Snakemake workflow on config/quick.yaml in a temporary copy of the repository."""

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import (
    QUICK_RUN,
    config_error_lines,
    copy_repo,
    edited_quick_config,
    read_table,
    snakemake,
    workflow_config_error,
)


def check_ranks_against_orbit_bound(repo: Path) -> None:
    """Every measured QFIM rank is at most the exact orbit dimension, and reaches it when saturated."""
    dla = {(r["model"], r["n"]): r for r in read_table(repo, "dla.csv")}
    assert {("tfim-open", "4"), ("tfim-periodic", "4"), ("qaqc", "2")} <= set(dla)
    assert dla[("tfim-open", "4")]["dim"] == "16"  # the open TFIM chain's DLA has dimension n^2
    for name, column in (("supp2.csv", "rank"), ("fig2.csv", "max_rank")):
        rows = read_table(repo, name)
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
        for r in read_table(repo, f"{fig}.csv"):
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
    fig4, supp1 = read_table(repo, "fig4.csv"), read_table(repo, "supp1.csv")
    assert fig4 and {(r["model"], r["n"]) for r in fig4} < {(r["model"], r["n"]) for r in supp1}
    assert {r["point"] for r in supp1} == {"random", "converged"}
    for r in supp1:
        # Every QFIM rank, and the Hessian rank at a solution, is at most the orbit bound.
        if r["matrix"] == "qfim" or r["point"] == "converged":
            assert int(r["rank"]) <= int(r["orbit_dim"]), r
    for r in read_table(repo, "critical.csv"):
        assert int(r["max_rank"]) <= int(r["orbit_dim"]) and r["within_dim_g"] == "1", r
    land = read_table(repo, "fig1.csv")
    carried = [r for r in land if r["item"] == "carried"]
    assert carried and all(r["kind"] == "saddle" and int(r["hessian_index"]) > 0 for r in carried)
    for r in land:
        if r["item"] == "endpoint" and r["kind"].endswith("minimum"):
            assert float(r["grad_norm"]) < 1e-6 and r["hessian_index"] == "0", r


def check_beyond_outputs(repo: Path) -> None:
    """The quick config's beyond runs (periodic n = 5, open n = 4) saturate at their exact orbit bound."""
    rows = read_table(repo, "beyond.csv")
    assert {(r["model"], r["n"]) for r in rows} == {("tfim-periodic", "5"), ("tfim-open", "4")}
    for r in rows:
        assert int(r["rank"]) <= int(r["orbit_dim"])
    for model, orbit in (("tfim-periodic", 4), ("tfim-open", 8)):
        mine = [r for r in rows if r["model"] == model]
        assert {int(r["orbit_dim"]) for r in mine} == {orbit}
        assert max(int(r["rank"]) for r in mine) == orbit
    assert (repo / "benchmarks/out/beyond_data/tfim-open_n4.tsv").exists()


def check_large_outputs(repo: Path) -> None:
    """The quick config's "beyond the paper's sizes" runs: counts from the shards, ranks at the orbit bound."""
    import json

    rows = read_table(repo, "large.csv")
    assert {(r["model"], r["n"], r["n_params"]) for r in rows} == {("tfim-periodic", "12", "6"),
                                                                    ("tfim-periodic", "12", "24")}
    for r in rows:
        shard = json.loads((repo / f"results/data/large/train/tfim-periodic_n12_M{r['n_params']}.json").read_text())
        assert shard["backend"] == "fermion" and shard["stop_below"] is None  # the published protocol
        assert int(r["successes"]) == sum(v < 1e-4 for v in shard["final_losses"]) and r["runs"] == "4"
        assert (r["orbit_dim"], r["dla_dim"]) == ("12", "35")
    qfim = read_table(repo, "large_qfim.csv")
    assert max(int(r["rank"]) for r in qfim if r["n_params"] == "24") == 12
    assert all(int(r["rank"]) <= 12 for r in qfim)
    assert len(read_table(repo, "large_crossings.csv")) == 4
    for fig in ("large", "large_qfim"):
        assert (repo / f"results/figures/{fig}.pdf").stat().st_size > 5000
    assert (repo / "book/_build/html/generated/large.html").exists()


def check_failures_outputs(repo: Path) -> None:
    """The quick config's failed runs are classified: one row each, labels from the four, counts agree."""
    rows = read_table(repo, "failures.csv")
    summary = read_table(repo, "failures_summary.csv")
    assert rows and {r["label"] for r in rows} <= {"converges", "local-minimum", "saddle", "unresolved"}
    assert {r["experiment"] for r in rows} == {"fig3", "supp4"}
    assert sum(int(r["failed"]) for r in summary) == len(rows)
    for r in rows:
        assert float(r["final_loss"]) >= 1e-4 and float(r["continuation_loss"]) <= float(r["final_loss"]) + 1e-12
    assert (repo / "book/_build/html/generated/failures.html").exists()


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
    check_large_outputs(repo)
    check_failures_outputs(repo)
    index = repo / "book/_build/html/index.html"
    assert index.exists()
    page = (repo / "book/_build/html/generated/supp2.html").read_text()
    assert "supp2: QFIM rank versus depth" in page and "Provenance" in page
    # A second run has nothing to do: plotting never reruns a simulation.
    again = snakemake(repo, *QUICK_RUN, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr


# (edit of config/quick.yaml, text the one error line must contain: the key path and the bad value)
CONFIG_ERRORS = [
    (("seed: 2023", "sede: 2023"), "'sede' was unexpected"),
    (("samples: 3", "samples: 0"), "supp2.samples: 0 is less than the minimum of 1"),
    (("{model: tfim-open, n: 4", "{model: tfim-opne, n: 4"), "model 'tfim-opne' is not defined"),
    (("boundary: open", "boundary: opne"), "opne"),
    (("local: [1.0e-3, 1.0e-1]", "local: [1.0e-3, 1.5]"), "ext1.local.1: 1.5 is greater than the maximum of 1"),
    (("model: tfim-periodic\n  n: 4", "model: tfim-periodc\n  n: 4"), "ext1.model: model 'tfim-periodc' is not defined"),
    (("n_params: [6, 24]", "n_params: [7, 24]"), "large.transition.sweeps[0].n_params: M = 7 is not accepted"),
]


@pytest.mark.parametrize("edit, needle", CONFIG_ERRORS)
def test_config_errors_name_the_key_and_the_value(edit, needle):
    assert workflow_config_error(edited_quick_config(("seed: 2023", "seed: 2023"))) is None
    error = workflow_config_error(edited_quick_config(edit))
    assert error is not None and needle in error, error


@pytest.mark.workflow
@pytest.mark.parametrize("case", [0, 2], ids=["schema", "semantic"])
def test_config_errors_exit_2_with_one_line_before_the_dag(tmp_path, case):
    """Through snakemake itself: exit status 2 and one stderr line, before any DAG is built."""
    edit, needle = CONFIG_ERRORS[case]
    repo = copy_repo(tmp_path / "repo")
    cfg = repo / "config/quick.yaml"
    cfg.write_text(cfg.read_text().replace(edit[0], edit[1], 1))
    out = snakemake(repo, "--configfile", "config/quick.yaml", "--dry-run")
    assert out.returncode == 2, out.stderr[-2000:]
    lines = config_error_lines(out)
    assert len(lines) == 1 and needle in lines[0], out.stderr[-2000:]
    assert "Building DAG" not in out.stdout + out.stderr


@pytest.mark.workflow
def test_removed_study_page_leaves_the_book(quick_workflow, tmp_path):
    """The shared run has a study; without it in the config the book job removes its page first."""
    repo = shutil.copytree(quick_workflow[0], tmp_path / "repo", symlinks=True)
    assert (repo / "book/generated/study_xxz.md").exists()
    out = snakemake(repo, "--configfile", "config/quick.yaml", "--dry-run", "--printshellcmds", "book")
    assert out.returncode == 0, out.stderr[-2000:]
    book = [line for line in (out.stdout + out.stderr).splitlines() if "jupyter-book build" in line]
    assert len(book) == 1 and "rm -f book/generated/study_xxz.md" in book[0], out.stdout[-3000:]
    assert "book/_build/html/generated/study_xxz.html" in book[0]
    removal = book[0][book[0].index("rm -f") :].split("&&")[0]
    assert subprocess.run(["bash", "-c", removal], cwd=repo).returncode == 0
    assert not (repo / "book/generated/study_xxz.md").exists()
