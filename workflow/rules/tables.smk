# Every table, results/tables/<name>.csv, is made by one rule: `overparam table <kind> <inputs> [flags]`
# from the JSON results (or other tables) it reads. Tables take seconds: they run on the local
# machine, never as a cluster job.
import os
import re


localrules:
    table,


# name: (kind of `overparam table`, the files it reads); optional targets only when configured.
TABLES = {
    "dla": ("dla", [f"results/data/dla/{m}_n{n}.json" for m, n in DLA_RUNS]),
    **{fig: (fig, SWEEP_INPUTS[fig]) for fig in SWEEPS},
    **{exp: (exp, TRAIN_SUMMARIES[exp] + TRAIN_DLA[exp]) for exp in TRAINING},
    **{f"{exp}_spectra": (f"{exp}_spectra", TRAIN_CURVES[exp]) for exp in TRAINING},
    "ext1": ("ext1", ["results/data/ext1/data.json"]),
    "supp3": ("supp3", ["results/data/supp3/circuits.json"]),
    "critical": ("critical", [f"results/tables/{t}.csv" for t in ("fig2", "supp2", "dla")]),
    **({"fig1": ("fig1", ["results/data/fig1/landscape.json"])} if FIG1 else {}),
    **({fig: (fig, SPECTRA_INPUTS[fig]) for fig in ("fig4", "supp1")} if SPECTRA_RUNS else {}),
    **(
        {"hardware": ("hardware", [f"results/data/hardware/{j}.json" for j in HARDWARE_JOBS])}
        if HARDWARE_ENABLED
        else {}
    ),
    **(
        {
            "beyond": (
                "beyond",
                [f"results/data/beyond/{run}.json" for run in BEYOND_RUNS]
                + [f"results/data/dla/{r['model']}_n{r['n']}.json" for r in BEYOND_RUNS.values()],
            )
        }
        if BEYOND_ENABLED
        else {}
    ),
    **(
        {
            "large_train": ("large_train", LARGE_TRAIN_SUMMARIES + LARGE_TRAIN_DLA),
            "large": ("large", ["results/tables/large_train.csv"]),
            "large_crossings": ("large_crossings", ["results/tables/large.csv"]),
            **({"large_qfim": ("large_qfim", LARGE_QFIM_FILES + LARGE_QFIM_DLA)} if LARGE_QFIM else {}),
            **({"crossover": ("crossover", LARGE_CROSSOVER)} if LARGE_CROSSOVER else {}),
        }
        if LARGE_ENABLED
        else {}
    ),
    **(
        {
            "failures": ("failures", FAILURE_JSONS + FAILURE_DLA),
            "failures_summary": ("failures_summary", FAILURE_JSONS + FAILURE_DLA),
            **({"failures_budget": ("failures_budget", FAILURE_BUDGET)} if FAILURE_BUDGET else {}),
        }
        if FAILURES_ENABLED
        else {}
    ),
    **{
        f"study_{study}_{t}": (kind, STUDY_TABLE_INPUTS[study][t])
        for study in STUDIES
        for t, kind in STUDY_TABLE_KINDS.items()
    },
}


# The Replication chapter: the shipped published tables beside the committed paper-scale records and
# this build's tables, and the capacity (effective dimension) of the models of the QFIM sweeps. A
# record run with the published protocol replaces the fixed-protocol record for each configuration
# it ran.
PAPER_SCALE_RECORD = [
    p
    for p in (
        "docs/paper-scale/configurations.csv",
        "docs/paper-scale/fig3-published-protocol.csv",
        "docs/paper-scale/supp4-published-protocol.csv",
    )
    if os.path.exists(p)
]
# Reruns with one cause changed (docs/replication.md): a differing row whose rerun agrees with the
# published count names that cause.
REPLICATION_RERUNS = [p for p in ("docs/replication/reruns.csv",) if os.path.exists(p)]
SPECTRA_TABLES = ["fig4", "supp1"] if SPECTRA_RUNS else []
TABLES |= {
    **{
        f"replication_{exp}": (
            f"replication_{exp}",
            published_table("training.csv")
            + PAPER_SCALE_RECORD
            + REPLICATION_RERUNS
            + [f"results/tables/{exp}.csv", "results/tables/dla.csv"],
        )
        for exp in TRAINING
    },
    "replication_ranks": (
        "replication_ranks",
        published_table("ranks.csv")
        + [f"results/tables/{t}.csv" for t in ["supp2", "ext1"] + SPECTRA_TABLES]
        + ["results/tables/dla.csv"],
    ),
    "replication_spectra": (
        "replication_spectra",
        published_table("spectra.csv.gz")
        + [f"results/tables/{t}.csv" for t in SPECTRA_TABLES]
        + [f"results/tables/{exp}_spectra.csv" for exp in TRAINING],
    ),
    "capacity": ("capacity", SWEEP_INPUTS["fig2"] + SWEEP_INPUTS["supp2"]),
}
# Training tables count a run as a success below the experiment's threshold.
TABLE_FLAGS = {exp: f"--success-threshold {config[exp]['success_threshold']}" for exp in TRAINING} | {
    f"study_{study}_train": f"--success-threshold {body['train']['success_threshold']}"
    for study, body in STUDIES.items()
}
TABLE_FLAGS |= (
    {"large_train": f"--success-threshold {LARGE['transition']['success_threshold']}"} if LARGE_ENABLED else {}
)


rule table:
    input:
        lambda wc: TABLES[wc.name][1],
    output:
        "results/tables/{name}.csv",
    log:
        "logs/tables/{name}.log",
    wildcard_constraints:
        name="|".join(map(re.escape, TABLES)),
    conda:
        ENV
    params:
        kind=lambda wc: TABLES[wc.name][0],
        flags=lambda wc: TABLE_FLAGS.get(wc.name, ""),
    shell:
        "overparam table {params.kind} {input} {params.flags} --out {output} 2> {log}"
