"""The Replication chapter: the published results beside the regenerated ones, the transition in M,
and the capacity of the paper's models.

Reads the ``replication_<experiment>`` (fig3, supp4, supp5), ``replication_ranks``,
``replication_spectra`` and ``capacity`` tables (``results/tables/``), which
the workflow builds from the shipped published tables (``data/published/``), the committed
paper-scale records (``docs/paper-scale/*.csv``) and this build's own tables. A page
whose table is missing or malformed says so in one line; nothing is invented.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from overparam.report.blocks import render
from overparam.results.replication import wilson_interval
from overparam.results.tables import read_csv
from overparam.results.transition import LEVELS, crossing, fraction_at_first

TRAINING = (
    ("fig3", "Fig. 3: VQE of the transverse-field Ising chain"),
    ("supp4", "Supplementary Fig. 4: quantum-assisted compiling"),
    ("supp5", "Supplementary Fig. 5: quantum autoencoder"),
)
RANKS = (
    ("fig4", "Fig. 4 and Supplementary Fig. 1: QFIM and Hessian ranks at random points and solutions"),
    ("supp2", "Supplementary Fig. 2: QFIM rank against M at random points"),
    ("ext1", "Extended Data Fig. 1: QFIM ranks under depolarizing noise"),
)
CHAPTER_FIGURES = ("replication_fig3", "replication_supp4", "replication_supp5", "replication_ranks",
                   "replication_spectra", "capacity")
"""The chapter's figures (``results/figures/<id>.png``), each shown when the build drew it."""
CHAPTER_PAGES = ("replication", "transition", "capacity")
PUBLISHED_RUNS, PUBLISHED_STEPS = {"fig3": 50, "supp4": 50, "supp5": 50}, {"fig3": 3000, "supp4": 3000, "supp5": 2000}


def _read(path: Path, required: tuple[str, ...]) -> tuple[list[dict] | None, str]:
    """Rows of a chapter table, or ``None`` and the one line that says why the page cannot show it."""
    if not path.is_file():
        return None, f"The table `{path.name}` was not built; this section shows nothing."
    try:
        rows = read_csv(path)
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"The table `{path.name}` cannot be read ({exc}); this section shows nothing."
    missing = [c for c in required if rows and c not in rows[0]]
    if missing:
        return None, f"The table `{path.name}` lacks the column(s) {', '.join(missing)}; this section shows nothing."
    return rows, ""


def _count(k: str, runs: str) -> str:
    if not k or not runs:
        return "—"
    lo, hi = wilson_interval(int(k), int(runs))
    return f"{k}/{runs} = {int(k) / int(runs):.2f} [{lo:.2f}, {hi:.2f}]"


def _verdict(text: str) -> str:
    return "**differs**" if text == "differs" else text


def _source_text(source: str) -> str:
    kind, _, path = source.partition(": ")
    if kind == "record":
        return f"the committed paper-scale record `{path}`"
    return f"this build's table `{path}`"


def _protocol_text(protocols: set[str], exp: str) -> str:
    """One sentence: which protocol the regenerated final-loss counts of a source come from."""
    steps = PUBLISHED_STEPS[exp]
    if protocols == {"published"}:
        return (f"Protocol of these regenerated runs: **the published one** (Adam, rate 0.01, all {steps} steps, "
                f"no early stop; success = final loss below 1e-4), so the first comparison is like with like. The "
                "fixed protocol's count (a run stops once its loss reaches the round-off floor) comes from the same "
                "runs and is shown beside it with its own Fisher test against the published count.")
    floors = sorted(p.removeprefix("stop below ") for p in protocols if p.startswith("stop below "))
    if floors and len(floors) == len(protocols):
        return (f"Protocol of these regenerated runs: **the fixed one** (runs stop once their loss reaches "
                f"{', '.join(floors)}), not the published one (Adam for all {steps} steps): their final-loss count is "
                "the fixed protocol's. A run follows the published protocol's trajectory until it reaches the floor, "
                "so a column says per row what the count implies under the published protocol: the same "
                "count where no run reached the floor, otherwise at most this count. The *below 1e-4 at some step* "
                "columns do not depend on the stop.")
    return ("The protocol of these regenerated runs is not recorded (or mixed): their final-loss count cannot be "
            "placed under the published or the fixed protocol.")


