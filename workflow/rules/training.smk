# Training experiments: fig3 (TFIM VQE), supp4 (compiling), supp5 (autoencoder).
# One job per model, size and depth; the tables and figures read the shards.


TRAINING = ("fig3", "supp4", "supp5")
TRAIN_RUNS = {
    exp: {
        f"{s['model']}_n{s['n']}_L{layers}": dict(
            s, layers=layers, spectra=config[exp]["spectra"] if layers in s.get("spectra_at", []) else 0
        )
        for s in config[exp]["sweeps"]
        for layers in s["layers"]
    }
    for exp in TRAINING
}
# Per experiment: the loss-curve shards (npz), the summaries (json) and the DLA results of its models.
TRAIN_CURVES = {exp: [f"results/data/train/{exp}/{run}.npz" for run in runs] for exp, runs in TRAIN_RUNS.items()}
TRAIN_SUMMARIES = {exp: [f"results/data/train/{exp}/{run}.json" for run in runs] for exp, runs in TRAIN_RUNS.items()}
TRAIN_DLA = {exp: dla_files((r["model"], r["n"]) for r in runs.values()) for exp, runs in TRAIN_RUNS.items()}


rule train_run:
    output:
        curves="results/data/train/{exp}/{run}.npz",
        summary="results/data/train/{exp}/{run}.json",
    log:
        "logs/train/{exp}/{run}.log",
    benchmark:
        "benchmarks/out/train_run/{exp}_{run}.tsv"
    wildcard_constraints:
        exp="|".join(TRAINING),
    conda:
        ENV
    threads: 1
    resources:
        gpu=gpu_resource,
        mem_mb=4000,
    params:
        model=lambda wc: model_cli(TRAIN_RUNS[wc.exp][wc.run]["model"]),
        label=lambda wc: TRAIN_RUNS[wc.exp][wc.run]["model"],
        n=lambda wc: TRAIN_RUNS[wc.exp][wc.run]["n"],
        layers=lambda wc: TRAIN_RUNS[wc.exp][wc.run]["layers"],
        spectra=lambda wc: TRAIN_RUNS[wc.exp][wc.run]["spectra"],
        runs=lambda wc: config[wc.exp]["runs"],
        steps=lambda wc: config[wc.exp]["steps"],
        lr=lambda wc: config[wc.exp]["lr"],
        stop=lambda wc: stop_flag(config[wc.exp]),
        floor=lambda wc: config[wc.exp]["fixed_floor"],
        seed=SEED,
        gpu=GPU_FLAG,
    shell:
        "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n}"
        " --layers {params.layers} --runs {params.runs} --steps {params.steps} --lr {params.lr}"
        " --seed {params.seed} --spectra {params.spectra} --label {params.label} {params.stop} {params.gpu}"
        " --fixed-floor {params.floor} --curves {output.curves} --out {output.summary} --verbose 2> {log}"
