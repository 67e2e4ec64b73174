# Geometry: QFIM/Hessian spectra at random and converged points (fig4, supp1), the critical-M table,
# and the computed landscape schematic (fig1). Simulation rules write JSON; tables and figures read it.
# Both sections are optional: without spectra there is no fig4/supp1, without fig1 no landscape.


SPECTRA = config.get("spectra") or {}  # optional section (its keys' defaults come from the schema)
SPECTRA_RUNS = {f"{r['model']}_n{r['n']}_L{r['depth']}": r for r in SPECTRA["runs"]} if SPECTRA else {}
FIG4_KEYS = {(e["model"], e["n"]) for e in SPECTRA["fig4"]} if SPECTRA else set()
FIG1 = config.get("fig1") or {}  # optional section
GEOMETRY_FIGURES = (["fig1"] if FIG1 else []) + (["fig4", "supp1"] if SPECTRA_RUNS else [])
# The spectra runs a figure shows (supp1: every run, fig4: the picked sizes); its table reads their
# JSONs and DLA results.
SPECTRA_SHOWN = {
    "fig4": [k for k, r in SPECTRA_RUNS.items() if (r["model"], r["n"]) in FIG4_KEYS],
    "supp1": list(SPECTRA_RUNS),
}
SPECTRA_INPUTS = {
    fig: [f"results/data/spectra/{k}.json" for k in runs]
    + dla_files((SPECTRA_RUNS[k]["model"], SPECTRA_RUNS[k]["n"]) for k in runs)
    for fig, runs in SPECTRA_SHOWN.items()
}


rule spectra_data:
    input:
        shard=lambda wc: f"results/data/train/{SPECTRA['source']}/{wc.run}.npz",
    output:
        "results/data/spectra/{run}.json",
    log:
        "logs/spectra/{run}.log",
    benchmark:
        "benchmarks/out/spectra_data/{run}.tsv"
    wildcard_constraints:
        run="|".join(SPECTRA_RUNS) or "no-spectra-runs",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        model=lambda wc: model_cli(SPECTRA_RUNS[wc.run]["model"]),
        label=lambda wc: SPECTRA_RUNS[wc.run]["model"],
        n=lambda wc: SPECTRA_RUNS[wc.run]["n"],
        layers=lambda wc: SPECTRA_RUNS[wc.run]["depth"],
        random=lambda wc: SPECTRA["random"],
        solutions=lambda wc: SPECTRA["solutions"],
        below=lambda wc: SPECTRA["converged_below"],
        polish=lambda wc: "--polish" if SPECTRA["polish"] else "",
    shell:
        "OVERPARAM_THREADS={threads} overparam spectra {params.model} --n {params.n} --layers {params.layers}"
        " --shard {input.shard} --random {params.random} --solutions {params.solutions}"
        " --converged-below {params.below} --max-memory-mb {resources.mem_mb} {params.polish}"
        " --label {params.label} --out {output} --verbose 2> {log}"


rule landscape_data:
    output:
        "results/data/fig1/landscape.json",
    log:
        "logs/landscape_data.log",
    benchmark:
        "benchmarks/out/landscape_data/fig1.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
    params:
        model=lambda wc: model_cli(FIG1["model"]),
        fig1=FIG1,
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam landscape {params.model} --n {params.fig1[n]}"
        " --under {params.fig1[under]} --over {params.fig1[over]} --inits {params.fig1[inits]}"
        " --steps {params.fig1[steps]} --lr {params.fig1[lr]} --grid {params.fig1[grid]} --seed {params.seed}"
        " --label {params.fig1[model]} --out {output} --verbose 2> {log}"
