# supp3: the circuits of the ansätze, drawn from their Cirq definitions.


rule supp3_data:
    output:
        "results/data/supp3/circuits.json",
    params:
        layers=config["supp3"]["layers"],
        extra=supp3_extra_flags(),
    conda:
        ENV
    log:
        "logs/supp3_data.log",
    benchmark:
        "benchmarks/out/supp3_data/supp3.tsv"
    threads: 1
    resources:
        mem_mb=1000,
    shell:
        "overparam circuits --layers {params.layers} {params.extra} --out {output} 2> {log}"


rule supp3_table:
    input:
        "results/data/supp3/circuits.json",
    output:
        "results/tables/supp3.csv",
    conda:
        ENV
    log:
        "logs/supp3_table.log",
    shell:
        "overparam table supp3 {input} --out {output} 2> {log}"


rule supp3_figure:
    input:
        "results/tables/supp3.csv",
    output:
        png="results/figures/supp3.png",
        pdf="results/figures/supp3.pdf",
    conda:
        ENV
    log:
        "logs/supp3_figure.log",
    shell:
        "overparam figure supp3 {input} --out results/figures/supp3 2> {log}"
