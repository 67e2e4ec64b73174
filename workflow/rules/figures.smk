# One plotting rule for every figure: cheap, reads tables (and curve shards), never simulates.


FIGURE_DATA = {
    "fig2": lambda: [],
    "supp2": lambda: [],
    "fig3": lambda: train_shards("fig3", "npz"),
    "supp4": lambda: train_shards("supp4", "npz"),
    "supp5": lambda: train_shards("supp5", "npz"),
}


rule figure:
    input:
        table="results/tables/{fig}.csv",
        data=lambda wc: FIGURE_DATA[wc.fig](),
    output:
        png="results/figures/{fig}.png",
        pdf="results/figures/{fig}.pdf",
    log:
        "logs/figures/{fig}.log",
    wildcard_constraints:
        fig="|".join(FIGURE_DATA),
    conda:
        ENV
    shell:
        "overparam figure {wildcards.fig} {input.table} --data {input.data}"
        " --out results/figures/{wildcards.fig} 2> {log}"
