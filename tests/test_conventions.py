"""Workflow conventions: every rule logs, simulation rules are benchmarked and
declare their resources, the config writes out the schema's defaults, machine settings stay in
profiles, and ``snakemake --lint`` is clean.

Formatting with snakefmt is not checked here yet: the rule files are edited by several branches at
once and are formatted once after they merge. To enforce it then, set ``SNAKEFMT_CHECK`` below to
True (the test runs ``snakefmt --check`` on the Snakefile and ``workflow/rules``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RULE_FILES = [ROOT / "Snakefile", *sorted((ROOT / "workflow/rules").glob("*.smk"))]
# overparam subcommands that only read tables and draw or render: every other one simulates.
NON_SIMULATING = {"table", "figure", "book", "study"}
SNAKEFMT_CHECK = True


def parse_rules() -> dict[str, dict]:
    """``{rule: {"file", "directives": set, "body": str}}`` from the workflow's Snakemake files."""
    rules: dict[str, dict] = {}
    for path in RULE_FILES:
        text = path.read_text()
        for m in re.finditer(r"^rule (\w+):\n(.*?)(?=^\S|\Z)", text, re.S | re.M):
            name, body = m.group(1), m.group(2)
            assert name not in rules, f"rule {name} defined twice"
            directives = set(re.findall(r"^    (\w+):", body, re.M))
            rules[name] = {"file": path.name, "directives": directives, "body": body}
    return rules


RULES = parse_rules()


def simulates(rule: dict) -> bool:
    """A rule that calls an ``overparam`` subcommand other than table/figure/book."""
    if "shell" not in rule["directives"]:
        return False
    shell = rule["body"].split("    shell:", 1)[1]
    return any(cmd not in NON_SIMULATING for cmd in re.findall(r"\boverparam ([a-z][\w-]*)", shell))


def test_rules_were_found():
    assert {"dla_data", "qfim_sweep", "train_run", "book"} <= set(RULES)
    assert {"dla_data", "qfim_sweep", "train_run", "ext1_data"} <= {n for n, r in RULES.items() if simulates(r)}


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_with_a_job_has_a_log(name):
    rule = RULES[name]
    if not rule["directives"] & {"shell", "run", "script", "notebook", "wrapper"}:
        assert rule["directives"] <= {"input", "default_target", "localrule"}, (name, rule["directives"])
        return  # a target rule (e.g. `all`): no job, nothing to log
    assert "log" in rule["directives"], f"rule {name} ({rule['file']}) has no log:"


@pytest.mark.parametrize("name", sorted(n for n, r in RULES.items() if simulates(r)))
def test_simulation_rules_have_benchmark_threads_and_memory(name):
    rule = RULES[name]
    missing = {"benchmark", "threads", "resources"} - rule["directives"]
    assert not missing, f"simulation rule {name} ({rule['file']}) lacks {sorted(missing)}"
    resources = re.search(r"^    resources:\n((?:        .*\n)+)", rule["body"], re.M)
    assert resources and re.search(r"^\s+mem_mb=", resources.group(1), re.M), f"rule {name}: no mem_mb resource"
    bench = rule["body"].split("    benchmark:", 1)[1]
    assert '"benchmarks/out/' + name + "/" in bench, f"rule {name}: benchmark file not under benchmarks/out/{name}/"


def local_rules() -> set[str]:
    """The rules named in the workflow's ``localrules:`` directives."""
    names: set[str] = set()
    for path in RULE_FILES:
        for block in re.findall(r"^localrules:\n((?:    .*\n)+)", path.read_text(), re.M):
            names |= set(re.findall(r"(\w+),", block))
    return names


def test_cheap_jobs_run_locally_not_as_cluster_jobs():
    # Tables, figures, book pages and circuit drawings take seconds: a cluster run must not submit them.
    # The Sphinx build of the book is the exception: a minute of CPU and memory, a job of its own.
    local = local_rules()
    assert local <= set(RULES), local - set(RULES)
    jobs = {n for n, r in RULES.items() if r["directives"] & {"shell", "run", "script"}}
    cheap = {n for n in jobs if not simulates(RULES[n])} - {"book"}
    assert {"table", "figure", "book_pages"} <= cheap
    assert "book" not in local
    assert cheap <= local, f"non-simulating rules not in localrules: {sorted(cheap - local)}"
    assert not local & {n for n in jobs if simulates(RULES[n])} - {"supp3_data"}


def test_one_table_rule_and_one_figure_rule():
    outputs = {n: r["body"].split("    output:", 1)[-1] for n, r in RULES.items()}
    tables = [n for n, out in outputs.items() if re.search(r'^        "results/tables/', out, re.M)]
    figures = [n for n, r in RULES.items() if "overparam figure" in r["body"]]
    assert tables == ["table"] and figures == ["figure"], (tables, figures)


