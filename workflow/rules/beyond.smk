# Extra figure "beyond" (issue 8): QFIM rank and critical M of models at sizes past the paper's,
# against the orbit bound. Off unless config beyond.enabled; one job per (model, size); the rank at
# every M comes from one Jacobian of the deepest circuit per random point (overparam qfim-prefix).


rule beyond_data:
    output:
        "results/data/beyond/{run}.json",
    log:
        "logs/beyond_data/{run}.log",
    benchmark:
        "benchmarks/out/beyond_data/{run}.tsv"
    wildcard_constraints:
        run="|".join(BEYOND_RUNS) or "NO-BEYOND-RUNS",
    conda:
        ENV
    threads: 1
    resources:
        gpu=gpu_resource,
        mem_mb=4000,
    params:
        model=lambda wc: model_cli(BEYOND_RUNS[wc.run]["model"]),
        label=lambda wc: BEYOND_RUNS[wc.run]["model"],
        n=lambda wc: BEYOND_RUNS[wc.run]["n"],
        depth=lambda wc: BEYOND_RUNS[wc.run]["depth"],
        samples=BEYOND.get("samples", 3),
        backend=BEYOND.get("backend", "jax"),
        seed=SEED,
        gpu=GPU_FLAG,
    shell:
        "OVERPARAM_THREADS={threads} overparam qfim-prefix {params.model} --n {params.n}"
        " --layers {params.depth} --samples {params.samples} --seed {params.seed} --backend {params.backend}"
        " --label {params.label} {params.gpu} --out {output} --verbose 2> {log}"


rule beyond_table:
    input:
        [f"results/data/beyond/{run}.json" for run in BEYOND_RUNS]
        + [f"results/data/dla/{r['model']}_n{r['n']}.json" for r in BEYOND_RUNS.values()],
    output:
        "results/tables/beyond.csv",
    log:
        "logs/beyond_table.log",
    conda:
        ENV
    shell:
        "overparam table beyond {input} --out {output} 2> {log}"


rule beyond_figure:
    input:
        "results/tables/beyond.csv",
    output:
        png="results/figures/beyond.png",
        pdf="results/figures/beyond.pdf",
    log:
        "logs/beyond_figure.log",
    conda:
        ENV
    shell:
        "overparam figure beyond {input} --out results/figures/beyond 2> {log}"
