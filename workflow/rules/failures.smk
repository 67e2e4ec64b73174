# What stops training: every failed run of the training experiments (config failures.experiments)
# classified from its shard (no training rerun), one job per configuration; the table, the figure
# (with the committed budget study, benchmarks/results/budget/*.json) and the book page read them.
import glob

FAILURES = config.get("failures") or {"enabled": False}
FAILURES_ENABLED = bool(FAILURES.get("enabled", False))
FAILURE_EXPERIMENTS = list(FAILURES.get("experiments", [])) if FAILURES_ENABLED else []
FAILURE_BUDGET = sorted(glob.glob("benchmarks/results/budget/*.json"))


FAILURE_JSONS = [f"results/data/classify/{exp}/{run}.json" for exp in FAILURE_EXPERIMENTS for run in TRAIN_RUNS[exp]]
FAILURE_DLA = sorted({path for exp in FAILURE_EXPERIMENTS for path in train_dla(exp)})


rule classify_run:
    input:
        "results/data/train/{exp}/{run}.npz",
    output:
        "results/data/classify/{exp}/{run}.json",
    log:
        "logs/classify/{exp}/{run}.log",
    benchmark:
        "benchmarks/out/classify_run/{exp}_{run}.tsv"
    wildcard_constraints:
        exp="|".join(FAILURE_EXPERIMENTS) or "NO-FAILURE-EXPERIMENTS",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        threshold=lambda wc: config[wc.exp]["success_threshold"],
    shell:
        "OVERPARAM_THREADS={threads} overparam classify {input} --out {output} --experiment {wildcards.exp}"
        " --success-threshold {params.threshold} --verbose 2> {log}"


rule failures_tables:
    input:
        classified=FAILURE_JSONS,
        dla=FAILURE_DLA,
    output:
        failures="results/tables/failures.csv",
        summary="results/tables/failures_summary.csv",
    log:
        "logs/tables/failures.log",
    conda:
        ENV
    shell:
        "(overparam table failures {input.classified} {input.dla} --out {output.failures}"
        " && overparam table failures_summary {input.classified} {input.dla} --out {output.summary}) 2> {log}"


rule failures_budget_table:
    input:
        FAILURE_BUDGET or "benchmarks/results/budget/NO-BUDGET-RESULTS.json",
    output:
        "results/tables/failures_budget.csv",
    log:
        "logs/tables/failures_budget.log",
    conda:
        ENV
    shell:
        "overparam table failures_budget {input} --out {output} 2> {log}"


rule failures_figure:
    input:
        table="results/tables/failures.csv",
        classified=FAILURE_JSONS,
        budget=FAILURE_BUDGET,
    output:
        png="results/figures/failures.png",
        pdf="results/figures/failures.pdf",
    log:
        "logs/failures_figure.log",
    conda:
        ENV
    shell:
        "overparam figure failures {input.table} --data {input.classified} {input.budget}"
        " --out results/figures/failures 2> {log}"
