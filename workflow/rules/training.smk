# Training experiments: fig3 (TFIM VQE), supp4 (compiling), supp5 (autoencoder).
# One shard per model, size and depth; the tables and figures read the shards. supp4 and supp5 train
# one depth per job (minutes to an hour each on the state-vector engine). The fig3 sweeps train a
# depth in seconds on the free-fermion engine, where starting a job (Python importing Cirq and JAX,
# about 3.5 s) would be a third of the experiment: their jobs are bundles of consecutive depths of
# one sweep entry, trained one after the other by one `overparam train --layers a,b,c`, each bundle
# closing before its n^2 x layers (the engine's cost per step) exceeds TRAIN_BUNDLE_WORK. The shards
# are the same files either way.


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
TRAIN_BUNDLED = ("fig3",)
# Up to about 100 s of one core per bundle at open n = 10 (its depth 104 alone is 10400 and 50 s):
# start-up is then a few per cent, and with the largest bundles first the cores finish together.
TRAIN_BUNDLE_WORK = 20000


TRAIN_BUNDLES = {exp: train_bundles(config[exp], TRAIN_RUNS[exp], TRAIN_BUNDLE_WORK) for exp in TRAIN_BUNDLED}


rule train_run:
    output:
        curves="results/data/train/{exp}/{run}.npz",
        summary="results/data/train/{exp}/{run}.json",
    log:
        "logs/train/{exp}/{run}.log",
    benchmark:
        "benchmarks/out/train_run/{exp}_{run}.tsv"
    wildcard_constraints:
        exp="|".join(exp for exp in TRAINING if exp not in TRAIN_BUNDLED),
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
        qsim=lambda wc: qsim_flag(config[wc.exp]),
    shell:
        "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n}"
        " --layers {params.layers} --runs {params.runs} --steps {params.steps} --lr {params.lr}"
        " --seed {params.seed} --spectra {params.spectra} --label {params.label} {params.stop} {params.gpu}"
        " --fixed-floor {params.floor} {params.qsim} --curves {output.curves} --out {output.summary}"
        " --verbose 2> {log}"


# One rule per bundle (a rule's outputs are fixed patterns, and a bundle's shards are a list);
# larger bundles first, so that the last to finish is a small one.
for _exp, _bundles in TRAIN_BUNDLES.items():
    for _rank, (_bundle, (_runs, _work)) in enumerate(sorted(_bundles.items(), key=lambda kv: -kv[1][1])):
        _spec = TRAIN_RUNS[_exp][_runs[0]]

        rule:
            name:
                f"train_bundle_{_exp}_" + "".join(c if c.isalnum() else "_" for c in _bundle)
            output:
                curves=[f"results/data/train/{_exp}/{run}.npz" for run in _runs],
                summaries=[f"results/data/train/{_exp}/{run}.json" for run in _runs],
            log:
                f"logs/train/{_exp}/{_bundle}.log",
            benchmark:
                f"benchmarks/out/train_run/{_exp}_{_bundle}.tsv"
            priority: len(_bundles) - _rank
            conda:
                ENV
            threads: 1
            resources:
                gpu=gpu_resource,
                mem_mb=4000,
            params:
                model=model_cli(_spec["model"]),
                label=_spec["model"],
                n=_spec["n"],
                layers=",".join(str(TRAIN_RUNS[_exp][run]["layers"]) for run in _runs),
                spectra=_spec["spectra"],
                runs=config[_exp]["runs"],
                steps=config[_exp]["steps"],
                lr=config[_exp]["lr"],
                stop=stop_flag(config[_exp]),
                floor=config[_exp]["fixed_floor"],
                seed=SEED,
                gpu=GPU_FLAG,
                qsim=qsim_flag(config[_exp]),
                # A function, so that Snakemake leaves {layers} for `overparam train` to fill in.
                curves=lambda wc, s=_spec, e=_exp: f"results/data/train/{e}/{s['model']}_n{s['n']}_L{{layers}}.npz",
                summary=lambda wc, s=_spec, e=_exp: f"results/data/train/{e}/{s['model']}_n{s['n']}_L{{layers}}.json",
            shell:
                "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n}"
                " --layers {params.layers} --runs {params.runs} --steps {params.steps} --lr {params.lr}"
                " --seed {params.seed} --spectra {params.spectra} --label {params.label} {params.stop}"
                " {params.gpu} --fixed-floor {params.floor} {params.qsim} --curves '{params.curves}'"
                " --out '{params.summary}' --verbose 2> {log}"
