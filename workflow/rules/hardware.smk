# Extra figure "hardware": QFIM rank vs M from shots on Google's (virtual) processors.
# Off unless config hardware.enabled; one job per (backend, depth) so depths run side by side.


HARDWARE = config["hardware"]
HARDWARE_ENABLED = HARDWARE["enabled"]
HARDWARE_JOBS = [f"{b}_p{p}" for b in HARDWARE["backends"] for p in HARDWARE["layers"]] if HARDWARE_ENABLED else []


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
        backend=lambda wc: wc.job.rpartition("_p")[0],  # job names are <backend>_p<layers>
        layers=lambda wc: int(wc.job.rpartition("_p")[2]),
        project=lambda wc: (
            f"--project-id {shlex.quote(str(HARDWARE['project_id']))}" if HARDWARE["project_id"] else ""
        ),
        hw=HARDWARE,
        seed=SEED,
    shell:
        "OVERPARAM_THREADS={threads} overparam hardware-qfim {params.model} --n {params.hw[n]}"
        " --layers {params.layers} --backend {params.backend} --processor {params.hw[processor]} {params.project}"
        " --noisy-simulator {params.hw[noisy_simulator]} --repetitions {params.hw[repetitions]}"
        " --samples {params.hw[samples]} --z {params.hw[z]} --seed {params.seed} --label {params.hw[model]}"
        " --out {output} --verbose 2> {log}"
