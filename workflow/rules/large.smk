# Beyond the paper's sizes (config large, book page "large"): the trainability transition against M
# at n = 12 to 20 and the QFIM rank against M up to n = 50, on the free-fermion engine that
# `--backend auto` picks for the TFIM models. Config entries name M; overparam.config.large turns
# each into its depth (and refused, with one line, an M that is no depth of its model).
import os

from overparam.config.large import large_jobs

LARGE = config["large"]
LARGE_ENABLED = LARGE["enabled"]
# One training job per (model, n, M); one QFIM job per (model, n) with all its M.
LARGE_TRAIN = {f"{j['model']}_n{j['n']}_M{j['n_params']}": j for j in large_jobs(config, "transition")}
LARGE_QFIM = {f"{j['model']}_n{j['n']}": j for j in large_jobs(config, "qfim")}
LARGE_TRAIN_SUMMARIES = [f"results/data/large/train/{run}.json" for run in LARGE_TRAIN]
LARGE_QFIM_FILES = [f"results/data/large/qfim/{run}.json" for run in LARGE_QFIM]
LARGE_TRAIN_DLA = dla_files((j["model"], j["n"]) for j in LARGE_TRAIN.values())
LARGE_QFIM_DLA = dla_files((j["model"], j["n"]) for j in LARGE_QFIM.values())
# The committed crossover benchmark (benchmarks/bench_crossover.py), drawn on the page when present.
LARGE_CROSSOVER = [p for p in ["benchmarks/results/crossover.json"] if os.path.exists(p)] if LARGE_ENABLED else []
# Tables and figures of the page besides large.csv / large.png (the transition).
LARGE_PAGE_TABLES = (
    ["large_train", "large_crossings"]
    + (["large_qfim"] if LARGE_QFIM else [])
    + (["crossover"] if LARGE_CROSSOVER else [])
    if LARGE_ENABLED
    else []
)
LARGE_PAGE_FIGURES = (
    (["large_qfim"] if LARGE_QFIM else []) + (["crossover"] if LARGE_CROSSOVER else []) if LARGE_ENABLED else []
)


rule large_train:
    output:
        curves="results/data/large/train/{run}.npz",
        summary="results/data/large/train/{run}.json",
    log:
        "logs/large_train/{run}.log",
    benchmark:
        "benchmarks/out/large_train/{run}.tsv"
    wildcard_constraints:
        run="|".join(LARGE_TRAIN) or "NO-LARGE-TRAIN",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        model=lambda wc: model_cli(LARGE_TRAIN[wc.run]["model"]),
        label=lambda wc: LARGE_TRAIN[wc.run]["model"],
        n=lambda wc: LARGE_TRAIN[wc.run]["n"],
        layers=lambda wc: LARGE_TRAIN[wc.run]["layers"],
        runs=LARGE["transition"]["runs"],
        steps=LARGE["transition"]["steps"],
        lr=LARGE["transition"]["lr"],
        floor=LARGE["transition"]["fixed_floor"],
        qsim=LARGE["transition"]["qsim_check_runs"],
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n} --layers {params.layers}"
        " --runs {params.runs} --steps {params.steps} --lr {params.lr} --seed {params.seed} --backend auto"
        " --label {params.label} --fixed-floor {params.floor} --qsim-check-runs {params.qsim}"
        " --curves {output.curves} --out {output.summary}"
        " --verbose 2> {log}"


rule large_qfim:
    output:
        "results/data/large/qfim/{run}.json",
    log:
        "logs/large_qfim/{run}.log",
    benchmark:
        "benchmarks/out/large_qfim/{run}.tsv"
    wildcard_constraints:
        run="|".join(LARGE_QFIM) or "NO-LARGE-QFIM",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        model=lambda wc: model_cli(LARGE_QFIM[wc.run]["model"]),
        label=lambda wc: LARGE_QFIM[wc.run]["model"],
        n=lambda wc: LARGE_QFIM[wc.run]["n"],
        layers=lambda wc: ",".join(map(str, LARGE_QFIM[wc.run]["layers"])),
        samples=LARGE["qfim"]["samples"],
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam qfim-sweep {params.model} --n {params.n} --layers {params.layers}"
        " --samples {params.samples} --seed {params.seed} --backend auto --label {params.label}"
        " --out {output} --verbose 2> {log}"
