import json
import shlex
import sys

from snakemake.utils import validate

from overparam.config.checks import ConfigError, check_config, schema_errors

# One line and exit status 2 for a bad config, before any job starts; snakemake's own validate()
# then fills in schema defaults.
from overparam.config.studies import add_python_path, check_studies

try:
    # User ansatz modules (config pythonpath) must be importable by the checks below and every job.
    add_python_path(config.get("pythonpath") or [], workflow.basedir)
    schema_errors(config, workflow.source_path("../../config/schema.yaml"))
    check_config(config)
except ConfigError as err:
    sys.stderr.write(f"config error: {' '.join(str(err).split())}\n")
    sys.exit(2)
validate(config, "../../config/schema.yaml")


ENV = "../../environment.yml"
BACKEND = config["simulator"]["backend"]
SEED = config["seed"]


def model_cli(model):
    """The ansatz name and --opt flags of a configured model, shell-quoted."""
    spec = config["models"][model]
    opts = " ".join(f"--opt {shlex.quote(f'{k}={v}')}" for k, v in spec.get("options", {}).items())
    return f"{shlex.quote(spec['ansatz'])} {opts}"


from overparam.results.provenance import config_hash

CONFIG_HASH = config_hash(config)


# --- qfim_sweeps.smk ---
SWEEPS = {fig: {f"{r['model']}_n{r['n']}": r for r in config[fig]["runs"]} for fig in ("fig2", "supp2")}


def sweep_inputs(fig):
    runs = SWEEPS[fig].values()
    return [f"results/data/{fig}/{r['model']}_n{r['n']}.json" for r in runs] + [
        f"results/data/dla/{r['model']}_n{r['n']}.json" for r in runs
    ]


# --- training.smk ---
TRAINING = ("fig3", "supp4", "supp5")
TRAIN_RUNS = {
    exp: {
        f"{s['model']}_n{s['n']}_L{layers}": dict(
            s, layers=layers, spectra=config[exp]["spectra"] if layers in s.get("spectra_at", []) else 0
        )
        for s in config[exp]["sweeps"]
        for layers in s["layers"]
    }
    for exp in TRAINING
}


def train_shards(exp, ext):
    return [f"results/data/train/{exp}/{run}.{ext}" for run in TRAIN_RUNS[exp]]


def train_dla(exp):
    keys = dict.fromkeys((r["model"], r["n"]) for r in TRAIN_RUNS[exp].values())
    return [f"results/data/dla/{m}_n{n}.json" for m, n in keys]


# --- supp3.smk ---
def supp3_extra_flags():
    """--add NAME:N[:k=v,...] for every configured extra circuit, shell-quoted."""
    flags = []
    for extra in config["supp3"].get("extra", []):
        opts = ",".join(f"{k}={v}" for k, v in (extra.get("options") or {}).items())
        spec = f"{extra['ansatz']}:{extra['n']}" + (f":{opts}" if opts else "")
        flags.append(f"--add {shlex.quote(spec)}")
    return " ".join(flags)


# --- dla.smk ---
DLA_RUNS = [(r["model"], n) for r in config["dla"]["runs"] for n in r["sizes"]]


# --- ext1.smk ---
EXT1 = config["ext1"]


# --- hardware.smk ---
HARDWARE = config.get("hardware", {"enabled": False})
HARDWARE_ENABLED = bool(HARDWARE.get("enabled", False))
HARDWARE_JOBS = [f"{b}_p{p}" for b in HARDWARE["backends"] for p in HARDWARE["layers"]] if HARDWARE_ENABLED else []


def _hardware_job(wc):
    backend, _, layers = wc.job.rpartition("_p")
    return backend, int(layers)


# --- geometry.smk ---
SPECTRA = config.get("spectra") or {}
SPECTRA_RUNS = {f"{r['model']}_n{r['n']}_L{r['depth']}": r for r in SPECTRA.get("runs", [])}
FIG4_KEYS = {(e["model"], e["n"]) for e in SPECTRA.get("fig4", [])}
FIG1 = config.get("fig1") or {}
GEOMETRY_FIGURES = (["fig1"] if FIG1 else []) + (["fig4", "supp1"] if SPECTRA_RUNS else [])