def _schema_defaults(schema: dict, path: tuple = ()) -> list[tuple[tuple, object]]:
    out = []
    for key, sub in schema.get("properties", {}).items():
        if "default" in sub:
            out.append((path + (key,), sub["default"]))
        if sub.get("type") == "object":
            out += _schema_defaults(sub, path + (key,))
    return out


def test_config_writes_out_every_schema_default_and_validates():
    from overparam.config.checks import check_config, schema_errors

    schema_path = ROOT / "config/schema.yaml"
    schema = yaml.safe_load(schema_path.read_text())
    for name in ("config.yaml", "quick.yaml"):
        config = yaml.safe_load((ROOT / "config" / name).read_text())
        schema_errors(config, str(schema_path))
        check_config(config)
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    defaults = _schema_defaults(schema)
    assert defaults, "the schema declares no defaults"
    for path, _ in defaults:
        node = config
        for key in path[:-1]:
            node = node[key]
        assert path[-1] in node, f"config/config.yaml does not write out {'.'.join(path)} (schema default)"


def test_machine_settings_only_in_profiles():
    # Science in config/, machine settings (cores, memory caps, executors) in workflow/profiles/.
    machine_keys = {"cores", "jobs", "threads", "mem_mb", "resources", "executor", "default-resources"}
    for name in ("config.yaml", "quick.yaml"):
        config = yaml.safe_load((ROOT / "config" / name).read_text())
        assert not machine_keys & set(config), (name, machine_keys & set(config))
    profile = yaml.safe_load((ROOT / "workflow/profiles/default/config.yaml").read_text())
    assert "default-resources" in profile
    for name, rule in RULES.items():
        # Rules must not pin a machine: no --cores/--jobs in their commands, no absolute host paths.
        assert not re.search(r"--(cores|jobs)\b", rule["body"]), name
        assert "/home/" not in rule["body"] and "/work/" not in rule["body"], name


@pytest.mark.slow
def test_snakemake_lint_is_clean():
    snakemake = Path(sys.executable).with_name("snakemake")
    out = subprocess.run(
        [str(snakemake), "--lint", "--configfile", "config/quick.yaml"], cwd=ROOT, capture_output=True, text=True,
        timeout=300,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "Lints for" not in text and "good condition" in text, text[-3000:]


@pytest.mark.skipif(not SNAKEFMT_CHECK, reason="snakefmt check not enabled yet (rule files are formatted after merging)")
def test_rules_are_snakefmt_formatted():
    snakefmt = shutil.which("snakefmt") or str(Path(sys.executable).with_name("snakefmt"))
    out = subprocess.run([snakefmt, "--check", "Snakefile", "workflow/rules"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_sources_have_no_invalid_escape_sequences():
    """Book pages are f-strings full of LaTeX: a single backslash before b, r, t, f, n or v silently
    becomes a control character (\\beta -> backspace + 'eta'), so every escape must be deliberate."""
    import warnings

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "src").rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(), str(path), "exec")


@pytest.mark.slow
def test_fig3_bundles_cover_every_configuration_once():
    """The default config's fig3 shards come from bundle jobs (several depths per process): every shard
    from exactly one job, none from the one-depth rule, no bundle past the work cap unless it is one depth."""
    import yaml as _yaml

    config = _yaml.safe_load((ROOT / "config/config.yaml").read_text())
    targets = [f"results/data/train/fig3/{s['model']}_n{s['n']}_L{layers}.json"
               for s in config["fig3"]["sweeps"] for layers in s["layers"]]
    snakemake = Path(sys.executable).with_name("snakemake")
    out = subprocess.run([str(snakemake), "-n", "--cores", "2", *targets, "--quiet", "rules"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    jobs = dict(re.findall(r"^(train_\w+)\s+(\d+)$", out.stdout + out.stderr, flags=re.M))
    assert jobs and all(name.startswith("train_bundle_fig3_") and count == "1" for name, count in jobs.items())
    covered = []
    for name in jobs:
        found = re.fullmatch(r"train_bundle_fig3_(tfim_\w+)_n(\d+)_L(\d+)(?:_(\d+))?", name)
        model, n, first, last = found[1].replace("_", "-"), int(found[2]), int(found[3]), int(found[4] or found[3])
        depths = next(s["layers"] for s in config["fig3"]["sweeps"] if s["model"] == model and s["n"] == n)
        inside = [d for d in depths if first <= d <= last]
        assert len(inside) == 1 or n * n * sum(inside) <= 20000, name
        covered += [(model, n, d) for d in inside]
    assert sorted(covered) == sorted((s["model"], s["n"], d) for s in config["fig3"]["sweeps"] for d in s["layers"])
