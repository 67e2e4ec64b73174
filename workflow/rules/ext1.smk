# Experiment 6 (ext1): SLD QFIM spectra and ranks of the noisy output state versus depth.


rule ext1_data:
    output:
        "results/data/ext1/data.json",
    log:
        "logs/ext1_data.log",
    benchmark:
        "benchmarks/out/ext1_data/ext1.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
    params:
        model=model_cli(EXT1["model"]),
        n=EXT1["n"],
        layers=",".join(map(str, EXT1["layers"])),
        local=",".join(map(str, EXT1["local"])) or "''",
        glob=",".join(map(str, EXT1["global"])) or "''",
        samples=EXT1["samples"],
        label=EXT1["model"],
        seed=SEED,
    shell:
        "overparam noisy-qfim {params.model} --n {params.n} --layers {params.layers}"
        " --local {params.local} --global {params.glob} --samples {params.samples} --seed {params.seed}"
        " --label {params.label} --out {output} --verbose 2> {log}"


rule ext1_table:
    input:
        "results/data/ext1/data.json",
    output:
        "results/tables/ext1.csv",
    log:
        "logs/ext1_table.log",
    conda:
        ENV
    shell:
        "overparam table ext1 {input} --out {output} 2> {log}"


rule ext1_figure:
    input:
        table="results/tables/ext1.csv",
        bounds="results/tables/dla.csv",
    output:
        png="results/figures/ext1.png",
        pdf="results/figures/ext1.pdf",
    log:
        "logs/ext1_figure.log",
    conda:
        ENV
    shell:
        "overparam figure ext1 {input.table} --bounds {input.bounds} --out results/figures/ext1 2> {log}"