def _block_table(sel: list[dict], published_protocol: bool) -> tuple[list[str], list[list]]:
    """Headers and rows of one source's comparison table."""
    head = ["model", "n", "layers", "M", "published: final < 1e-4"]
    reached_head = ["published: below 1e-4 at some step", "regenerated: below 1e-4 at some step", "Fisher p",
                    "verdict"]
    if published_protocol:
        headers = head + ["regenerated, published protocol: final < 1e-4", "Fisher p", "verdict",
                          "regenerated, fixed protocol (stop at the floor): final < 1e-4 (verdict, Fisher p)",
                          *reached_head, "cause / note"]
    else:
        headers = head + ["regenerated, fixed protocol (runs stop at the floor): final < 1e-4", "Fisher p",
                          "verdict", *reached_head, "what it implies for the published protocol", "cause / note"]
    table = []
    for r in sorted(sel, key=lambda r: (r["model"], int(r["n"]), int(r["n_params"]))):
        fixed = "—"
        if r["regenerated_fixed"]:
            fixed = _count(r["regenerated_fixed"], r["regenerated_runs"])
            if r["fixed_verdict"]:
                fixed += f" ({_verdict(r['fixed_verdict'])}, p = {r['fixed_p']})"
        reached = [_count(r["published_reached"], r["published_runs"]) if r["published_reached"] else "—",
                   _count(r["regenerated_reached"], r["regenerated_runs"]) if r["regenerated_reached"] else "—",
                   r["reached_p"] or "—", _verdict(r["reached_verdict"]) or "—"]
        row = [r["model"], r["n"], r["layers"], r["n_params"], _count(r["published_k"], r["published_runs"]),
               _count(r["regenerated_k"], r["regenerated_runs"]), r["fisher_p"] or "—", _verdict(r["verdict"])]
        if published_protocol:
            row += [fixed, *reached, r["cause"] or r["note"] or ""]
        else:
            row += [*reached, r["protocol_note"] or "—", r["cause"] or r["note"] or ""]
        table.append(row)
    return headers, table


def _fixed_tally(sel: list[dict]) -> str:
    """The fixed protocol's verdicts beside the published protocol's (published-protocol sources)."""
    tested = [r for r in sel if r["fixed_verdict"]]
    if not tested:
        return ""
    differs = [r for r in tested if r["fixed_verdict"] == "differs"]
    both = [r for r in differs if r["verdict"] == "agrees" and r["reached_verdict"] != "differs"]
    text = (f"Fixed protocol beside it (same runs): agrees {len(tested) - len(differs)}, differs {len(differs)}.")
    if differs:
        text += (f" Where the fixed protocol differs, the published protocol agrees in {len(both)} of the "
                 f"{len(differs)} rows, and so does the *below 1e-4 at some step* count: there the early stop alone "
                 "makes the difference (cause 1, shown on the same runs).")
    return text


def training_sections(rows: list[dict]) -> list[dict]:
    """Per training experiment and regenerated source: the comparison rows, counts and scale note."""
    out = []
    for exp, title in TRAINING:
        mine = [r for r in rows if r["experiment"] == exp]
        sources = list(dict.fromkeys(r["source"] for r in mine if r["source"]))
        blocks = []
        for source in sorted(sources, key=lambda s: not s.startswith("record")):
            sel = [r for r in mine if r["source"] == source]
            runs = {int(r["regenerated_runs"]) for r in sel if r["regenerated_runs"]}
            protocols = {r.get("regenerated_protocol", "") for r in sel if r["regenerated_k"]}
            scale = ""
            if source.startswith("build") and runs != {PUBLISHED_RUNS[exp]}:
                scale = (f"This build ran {'/'.join(map(str, sorted(runs)))} runs per configuration, not the published "
                         f"{PUBLISHED_RUNS[exp]} × {PUBLISHED_STEPS[exp]} steps: this is not the published scale, and "
                         "only the configurations it ran are compared (the tests have little power at this size).")
            # A build shows only what it ran; the published configurations it did not run are counted.
            shown = [r for r in sel if source.startswith("record") or r["verdict"] != "not regenerated"]
            published_protocol = protocols == {"published"}
            headers, table = _block_table(shown, published_protocol)
            tally = defaultdict(int)
            for r in sel:
                tally[r["verdict"]] += 1
            blocks.append({"source": _source_text(source), "table": table, "headers": headers, "scale": scale,
                           "tally": dict(tally), "protocol": _protocol_text(protocols, exp),
                           "count_label": "published protocol" if published_protocol else "the source's protocol",
                           "fixed_tally": _fixed_tally(sel) if published_protocol else ""})
        out.append({"id": exp, "title": title, "blocks": blocks})
    return out