def spectra_inputs(fig):
    """The spectra JSONs of a figure (supp1: every run, fig4: the picked sizes) and their DLA results."""
    runs = [k for k, r in SPECTRA_RUNS.items() if fig == "supp1" or (r["model"], r["n"]) in FIG4_KEYS]
    keys = dict.fromkeys((SPECTRA_RUNS[k]["model"], SPECTRA_RUNS[k]["n"]) for k in runs)
    return [f"results/data/spectra/{k}.json" for k in runs] + [f"results/data/dla/{m}_n{n}.json" for m, n in keys]


# --- GPU switch (issue 8) ---
# simulator.gpu: qsim (CUDA build) and the JAX engine on one GPU. Checked here, when the config
# loads, before any job: one line and exit 2 naming what is missing. JAX is asked in a child
# process so that the scheduler itself never initialises CUDA.
GPU = bool(config["simulator"].get("gpu", False))
if GPU:
    from overparam.errors import BadInput
    from overparam.sim.device import require_gpu

    try:
        require_gpu(in_process=False)
    except BadInput as err:
        sys.stderr.write(f"config error: simulator.gpu: {err}\n")
        sys.exit(2)
GPU_FLAG = "--gpu" if GPU else ""


def gpu_resource(wildcards):
    """``resources: gpu=`` of a GPU-capable rule: one GPU when the switch is on, none otherwise."""
    return 1 if GPU else 0


# --- beyond.smk ---
BEYOND = config.get("beyond", {"enabled": False})
BEYOND_ENABLED = bool(BEYOND.get("enabled", False))
BEYOND_RUNS = {f"{r['model']}_n{r['n']}": r for r in BEYOND.get("runs", [])} if BEYOND_ENABLED else {}
# --- book.smk: committed benchmark results (benchmarks/results/*.json) read by the performance page ---
import glob

BENCH_RESULTS = sorted(glob.glob("benchmarks/results/*.json"))


# --- studies.smk (issue 6: a user's ansatz through the whole analysis, one book page each) ---
# Every study's model is built once per size and its gates checked before the DAG starts.
try:
    check_studies(config)
except ConfigError as err:
    sys.stderr.write(f"config error: {' '.join(str(err).split())}\n")
    sys.exit(2)
STUDIES = config.get("studies") or {}
STUDY_TRAIN = {
    study: {f"n{s['n']}_L{p}": dict(n=s["n"], layers=p) for s in body["train"]["sweeps"] for p in s["layers"]}
    for study, body in STUDIES.items()
}
STUDY_QFIM = {study: {r["n"]: r for r in body["qfim"]["runs"]} for study, body in STUDIES.items()}
TUTORIAL_STUDY = config.get("tutorial_study") if config.get("tutorial_study") in STUDIES else None
STUDY_BOOK = [f"book/generated/study_{s}.md" for s in STUDIES] + ["book/generated/tutorial_numbers.md"]


def study_dla(study):
    model = STUDIES[study]["model"]
    return [f"results/data/dla/{model}_n{n}.json" for n in STUDIES[study]["dla"]["sizes"]]


def study_table_inputs(study, kind):
    """The JSON files behind a study's table: dla, qfim (sweeps + dla) or train (shards + dla)."""
    if kind == "qfim":
        data = [f"results/data/studies/{study}/qfim_n{n}.json" for n in STUDY_QFIM[study]]
    elif kind == "train":
        data = [f"results/data/studies/{study}/train_{run}.json" for run in STUDY_TRAIN[study]]
    else:
        data = []
    return data + study_dla(study)


def study_tables(study):
    return [f"results/tables/study_{study}_{kind}.csv" for kind in ("dla", "qfim", "train")]
