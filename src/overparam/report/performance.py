"""The performance page: committed benchmark results and this build's Snakemake job measurements.

Benchmark results are the JSON files that ``benchmarks/bench_*.py --json-out`` write (committed
under ``benchmarks/results/``); each carries its own command, date and machine. The workflow part
reads the Snakemake ``benchmark:`` files of the build itself (``benchmarks/out/<rule>/<job>.tsv``).
Only measured numbers are shown; a missing source is said to be missing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from overparam.report.blocks import render


def _engine_rows(entries: list[dict[str, Any]]) -> list[list]:
    """Rows from ``bench_engine.py``'s per-workload entries (``{n, layers, batch, n_params, tools, ratios}``)."""
    rows = []
    for e in entries:
        for tool, t in e.get("tools", {}).items():
            ratio = e.get("ratios", {}).get(f"{tool}/overparam", "")
            seconds = t.get("seconds")
            rows.append([
                e.get("n", ""), e.get("layers", ""), e.get("n_params", ""), e.get("batch", ""), tool,
                f"{seconds * 1e3:.2f}" if isinstance(seconds, (int, float)) else "not timed",
                t.get("compile_s", ""), f"{t.get('max_abs_diff', float('nan')):.1e}", ratio,
                f"{e.get('load_before', '')} / {e.get('load_after', '')}",
            ])
    return rows


def _compile_times(data: dict[str, Any], name: str) -> dict[str, Any]:
    """``bench_engine.py --compile-times``: compile time of value+gradient versus n and depth."""
    rows = [[e["n"], e["layers"], e["batch"], f"{e['cpu_s']:.2f}", f"{e['wall_s']:.2f}", e.get("load", "")]
            for e in data["compile_times"]]
    return dict(
        data, _file=name, title="Engine: compile time versus size and depth",
        description="Trace and XLA compile of the engine's value and gradient, per (n, layers); CPU seconds "
        "are what an idle core takes, wall seconds include the machine's load.",
        columns=["n", "layers", "batch", "compile CPU (s)", "compile wall (s)", "load"], rows=rows,
        command=data.get("command", "python benchmarks/bench_engine.py --compile-times --json-out "
                         "benchmarks/results/engine_compile.json"),
    )


def _training_estimate(data: dict[str, Any], name: str) -> dict[str, Any]:
    """``benchmarks/estimate_fig3.py``: the paper-scale training sweep's cost from measured step times."""
    rows = []
    for g in data["groups"]:
        steps = ", ".join(f"p={m['layers']}: {m['step_cpu_s'] * 1e3:.2f} ms" for m in g.get("measured", []))
        rows.append([g["model"], g["n"], len(g["layers"]), steps, f"{g['seconds_cpu'] / 60:.1f}",
                     f"{g['longest_configuration_cpu_s'] / 60:.1f}"])
    rows.append(["all", "", data["configurations"], "", f"{data['one_core_cpu_hours'] * 60:.0f}",
                 f"{data['longest_configuration_cpu_hours'] * 60:.1f}"])
    notes = [
        f"estimated total: {data['one_core_cpu_hours']:.1f} CPU-hours on one core, "
        f"{data['2_core_cpu_hours']:.1f} h on 2 cores (two configurations at a time)",
        f"method: {data.get('method', 'not recorded')}",
    ]
    return dict(
        data, _file=name, title=f"Training: cost of {data.get('experiment', 'the training sweep')}",
        description=f"{data.get('runs_per_configuration', '?')} initialisations x {data.get('steps', '?')} Adam "
        "steps per configuration; CPU time of one Adam step of the whole batch, measured at the smallest "
        "and largest depth of each (model, n).",
        columns=["model", "n", "configurations", "measured step (CPU)", "CPU minutes", "longest configuration (min)"],
        rows=rows, notes=notes,
        command=data.get("command", "python benchmarks/estimate_fig3.py --json-out benchmarks/results/fig3_estimate.json"),
    )


