import json
import shlex
import sys

from snakemake.utils import validate

from overparam.workflow_config import ConfigError, check_config, schema_errors


# One line and exit status 2 for a bad config, before any job starts; snakemake's own validate()
# then fills in schema defaults.
try:
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
    opts = " ".join(
        f"--opt {shlex.quote(f'{k}={v}')}" for k, v in spec.get("options", {}).items()
    )
    return f"{shlex.quote(spec['ansatz'])} {opts}"


from overparam.results.provenance import config_hash

CONFIG_HASH = config_hash(config)
