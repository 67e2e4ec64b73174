# Exact dynamical Lie algebra and orbit dimension of every model and size (dla.csv, fig2).


rule dla_data:
    output:
        "results/data/dla/{model}_n{n}.json",
    params:
        model=lambda wc: model_cli(wc.model),
    wildcard_constraints:
        model="|".join(config["models"]),
        n=r"\d+",
    conda:
        ENV
    log:
        "logs/dla_data/{model}_n{n}.log",
    benchmark:
        "benchmarks/out/dla_data/{model}_n{n}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
    shell:
        "overparam dla {params.model} --n {wildcards.n} --label {wildcards.model}"
        " --out {output} 2> {log}"


rule dla_table:
    input:
        [f"results/data/dla/{m}_n{n}.json" for m, n in DLA_RUNS],
    output:
        "results/tables/dla.csv",
    conda:
        ENV
    log:
        "logs/dla_table.log",
    shell:
        "overparam table dla {input} --out {output} 2> {log}"
