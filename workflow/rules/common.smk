# Shared by all the .smk files: the config check, the conda environment, the seed, the GPU switch and
# small helpers (a model's ansatz arguments, DLA inputs, the stop flag). Each file keeps its own globals.
import os
import shlex
import sys

from overparam.config.checks import ConfigError, check_config, schema_errors
from overparam.config.studies import add_python_path, check_studies
from overparam.results.provenance import config_hash

ENV = "../../environment.yml"

# The config is validated once, against config/schema.yaml, which also fills in its defaults (the
# only place defaults are written). Then the semantic checks: every model builds at its smallest
# size and every study's ansatz passes its gate checks. A bad value is one line and exit status 2.
try:
    schema_errors(config, workflow.source_path("../../config/schema.yaml"), fill_defaults=True)
    # User ansatz modules (config pythonpath) must be importable by the checks below and every job.
    add_python_path(config["pythonpath"], workflow.basedir)
    check_config(config)
    check_studies(config)
except ConfigError as err:
    sys.stderr.write(f"config error: {' '.join(str(err).split())}\n")
    sys.exit(2)

BACKEND = config["simulator"]["backend"]
SEED = config["seed"]
CONFIG_HASH = config_hash(config)


def model_cli(model):
    """The ansatz name and --opt flags of a configured model, shell-quoted."""
    spec = config["models"][model]
    opts = " ".join(f"--opt {shlex.quote(f'{k}={v}')}" for k, v in spec["options"].items())
    return f"{shlex.quote(spec['ansatz'])} {opts}"


def dla_files(pairs):
    """The DLA results of (model, n) pairs, each once, in order."""
    return [f"results/data/dla/{m}_n{n}.json" for m, n in dict.fromkeys(pairs)]


def published_table(name):
    """data/published/<name> as an input, or nothing when the checkout lacks it: the replication
    tables then say in one row that it is missing, and the build goes on."""
    path = f"data/published/{name}"
    return [path] if os.path.exists(path) else []


def stop_flag(train):
    """--stop-below of a training section, or nothing when it trains every step (stop_below: null)."""
    return "" if train["stop_below"] is None else f"--stop-below {train['stop_below']}"


# simulator.gpu: qsim (CUDA build) and the JAX engine on one GPU. Checked here, when the config
# loads, before any job: one line and exit 2 naming what is missing. JAX is asked in a child
# process so that the scheduler itself never initialises CUDA.
GPU = config["simulator"]["gpu"]
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


def train_bundles(train, runs_of, max_work):
    """Bundles of a training section: {name: (run names, work)}, consecutive depths of one sweep entry
    with one --spectra whose n^2 x layers sum to at most `max_work` (a deeper depth alone may exceed it);
    `runs_of` maps run names to their settings (TRAIN_RUNS of the experiment)."""
    bundles = {}
    for s in train["sweeps"]:
        runs, work = [], 0
        for layers in s["layers"] + [None]:
            run = None if layers is None else f"{s['model']}_n{s['n']}_L{layers}"
            cost = 0 if layers is None else s["n"] ** 2 * layers
            if runs and (
                run is None or work + cost > max_work or runs_of[run]["spectra"] != runs_of[runs[0]]["spectra"]
            ):
                first, last = runs_of[runs[0]]["layers"], runs_of[runs[-1]]["layers"]
                depths = f"{first}" if first == last else f"{first}-{last}"
                bundles[f"{s['model']}_n{s['n']}_L{depths}"] = (runs, work)
                runs, work = [], 0
            if run is not None:
                runs.append(run)
                work += cost
    return bundles


def qsim_flag(train):
    """--qsim-check-runs of a training section, or nothing when qsim re-checks every run."""
    k = train.get("qsim_check_runs")
    return "" if k is None else f"--qsim-check-runs {k}"
