# Experiment 6 (ext1): SLD QFIM spectra and ranks of the noisy output state versus depth.


EXT1 = config["ext1"]


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