def ranks_sections(rows: list[dict]) -> list[dict]:
    """Per rank experiment (fig4 with supp1, supp2, ext1): the published and regenerated ranks."""
    out = []
    for exp, title in RANKS:
        group = ("fig4", "supp1") if exp == "fig4" else (exp,)
        sel = [r for r in rows if r["experiment"] in group]
        # Published spectra groups this build did not compute are counted, not listed.
        shown = [r for r in sel if r["verdict"] != "not regenerated"]
        table = [
            [r["experiment"], r["model"], r["n"], r["n_params"], r["kind"], r["point"], r["noise"],
             f"{r['published_ranks']} ({r['published_points']})" if r["published_ranks"] else "—",
             f"{r['regenerated_ranks']} ({r['regenerated_points']})" if r["regenerated_ranks"] else "—",
             r["orbit_dim"] or "—", _verdict(r["verdict"]), r["cause"] or r["note"] or ""]
            for r in sorted(shown, key=lambda r: (r["experiment"], r["model"], int(r["n"]), int(r["n_params"]),
                                                r["kind"], r["point"], r["noise"]))
        ]
        tally = defaultdict(int)
        for r in sel:
            tally[r["verdict"]] += 1
        out.append({"id": exp, "title": title, "table": table, "tally": dict(tally)})
    return out


def _training_tables(tables: Path, required: tuple[str, ...]) -> tuple[list[dict] | None, str]:
    """The rows of every ``replication_<experiment>.csv``; the lines saying which are missing or malformed."""
    rows, problems = [], []
    for exp, _ in TRAINING:
        part, problem = _read(tables / f"replication_{exp}.csv", required)
        rows += part or []
        problems += [problem] if problem else []
    return (rows or None), "\n\n".join(problems)


def replication_page(tables: Path, figures: list[str], provenance_md: str) -> str:
    """The chapter's comparison page (MyST Markdown)."""
    training, training_problem = _training_tables(tables, ("experiment", "source", "verdict", "regenerated_protocol",
                                                           "regenerated_fixed", "protocol_note"))
    ranks, ranks_problem = _read(tables / "replication_ranks.csv", ("experiment", "kind", "verdict"))
    bad_training = [r["note"] for r in training or [] if r["experiment"] == "all"]
    bad_ranks = [r["note"] for r in ranks or [] if r["experiment"] == "all"]
    return render(
        "replication.md.j2", training=training_sections(training) if training and not bad_training else [],
        training_problem="\n\n".join(filter(None, [*bad_training[:1], training_problem])),
        ranks=ranks_sections(ranks) if ranks and not bad_ranks else [],
        ranks_problem=ranks_problem or (bad_ranks[0] if bad_ranks else ""),
        figures=figures, provenance=provenance_md,
    )


def _ratio(m: int | None, bound: str) -> str:
    return "—" if m is None or not bound else f"{m / int(bound):.2f}"


