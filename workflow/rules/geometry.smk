# Geometry: QFIM/Hessian spectra at random and converged points (fig4, supp1), the critical-M table,
# and the computed landscape schematic (fig1). Simulation rules write JSON; tables and figures read it.


rule spectra_data:
    input:
        shard=lambda wc: f"results/data/train/{SPECTRA.get('source', 'fig3')}/{wc.run}.npz",
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
        random=SPECTRA.get("random", 5),
        solutions=SPECTRA.get("solutions", 5),
        below=SPECTRA.get("converged_below", 1e-4),
        polish="--polish" if SPECTRA.get("polish", True) else "",
    shell:
        "OVERPARAM_THREADS={threads} overparam spectra {params.model} --n {params.n} --layers {params.layers}"
        " --shard {input.shard} --random {params.random} --solutions {params.solutions}"
        " --converged-below {params.below} --max-memory-mb {resources.mem_mb} {params.polish}"
        " --label {params.label} --out {output} --verbose 2> {log}"


rule spectra_table:
    input:
        lambda wc: spectra_inputs(wc.fig),
    output:
        "results/tables/{fig}.csv",
    log:
        "logs/tables/{fig}.log",
    wildcard_constraints:
        fig="fig4|supp1",
    conda:
        ENV
    shell:
        "overparam table {wildcards.fig} {input} --out {output} 2> {log}"


rule critical_table:
    input:
        "results/tables/fig2.csv",
        "results/tables/supp2.csv",
        "results/tables/dla.csv",
    output:
        "results/tables/critical.csv",
    log:
        "logs/tables/critical.log",
    conda:
        ENV
    shell:
        "overparam table critical {input} --out {output} 2> {log}"


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
        model=model_cli(FIG1["model"]) if FIG1 else "",
        label=FIG1.get("model"),
        n=FIG1.get("n"),
        under=FIG1.get("under"),
        over=FIG1.get("over"),
        inits=FIG1.get("inits", 50),
        steps=FIG1.get("steps", 2000),
        lr=FIG1.get("lr", 0.01),
        grid=FIG1.get("grid", 81),
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam landscape {params.model} --n {params.n} --under {params.under}"
        " --over {params.over} --inits {params.inits} --steps {params.steps} --lr {params.lr}"
        " --grid {params.grid} --seed {params.seed} --label {params.label} --out {output} --verbose 2> {log}"


rule landscape_table:
    input:
        "results/data/fig1/landscape.json",
    output:
        "results/tables/fig1.csv",
    log:
        "logs/tables/fig1.log",
    conda:
        ENV
    shell:
        "overparam table fig1 {input} --out {output} 2> {log}"


rule geometry_figure:
    input:
        "results/tables/{fig}.csv",
    output:
        png="results/figures/{fig}.png",
        pdf="results/figures/{fig}.pdf",
    log:
        "logs/figures/{fig}.log",
    wildcard_constraints:
        fig="fig1|fig4|supp1",
    conda:
        ENV
    shell:
        "overparam figure {wildcards.fig} {input} --out results/figures/{wildcards.fig} 2> {log}"
