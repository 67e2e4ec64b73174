"""The SLURM profile on a real single-node SLURM (tests/slurm/run_slurm_test.sh), and the checks that
script applies to a cluster run (tests/slurm/check_slurm_run.py), here on made-up logs.

The real test is opt-in (``OVERPARAM_SLURM_TEST=1``; root, apt-get): it installs Debian's slurm-wlm
and munge, starts munged, slurmctld and slurmd on this host, re-runs a training shard, a QFIM sweep and
everything downstream of them down to the book through the executor in a copy of the local quick run
(the ``quick_workflow`` fixture), checks where every job ran and that the tables equal the local ones,
and stops the daemons again. A missing precondition is a skip that says which.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests/slurm/run_slurm_test.sh"
sys.path.insert(0, str(ROOT / "tests/slurm"))

import check_slurm_run as check  # noqa: E402

PLAN = """\
Building DAG of jobs...

[Thu Dec  3 08:11:49 2026]
rule train_run:
    output: results/data/train/supp4/qaqc_n2_L1.npz, results/data/train/supp4/qaqc_n2_L1.json
    jobid: 14
    reason: Forced execution
    wildcards: exp=supp4, run=qaqc_n2_L1

[Thu Dec  3 08:11:49 2026]
localrule train_table:
    input: results/data/train/supp4/qaqc_n2_L1.json
    output: results/tables/supp4.csv
    jobid: 7

[Thu Dec  3 08:11:49 2026]
rule book:
    output: book/_build/html/index.html
    jobid: 1

[Thu Dec  3 08:11:49 2026]
localrule all:
    input: book/_build/html/index.html
    jobid: 0