def _fermion_cases(data: dict[str, Any], name: str) -> dict[str, Any]:
    """``bench_fermion.py``: the free-fermion engine per case, against the state-vector engine or a goal."""
    rows = []
    for case, c in data["cases"].items():
        seconds = c.get("seconds")
        if isinstance(seconds, dict):
            timed = f"{seconds.get('fermion', float('nan')):.4g}"
            ratio = c.get("ratio_statevector_over_fermion", "")
            versus = f"state vector {seconds.get('statevector', float('nan')):.4g} s: {ratio}x"
        else:
            timed = f"{seconds:.4g}" if isinstance(seconds, (int, float)) else "not timed"
            versus = f"goal {c['goal_s']:g} s" if "goal_s" in c else ""
        check = c.get("max_abs_diff", c.get("finite_difference_max_abs", ""))
        extra = f"rank {c['rank']}, gap {c['gap']:.3g}" if "rank" in c and "gap" in c else ""
        cpu = c.get("cpu_seconds")
        cpu = cpu.get("fermion") if isinstance(cpu, dict) else cpu
        rows.append([case, c.get("n", ""), c.get("n_params", ""), c.get("batch", ""), timed,
                     f"{cpu:.4g}" if isinstance(cpu, (int, float)) else "not recorded", versus,
                     f"{check:.1e}" if isinstance(check, float) else check, extra, c.get("load", "")])
    return dict(
        data, _file=name, title="Free-fermion engine", description=data.get("benchmark", ""),
        columns=["case", "n", "M", "batch", "seconds", "CPU seconds (one thread)", "against",
                 "max diff (state vector or finite differences)",
                 "QFIM", "load"],
        rows=rows, notes=[data["note"]] if data.get("note") else [],
        command="; ".join(data["commands"]) if isinstance(data.get("commands"), list) else data.get("command", "?"),
    )


def _crossover(data: dict[str, Any], name: str) -> dict[str, Any]:
    """``bench_crossover.py``: both engines' cost per n, then the state vector's extrapolated cost."""
    rows = []
    for c in data["measured"]:
        cpu, wall = c.get("seconds", {}), c.get("wall_seconds", {})
        sv = cpu.get("statevector")
        rows.append([c["n"], c["n_params"], c.get("batch", ""), f"{cpu.get('fermion', float('nan')):.3g}",
                     "not run" if sv is None else f"{sv:.3g}",
                     f"{c['ratio_statevector_over_fermion']:.3g}" if "ratio_statevector_over_fermion" in c else "",
                     f"{wall.get('fermion', float('nan')):.3g}", c.get("load", "")])
    for c in data.get("extrapolated", []):
        rows.append([c["n"], c["n_params"], data.get("batch", ""), "",
                     f"{c['statevector_seconds_extrapolated']:.3g} (extrapolated)", "", "", ""])
    return dict(
        data, _file=name, title="Cost crossover of the two engines", description=data.get("benchmark", ""),
        columns=["n", "M", "batch", "fermion CPU s", "state vector CPU s", "state vector / fermion", "fermion wall s",
                 "load"],
        rows=rows, notes=[], command=data.get("command", "python benchmarks/bench_crossover.py"),
    )


def _fmt(x: Any, spec: str) -> str:
    return format(x, spec) if isinstance(x, (int, float)) else "not recorded"


