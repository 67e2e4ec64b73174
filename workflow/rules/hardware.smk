# Extra figure "hardware" (issue 7): QFIM rank vs M from shots on Google's (virtual) processors.
# Off unless config hardware.enabled; one job per (backend, depth) so depths run side by side.


rule hardware_data:
    output:
        "results/data/hardware/{job}.json",
    log:
        "logs/hardware_data/{job}.log",
    benchmark:
        "benchmarks/out/hardware_data/{job}.tsv"
    wildcard_constraints:
        job="|".join(HARDWARE_JOBS) or "NO-HARDWARE-JOBS",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        model=lambda wc: model_cli(HARDWARE["model"]),
        backend=lambda wc: _hardware_job(wc)[0],
        layers=lambda wc: _hardware_job(wc)[1],
        project=lambda wc: (
            f"--project-id {shlex.quote(str(HARDWARE['project_id']))}" if HARDWARE.get("project_id") else ""
        ),
        hw=HARDWARE,
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam hardware-qfim {params.model} --n {params.hw[n]}"
        " --layers {params.layers} --backend {params.backend} --processor {params.hw[processor]} {params.project}"
        " --noisy-simulator {params.hw[noisy_simulator]} --repetitions {params.hw[repetitions]}"
        " --samples {params.hw[samples]} --z {params.hw[z]} --seed {params.seed} --label {params.hw[model]}"
        " --out {output} --verbose 2> {log}"


rule hardware_table:
    input:
        expand("results/data/hardware/{job}.json", job=HARDWARE_JOBS),
    output:
        "results/tables/hardware.csv",
    log:
        "logs/hardware_table.log",
    conda:
        ENV
    shell:
        "overparam table hardware {input} --out {output} 2> {log}"


rule hardware_figure:
    input:
        table="results/tables/hardware.csv",
        bounds="results/tables/dla.csv",
    output:
        png="results/figures/hardware.png",
        pdf="results/figures/hardware.pdf",
    log:
        "logs/hardware_figure.log",
    conda:
        ENV
    shell:
        "overparam figure hardware {input.table} --bounds {input.bounds} --out results/figures/hardware 2> {log}"
