"""Render one MyST page per figure from its table, plus provenance, into ``book/generated/``.

Each page is a template in ``report/templates/``; the functions here read the page's table and
compute what the template shows. :data:`PAGES` names every page, its function and the Snakemake
rule whose benchmark files give its wall times.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Callable

from overparam.fileio import write_json, write_text
from overparam.report.blocks import provenance_block
from overparam.report.blocks import render as render_template
from overparam.report.comparison import results_page
from overparam.report.failures_page import failures_page
from overparam.report.geometry_pages import fig1_page, spectra_page
from overparam.report.large_page import EXTRA_FIGURES as LARGE_FIGURES
from overparam.report.large_page import large_page
from overparam.report.performance import performance_page
from overparam.report.replication import (
    CHAPTER_FIGURES, capacity_page, replication_page, scale_page, transition_page,
)
from overparam.results.beyond import summarize as summarize_beyond
from overparam.results.critical import first_m, first_m_at
from overparam.results.provenance import provenance, rule_wall_times
from overparam.results.tables import read_csv

Page = Callable[[Path, dict, dict], str]


def supp2_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The supp2 page: QFIM rank at random points versus depth, per model and size."""
    rows = read_csv(table)
    groups: dict[tuple[str, int], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    gaps: list[float] = []
    samples = defaultdict(set)
    for r in rows:
        groups[(r["model"], int(r["n"]))][int(r["n_params"])].append(int(r["rank"]))
        samples[(r["model"], int(r["n"]))].add(int(r["sample"]))
        gaps.append(float(r["gap"]))
    summary = []
    for (model, n), by_m in groups.items():
        ms = sorted(by_m)
        top = max(max(v) for v in by_m.values())
        summary.append([model, n, len(samples[(model, n)]), f"{ms[0]}–{ms[-1]}", top,
                        first_m({m: max(v) for m, v in by_m.items()})])
    detail = [[model, n, m, min(by_m[m]), max(by_m[m])] for (model, n), by_m in groups.items() for m in sorted(by_m)]
    finite = [g for g in gaps if g != float("inf")]
    return render_template(
        "supp2.md.j2", tol=rows[0]["tolerance"] if rows else "n/a", samples=len(rows), summary=summary,
        detail=detail, gap_text=f"{min(finite):.3g}" if finite else "infinite", provenance=provenance_block(prov, wall),
    )


def fig2_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The fig2 page: maximal QFIM rank against the DLA dimension and the orbit bound."""
    rows = read_csv(table)
    summary = []
    for key in dict.fromkeys((r["model"], int(r["n"])) for r in rows):
        sel = [r for r in rows if (r["model"], int(r["n"])) == key]
        top = max(int(r["max_rank"]) for r in sel)
        m_c = first_m({int(r["n_params"]): int(r["max_rank"]) for r in sel})
        orbit, dim = sel[0]["orbit_dim"], sel[0]["dla_dim"]
        verdict = "reaches the bound" if str(top) == orbit else ("below the bound" if int(orbit) > top else "ABOVE the bound")
        summary.append([key[0], key[1], dim, orbit, top, m_c, verdict])
    dla_table = table.parent / "dla.csv"
    dla_rows = [[r["model"], r["n"], r["dim"], r["orbit_dim"], r["method"], r["seconds"]]
                for r in (read_csv(dla_table) if dla_table.exists() else [])]
    return render_template("fig2.md.j2", summary=summary, dla_rows=dla_rows, provenance=provenance_block(prov, wall))


def _lowest(r: dict) -> float | None:
    value = r.get("lowest_loss")
    return float(value) if value not in (None, "") else None


def _training_summary(rows: list[dict], threshold: float) -> tuple[list[list], list[list], bool, bool]:
    """Per (model, n, M) success fractions and per (model, n) the first M with ≥ 90 % successes.

    When every row has a lowest loss, the fraction of runs that got below the threshold at some step
    (``reached``) is reported beside the final-loss one; the third value says whether it was. Adam
    at a fixed learning rate can leave a minimum it reached, so the two can differ. When every run
    followed the published protocol (no stop), the fixed protocol's fraction (a run stops at the
    round-off floor) is reported too, from the same runs; the fourth value says whether it was.
    """
    groups: dict[tuple[str, int], dict[int, list[tuple[float, float | None, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    bounds = {}
    for r in rows:
        key = (r["model"], int(r["n"]))
        groups[key][int(r["n_params"])].append((float(r["final_loss"]), _lowest(r), r.get("fixed_success") or ""))
        bounds[key] = (r.get("dla_dim", ""), r.get("orbit_dim", ""))
    with_lowest = bool(rows) and all(_lowest(r) is not None for r in rows)
    with_fixed = bool(rows) and all(r.get("protocol") == "published" and r.get("fixed_success") for r in rows)
    per_m, per_model = [], []
    for key, by_m in groups.items():
        finals, reached, fixed = [], [], []
        for m in sorted(by_m):
            losses = [final for final, _, _ in by_m[m]]
            finals.append((m, sum(v < threshold for v in losses) / len(losses)))
            row = [key[0], key[1], m, len(losses), f"{finals[-1][1]:.2f}"]
            if with_fixed:
                fixed.append((m, sum(int(f) for _, _, f in by_m[m]) / len(losses)))
                row.append(f"{fixed[-1][1]:.2f}")
            if with_lowest:
                reached.append((m, sum(low < threshold for _, low, _ in by_m[m]) / len(losses)))
                row.append(f"{reached[-1][1]:.2f}")
            per_m.append(row + [f"{min(losses):.2e}", f"{sorted(losses)[len(losses) // 2]:.2e}"])
        dim, orbit = bounds[key]
        per_model.append(
            [key[0], key[1], dim, orbit, first_m_at(finals)]
            + ([first_m_at(fixed)] if with_fixed else [])
            + ([first_m_at(reached)] if with_lowest else [])
        )
    return per_m, per_model, with_lowest, with_fixed


def training_page(fig: str, title: str, what: str, loss_name: str) -> Page:
    """The page function of a training figure (fig3, supp4, supp5): loss curves and the transition in M."""

    def page(table: Path, prov: dict, wall: dict[str, float]) -> str:
        rows = read_csv(table)
        threshold = float(rows[0].get("success_threshold") or 1e-4) if rows else 1e-4
        per_m, per_model, with_lowest, with_fixed = _training_summary(rows, threshold)
        spectra = table.parent / f"{fig}_spectra.csv"
        return render_template(
            "training.md.j2", fig=fig, title=title, what=what, loss_name=loss_name,
            lr=rows[0]["lr"] if rows else "?", steps=rows[0]["steps"] if rows else "?", threshold=threshold,
            worst=max(
                (abs(float(r["final_loss"]) - float(r["qsim_final_loss"])) for r in rows if r["qsim_final_loss"]),
                default=0.0,
            ),
            checked=sum(1 for r in rows if r["qsim_final_loss"]), total=len(rows),
            per_m=per_m, per_model=per_model, with_lowest=with_lowest, with_fixed=with_fixed,
            spectra_count=len(read_csv(spectra)) if spectra.exists() else None, provenance=provenance_block(prov, wall),
        )

    return page


def _spectrum(row: dict[str, str]) -> list[float]:
    return [float(v) for v in row["spectrum"].split()]


_EXT1_LABELS = {
    "none": "noiseless", "local": "local p = {}", "global": "global q = {}", "pure-state": "pure-state QFIM (check)",
}


def ext1_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The ext1 page: SLD QFIM ranks and spectra versus depth under depolarizing noise."""
    rows = read_csv(table)
    layers = sorted({int(r["layers"]) for r in rows})
    n_params = {int(r["layers"]): int(r["n_params"]) for r in rows}
    settings = list(dict.fromkeys((r["noise"], r["strength"]) for r in rows if r["noise"] != "pure-state"))
    max_rank: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for r in rows:
        key = (r["noise"], r["strength"])
        p = int(r["layers"])
        max_rank[key][p] = max(max_rank[key].get(p, 0), int(r["rank"]))
    clean = max_rank[("none", "0")]
    pure = max_rank[("pure-state", "0")]
    bound = max(clean.values())

    # The noiseless SLD result against the state-vector QFIM at the same points.
    by_point = {(r["layers"], r["sample"], r["noise"]): r for r in rows if r["noise"] in ("none", "pure-state")}
    deviation, rank_mismatch = 0.0, 0
    for (p, k, kind), r in by_point.items():
        if kind != "none":
            continue
        ref = by_point[(p, k, "pure-state")]
        deviation = max(deviation, max(abs(x - y) for x, y in zip(_spectrum(r), _spectrum(ref))))
        rank_mismatch += int(r["rank"] != ref["rank"])

    def label(kind: str, strength: str) -> str:
        return _EXT1_LABELS[kind].format(strength)

    rank_rows = [[label(*key)] + [max_rank[key].get(p, "") for p in layers] for key in settings + [("pure-state", "0")]]
    rank_rows.insert(0, ["M = 2p"] + [n_params[p] for p in layers])
    local_keys = [k for k in settings if k[0] == "local"]
    global_keys = [k for k in settings if k[0] == "global"]
    noisy = [r for r in rows if r["noise"] in ("local", "global")]
    finite_gaps = [float(r["gap"]) for r in noisy if r["gap"] not in ("", "inf")]
    deepest = layers[-1]

    def top(kind: str, strength: str) -> float:
        return max(_spectrum(r)[0] for r in rows if r["noise"] == kind and r["strength"] == strength
                   and int(r["layers"]) == deepest)

    return render_template(
        "ext1.md.j2", model=rows[0]["model"], n=rows[0]["n"], options=rows[0]["options"], tol=rows[0]["tolerance"],
        samples=len({r["sample"] for r in rows}), layers=layers, layer_cols=[f"p={p}" for p in layers],
        rank_rows=rank_rows, bound=bound, bound_p=first_m(clean, lambda rank: rank == bound),
        pure_max=max(pure.values()),
        local_above=sorted({p for k in local_keys for p in layers if max_rank[k].get(p, 0) > bound}),
        local_rank_is_m=all(max_rank[k][p] == n_params[p] for k in local_keys for p in layers),
        global_same=all(max_rank[k] == clean for k in global_keys),
        n_noisy=len(noisy), narrow=sum(1 for g in finite_gaps if g < 1e3),
        min_rho=min((float(r["rho_min_eigenvalue"]) for r in rows if r["noise"] == "local"), default=float("nan")),
        deviation=deviation, rank_mismatch=rank_mismatch, deepest=deepest,
        suppression=[[label(*k), f"{top(*k):.3g}", f"{top(*k) / top('none', '0'):.3g}"] for k in settings],
        provenance=provenance_block(prov, wall),
    )


