"""The results and performance pages: verdicts follow the tables, absent tables are skipped, and
the provenance block reads Snakemake benchmark files. Small hand-made tables in the real formats."""

from __future__ import annotations

import json
from pathlib import Path

from overparam.report.comparison import closed_form_dim, results_page
from overparam.report.blocks import provenance_block
from overparam.report.pages import PAGES, contents_include
from overparam.report.performance import job_rows, performance_page
from overparam.results.provenance import gpu_model, provenance, rule_wall_times
from overparam.results.tables import DLA_HEADER, FIG2_HEADER, TRAIN_HEADER, write_csv


def dla_row(model, ansatz, options, n, dim, orbit):
    return [model, ansatz, n, options, dim, orbit, "pauli-strings", "stabilizer", n, "0.1"]


def fig2_row(model, n, m, max_rank, dim, orbit):
    return [model, "tfim-hva", "boundary=open", n, m // 2, m, 3, max_rank, max_rank, dim, orbit]


def train_row(model, n, m, seed, loss, success, dim, orbit, lowest=None, protocol="stop below 1e-11", fixed=None):
    tail = ["", ""] if lowest is None else [lowest, int(lowest < 1e-4)]
    return [model, "tfim-hva", "boundary=open", n, m // 2, m, seed, loss, loss, 100, 0.01, 0, dim, orbit, "", "",
            success, 1e-4, *tail, protocol, success if fixed is None else fixed]


def test_results_page_verdicts(tmp_path):
    write_csv(tmp_path / "dla.csv", DLA_HEADER, [
        dla_row("open", "tfim-hva", "boundary=open", 4, 16, 8),
        dla_row("bad", "tfim-hva", "boundary=periodic", 4, 11, 4),
    ])
    write_csv(tmp_path / "fig2.csv", FIG2_HEADER, [
        fig2_row("open", 4, 2, 2, 16, 8), fig2_row("open", 4, 8, 8, 16, 8), fig2_row("open", 4, 12, 8, 16, 8),
        fig2_row("bad", 4, 6, 5, 11, 4),  # rank above its orbit bound: must be called out
    ])
    rows = [train_row("open", 4, 4, s, 0.3, 0, 16, 8) for s in range(4)]
    rows += [train_row("open", 4, 8, s, 1e-6, 1, 16, 8) for s in range(4)]
    write_csv(tmp_path / "fig3.csv", TRAIN_HEADER, rows)
    page = results_page(tmp_path, "## Provenance\n")
    assert "the rank saturates at the orbit bound 8, first at M = 8 ≤ dim g = 16 ($M_c$ in (2, 8])" in page
    assert "bad, n = 4: QFIM rank 5 exceeds the orbit bound 4" in page
    assert "success rises from 0% below M = 8 to 100% at or above it" in page
    assert "16 = n²" in page  # the open chain's closed form, set beside the computed value
    assert "No Hessian spectra" in page and page.rstrip().endswith("## Provenance")


def test_saturation_between_two_swept_m_is_not_a_disagreement(tmp_path):
    # 4 parameters per layer: rank 15 cannot appear at M = 15; reaching it at M = 16 is consistent.
    write_csv(tmp_path / "dla.csv", DLA_HEADER, [dla_row("q", "qaqc-hea", "unitary_seed=0", 2, 15, 15)])
    write_csv(tmp_path / "fig2.csv", FIG2_HEADER, [fig2_row("q", 2, 12, 12, 15, 15), fig2_row("q", 2, 16, 15, 15, 15)])
    assert "the sweep places $M_c$ in (12, 16], consistent with $M_c$ ≤ dim g = 15" in results_page(tmp_path, "")
    write_csv(tmp_path / "fig2.csv", FIG2_HEADER, [fig2_row("q", 2, 16, 14, 15, 15), fig2_row("q", 2, 20, 15, 15, 15)])
    assert "still below the orbit bound at M = 16 ≥ dim g = 15" in results_page(tmp_path, "")


def test_results_page_without_tables_skips_every_section(tmp_path):
    page = results_page(tmp_path, "## Provenance\n")
    assert page.count("section skipped") == 4
    assert "nothing in this build could be compared" in page


def test_training_that_fails_above_the_critical_m_is_a_disagreement(tmp_path):
    write_csv(tmp_path / "dla.csv", DLA_HEADER, [dla_row("open", "tfim-hva", "boundary=open", 4, 16, 8)])
    rows = [train_row("open", 4, 10, s, 0.2, 0, 16, 8) for s in range(3)]
    write_csv(tmp_path / "fig3.csv", TRAIN_HEADER, rows)
    page = results_page(tmp_path, "")
    assert "DISAGREES: training often fails at M ≥ $M_c$" in page
    assert "orbit bound (lower bound on $M_c$" in page  # no sweep: split at the orbit dimension


def test_closed_forms():
    assert closed_form_dim("tfim-hva", "boundary=open;g=1.0", 5) == (25, "n²")
    assert closed_form_dim("qaqc-hea", "unitary_seed=0", 2)[0] == 15
    assert closed_form_dim("tfim-hva", "boundary=periodic;g=1.0", 5) is None


def test_performance_page_reads_benchmark_json_and_snakemake_files(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "bench_x.json").write_text(json.dumps({
        "title": "Tool race", "description": "d", "command": "python benchmarks/bench_x.py", "date": "today",
        "wall_seconds": 3.0, "machine": {"cpu": "C", "gpu": "none", "python": "3", "packages": {"a": "1"}},
        "tools": {"other": "2.0"}, "columns": ["case", "seconds"], "rows": [["a|b", "0.5"]], "notes": ["note"],
    }))
    bench = tmp_path / "out" / "train_run"
    bench.mkdir(parents=True)
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    (bench / "fig3_a.tsv").write_text(header + "2.5\t0:00:02\t300.1\t1\t1\t1\t0\t0\t50\t1.2\n")
    (bench / "fig3_b.tsv").write_text(header + "1.5\t0:00:01\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n")
    assert job_rows(tmp_path / "out") == [["`train_run`", 2, "4.0", "2.5", "1.2", "300"]]
    page = performance_page(results, tmp_path / "out", "## Provenance\n")
    assert "## Tool race" in page and "a\\|b" in page and "- note" in page and "other 2.0" in page
    assert rule_wall_times(tmp_path / "out", "train_run") == {"fig3_a": 2.5, "fig3_b": 1.5}
    empty = performance_page(tmp_path / "none", tmp_path / "none", "")
    assert "No benchmark results are committed" in empty and "No Snakemake benchmark files" in empty


def test_provenance_block_and_contents():
    prov = provenance("abc123")
    assert prov["gpu"] == gpu_model() and prov["packages"]["cirq-core"] != "not installed"
    block = provenance_block(prov, {"a": 1.0, "b": 3.0}, "rule r")
    assert "2 jobs of rule r, 4.0 s in total, longest 3.0 s (`b`)" in block and "`abc123`" in block
    assert "not recorded" in provenance_block(prov, {})
    contents = contents_include(["fig2", "supp2"], prov, {})
    assert "{doc}`/generated/fig2`" in contents and "{doc}`/generated/results`" in contents


def test_performance_page_reads_bench_engine_layout(tmp_path):
    # The layout bench_engine.py --json-out writes: one entry per workload with per-tool timings.
    (tmp_path / "engine.json").write_text(json.dumps({
        "benchmark": "value and gradient", "command": "python bench_engine.py", "timing": "round-robin",
        "machine": {"cpus": 2, "python": "3.11"},
        "columns": [{"n": 6, "layers": 18, "batch": 50, "n_params": 36, "load_before": 1.0, "load_after": 2.0,
                     "tools": {"overparam": {"compile_s": 1.5, "max_abs_diff": 0.0, "seconds": 0.002},
                               "qulacs": {"compile_s": 0.0, "max_abs_diff": 1e-13, "seconds": 0.02}},
                     "ratios": {"qulacs/overparam": 10.0}}],
        "qfim": {"n": 10, "n_params": 100, "tools": {"overparam": {"compile_s": 3.0, "max_abs_diff": 0.0,
                                                                   "seconds": 0.05}}},
    }))
    page = performance_page(tmp_path, tmp_path / "none", "")
    assert "| 6 | 18 | 36 | 50 | qulacs | 20.00 | 0.0 | 1.0e-13 | 10.0 | 1.0 / 2.0 |" in page
    assert "| 10 | QFIM | 100 |  | overparam | 50.00 |" in page and "cpus 2" in page


def test_performance_page_reads_bench_tcng_layout(tmp_path):
    # The layout bench_tcng.py --json-out writes: per case, each tool's best wall and CPU seconds and ratios.
    tool = {"seconds": 0.5, "cpu_seconds": 0.25, "jit_s": 2.0, "jit_cpu_s": 1.0}
    (tmp_path / "tcng.json").write_text(json.dumps({
        "benchmark": "TFIM energy and gradient", "commands": ["python bench_tcng.py --cases n10"],
        "tools": {"tensorcircuit-ng": "1.10.0"}, "tensorcircuit_limits": ["from_cirq skips symbolic gates"],
        "comparisons": [{"case": "n10", "n": 10, "layers": 50, "n_params": 100, "batch": 50,
                         "load_before": 3.0, "load_after": 4.0,
                         "tools": {"fermion": dict(tool, seconds=0.01, cpu_seconds=0.005),
                                   "tc-circuit": dict(tool, max_abs_diff_loss=4e-14, max_abs_diff_grad=8e-14)},
                         "ratios": {"tc-circuit/fermion": 50.0, "tc-circuit/statevector": 7.5},
                         "cpu_ratios": {"tc-circuit/fermion": 50.0, "tc-circuit/statevector": 9.0}}],
    }))
    page = performance_page(tmp_path, tmp_path / "none", "")
    row = "| 10 | 50 | 100 | 50 | tc-circuit | 0.5 | 0.25 | 50.0 | 50.0 | 4.0e-14 / 8.0e-14 | 2.0 / 1.0 | 3.0 / 4.0 |"
    assert row in page
    assert "| 10 | 50 | 100 | 50 | fermion | 0.01 | 0.005 | 1 | 1 | reference |" in page
    assert "tc-circuit / statevector engine = 7.5 (wall), 9.0 (CPU)" in page and "from_cirq skips" in page
    assert "tensorcircuit-ng 1.10.0" in page and "python bench_tcng.py --cases n10" in page


def test_performance_page_reads_bench_hessian_layout(tmp_path):
    # The layout bench_hessian.py --json-out writes: per case, each tool's best CPU and wall seconds,
    # its first call, its relative difference from the engine and its CPU ratio to the engine.
    (tmp_path / "hessian.json").write_text(json.dumps({
        "benchmark": "Exact Hessian of the TFIM residual energy", "tensorcircuit": "1.10.0",
        "command": "python benchmarks/bench_hessian.py --cases 10x20",
        "cases": [{"n": 10, "layers": 20, "n_params": 40, "load": 2.5,
                   "wall_s": {"engine": 0.04, "tc-circuit": 0.5}, "cpu_s": {"engine": 0.03, "tc-circuit": 0.36},
                   "first_call_s": {"engine": 4.9, "tc-circuit": 8.8},
                   "relative_error": {"tc-circuit": 2.6e-13}, "ratio_cpu": {"tc-circuit": 12.0}}],
    }))
    page = performance_page(tmp_path, tmp_path / "none", "")
    assert "| 10 | 20 | 40 | engine | 0.03 | 0.04 | 1 | reference | 4.9 | 2.5 |" in page
    assert "| 10 | 20 | 40 | tc-circuit | 0.36 | 0.5 | 12 | 2.6e-13 | 8.8 | 2.5 |" in page
    assert "TensorCircuit-NG 1.10.0" in page and "python benchmarks/bench_hessian.py --cases 10x20" in page


def test_gpu_model_reads_nvidia_smi(tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'NVIDIA H200, 143771 MiB, 570.86.15'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gpu_model() == "NVIDIA H200, 143771 MiB, driver 570.86.15"
    fake.unlink()
    assert gpu_model() == "none"


def test_every_committed_benchmark_result_reaches_the_performance_page():
    """Each JSON under benchmarks/results/ is recognised and its measured numbers are shown."""
    import json

    from overparam.report.performance import load_benchmarks, performance_page

    results = Path(__file__).resolve().parents[1] / "benchmarks/results"
    files = sorted(p.name for p in results.glob("*.json"))
    assert {b["_file"] for b in load_benchmarks(results)} == set(files)
    page = performance_page(results, results / "no-such-dir", "PROV")
    if "fig3_estimate.json" in files:
        est = json.loads((results / "fig3_estimate.json").read_text())
        assert f"{est['2_core_cpu_hours']:.1f} h on 2 cores" in page
    if "engine_compile.json" in files:
        first = json.loads((results / "engine_compile.json").read_text())["compile_times"][0]
        assert f"| {first['n']} | {first['layers']} | {first['batch']} | {first['cpu_s']:.2f} |" in page


def _fig3_page(tmp_path, rows):
    write_csv(tmp_path / "fig3.csv", TRAIN_HEADER, rows)
    return PAGES["fig3"][0](tmp_path / "fig3.csv", provenance("abc123"), {})


def test_training_page_counts_runs_that_reached_the_minimum_and_left_it(tmp_path):
    # M = 8: every run got to 1e-9 but two were kicked back above the threshold by the last step.
    rows = [train_row("open", 4, 4, s, 0.3, 0, 16, 8, lowest=0.2) for s in range(4)]
    rows += [train_row("open", 4, 8, s, 3e-3 if s < 2 else 1e-9, int(s >= 2), 16, 8, lowest=1e-9) for s in range(4)]
    rows += [train_row("open", 4, 12, s, 1e-10, 1, 16, 8, lowest=1e-11) for s in range(4)]
    page = _fig3_page(tmp_path, rows)
    assert "| open | 4 | 16 | 8 | 12 | 8 |" in page  # final-loss count first at 12, reached first at 8
    assert "| open | 4 | 8 | 4 | 0.50 | 1.00 |" in page
    assert "| open | 4 | 4 | 4 | 0.00 | 0.00 |" in page
    assert "below it at some step" in page


def test_training_page_of_the_published_protocol_shows_the_fixed_protocol_beside_it(tmp_path):
    # M = 8: two runs reached the floor and were kicked back up (published: failures; fixed: successes).
    rows = [train_row("open", 4, 4, s, 0.3, 0, 16, 8, lowest=0.2, protocol="published", fixed=0) for s in range(4)]
    rows += [train_row("open", 4, 8, s, 3e-3 if s < 2 else 1e-9, int(s >= 2), 16, 8, lowest=1e-12,
                       protocol="published", fixed=1) for s in range(4)]
    page = _fig3_page(tmp_path, rows)
    assert "fixed protocol" in page and "published protocol" in page
    assert "| open | 4 | 8 | 4 | 0.50 | 1.00 | 1.00 |" in page  # final, fixed protocol, reached
    assert "| open | 4 | 4 | 4 | 0.00 | 0.00 | 0.00 |" in page


def test_training_page_without_lowest_losses_keeps_the_final_loss_columns_only(tmp_path):
    rows = [train_row("open", 4, 8, s, 1e-9, 1, 16, 8) for s in range(4)]
    page = _fig3_page(tmp_path, rows)
    assert "| open | 4 | 16 | 8 | 8 |" in page and "at some step" not in page
