"""Checks of a workflow run through snakemake-executor-plugin-slurm (tests/slurm/run_slurm_test.sh).

Given Snakemake's dry-run plan, the run's log, the controller's record of its jobs and a finished local
run of the same workflow:

* the run did exactly the planned jobs (rule by rule);
* every job the run logs as a cluster job (header ``rule NAME:``) was submitted once, under a SLURM
  job id the controller ran to ``COMPLETED`` with the comment ``rule_NAME...`` the executor gives it;
* no job logged as local (header ``localrule NAME:``: Snakemake's reading of the workflow's
  ``localrules`` and of rules without a command, such as ``all``) was;
* the rules named by ``--require`` went through sbatch at least once;
* every table of the local run equals the cluster run's, column by column and row by row, timing
  columns aside (same config and seed give the same numbers).

Without accounting (``sacct`` answers nothing) the job ids the executor logged and ``squeue
--states=all`` are the record. Prints the problems and exits 1 if there are any; ``--summary``
writes the counts as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# A job block of Snakemake's log: "[date]\n(local)rule NAME:\n    key: value\n ... jobid: N".
JOB_HEADER = re.compile(r"^(local)?(?:checkpoint|rule) (\S+):\n((?:[ \t]+\S.*\n)+)", re.MULTILINE)
JOB_ID = re.compile(r"^\s+jobid: (\d+)$", re.MULTILINE)
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+)")
# Columns that measure time, not physics: they differ between any two runs.
TIMING_COLUMN = re.compile(r"(^|_)(seconds|secs|time|wall|elapsed|runtime)($|_)")


@dataclass(frozen=True)
class PlannedJob:
    """One job of Snakemake's plan or log: its id in the run, its rule, and whether it runs locally
    (meaningful in a real run's log only: a dry run labels every job ``rule``)."""

    jobid: int
    rule: str
    local: bool


def parse_jobs(log: str) -> dict[int, PlannedJob]:
    """Every job block of a Snakemake log (dry run or real run), by Snakemake job id."""
    jobs = {}
    for match in JOB_HEADER.finditer(log):
        found = JOB_ID.search(match.group(3))
        if found:
            job = PlannedJob(int(found.group(1)), match.group(2), bool(match.group(1)))
            jobs[job.jobid] = job
    return jobs


def parse_submissions(log: str) -> dict[int, list[str]]:
    """The SLURM job ids the executor logged, by Snakemake job id."""
    submitted: dict[int, list[str]] = {}
    for jobid, slurm_id in SUBMITTED.findall(log):
        submitted.setdefault(int(jobid), []).append(slurm_id)
    return submitted


def parse_controller(text: str) -> dict[str, tuple[str, str]]:
    """``squeue --states=all -h -o '%i|%k|%T'`` lines: SLURM job id -> (comment, state)."""
    record = {}
    for line in text.splitlines():
        if line.strip():
            slurm_id, comment, state = line.strip().split("|", 2)
            record[slurm_id] = (comment, state)
    return record


def check_jobs(
    plan: dict[int, PlannedJob],
    ran: dict[int, PlannedJob],
    submitted: dict[int, list[str]],
    controller: dict[str, tuple[str, str]],
    require: list[str],
) -> list[str]:
    """Problems with where the jobs ran (empty when every job ran where the workflow says)."""
    problems = []
    # A dry run labels every job "rule": where a job runs shows in the real run's log only.
    planned = Counter(j.rule for j in plan.values())
    done = Counter(j.rule for j in ran.values())
    if planned != done:
        problems.append(f"the run's jobs {sorted(done.items())} differ from the plan's {sorted(planned.items())}")
    for job in sorted(ran.values(), key=lambda j: j.jobid):
        ids = submitted.get(job.jobid, [])
        if job.local and ids:
            problems.append(f"job {job.jobid} of local rule {job.rule} went through sbatch (SLURM jobs {ids})")
        elif not job.local and len(ids) != 1:
            problems.append(f"job {job.jobid} of rule {job.rule} has {len(ids)} SLURM job ids {ids}, expected 1")
        for slurm_id in ids:
            comment, state = controller.get(slurm_id, ("", "absent"))
            if not comment.startswith(f"rule_{job.rule}"):
                problems.append(
                    f"SLURM job {slurm_id} (job {job.jobid}, rule {job.rule}): the controller has comment "
                    f"{comment!r}, expected rule_{job.rule}..."
                )
            if state != "COMPLETED":
                problems.append(f"SLURM job {slurm_id} (job {job.jobid}, rule {job.rule}): controller state {state}")
    # Every workflow job the controller ran (the executor's comment "rule_...") is one the log names.
    logged = {slurm_id for ids in submitted.values() for slurm_id in ids}
    unlogged = sorted(i for i, (comment, _) in controller.items() if comment.startswith("rule_") and i not in logged)
    if unlogged:
        problems.append(f"SLURM jobs {unlogged} of the workflow ran on the cluster but the executor logged none")
    through_slurm = {j.rule for j in ran.values() if submitted.get(j.jobid)}
    for rule in require:
        if rule not in through_slurm:
            problems.append(f"no job of rule {rule} went through sbatch (required)")
    return problems


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def compare_tables(reference: Path, cluster: Path) -> tuple[list[str], list[str]]:
    """(problems, compared table names): every CSV under the local run's results/tables against the
    cluster run's, timing columns aside."""
    problems, names = [], []
    tables = sorted((reference / "results/tables").glob("*.csv"))
    if not tables:
        return [f"no tables under {reference}/results/tables"], []
    for ref_path in tables:
        name = ref_path.name
        names.append(name)
        other = cluster / "results/tables" / name
        if not other.is_file():
            problems.append(f"{name}: missing from the cluster run")
            continue
        ref_cols, ref_rows = read_table(ref_path)
        cols, rows = read_table(other)
        if ref_cols != cols:
            problems.append(f"{name}: columns {cols} differ from the local run's {ref_cols}")
            continue
        if len(ref_rows) != len(rows):
            problems.append(f"{name}: {len(rows)} rows, the local run has {len(ref_rows)}")
            continue
        compared = [c for c in cols if not TIMING_COLUMN.search(c)]
        for k, (a, b) in enumerate(zip(ref_rows, rows)):
            diff = [c for c in compared if a[c] != b[c]]
            if diff:
                c = diff[0]
                problems.append(
                    f"{name} row {k + 1}: columns {diff} differ from the local run ({c}: {b[c]!r} vs {a[c]!r})"
                )
                break
    return problems, names


def rewritten_tables(reference: Path, cluster: Path) -> list[str]:
    """The tables the cluster run wrote anew (newer than the local run's copy it started from)."""
    return [
        path.name
        for path in sorted((cluster / "results/tables").glob("*.csv"))
        if (reference / "results/tables" / path.name).is_file()
        and path.stat().st_mtime > (reference / "results/tables" / path.name).stat().st_mtime
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, required=True, help="snakemake --dry-run output of the same command")
    parser.add_argument("--log", type=Path, required=True, help="the run's snakemake output")
    parser.add_argument("--controller", type=Path, required=True, help="squeue --states=all -h -o '%%i|%%k|%%T'")
    parser.add_argument("--reference", type=Path, required=True, help="repository of the finished local run")
    parser.add_argument("--cluster", type=Path, required=True, help="repository of the cluster run")
    parser.add_argument("--require", nargs="*", default=[], help="rules that must go through sbatch")
    parser.add_argument("--summary", type=Path, help="write the counts here as JSON")
    args = parser.parse_args(argv)

    plan = parse_jobs(args.plan.read_text())
    log = args.log.read_text()
    ran, submitted = parse_jobs(log), parse_submissions(log)
    controller = parse_controller(args.controller.read_text())
    problems = [] if plan else [f"no jobs in the plan {args.plan}"]
    problems += check_jobs(plan, ran, submitted, controller, args.require)
    table_problems, tables = compare_tables(args.reference, args.cluster)
    problems += table_problems

    sbatch_rules = Counter(ran[j].rule for j, ids in submitted.items() if j in ran for _ in ids)
    summary = {
        "jobs": len(ran),
        "sbatch_jobs": sum(sbatch_rules.values()),
        "sbatch_rules": dict(sorted(sbatch_rules.items())),
        "local_rules": dict(sorted(Counter(j.rule for j in ran.values() if j.local).items())),
        "controller_completed": sum(state == "COMPLETED" for _, state in controller.values()),
        "tables_compared": tables,
        "tables_rewritten": rewritten_tables(args.reference, args.cluster),
        "problems": problems,
    }
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=1) + "\n")
    for problem in problems:
        print(f"check: {problem}", file=sys.stderr)
    print(
        f"check: {summary['jobs']} jobs, {summary['sbatch_jobs']} through sbatch {summary['sbatch_rules']}, "
        f"local {summary['local_rules']}; {len(tables)} tables compared with the local run "
        f"({len(summary['tables_rewritten'])} rewritten on the cluster: {', '.join(summary['tables_rewritten'])}): "
        f"{'all equal' if not table_problems else 'DIFFERENT'}",
        file=sys.stderr,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