def transition_rows(rows: list[dict]) -> tuple[list[list], dict[str, str]]:
    """Per (experiment, model, n, side): the 50 % and 90 % crossings against M_c and dim g; and one
    sentence per model on whether success is common at the first swept M >= M_c."""
    groups: dict[tuple, dict[str, list[tuple[int, int, int]]]] = defaultdict(lambda: defaultdict(list))
    protocols: dict[tuple, set[str]] = defaultdict(set)
    bounds = {}
    usable = [r for r in rows if r["source"] and r["experiment"] != "all"]
    # One regenerated side per model and size: the committed records if there are any (they are at the
    # published scale; each configuration is in one of them), else the first build table.
    source_of: dict[tuple, str] = {}
    for r in sorted(usable, key=lambda r: not r["source"].startswith("record")):
        source_of.setdefault((r["experiment"], r["model"], int(r["n"])), r["source"])
    for r in usable:
        key = (r["experiment"], r["model"], int(r["n"]))
        if r["source"] != source_of[key] and not (r["source"].startswith("record")
                                                  and source_of[key].startswith("record")):
            continue
        bounds[key] = (r["orbit_dim"], r["dla_dim"])
        m = int(r["n_params"])
        if r["regenerated_k"]:
            protocols[key].add(r.get("regenerated_protocol", ""))
        for side in ("published", "regenerated"):
            if not r[f"{side}_k"]:
                continue
            groups[key][side].append((m, int(r[f"{side}_k"]), int(r[f"{side}_runs"])))
            if r[f"{side}_reached"]:
                groups[key][f"{side}, below 1e-4 at some step"].append(
                    (m, int(r[f"{side}_reached"]), int(r[f"{side}_runs"])))
        if r.get("regenerated_fixed") and r.get("regenerated_protocol") == "published":
            groups[key]["regenerated, fixed protocol"].append(
                (m, int(r["regenerated_fixed"]), int(r["regenerated_runs"])))
    table, at_mc = [], defaultdict(list)
    at_mc_protocols: dict[str, set[str]] = defaultdict(set)
    for key in sorted(groups):
        orbit, dim = bounds[key]
        for side, counts in groups[key].items():
            if not counts:
                continue
            c50, c90 = (crossing(counts, level) for level in LEVELS)
            first = fraction_at_first(counts, int(orbit)) if orbit else None
            at = "—" if first is None else f"{first[1]}/{first[2]} at M = {first[0]}"
            label = f"regenerated ({_protocol_label(protocols[key])})" if side == "regenerated" else side
            table.append([key[0], key[1], key[2], label, orbit or "—", dim or "—", c50.text(), c90.text(),
                          _ratio(c90.m, orbit), _ratio(c90.m, dim), at])
            if side in ("published", "regenerated") and first is not None:
                at_mc[(key[1], side)].append((key[2], first, c90.m, orbit, dim))
                if side == "regenerated":
                    at_mc_protocols[key[1]] |= protocols[key]
    return table, _sentences(at_mc, at_mc_protocols)


def _protocol_label(protocols: set[str]) -> str:
    """``published protocol``, ``fixed protocol, stop below X`` or ``protocol not recorded``."""
    if protocols == {"published"}:
        return "published protocol"
    if protocols and all(p.startswith("stop below ") for p in protocols):
        return "fixed protocol, " + ", ".join(sorted(protocols))
    if "published" in protocols and all(p == "published" or p.startswith("stop below ") for p in protocols):
        fixed = sorted(p for p in protocols if p != "published")
        return "published protocol; fixed protocol, " + ", ".join(fixed) + " where no published-protocol record exists"
    return "protocol not recorded"


def _sentences(at_mc: dict[tuple[str, str], list], protocols: dict[str, set[str]] | None = None) -> dict[str, str]:
    """One measured sentence per model and side: success at the first swept M >= M_c, whether at least
    half of the runs succeed there for every size, and where 90 % is reached relative to M_c and dim g."""
    out = {}
    for model in sorted({m for m, _ in at_mc}):
        parts = []
        for side in ("published", "regenerated"):
            items = sorted(at_mc.get((model, side), []))
            if not items:
                continue
            at = ", ".join(f"n = {n}: {f[1]}/{f[2]} at M = {f[0]}" for n, f, _, _, _ in items)
            holds = all(f[1] / f[2] >= 0.5 for _, f, _, _, _ in items)
            ratios = [(m90 / int(orbit), m90 / int(dim)) for _, _, m90, orbit, dim in items if m90 and orbit and dim]
            missing = sum(1 for _, _, m90, _, _ in items if not m90)
            where = ("90 % is reached at M / M_c = " + ", ".join(f"{a:.2f}" for a, _ in ratios)
                     + " (M / dim 𝔤 = " + ", ".join(f"{b:.2f}" for _, b in ratios) + ")") if ratios else ""
            if missing:
                where += f"{'; ' if where else ''}{missing} size(s) never reach 90 % in the sweep"
            name = f"regenerated ({_protocol_label((protocols or {}).get(model, set()))})" \
                if side == "regenerated" else side
            parts.append(f"{name}: {'holds' if holds else 'does not hold'} — at the first swept M ≥ M_c {at}"
                         + (f"; {where}" if where else ""))
        out[model] = f"**{model}**: " + ". ".join(parts) + "."
    return out