def _tcng_comparisons(data: dict[str, Any], name: str) -> dict[str, Any]:
    """``bench_tcng.py``: each tool's time beside the free-fermion engine's, wall and CPU, per case."""
    rows, notes = [], []
    for c in data["comparisons"]:
        ratios, cpu_ratios = c.get("ratios", {}), c.get("cpu_ratios", {})
        for tool, t in c.get("tools", {}).items():
            key, own = f"{tool}/fermion", "1" if tool == "fermion" else ""
            diff = "reference" if tool == "fermion" else (
                f"{_fmt(t.get('max_abs_diff_loss'), '.1e')} / {_fmt(t.get('max_abs_diff_grad'), '.1e')}")
            rows.append([
                c.get("n", ""), c.get("layers", ""), c.get("n_params", ""), c.get("batch", ""), tool,
                _fmt(t.get("seconds"), ".4g"), _fmt(t.get("cpu_seconds"), ".4g"),
                ratios.get(key, own), cpu_ratios.get(key, own),
                diff, f"{_fmt(t.get('jit_s'), '.1f')} / {_fmt(t.get('jit_cpu_s'), '.1f')}",
                f"{c.get('load_before', '')} / {c.get('load_after', '')}",
            ])
        if "tc-circuit/statevector" in ratios:
            notes.append(f"n = {c.get('n')}: tc-circuit / statevector engine = {ratios['tc-circuit/statevector']} "
                         f"(wall), {cpu_ratios.get('tc-circuit/statevector', '?')} (CPU)")
    notes += [f"TensorCircuit-NG: {line}" for line in data.get("tensorcircuit_limits", [])]
    return dict(
        data, _file=name, title="TensorCircuit-NG against the project's engines", description=data.get("benchmark", ""),
        columns=["n", "layers", "M", "batch", "tool", "best wall (s)", "best CPU (s)", "wall / fermion",
                 "CPU / fermion", "max diff vs fermion (loss / gradient)", "jit wall / CPU (s)", "load before / after"],
        rows=rows, notes=notes,
        command="; ".join(data["commands"]) if isinstance(data.get("commands"), list) else data.get("command", "?"),
    )


def _hessian_cases(data: dict[str, Any], name: str) -> dict[str, Any]:
    """``bench_hessian.py``: each tool's exact Hessian time per case, as a ratio to the engine's."""
    rows = []
    for c in data["cases"]:
        cpu, wall, first = c.get("cpu_s", {}), c.get("wall_s", {}), c.get("first_call_s", {})
        errors, ratios = c.get("relative_error", {}), c.get("ratio_cpu", {})
        for tool in cpu:
            rows.append([
                c.get("n", ""), c.get("layers", ""), c.get("n_params", ""), tool,
                _fmt(cpu.get(tool), ".4g"), _fmt(wall.get(tool), ".4g"),
                "1" if tool == "engine" else _fmt(ratios.get(tool), ".3g"),
                "reference" if tool == "engine" else _fmt(errors.get(tool), ".1e"),
                _fmt(first.get(tool), ".1f"), c.get("load", ""),
            ])
    notes = [f"TensorCircuit-NG {data['tensorcircuit']}"] if data.get("tensorcircuit") else []
    return dict(
        data, _file=name, title="Exact Hessian: the engine's one-pass route against the alternatives",
        description=data.get("benchmark", ""),
        columns=["n", "layers", "M", "tool", "best CPU (s)", "best wall (s)", "CPU / engine",
                 "max relative diff vs engine", "first call incl. compile (s)", "load"],
        rows=rows, notes=notes, command=data.get("command", "python benchmarks/bench_hessian.py"),
    )


