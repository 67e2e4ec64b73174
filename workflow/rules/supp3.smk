# supp3: the circuits of the ansätze, drawn from their Cirq definitions.


rule supp3_data:
    output:
        "results/data/supp3/circuits.json",
    log:
        "logs/supp3_data.log",
    benchmark:
        "benchmarks/out/supp3_data/supp3.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
    params:
        layers=config["supp3"]["layers"],
        extra=supp3_extra_flags(),
    shell:
        "overparam circuits --layers {params.layers} {params.extra} --out {output} 2> {log}"


rule supp3_table:
    input:
        "results/data/supp3/circuits.json",
    output:
        "results/tables/supp3.csv",
    log:
        "logs/supp3_table.log",
    conda:
        ENV
    shell:
        "overparam table supp3 {input} --out {output} 2> {log}"


rule supp3_figure:
    input:
        "results/tables/supp3.csv",
    output:
        png="results/figures/supp3.png",
        pdf="results/figures/supp3.pdf",
    log:
        "logs/supp3_figure.log",
    conda:
        ENV
    shell:
        "overparam figure supp3 {input} --out results/figures/supp3 2> {log}"