def transition_page(tables: Path, provenance_md: str) -> str:
    """The transition summary page (MyST Markdown)."""
    rows, problem = _training_tables(tables, ("experiment", "source", "n_params", "orbit_dim", "dla_dim"))
    if rows and any(r["experiment"] == "all" for r in rows):
        problem, rows = next(r["note"] for r in rows if r["experiment"] == "all"), None
    table, sentences = transition_rows(rows) if rows else ([], {})
    return render("transition.md.j2", problem=problem, table=table, sentences=sentences, provenance=provenance_md)


def capacity_page(tables: Path, figures: list[str], provenance_md: str) -> str:
    """The capacity page (MyST Markdown) from ``capacity.csv``."""
    rows, problem = _read(tables / "capacity.csv", ("model", "n_params", "abbas_ed", "quantum_dimension"))
    table, saturation = [], []
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows or []:
        groups[(r["model"], int(r["n"]))].append(r)
        table.append([r["model"], r["n"], r["layers"], r["n_params"], r["samples"], r["quantum_dimension"],
                      r["mean_rank"], r["abbas_ed"], r["abbas_ed_per_param"], r["orbit_dim"] or "—",
                      r["dla_dim"] or "—"])
    for (model, n), sel in sorted(groups.items()):
        sel.sort(key=lambda r: int(r["n_params"]))
        top = max(int(r["quantum_dimension"]) for r in sel)
        m_rank = next(int(r["n_params"]) for r in sel if int(r["quantum_dimension"]) == top)
        eds = [float(r["abbas_ed"]) for r in sel]
        after = [float(r["abbas_ed"]) for r in sel if int(r["n_params"]) >= m_rank]
        orbit = sel[0]["orbit_dim"]
        saturation.append([model, n, top, orbit or "—", m_rank, f"{max(eds):.2f}",
                           f"{min(after):.2f} … {max(after):.2f}",
                           "yes" if orbit and top == int(orbit) else ("no" if orbit else "—")])
    first = rows[0] if rows else {}
    return render("capacity.md.j2", problem=problem, table=table, saturation=saturation,
                  n_data=first.get("n_data", ""), gamma=first.get("gamma", ""), figures=figures,
                  provenance=provenance_md)


# Experiment -> (build table, Snakemake rule of its jobs, prefix of its job names or "" for all).
SCALE_SOURCES = {
    "fig2": ("fig2", "qfim_sweep", "fig2_"),
    "supp2": ("supp2", "qfim_sweep", "supp2_"),
    "fig3": ("fig3", "train_run", "fig3_"),
    "supp4": ("supp4", "train_run", "supp4_"),
    "supp5": ("supp5", "train_run", "supp5_"),
    "fig4": ("fig4", "spectra_data", ""),
    "ext1": ("ext1", "ext1_data", ""),
}


def _build_scale(path: Path) -> tuple[set, int, set] | None:
    """(configurations, runs or points per configuration (largest), sizes) of a build table, or ``None``."""
    if not path.is_file():
        return None
    rows = read_csv(path)
    per: dict[tuple, set] = defaultdict(set)
    for r in rows:
        point = r.get("seed") or r.get("sample") or r.get("run") or ""
        per[(r["model"], int(r["n"]), int(r["n_params"]))].add((r.get("point", ""), point, r.get("noise", ""),
                                                              r.get("strength", "")))
    # Per-depth tables (fig2) give the number of points in a column instead of a row per point.
    counted = max((int(r["samples"]) for r in rows if (r.get("samples") or "").isdigit()), default=0)
    return set(per), max(counted, max((len(v) for v in per.values()), default=0)), {(m, n) for m, n, _ in per}