"""


def ran(plan: str, submit: dict[int, str]) -> str:
    """A run log: the plan's job blocks, and the executor's line for each submitted job."""
    lines = [plan]
    lines += [f"Job {j} has been submitted with SLURM jobid {s} (log: x/{s}.log)." for j, s in submit.items()]
    return "\n".join(lines) + "\n"


CONTROLLER = {"101": ("rule_train_run_wildcards_supp4_qaqc_n2_L1", "COMPLETED"), "102": ("rule_book", "COMPLETED")}


def test_parse_jobs_reads_rule_locality_and_job_id():
    jobs = check.parse_jobs(PLAN)
    assert {j: (p.rule, p.local) for j, p in jobs.items()} == {
        14: ("train_run", False),
        7: ("train_table", True),
        1: ("book", False),
        0: ("all", True),
    }
    assert check.parse_submissions(ran(PLAN, {14: "101", 1: "102"})) == {14: ["101"], 1: ["102"]}


def test_check_jobs_accepts_the_run_the_plan_describes():
    log = ran(PLAN, {14: "101", 1: "102"})
    plan = check.parse_jobs(PLAN)
    problems = check.check_jobs(plan, check.parse_jobs(log), check.parse_submissions(log), CONTROLLER, ["book"])
    assert problems == []


@pytest.mark.parametrize(
    "submit, controller, require, needle",
    [
        ({14: "101"}, {"101": CONTROLLER["101"]}, [], "job 1 of rule book has 0 SLURM job ids"),
        ({14: "101", 1: "102", 7: "103"}, {**CONTROLLER, "103": ("rule_train_table", "COMPLETED")}, [], "local rule"),
        ({14: "101", 1: "102"}, {**CONTROLLER, "102": ("rule_book", "FAILED")}, [], "controller state FAILED"),
        ({14: "101", 1: "102"}, {"101": CONTROLLER["101"]}, [], "controller state absent"),
        ({14: "101", 1: "102"}, {**CONTROLLER, "102": ("rule_figure", "COMPLETED")}, [], "expected rule_book"),
        ({14: "101", 1: "102"}, {**CONTROLLER, "109": ("rule_book", "COMPLETED")}, [], "executor logged none"),
        ({14: "101", 1: "102"}, CONTROLLER, ["qfim_sweep"], "no job of rule qfim_sweep went through sbatch"),
    ],
)
def test_check_jobs_names_each_misplaced_job(submit, controller, require, needle):
    log = ran(PLAN, submit)
    problems = check.check_jobs(
        check.parse_jobs(PLAN), check.parse_jobs(log), check.parse_submissions(log), controller, require
    )
    assert any(needle in p for p in problems), problems


def test_check_jobs_notices_a_job_the_plan_did_not_have():
    extra = (
        PLAN + "\n[Thu Dec  3 08:12:00 2026]\nrule qfim_sweep:\n    output: results/data/fig2/x.json\n    jobid: 20\n"
    )
    log = ran(extra, {14: "101", 1: "102", 20: "103"})
    controller = {**CONTROLLER, "103": ("rule_qfim_sweep", "COMPLETED")}
    problems = check.check_jobs(
        check.parse_jobs(PLAN), check.parse_jobs(log), check.parse_submissions(log), controller, []
    )
    assert any("differ from the plan" in p for p in problems), problems


def write_table(repo: Path, name: str, text: str) -> None:
    (repo / "results/tables").mkdir(parents=True, exist_ok=True)
    (repo / "results/tables" / name).write_text(text)


def test_compare_tables_ignores_timing_columns_only(tmp_path):
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    write_table(local, "dla.csv", "model,n,dim,seconds\ntfim-open,4,16,1.25\n")
    write_table(cluster, "dla.csv", "model,n,dim,seconds\ntfim-open,4,16,9.75\n")
    assert check.compare_tables(local, cluster) == ([], ["dla.csv"])
    write_table(cluster, "dla.csv", "model,n,dim,seconds\ntfim-open,4,15,1.25\n")
    problems, _ = check.compare_tables(local, cluster)
    assert problems and "dla.csv row 1: columns ['dim']" in problems[0]


def test_compare_tables_needs_every_local_table_with_the_same_rows(tmp_path):
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    write_table(local, "fig2.csv", "model,max_rank\nqaqc,3\nqaqc,6\n")
    write_table(local, "supp4.csv", "model,final_loss\nqaqc,1e-12\n")
    write_table(cluster, "fig2.csv", "model,max_rank\nqaqc,3\n")
    problems, _ = check.compare_tables(local, cluster)
    assert any("fig2.csv: 1 rows" in p for p in problems) and any("supp4.csv: missing" in p for p in problems)


def run_script(args: list[str], env: dict, timeout: float) -> tuple[int, str]:
    """Run the script; on a timeout or an interrupt, TERM it and let its trap stop the daemons."""
    proc = subprocess.Popen(
        ["bash", str(SCRIPT), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except BaseException:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    return proc.returncode, err


def skip_line(stderr: str) -> str:
    return next((line[len("SKIP: ") :] for line in stderr.splitlines() if line.startswith("SKIP: ")), stderr[-300:])


@pytest.mark.slow
@pytest.mark.workflow
@pytest.mark.skipif(os.environ.get("OVERPARAM_SLURM_TEST") != "1", reason="set OVERPARAM_SLURM_TEST=1 (needs root)")
def test_quick_workflow_through_real_slurm(request, tmp_path):
    work = tmp_path / "work"
    env = dict(os.environ, OVERPARAM_PYTHON=sys.executable, SLURM_TEST_WORKDIR=str(work))
    # Root, apt-get, the dpkg lock, the packages: checked (and installed) before the local run.
    rc, err = run_script(["--preflight"], env, timeout=1800)
    if rc == 77:
        pytest.skip(f"real-SLURM test: {skip_line(err)}")
    assert rc == 0, err[-4000:]

    repo, local = request.getfixturevalue("quick_workflow")
    assert local.returncode == 0, "the local quick run (the reference) failed:\n" + local.stderr[-3000:]
    env["SLURM_TEST_REFERENCE"] = str(repo)
    # The same configs as the reference run (quick plus its tiny study), so only the forced jobs rerun.
    from helpers import QUICK_RUN

    env["SLURM_TEST_CONFIG"] = " ".join(QUICK_RUN[1:])
    rc, err = run_script([], env, timeout=3600)
    if rc == 77:
        pytest.skip(f"real-SLURM test: {skip_line(err)}")
    assert rc == 0, err[-6000:]
    summary = json.loads((work / "summary.json").read_text())
    print(f"real SLURM: {summary['sbatch_jobs']} sbatch jobs {summary['sbatch_rules']}, local {summary['local_rules']}")
    assert summary["problems"] == []
    assert {"train_run", "qfim_sweep", "book"} <= set(summary["sbatch_rules"])
    # The tables of the forced jobs were computed anew on the cluster, and equal the local run's.
    assert {"fig2.csv", "supp4.csv", "critical.csv"} <= set(summary["tables_rewritten"])
    assert (work / "cluster/book/_build/html/index.html").is_file()
    # The node is as it was: no daemon of the test left, no config of the test left.
    for daemon in ("slurmctld", "slurmd", "munged"):
        assert subprocess.run(["pgrep", "-x", daemon], capture_output=True).returncode == 1, daemon
    conf = Path("/etc/slurm/slurm.conf")
    assert not conf.exists() or "overparam" not in conf.read_text()
