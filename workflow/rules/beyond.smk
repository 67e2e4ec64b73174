# Extra figure "beyond": QFIM rank and critical M of models at sizes past the paper's, against the
# orbit bound. Off unless config beyond.enabled; one job per (model, size); the rank at every M comes
# from one Jacobian of the deepest circuit per random point (overparam qfim-prefix).


BEYOND = config["beyond"]
BEYOND_ENABLED = BEYOND["enabled"]
BEYOND_RUNS = {f"{r['model']}_n{r['n']}": r for r in BEYOND["runs"]} if BEYOND_ENABLED else {}


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
        samples=BEYOND["samples"],
        backend=BEYOND["backend"],
        seed=SEED,
        gpu=GPU_FLAG,
    shell:
        "OVERPARAM_THREADS={threads} overparam qfim-prefix {params.model} --n {params.n}"
        " --layers {params.depth} --samples {params.samples} --seed {params.seed} --backend {params.backend}"
        " --label {params.label} {params.gpu} --out {output} --verbose 2> {log}"