def supp3_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The supp3 page: the ansätze's circuits, their sizes and gate counts, and text diagrams."""
    rows = read_csv(table)
    summary = [
        [r["ansatz"], r["options"] or "-", r["n"], r["layers"], r["n_qubits"], r["n_params"], r["n_ops"],
         r["n_multi_qubit"], r["depth"], r["gate_counts"].replace(";", ", ")]
        for r in rows
    ]
    return render_template("supp3.md.j2", rows=rows, summary=summary, provenance=provenance_block(prov, wall))


def hardware_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The hardware page: shot-based QFIM ranks on Google's virtual processors beside the exact ones."""
    rows = read_csv(table)
    summary = [
        [r["backend"], r["layers"], r["n_params"], r["sample"], r["repetitions"], r["circuits"], r["exact_rank"],
         r["rank"], f"{float(r['tolerance']):.3g}", f"{float(r['max_z']):.2f}"]
        for r in rows
    ]
    noiseless = [float(r["max_z"]) for r in rows if r["backend"] == "virtual-noiseless"]
    return render_template(
        "hardware.md.j2", first=rows[0] if rows else {}, summary=summary, noiseless=noiseless,
        qubits=", ".join(sorted({r["device_qubits"] for r in rows})) or "n/a", provenance=provenance_block(prov, wall),
    )


