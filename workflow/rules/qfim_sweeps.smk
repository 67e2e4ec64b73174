# QFIM rank versus depth at random points: supp2 (experiment 3) and fig2 (against the Lie bounds).


SWEEPS = {fig: {f"{r['model']}_n{r['n']}": r for r in config[fig]["runs"]} for fig in ("fig2", "supp2")}
# What each sweep table reads: the sweep JSONs, then the DLA results of their models.
SWEEP_INPUTS = {
    fig: [f"results/data/{fig}/{run}.json" for run in runs]
    + [f"results/data/dla/{r['model']}_n{r['n']}.json" for r in runs.values()]
    for fig, runs in SWEEPS.items()
}


rule qfim_sweep:
    output:
        "results/data/{fig}/{run}.json",
    log:
        "logs/qfim_sweep/{fig}_{run}.log",
    benchmark:
        "benchmarks/out/qfim_sweep/{fig}_{run}.tsv"
    wildcard_constraints:
        fig="fig2|supp2",
    conda:
        ENV
    threads: 1
    resources:
        gpu=gpu_resource,
        mem_mb=2000,
    params:
        model=lambda wc: model_cli(SWEEPS[wc.fig][wc.run]["model"]),
        label=lambda wc: SWEEPS[wc.fig][wc.run]["model"],
        n=lambda wc: SWEEPS[wc.fig][wc.run]["n"],
        layers=lambda wc: ",".join(map(str, SWEEPS[wc.fig][wc.run]["layers"])),
        samples=lambda wc: config[wc.fig]["samples"],
        seed=SEED,
        backend=BACKEND,
        gpu=GPU_FLAG,
    shell:
        "OVERPARAM_THREADS={threads} overparam qfim-sweep {params.model} --n {params.n}"
        " --layers {params.layers} --samples {params.samples} --seed {params.seed}"
        " --backend {params.backend} --label {params.label} {params.gpu} --out {output} --verbose 2> {log}"
