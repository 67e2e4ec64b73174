# Exact dynamical Lie algebra and orbit dimension of every model and size (dla.csv, fig2).


DLA_RUNS = [(r["model"], n) for r in config["dla"]["runs"] for n in r["sizes"]]


rule dla_data:
    output:
        "results/data/dla/{model}_n{n}.json",
    log:
        "logs/dla_data/{model}_n{n}.log",
    benchmark:
        "benchmarks/out/dla_data/{model}_n{n}.tsv"
    wildcard_constraints:
        model="|".join(config["models"]),
        n=r"\d+",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
    params:
        model=lambda wc: model_cli(wc.model),
    shell:
        "overparam dla {params.model} --n {wildcards.n} --label {wildcards.model} --out {output} 2> {log}"
