# Every figure, results/figures/<name>.png and .pdf, is drawn by one rule from its table and, for
# some, further files: the loss-curve shards of the training figures, the orbit bounds (dla.csv) of
# ext1 and hardware. Plotting never simulates and takes seconds: a local job.


localrules:
    figure,


# name: the files `overparam figure` reads besides the table (--data), and --bounds when drawn.
FIGURE_DATA = {fig: [] for fig in ("fig2", "supp2", "supp3", "ext1", *GEOMETRY_FIGURES)} | {
    exp: TRAIN_CURVES[exp] for exp in TRAINING
}
FIGURE_DATA |= {"hardware": []} if HARDWARE_ENABLED else {}
FIGURE_DATA |= {"beyond": []} if BEYOND_ENABLED else {}
FIGURE_DATA |= {fig: [] for fig in ["large", *LARGE_PAGE_FIGURES]} if LARGE_ENABLED else {}
# The Replication chapter's figures, each drawn from its own table alone.
REPLICATION_FIGURES = [f"replication_{exp}" for exp in TRAINING] + ["replication_ranks", "replication_spectra"]
FIGURE_DATA |= {fig: [] for fig in REPLICATION_FIGURES + ["capacity"]}
FIGURE_DATA |= {"failures": FAILURE_JSONS + FAILURE_BUDGET} if FAILURES_ENABLED else {}
FIGURE_BOUNDS = {fig: ["results/tables/dla.csv"] if fig in ("ext1", "hardware") else [] for fig in FIGURE_DATA}
FIGURE_FLAGS = {
    fig: " ".join((["--data", *data] if data else []) + [f"--bounds {b}" for b in FIGURE_BOUNDS[fig]])
    for fig, data in FIGURE_DATA.items()
}


rule figure:
    input:
        table="results/tables/{fig}.csv",
        data=lambda wc: FIGURE_DATA[wc.fig],
        bounds=lambda wc: FIGURE_BOUNDS[wc.fig],
    output:
        multiext("results/figures/{fig}", ".png", ".pdf"),
    log:
        "logs/figures/{fig}.log",
    wildcard_constraints:
        fig="|".join(FIGURE_DATA),
    conda:
        ENV
    params:
        flags=lambda wc: FIGURE_FLAGS[wc.fig],
    shell:
        "overparam figure {wildcards.fig} {input.table} {params.flags} --out results/figures/{wildcards.fig} 2> {log}"
