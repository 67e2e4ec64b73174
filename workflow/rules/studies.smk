# User studies (config studies:): a model, usually a user's package.module:function, through the
# whole analysis (DLA and orbit from dla.smk, QFIM rank versus M, critical M, training transition)
# into its own book page, book/generated/study_<name>.md. `snakemake studies` builds only these.
# Every study's model is built once per size and its gates checked when the config loads (common.smk).


localrules:
    study_page,
    tutorial_numbers,


STUDIES = config["studies"]
STUDY_TRAIN = {
    study: {f"n{s['n']}_L{p}": dict(n=s["n"], layers=p) for s in body["train"]["sweeps"] for p in s["layers"]}
    for study, body in STUDIES.items()
}
STUDY_QFIM = {study: {r["n"]: r for r in body["qfim"]["runs"]} for study, body in STUDIES.items()}
TUTORIAL_STUDY = config["tutorial_study"] if config["tutorial_study"] in STUDIES else None
STUDY_BOOK = [f"book/generated/study_{s}.md" for s in STUDIES] + ["book/generated/tutorial_numbers.md"]
# A study's three tables (dla, qfim, train), results/tables/study_<name>_<table>.csv: the kind of
# `overparam table` that makes each and the JSON files it reads (the study's runs, then its DLA results).
STUDY_TABLE_KINDS = {"dla": "dla", "qfim": "fig2", "train": "fig3"}
STUDY_DLA = {
    study: [f"results/data/dla/{body['model']}_n{n}.json" for n in body["dla"]["sizes"]]
    for study, body in STUDIES.items()
}
STUDY_TABLE_INPUTS = {
    study: {
        "dla": STUDY_DLA[study],
        "qfim": [f"results/data/studies/{study}/qfim_n{n}.json" for n in STUDY_QFIM[study]] + STUDY_DLA[study],
        "train": [f"results/data/studies/{study}/train_{run}.json" for run in STUDY_TRAIN[study]] + STUDY_DLA[study],
    }
    for study in STUDIES
}
TUTORIAL_TABLES = (
    {t: f"results/tables/study_{TUTORIAL_STUDY}_{t}.csv" for t in STUDY_TABLE_KINDS} if TUTORIAL_STUDY else {}
)


rule study_qfim:
    output:
        "results/data/studies/{study}/qfim_n{n}.json",
    log:
        "logs/studies/{study}/qfim_n{n}.log",
    benchmark:
        "benchmarks/out/study_qfim/{study}_n{n}.tsv"
    wildcard_constraints:
        study="|".join(STUDIES) or "no-study",
        n=r"\d+",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
    params:
        model=lambda wc: model_cli(STUDIES[wc.study]["model"]),
        label=lambda wc: STUDIES[wc.study]["model"],
        layers=lambda wc: ",".join(map(str, STUDY_QFIM[wc.study][int(wc.n)]["layers"])),
        samples=lambda wc: STUDIES[wc.study]["qfim"]["samples"],
        seed=SEED,
        backend=BACKEND,
    shell:
        "OVERPARAM_THREADS={threads} overparam qfim-sweep {params.model} --n {wildcards.n}"
        " --layers {params.layers} --samples {params.samples} --seed {params.seed}"
        " --backend {params.backend} --label {params.label} --out {output} --verbose 2> {log}"


rule study_train:
    output:
        curves="results/data/studies/{study}/train_{run}.npz",
        summary="results/data/studies/{study}/train_{run}.json",
    log:
        "logs/studies/{study}/train_{run}.log",
    benchmark:
        "benchmarks/out/study_train/{study}_{run}.tsv"
    wildcard_constraints:
        study="|".join(STUDIES) or "no-study",
        run=r"n\d+_L\d+",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
    params:
        model=lambda wc: model_cli(STUDIES[wc.study]["model"]),
        label=lambda wc: STUDIES[wc.study]["model"],
        n=lambda wc: STUDY_TRAIN[wc.study][wc.run]["n"],
        layers=lambda wc: STUDY_TRAIN[wc.study][wc.run]["layers"],
        runs=lambda wc: STUDIES[wc.study]["train"]["runs"],
        steps=lambda wc: STUDIES[wc.study]["train"]["steps"],
        lr=lambda wc: STUDIES[wc.study]["train"]["lr"],
        stop=lambda wc: stop_flag(STUDIES[wc.study]["train"]),
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n}"
        " --layers {params.layers} --runs {params.runs} --steps {params.steps} --lr {params.lr}"
        " --seed {params.seed} --label {params.label} {params.stop} --curves {output.curves}"
        " --out {output.summary} --verbose 2> {log}"


rule study_page:
    input:
        dla="results/tables/study_{study}_dla.csv",
        qfim="results/tables/study_{study}_qfim.csv",
        train="results/tables/study_{study}_train.csv",
    output:
        "book/generated/study_{study}.md",
        multiext("results/figures/study_{study}", ".png", ".pdf"),
    log:
        "logs/studies/{study}/page.log",
    wildcard_constraints:
        study="|".join(STUDIES) or "no-study",
    conda:
        ENV
    params:
        title=lambda wc: STUDIES[wc.study]["title"],
        config_hash=CONFIG_HASH,
    shell:
        "overparam study render {wildcards.study} --title {params.title:q} --dla {input.dla}"
        " --qfim {input.qfim} --train {input.train} --figure results/figures/study_{wildcards.study}"
        " --page book/generated/study_{wildcards.study}.md --config-hash {params.config_hash} 2> {log}"


rule tutorial_numbers:
    input:
        list(TUTORIAL_TABLES.values()),
    output:
        "book/generated/tutorial_numbers.md",
    log:
        "logs/studies/tutorial_numbers.log",
    conda:
        ENV
    params:
        tables=" ".join(f"--{k} {t}" for k, t in TUTORIAL_TABLES.items())
        + (f" --name {TUTORIAL_STUDY}" if TUTORIAL_STUDY else ""),
    shell:
        "overparam study tutorial {params.tables} --out {output} 2> {log}"


rule studies:
    input:
        STUDY_BOOK,