def beyond_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The beyond page: QFIM rank and critical M of the TFIM models past the paper's sizes."""
    rows = read_csv(table)
    summary = summarize_beyond(rows)
    first = rows[0] if rows else {}
    lines = [
        [s.model, s.n, s.dla_dim, s.orbit_dim, s.samples, s.max_m, s.top_rank, s.m_c if s.m_c else "not reached",
         s.m_c_all if s.m_c_all else "not reached", s.m_c_tight if s.m_c_tight else "not reached",
         f"{s.saturated_gap:.1e}", "yes" if s.within_bound else "**no**", f"{s.compile_seconds:.1f}",
         f"{s.point_seconds:.2f}", s.device]
        for s in summary
    ]
    saturated = [s for s in summary if s.m_c is not None]
    return render_template(
        "beyond.md.j2", lines=lines, tol=first.get("tolerance", "n/a"), tight=first.get("tight_tolerance", "n/a"),
        all_saturated=bool(summary) and all(s.within_bound for s in summary) and len(saturated) == len(summary),
        provenance=provenance_block(prov, wall),
    )


PAGES: dict[str, tuple[Page, str]] = {
    "fig2": (fig2_page, "qfim_sweep"),
    "supp2": (supp2_page, "qfim_sweep"),
    "fig3": (
        training_page(
            "fig3", "the trainability transition of the TFIM VQE", "Residual energy $E(\\theta) - E_0$ of the "
            "Hamiltonian variational ansatz for the transverse-field Ising chain (periodic and open boundary).",
            "Residual energy",
        ),
        "train_run",
    ),
    "supp4": (
        training_page(
            "supp4", "quantum-assisted compiling", "Hilbert–Schmidt-test loss of compiling a fixed Haar-random "
            "unitary with the hardware-efficient ansatz, and QFIM/Hessian spectra at the solutions.", "Loss",
        ),
        "train_run",
    ),
    "supp5": (
        training_page(
            "supp5", "quantum autoencoder", "Loss of the quantum autoencoder (one minus the mean probability of "
            "the trash qubits in |00⟩ over four training states).", "Loss",
        ),
        "train_run",
    ),
    "ext1": (ext1_page, "ext1_data"),
    "supp3": (supp3_page, "supp3_data"),
    "hardware": (hardware_page, "hardware_data"),
    "fig1": (fig1_page, "landscape_data"),
    "fig4": (spectra_page("fig4", "QFIM and Hessian spectra at an overparametrized depth"), "spectra_data"),
    "supp1": (spectra_page("supp1", "QFIM and Hessian spectra for every size"), "spectra_data"),
    "beyond": (beyond_page, "beyond_data"),
    "failures": (failures_page, "classify_run"),
    "large": (large_page, "large_train"),
}
"""Every figure page: ``{figure id: (page function, Snakemake rule of its wall times)}``."""

