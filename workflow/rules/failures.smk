# What stops training: every failed run of the training experiments (config failures.experiments)
# classified from its shard (no training rerun), one job per configuration. The tables (failures,
# failures_summary, failures_budget: tables.smk), the figure (figures.smk, with the committed budget
# study benchmarks/results/budget/*.json) and the book page (book.smk) read them.
import glob

FAILURES = config.get("failures") or {"enabled": False}
FAILURES_ENABLED = bool(FAILURES.get("enabled", False))
FAILURE_EXPERIMENTS = list(FAILURES.get("experiments", [])) if FAILURES_ENABLED else []
FAILURE_BUDGET = sorted(glob.glob("benchmarks/results/budget/*.json"))


FAILURE_JSONS = [f"results/data/classify/{exp}/{run}.json" for exp in FAILURE_EXPERIMENTS for run in TRAIN_RUNS[exp]]
FAILURE_DLA = sorted({path for exp in FAILURE_EXPERIMENTS for path in TRAIN_DLA[exp]})
# Tables of the failures page besides failures.csv (the budget one only where results are committed).
FAILURE_PAGE_TABLES = (
    (["failures_summary"] + (["failures_budget"] if FAILURE_BUDGET else [])) if FAILURES_ENABLED else []
)


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
