# Training experiments: fig3 (TFIM VQE), supp4 (compiling), supp5 (autoencoder).
# One job per model, size and depth; the table and figure read the shards.


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
        stop=lambda wc: (
            "" if config[wc.exp].get("stop_below") is None else f"--stop-below {config[wc.exp]['stop_below']}"
        ),
        seed=SEED,
        gpu=GPU_FLAG,
    shell:
        "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n}"
        " --layers {params.layers} --seeds {params.runs} --steps {params.steps} --lr {params.lr}"
        " --seed {params.seed} --spectra {params.spectra} --label {params.label} {params.stop} {params.gpu}"
        " --curves {output.curves} --out {output.summary} --verbose 2> {log}"


rule train_table:
    input:
        lambda wc: train_shards(wc.exp, "json") + train_dla(wc.exp),
    output:
        "results/tables/{exp}.csv",
    log:
        "logs/tables/{exp}.log",
    wildcard_constraints:
        exp="|".join(TRAINING),
    conda:
        ENV
    params:
        threshold=lambda wc: config[wc.exp]["success_threshold"],
    shell:
        "overparam table {wildcards.exp} {input} --out {output}" " --success-threshold {params.threshold} 2> {log}"


rule train_spectra_table:
    input:
        lambda wc: train_shards(wc.exp, "npz"),
    output:
        "results/tables/{exp}_spectra.csv",
    log:
        "logs/tables/{exp}_spectra.log",
    wildcard_constraints:
        exp="|".join(TRAINING),
    conda:
        ENV
    shell:
        "overparam table {wildcards.exp}_spectra {input} --out {output} 2> {log}"