# Pages that show further figures besides their own (copied into the book when drawn).
PAGE_FIGURES: dict[str, tuple[str, ...]] = {"large": LARGE_FIGURES}

SHARED_RULES = ("qfim_sweep", "train_run")  # one rule serves several figures
ALL_RULES_WALL = "all simulation rules"
RESULTS_RULES = ("dla_data", "qfim_sweep", "train_run")


def _all_wall_times(benchmark_dir: Path, rules: list[str] | None = None) -> dict[str, float]:
    """``{rule/job: seconds}`` over ``rules`` (default: every rule with benchmark files)."""
    if rules is None:
        rules = sorted(p.name for p in benchmark_dir.glob("*") if p.is_dir()) if benchmark_dir.is_dir() else []
    return {f"{rule}/{job}": s for rule in rules for job, s in rule_wall_times(benchmark_dir, rule).items()}


def contents_include(pages: list[str], prov: dict, wall: dict[str, float]) -> str:
    """``book/generated/contents.md``: the intro's links to every page, and the build's provenance."""
    return render_template("contents.md.j2", pages=pages, provenance=provenance_block(prov, wall, ALL_RULES_WALL))


def render(figures: list[str], book: Path, tables: Path, figure_dir: Path, config_digest: str,
                benchmark_dir: Path = Path("benchmarks/out"), bench_results: Path = Path("benchmarks/results"),
                published: Path = Path("data/published")) -> dict:
    """Write ``book/generated/<fig>.md`` (and copy the PNGs), the results, performance and contents pages.

    Returns the manifest (also written to ``book/generated/pages.json``).
    """
    out_dir = book / "generated"
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    prov = provenance(config_digest)
    manifest = {"pages": [], "provenance": prov}
    for fig in figures:
        page, rule = PAGES[fig]
        wall = rule_wall_times(benchmark_dir, rule)
        if rule in SHARED_RULES:  # keep this figure's jobs
            wall = {k: v for k, v in wall.items() if k.startswith(f"{fig}_")}
        shutil.copyfile(figure_dir / f"{fig}.png", out_dir / "figures" / f"{fig}.png")
        for extra in PAGE_FIGURES.get(fig, ()):
            if (figure_dir / f"{extra}.png").exists():
                shutil.copyfile(figure_dir / f"{extra}.png", out_dir / "figures" / f"{extra}.png")
        write_text(out_dir / f"{fig}.md", page(tables / f"{fig}.csv", prov, wall))
        manifest["pages"].append(fig)
    all_wall = _all_wall_times(benchmark_dir)
    results_wall = _all_wall_times(benchmark_dir, list(RESULTS_RULES))
    write_text(out_dir / "results.md",
               results_page(tables, provenance_block(prov, results_wall, ", ".join(RESULTS_RULES))))
    write_text(out_dir / "performance.md",
               performance_page(bench_results, benchmark_dir, provenance_block(prov, all_wall, ALL_RULES_WALL)))
    write_text(out_dir / "contents.md", contents_include(manifest["pages"], prov, all_wall))
    # The Replication chapter: always written; a section whose table or figure is absent says so.
    chapter_figures = [f for f in CHAPTER_FIGURES if (figure_dir / f"{f}.png").exists()]
    for f in chapter_figures:
        shutil.copyfile(figure_dir / f"{f}.png", out_dir / "figures" / f"{f}.png")
    chapter_prov = provenance_block(prov, results_wall, ", ".join(RESULTS_RULES))
    write_text(out_dir / "replication.md", replication_page(tables, chapter_figures, chapter_prov))
    write_text(out_dir / "transition.md", transition_page(tables, chapter_prov))
    write_text(out_dir / "capacity.md", capacity_page(tables, chapter_figures, chapter_prov))
    write_text(out_dir / "scale.md", scale_page(tables, published, bench_results, benchmark_dir,
                                                provenance_block(prov, all_wall, ALL_RULES_WALL)))
    manifest["extra_pages"] = ["results", "performance", "contents", "replication", "transition", "capacity", "scale"]
    write_json(out_dir / "pages.json", manifest)
    return manifest

