# Experiment 3: QFIM rank versus depth at random points (supp2).


SUPP2_RUNS = {f"{r['model']}_n{r['n']}": r for r in config["supp2"]["runs"]}


rule supp2_data:
    output:
        "results/data/supp2/{run}.json",
    params:
        model=lambda wc: model_cli(SUPP2_RUNS[wc.run]["model"]),
        n=lambda wc: SUPP2_RUNS[wc.run]["n"],
        layers=lambda wc: ",".join(map(str, SUPP2_RUNS[wc.run]["layers"])),
        samples=config["supp2"]["samples"],
        label=lambda wc: SUPP2_RUNS[wc.run]["model"],
        seed=SEED,
        backend=BACKEND,
    conda:
        ENV
    log:
        "logs/supp2_data/{run}.log",
    benchmark:
        "benchmarks/out/supp2_data/{run}.tsv"
    wildcard_constraints:
        run="|".join(SUPP2_RUNS),
    shell:
        "OVERPARAM_THREADS={threads} overparam qfim-sweep {params.model} --n {params.n}"
        " --layers {params.layers} --samples {params.samples} --seed {params.seed}"
        " --backend {params.backend} --label {params.label} --out {output} --verbose 2> {log}"


rule supp2_table:
    input:
        expand("results/data/supp2/{run}.json", run=SUPP2_RUNS),
    output:
        "results/tables/supp2.csv",
    conda:
        ENV
    log:
        "logs/supp2_table.log",
    shell:
        "overparam table supp2 {input} --out {output} 2> {log}"


rule supp2_figure:
    input:
        "results/tables/supp2.csv",
    output:
        png="results/figures/supp2.png",
        pdf="results/figures/supp2.pdf",
    conda:
        ENV
    log:
        "logs/supp2_figure.log",
    shell:
        "overparam figure supp2 {input} --out results/figures/supp2 2> {log}"