def normalize(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A benchmark JSON as ``{title, description, columns, rows, ...}``, or ``None`` if unrecognised.

    Read: a table (``columns`` names and ``rows`` lists, as ``bench_lie.py`` writes),
    ``bench_engine.py``'s list of workloads (``columns`` entries with per-tool timings, and an
    optional ``qfim`` entry), its ``--compile-times`` list, ``estimate_fig3.py``'s groups,
    ``bench_fermion.py``'s ``cases``, ``bench_crossover.py``'s ``measured``, ``bench_tcng.py``'s
    ``comparisons`` and ``bench_hessian.py``'s list of ``cases``.
    """
    if isinstance(data, dict) and isinstance(data.get("compile_times"), list):
        return _compile_times(data, name)
    if isinstance(data, dict) and isinstance(data.get("groups"), list) and "2_core_cpu_hours" in data:
        return _training_estimate(data, name)
    if isinstance(data, dict) and isinstance(data.get("cases"), dict):
        return _fermion_cases(data, name)
    if isinstance(data, dict) and isinstance(data.get("measured"), list) and "extrapolated" in data:
        return _crossover(data, name)
    if isinstance(data, dict) and isinstance(data.get("comparisons"), list):
        return _tcng_comparisons(data, name)
    if (isinstance(data, dict) and isinstance(data.get("cases"), list)
            and all(isinstance(c, dict) and "ratio_cpu" in c for c in data["cases"])):
        return _hessian_cases(data, name)
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
        return None
    out = dict(data, _file=name)
    if "rows" in data:
        return out
    if all(isinstance(e, dict) and "tools" in e for e in data["columns"]):
        entries = list(data["columns"]) + ([dict(data["qfim"], layers="QFIM")] if "qfim" in data else [])
        out["title"] = data.get("title") or f"Engine: {data.get('benchmark', name)}"
        out["description"] = data.get("description") or data.get("timing", "")
        out["columns"] = ["n", "layers", "M", "batch", "tool", "best call (ms)", "compile (s)",
                          "max |diff| vs overparam", "time / overparam", "load before / after"]
        out["rows"] = _engine_rows(entries)
        return out
    return None


def load_benchmarks(results_dir: Path) -> list[dict[str, Any]]:
    """Every recognised benchmark JSON under ``results_dir``, sorted by file name."""
    out = []
    for path in sorted(results_dir.glob("*.json")) if results_dir.is_dir() else []:
        data = normalize(json.loads(path.read_text()), path.name)
        if data is not None:
            out.append(data)
    return out


def _benchmark_section(b: dict[str, Any]) -> dict[str, Any]:
    """One benchmark's section: title, description, table and the facts of its run (one bullet each)."""
    machine = dict(b.get("machine", {}))
    packages = machine.pop("packages", {})
    tools = ", ".join(f"{k} {v}" for k, v in b.get("tools", {}).items())
    facts = [f"command: `{b.get('command', '?')}` (file `benchmarks/results/{b['_file']}`)"]
    if "date" in b:
        facts.append(f"run {b['date']}" + (f", {b['wall_seconds']:.0f} s in all" if "wall_seconds" in b else ""))
    if tools:
        facts.append(f"tools compared: {tools}")
    facts.append("machine: " + ("; ".join(f"{k} {v}" for k, v in machine.items()) or "not recorded"))
    if packages:
        facts.append("packages: " + ", ".join(f"{k} {v}" for k, v in packages.items()))
    if b.get("xla_flags"):
        facts.append(f"XLA_FLAGS: `{b['xla_flags']}`")
    if "pjrt_nproc" in b:
        facts.append(f"XLA intra-op threads (PJRT_NPROC): {b['pjrt_nproc'] or 'one per core (not set)'}")
    return {"title": b.get("title", b["_file"]), "description": b.get("description", ""), "columns": b["columns"],
            "rows": b["rows"], "lines": [*b.get("notes", []), *facts]}


def job_rows(benchmark_dir: Path) -> list[list]:
    """Per rule: jobs, total and longest wall time, total CPU time and peak resident memory."""
    rows = []
    for rule_dir in sorted(p for p in benchmark_dir.glob("*") if p.is_dir()) if benchmark_dir.is_dir() else []:
        walls, cpus, rss = [], [], []
        for tsv in sorted(rule_dir.glob("*.tsv")):
            with open(tsv, newline="") as fh:
                recs = list(csv.DictReader(fh, delimiter="\t"))
            if not recs:
                continue
            rec = recs[-1]
            walls.append(float(rec["s"]))
            for key, acc in (("cpu_time", cpus), ("max_rss", rss)):
                try:
                    acc.append(float(rec.get(key, "NA")))
                except ValueError:  # Snakemake writes NA when a process ended too fast to sample
                    pass
        if walls:
            rows.append([
                f"`{rule_dir.name}`", len(walls), f"{sum(walls):.1f}", f"{max(walls):.1f}",
                f"{sum(cpus):.1f}" if cpus else "NA", f"{max(rss):.0f}" if rss else "NA",
            ])
    return rows


def performance_page(results_dir: Path, benchmark_dir: Path, provenance_md: str) -> str:
    """The whole performance page (MyST Markdown), ending with ``provenance_md``."""
    return render(
        "performance.md.j2", benchmarks=[_benchmark_section(b) for b in load_benchmarks(results_dir)],
        jobs=job_rows(benchmark_dir), provenance=provenance_md,
    )