def _published_scale(published: Path, experiment: str) -> tuple[set, set] | None:
    """(configurations, sizes) of the published data of ``experiment``, or ``None`` if unreadable."""
    training = experiment in ("fig3", "supp4", "supp5")
    path = published / ("training.csv" if training else "ranks.csv")
    if not path.is_file():
        return None
    try:
        rows = [r for r in read_csv(path) if r["experiment"] in ((experiment, "supp1") if experiment == "fig4"
                                                                   else (experiment,))]
        configs = {(r["model"], int(r["n"]), int(r["n_params"])) for r in rows}
    except (KeyError, ValueError):
        return None
    return configs, {(m, n) for m, n, _ in configs}


def _record_minutes(bench_results: Path) -> dict[str, list[str]]:
    """The committed paper-scale training records (``training_*.json`` of ``record_training.py``): per
    experiment, one text per record with its job wall minutes, date, protocol and elapsed sweep time."""
    import json

    out: dict[str, list[str]] = defaultdict(list)
    for path in sorted(bench_results.glob("training_*.json")):
        try:
            data = json.loads(path.read_text())
            if data.get("benchmark", "record_training") != "record_training":
                continue
            cols = data["columns"]
            col = cols.index("job wall (min)")
            pcol = cols.index("protocol") if "protocol" in cols else None
            minutes: dict[str, float] = defaultdict(float)
            protocols: dict[str, set[str]] = defaultdict(set)
            for row in data["rows"]:
                minutes[row[0]] += float(row[col] or 0)
                if pcol is not None and row[pcol]:
                    protocols[row[0]].add(str(row[pcol]))
            elapsed = data.get("sweep_wall_s") or {}
            for exp, total in minutes.items():
                extra = [_protocol_label(protocols[exp])] if protocols[exp] else []
                if exp in elapsed:
                    extra.append(f"sweep {float(elapsed[exp]) / 60:.1f} min elapsed")
                out[exp].append(f"{total:.1f} ({', '.join([data.get('date', ''), *extra])})")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            continue
    return dict(out)


def scale_rows(tables: Path, published: Path, bench_results: Path, benchmark_dir: Path) -> list[list]:
    """Per experiment: this build's scale against the published one, and the recorded wall times."""
    from overparam.results.provenance import rule_wall_times

    record = _record_minutes(bench_results)
    out = []
    for exp, (table, rule, prefix) in SCALE_SOURCES.items():
        build = _build_scale(tables / f"{table}.csv")
        pub = _published_scale(published, exp)
        if build is None:
            built, at_scale = "not in this build", "—"
        else:
            configs, per, sizes = build
            built = f"{len(configs)} configurations, n = {', '.join(str(n) for n in sorted({n for _, n in sizes}))}, " \
                    f"up to {per} runs or points each"
            if pub is None or not pub[0]:
                at_scale = "no published configurations to compare"
            else:
                missing = len(pub[0] - configs)
                at_scale = "yes: every published configuration" if not missing else \
                    f"no: {missing} of {len(pub[0])} published configurations not run"
        published_text = "unreadable" if pub is None else (
            f"{len(pub[0])} configurations, n = {', '.join(str(n) for n in sorted({n for _, n in pub[1]}))}"
            if pub[0] else "none")
        wall = sum(s for job, s in rule_wall_times(benchmark_dir, rule).items() if job.startswith(prefix))
        out.append([exp, built, published_text, at_scale, f"{wall / 60:.1f}" if wall else "not recorded",
                    "; ".join(record[exp]) if exp in record else "none committed"])
    return out


def scale_page(tables: Path, published: Path, bench_results: Path, benchmark_dir: Path, provenance_md: str) -> str:
    """The page that says which figures this build regenerated at which scale, and what each cost."""
    return render("scale.md.j2", rows=scale_rows(tables, published, bench_results, benchmark_dir),
                  provenance=provenance_md)
