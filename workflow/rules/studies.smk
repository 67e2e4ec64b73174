# User studies (config studies:): a model, usually a user's package.module:function, through the
# whole analysis (DLA and orbit from dla.smk, QFIM rank versus M, critical M, training transition)
# into its own book page, book/generated/study_<name>.md. `snakemake studies` builds only these.


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
        stop=lambda wc: (
            ""
            if STUDIES[wc.study]["train"].get("stop_below", 1e-11) is None
            else f"--stop-below {STUDIES[wc.study]['train'].get('stop_below', 1e-11)}"
        ),
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam train {params.model} --n {params.n}"
        " --layers {params.layers} --seeds {params.runs} --steps {params.steps} --lr {params.lr}"
        " --seed {params.seed} --label {params.label} {params.stop} --curves {output.curves}"
        " --out {output.summary} --verbose 2> {log}"


rule study_table:
    input:
        lambda wc: study_table_inputs(wc.study, wc.kind),
    output:
        "results/tables/study_{study}_{kind}.csv",
    log:
        "logs/studies/{study}/table_{kind}.log",
    wildcard_constraints:
        study="|".join(STUDIES) or "no-study",
        kind="dla|qfim|train",
    conda:
        ENV
    params:
        table=lambda wc: {"dla": "dla", "qfim": "fig2", "train": "fig3"}[wc.kind],
        extra=lambda wc: (
            f"--success-threshold {STUDIES[wc.study]['train']['success_threshold']}" if wc.kind == "train" else ""
        ),
    shell:
        "overparam table {params.table} {input} --out {output} {params.extra} 2> {log}"


rule study_page:
    input:
        dla="results/tables/study_{study}_dla.csv",
        qfim="results/tables/study_{study}_qfim.csv",
        train="results/tables/study_{study}_train.csv",
    output:
        page="book/generated/study_{study}.md",
        png="results/figures/study_{study}.png",
        pdf="results/figures/study_{study}.pdf",
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
        " --page {output.page} --config-hash {params.config_hash} 2> {log}"


rule tutorial_numbers:
    input:
        study_tables(TUTORIAL_STUDY) if TUTORIAL_STUDY else [],
    output:
        "book/generated/tutorial_numbers.md",
    log:
        "logs/studies/tutorial_numbers.log",
    conda:
        ENV
    params:
        tables=(
            " ".join(f"--{k} {t}" for k, t in zip(("dla", "qfim", "train"), study_tables(TUTORIAL_STUDY)))
            + f" --name {TUTORIAL_STUDY}"
            if TUTORIAL_STUDY
            else ""
        ),
    shell:
        "overparam study tutorial {params.tables} --out {output} 2> {log}"


rule studies:
    input:
        STUDY_BOOK,
