"""Tables of the replication chapter: published results beside the regenerated ones.

* ``replication``: one row per training configuration (fig3, supp4, supp5) and regenerated source,
  with both success fractions, their Wilson intervals, Fisher's exact p and the verdict
  (:mod:`overparam.results.replication`), for the paper's criterion (final loss below 1e-4) and for
  "below 1e-4 at some step"; a differing row names the cause demonstrated in
  ``docs/replication.md`` where the project has demonstrated one: by the chapter's rule, or by a
  rerun with the cause changed whose count agrees with the published one (a reruns index,
  ``docs/replication/reruns.csv``, among the inputs).
* ``replication_ranks``: one row per published group of QFIM/Hessian spectra (experiment, model,
  n, M, kind, point, noise): the published and the regenerated ranks (exact integers, compared
  as such).

The first input of each table is the published table (``data/published/training.csv``,
``ranks.csv`` or ``spectra.csv.gz``, recognised by its name); the others are recognised by their
columns. A missing or malformed published table gives one row that says so; a regenerated configuration without a published counterpart says so.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from overparam.errors import BadInput
from overparam.results.replication import LEVEL, Comparison, Count, compare, counts, fisher_p, read_table
from overparam.results.tables.base import read_csv

TRAINING_EXPERIMENTS = ("fig3", "supp4", "supp5")

# Causes demonstrated in docs/replication.md, by the rule stated there: a row that differs on the
# "below at some step" count started from other initial angles (cause 2); a row that agrees on it
# but whose regenerated final count is higher is the early stop (cause 1).
CAUSE_STOP = "early stop of the regenerated runs (docs/replication.md, cause 1)"
CAUSE_INIT = "initial angles of the published runs in [0, π/2) (docs/replication.md, cause 2)"
CAUSE_QFIM = "the published open-chain QFIM routine (docs/replication.md, cause 3)"
NOT_DEMONSTRATED = "cause not yet demonstrated"
RERUN_CAUSES = {"half-pi": (CAUSE_INIT, "[0, π/2)")}
"""The cause a rerun can demonstrate and the range of its initial angles, by the ``init`` column of a
reruns index (the ``--init`` of docs/replication/optimizer_check.py)."""

RERUNS_COLUMNS = ("experiment", "model", "n", "layers", "init", "runs_file")
"""A reruns index (``docs/replication/reruns.csv``): one row per configuration rerun with the cause
changed, naming the per-run table (``final_loss`` per run; a path relative to the index) that holds it."""
SUCCESS_BELOW = 1e-4  # the paper's criterion, the one the published counts use

REPLICATION_HEADER = (
    "experiment", "model", "n", "layers", "n_params", "dla_dim", "orbit_dim", "source",
    "published_k", "published_runs", "published_lo", "published_hi",
    "regenerated_k", "regenerated_runs", "regenerated_lo", "regenerated_hi", "fisher_p", "holm_p", "verdict",
    "published_reached", "regenerated_reached", "reached_p", "reached_verdict",
    "regenerated_protocol", "regenerated_fixed", "fixed_lo", "fixed_hi", "fixed_p", "fixed_verdict", "protocol_note",
    "cause", "note",
)
"""``regenerated_k`` counts final losses below 1e-4 under ``regenerated_protocol`` (``published``: Adam
for every step; ``stop below X``: the fixed protocol). ``regenerated_fixed`` is the fixed protocol's
count (from the same runs), tested against the published count in ``fixed_p`` / ``fixed_verdict``.
``protocol_note`` says, for a source that did not run the published protocol, what its count implies
for the published protocol's."""

RANKS_HEADER = (
    "experiment", "model", "n", "n_params", "kind", "point", "noise", "orbit_dim", "published_points",
    "published_ranks", "regenerated_points", "regenerated_ranks", "verdict", "cause", "note",
)


def _columns(path: Path) -> list[str]:
    with open(path, newline="") as fh:
        return next(csv.reader(fh), [])


def _published(path: Path | None, required: Iterable[str]) -> tuple[list[dict] | None, str]:
    """The published table's rows, or ``None`` and the one line that says why it cannot be used."""
    if path is None:
        return None, "the published table (data/published/) is missing from the inputs; no published value is shown"
    if not path.is_file():
        return None, f"published table {str(path)!r} is missing; no published value is shown"
    try:
        cols = _columns(path)
        missing = [c for c in required if c not in cols]
        if missing:
            return None, f"published table {str(path)!r} lacks the column(s) {', '.join(missing)}"
        return read_csv(path), ""
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return None, f"published table {str(path)!r} cannot be read ({exc})"


def _split_published(paths: list[Path], name: str) -> tuple[Path | None, list[Path]]:
    """The published table (the first input when it is named ``name``, else ``None``) and the others.

    A workflow whose checkout lacks the published table leaves it out of the inputs; it is then
    reported missing instead of another input being mistaken for it.
    """
    if paths and paths[0].name == name:
        return paths[0], paths[1:]
    return None, paths


def _bounds(paths: Iterable[Path]) -> dict[tuple[str, int], tuple[str, str]]:
    """``(model, n) -> (dim g, orbit dim)`` from any ``dla.csv`` among the inputs."""
    out = {}
    for path in paths:
        for r in read_csv(path):
            out[(r["model"], int(r["n"]))] = (r["dim"], r["orbit_dim"])
    return out


def _build_counts(path: Path, experiment: str) -> list[dict]:
    """Per-configuration rows (the record's columns) from a build's per-run training table."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in read_csv(path):
        groups[(r["model"], int(r["n"]), int(r["layers"]), int(r["n_params"]))].append(r)
    rows = []
    for (model, n, layers, n_params), runs in groups.items():
        reached = [r.get("reached", "") for r in runs]
        fixed = [r.get("fixed_success", "") for r in runs]
        protocols = {r.get("protocol", "") for r in runs}
        rows.append({
            "experiment": experiment, "model": model, "n": str(n), "layers": str(layers), "n_params": str(n_params),
            "runs": str(len(runs)), "successes": str(sum(int(r["success"]) for r in runs)),
            "reached_at_some_step": str(sum(int(v) for v in reached)) if all(v != "" for v in reached) else "",
            "fixed_successes": str(sum(int(v) for v in fixed)) if all(v != "" for v in fixed) else "",
            "protocol": protocols.pop() if len(protocols) == 1 else "",
            "best_final_loss": f"{min(float(r['final_loss']) for r in runs):.3e}",
            "steps": runs[0].get("steps", ""),
        })
    return rows


def _classify(paths: Iterable[Path]) -> tuple[list[tuple[str, list[dict]]], list[Path], list[Path]]:
    """The regenerated sources (label, per-configuration rows), the ``dla.csv`` tables and the reruns
    indexes among ``paths``."""
    sources: list[tuple[str, list[dict]]] = []
    dla: list[Path] = []
    reruns: list[Path] = []
    for path in paths:
        if not path.is_file():
            raise BadInput(f"regenerated table {str(path)!r} does not exist")
        cols = set(_columns(path))
        if {"dim", "orbit_dim", "method"} <= cols:
            dla.append(path)
        elif set(RERUNS_COLUMNS) <= cols:
            reruns.append(path)
        elif {"final_loss", "success", "seed"} <= cols:
            if path.stem not in TRAINING_EXPERIMENTS:
                accepted = ", ".join(TRAINING_EXPERIMENTS)
                raise BadInput(f"training table {str(path)!r} is not named after one of {accepted}")
            sources.append((f"build: {path}", _build_counts(path, path.stem)))
        elif {"experiment", "runs", "successes"} <= cols:
            sources.append((f"record: {path}", read_table(path, "regenerated table")))
        else:
            raise BadInput(f"{str(path)!r} is not a training table, a per-configuration record, a reruns "
                           "index or dla.csv")
    return sources, dla, reruns


def _reruns(paths: Iterable[Path]) -> dict[tuple, tuple[Count, str, str]]:
    """``(experiment, model, n, layers) -> (count, init, per-run table)`` from reruns indexes: the
    successes (final loss below 1e-4) counted here from each per-run table."""
    out = {}
    for index in paths:
        for r in read_csv(index):
            where = f"reruns index {str(index)!r}, {r['model']} n = {r['n']}, L = {r['layers']}"
            if r["init"] not in RERUN_CAUSES:
                raise BadInput(f"{where}: init {r['init']!r} is not one of {', '.join(RERUN_CAUSES)}")
            table = index.parent / r["runs_file"]
            if not table.is_file():
                raise BadInput(f"{where}: per-run table {str(table)!r} does not exist")
            try:
                losses = [float(run["final_loss"]) for run in read_csv(table)]
                key = (r["experiment"], r["model"], int(r["n"]), int(r["layers"]))
            except (KeyError, ValueError) as exc:
                raise BadInput(f"{where}: {exc}") from None
            if not losses:
                raise BadInput(f"{where}: per-run table {str(table)!r} has no runs")
            out[key] = (Count(sum(loss < SUCCESS_BELOW for loss in losses), len(losses)), r["init"], r["runs_file"])
    return out


def _rerun_cause(c: Comparison, rerun: tuple[Count, str, str] | None) -> str:
    """The cause a rerun demonstrates for a differing row: its count agrees with the published one
    (Fisher's exact test at the chapter's level) where the regenerated count did not."""
    if rerun is None or c.published is None:
        return NOT_DEMONSTRATED
    count, init, table = rerun
    p = fisher_p(count.k, count.runs, c.published.k, c.published.runs)
    if p < LEVEL:
        return NOT_DEMONSTRATED
    cause, angles = RERUN_CAUSES[init]
    return (f"{cause}: a rerun from {angles} gives {count.k}/{count.runs} (Fisher p {p:.2f} against "
            f"the published count; docs/replication/{table})")


def _supersede(sources: list[tuple[str, list[dict]]]) -> list[tuple[str, list[dict]]]:
    """Drop a record's rows of a configuration that another record ran with the published protocol.

    The comparison with the published counts is made under the published protocol wherever a record
    of it exists; an older fixed-protocol row of the same configuration then stays out. A partial
    published-protocol record (some configurations of an experiment) leaves the fixed-protocol rows
    of the others in place, each with its note on what it implies for the published protocol.
    """
    published_records = {
        _config_key(r) for label, rows in sources if label.startswith("record")
        for r in rows if (r.get("protocol") or "") == "published"
    }
    out = []
    for label, rows in sources:
        if label.startswith("record"):
            rows = [r for r in rows
                    if (r.get("protocol") or "") == "published" or _config_key(r) not in published_records]
        out.append((label, rows))
    return out


def _config_key(row: dict) -> tuple[str, str, int, int]:
    """``(experiment, model, n, layers)`` of a record row."""
    return row["experiment"], row["model"], int(row["n"]), int(row["layers"])


def _floor(protocol: str) -> float | None:
    """The floor X of a ``stop below X`` protocol; ``None`` for the published protocol or an unknown one."""
    if protocol.startswith("stop below "):
        try:
            return float(protocol.removeprefix("stop below "))
        except ValueError:
            return None
    return None


def protocol_note(protocol: str, c: Comparison, best_final_loss: str) -> str:
    """What a row's regenerated count implies for the published protocol, when it was not run with it.

    Under the fixed protocol a run stops once its loss reaches the floor; until then it follows the
    trajectory of the published protocol. So a count of 0, or a configuration where no run reached
    the floor (best final loss above it), is the published protocol's count too; otherwise the
    published protocol's count is at most the fixed one (a run frozen at the floor could have been
    kicked back above the threshold without the stop), and can be lower.
    """
    if protocol == "published" or c.regenerated is None:
        return ""
    floor = _floor(protocol)
    if floor is None:
        return "protocol of the regenerated runs not recorded: the count cannot be placed under either protocol"
    k, runs = c.regenerated.k, c.regenerated.runs
    head = f"fixed protocol (runs stop at {floor:g})"
    try:
        best = float(best_final_loss)
    except ValueError:
        best = None
    if k == 0:
        return f"{head}: no run reached the floor, so the published protocol gives the same 0/{runs}"
    if best is not None and best > floor:
        return f"{head}: no run reached the floor, so the published protocol gives the same {k}/{runs}"
    text = f"{head}: under the published protocol at most {k}/{runs}, possibly fewer"
    if c.published is None:
        return text
    if c.verdict == "differs" and c.published.k > k:
        return f"{text}; the published count is higher, so the published protocol cannot close the difference"
    if c.verdict == "differs":
        return f"{text}; the difference goes the way the early stop pushes it"
    return f"{text}; agreeing here, the published protocol's count could still differ"


def _cause(c: Comparison, reached: Comparison | None, protocol: str) -> str:
    """The demonstrated cause of a row that differs on either count, by the rule of docs/replication.md.

    A row that differs on the "below 1e-4 at some step" count started from other initial angles
    (cause 2). A row of a fixed-protocol source that agrees on it but whose final count is higher is
    the early stop (cause 1); under the published protocol the stop cannot be the cause.
    """
    if reached is not None and reached.verdict == "differs":
        return CAUSE_INIT
    if c.verdict != "differs":
        return ""
    if (protocol != "published" and reached is not None and reached.verdict == "agrees"
            and c.regenerated.k > c.published.k):
        return CAUSE_STOP
    return NOT_DEMONSTRATED


def replication_rows(files: Iterable[str | Path], experiment: str | None = None) -> list[list]:
    """One row per (configuration, regenerated source); the first file is the published training table.

    With ``experiment``, only that experiment's rows (a bad published table's one row is kept).

    A build's rows carry a demonstrated cause only where their counts equal a record's (the record
    is what ``docs/replication.md`` analysed); otherwise a differing build row says the cause is
    not yet demonstrated for it.
    """
    published, others = _split_published([Path(f) for f in files], "training.csv")
    pub_rows, problem = _published(published, ("experiment", "model", "n", "layers", "runs", "successes"))
    sources, dla, rerun_indexes = _classify(others)
    reruns = _reruns(rerun_indexes)
    bounds = _bounds(dla)
    if pub_rows is None:
        return [["all", *[""] * (len(REPLICATION_HEADER) - 2), problem]]
    sources = _supersede(sources)
    if experiment is not None:
        pub_rows = [r for r in pub_rows if r["experiment"] == experiment]
        sources = [(label, [r for r in rows if r["experiment"] == experiment]) for label, rows in sources]
    try:
        pub = counts(pub_rows, "successes")
        pub_reached = counts(pub_rows, "reached")
    except BadInput as exc:  # a malformed value: one row says so, the build goes on
        return [["all", *[""] * (len(REPLICATION_HEADER) - 2), f"published table {str(published)!r}: {exc}"]]
    recorded: dict[tuple, str] = {}  # configuration -> the record that ran it
    first_record: dict[str, str] = {}  # experiment -> its first record
    for label, rows in sources:
        for r in rows if label.startswith("record") else ():
            recorded[_config_key(r)] = label
            first_record.setdefault(r["experiment"], label)
    out = []
    record_counts: dict[tuple, tuple[int, int, str]] = {}
    record_causes: dict[tuple, str] = {}
    for label, rows in sorted(sources, key=lambda s: not s[0].startswith("record")):
        try:
            mine, mine_reached, mine_fixed = (counts(rows, q) for q in ("successes", "reached", "fixed"))
        except BadInput as exc:
            raise BadInput(f"{label}: {exc}") from None
        by_key = {_config_key(r): r for r in rows}
        experiments = {k[0] for k in mine}
        # Among records, each published configuration is one row: that of the record that ran it, or,
        # run by none, the "not regenerated" row of the experiment's first record.
        scoped = {k: v for k, v in pub.items()
                  if k[0] in experiments and (not label.startswith("record") or k in by_key
                                              or (k not in recorded and first_record[k[0]] == label))}
        reached = {c.key: c for c in compare({k: v for k, v in pub_reached.items() if k[0] in experiments},
                                             mine_reached)}
        fixed = {c.key: c for c in compare(scoped, mine_fixed)}
        for c in compare(scoped, mine):
            r, f = reached.get(c.key), fixed.get(c.key)
            row = by_key.get(c.key, {})
            protocol = (row.get("protocol") or "").strip()
            cause = _cause(c, r if r is not None and r.regenerated is not None else None, protocol)
            if cause == NOT_DEMONSTRATED and label.startswith("record"):
                cause = _rerun_cause(c, reruns.get(c.key))
            if label.startswith("record") and c.regenerated is not None:
                record_counts[c.key] = (c.regenerated.k, c.regenerated.runs, protocol)
                record_causes[c.key] = cause
            elif cause and c.regenerated is not None:
                # (the "below at some step" count of a build row is not compared with the record's)
                same = record_counts.get(c.key) == (c.regenerated.k, c.regenerated.runs, protocol)
                cause = record_causes[c.key] if same else NOT_DEMONSTRATED
            note = {"no published counterpart": "the published data has no such configuration",
                    "not regenerated": "this source did not run this configuration"}.get(c.verdict, "")
            dim, orbit = bounds.get((c.key[1], c.key[2]), ("", ""))
            fixed_side = _side(f.regenerated if f else None)
            out.append([
                *c.key, "" if c.n_params is None else c.n_params, dim, orbit, label,
                *_side(c.published), *_side(c.regenerated), _p(c.p_value), _p(c.p_holm), c.verdict,
                _k(r.published if r else None), _k(r.regenerated if r else None), _p(r.p_value if r else None),
                r.verdict if r and r.published and r.regenerated else "",
                protocol if c.regenerated is not None else "", fixed_side[0], fixed_side[2], fixed_side[3],
                _p(f.p_value if f else None), f.verdict if f and f.published and f.regenerated else "",
                protocol_note(protocol, c, row.get("best_final_loss", "")), cause, note,
            ])
    return out


def _side(c: Count | None) -> list:
    if c is None:
        return ["", "", "", ""]
    lo, hi = c.interval()
    return [c.k, c.runs, f"{lo:.4f}", f"{hi:.4f}"]


def _k(c: Count | None) -> str:
    return "" if c is None else str(c.k)


def _p(p: float | None) -> str:
    return "" if p is None else f"{p:.4g}"


def experiment_rows(experiment: str):
    """The ``replication_<experiment>`` table's row function: :func:`replication_rows` of one experiment."""

    def rows(files: Iterable[str | Path]) -> list[list]:
        return replication_rows(files, experiment)

    rows.__doc__ = f"The {experiment} rows of :func:`replication_rows`."
    return rows


def _noise_label(noise: str, strength: str = "") -> str:
    """The published ``local_dep=p`` / ``global_dep=q`` and the project's ``(local, p)`` as one label."""
    if noise in ("none", "", "pure-state"):
        return "none"
    if "=" in noise:
        kind, value = noise.split("=")
        return f"{kind.replace('_dep', '')} {float(value):g}"
    return f"{noise} {float(strength):g}"


def _regenerated_ranks(paths: Iterable[Path]) -> dict[tuple, dict[str, int]]:
    """``(experiment, model, n, M, kind, point, noise) -> {point id: rank}`` from the build's tables."""
    out: dict[tuple, dict[str, int]] = defaultdict(dict)
    for path in paths:
        if not path.is_file():
            raise BadInput(f"regenerated table {str(path)!r} does not exist")
        cols = set(_columns(path))
        exp = path.stem
        for r in read_csv(path):
            if {"matrix", "point", "rank"} <= cols:  # fig4 / supp1: one row per eigenvalue
                point = "solution" if r["point"] == "converged" else r["point"]
                key = (exp, r["model"], int(r["n"]), int(r["n_params"]), r["matrix"], point, "none")
                out[key][r["run"]] = int(r["rank"])
            elif {"noise", "strength", "rank"} <= cols:  # ext1
                if r["noise"] == "pure-state":
                    continue
                key = (exp, r["model"], int(r["n"]), int(r["n_params"]), "qfim", "random",
                       _noise_label(r["noise"], r["strength"]))
                out[key][r["sample"]] = int(r["rank"])
            elif {"sample", "rank", "spectrum"} <= cols:  # supp2 / fig2: one row per random point
                key = (exp, r["model"], int(r["n"]), int(r["n_params"]), "qfim", "random", "none")
                out[key][r["sample"]] = int(r["rank"])
            else:
                raise BadInput(f"{str(path)!r} is not a rank table (supp2, fig4, supp1 or ext1)")
    return out


def _rank_text(ranks: Iterable[int]) -> str:
    values = sorted(set(ranks))
    return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


def replication_ranks_rows(files: Iterable[str | Path]) -> list[list]:
    """One row per published spectrum group; the first file is ``data/published/ranks.csv``.

    The verdict compares the largest rank over the points (the saturation value the figures show):
    ``agrees`` when equal, ``differs`` otherwise; ranks are exact integers, so no test is needed.
    """
    published_path, others = _split_published([Path(f) for f in files], "ranks.csv")
    pub_rows, problem = _published(published_path, ("experiment", "model", "n", "n_params", "kind", "point", "rank"))
    if pub_rows is None:
        return [["all", *[""] * 13, problem]]
    dla = [p for p in others if p.is_file() and {"dim", "orbit_dim", "method"} <= set(_columns(p))]
    bounds = _bounds(dla)
    regenerated = _regenerated_ranks([p for p in others if p not in dla])
    published: dict[tuple, list[int]] = defaultdict(list)
    for r in pub_rows:
        key = (r["experiment"], r["model"], int(r["n"]), int(r["n_params"]), r["kind"], r["point"],
               _noise_label(r.get("noise", "none")))
        published[key].append(int(r["rank"]))
    experiments = {k[0] for k in regenerated}
    out = []
    for key in sorted(set(published) | set(regenerated)):
        pub, reg = published.get(key), regenerated.get(key)
        orbit = bounds.get((key[1], key[2]), ("", ""))[1]
        if pub is None:
            verdict, cause, note = "no published counterpart", "", "the published data has no such spectra"
        elif reg is None:
            verdict, cause = "not regenerated", ""
            note = "" if key[0] in experiments else "this build has no table of this experiment"
        else:
            verdict = "agrees" if max(pub) == max(reg.values()) else "differs"
            cause, note = "", ""
            if verdict == "differs":
                cause = NOT_DEMONSTRATED
                if key[1] == "tfim-open" and key[4] == "qfim" and max(pub) > max(reg.values()):
                    # docs/replication.md recomputes the published open-chain QFIMs at random points.
                    only_random = f"{CAUSE_QFIM}; recomputed there at random points only"
                    cause = CAUSE_QFIM if key[5] == "random" else only_random
        out.append([
            *key, orbit, len(pub) if pub else "", _rank_text(pub) if pub else "",
            len(reg) if reg else "", _rank_text(reg.values()) if reg else "", verdict, cause, note,
        ])
    return out


SPECTRA_HEADER = ("experiment", "model", "n", "n_params", "kind", "point", "side", "sample", "index", "eigenvalue")

# The published QFIM routines return the Fubini–Study metric, a quarter of the QFIM the project
# computes (data/published/README.md); Hessians share one convention.
PUBLISHED_QFIM_SCALE = 4.0


def _regenerated_spectra(paths: Iterable[Path]) -> dict[tuple, dict[str, list[float]]]:
    """``(experiment, model, n, M, kind, point) -> {run: eigenvalues}`` from fig4/supp1 or ``*_spectra`` tables."""
    out: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        if not path.is_file():
            raise BadInput(f"regenerated table {str(path)!r} does not exist")
        cols = set(_columns(path))
        if not {"matrix", "index", "eigenvalue", "run"} <= cols:
            raise BadInput(f"{str(path)!r} is not a spectra table (fig4, supp1 or <experiment>_spectra)")
        exp = path.stem.removesuffix("_spectra")
        for r in read_csv(path):
            point = {"converged": "solution"}.get(r.get("point", "solution"), r.get("point", "solution"))
            kind = "qfim" if r["matrix"].startswith("qfim") else r["matrix"]
            key = (exp, r["model"], int(r["n"]), int(r["n_params"]), kind, point)
            out[key][f"{r['run']}:{r['matrix']}"].append(float(r["eigenvalue"]))
    return out


def replication_spectra_rows(files: Iterable[str | Path]) -> list[list]:
    """Published and regenerated eigenvalues of every (experiment, model, n, M, matrix, point) both have.

    The first file is ``data/published/spectra.csv.gz``; published QFIM eigenvalues are multiplied
    by 4 into the project's convention. One row per eigenvalue, ``index`` from 1 in descending order
    of magnitude. A missing or malformed published file gives one row that says so.
    """
    published_path, others = _split_published([Path(f) for f in files], "spectra.csv.gz")
    try:
        if published_path is None:
            raise OSError("not among the inputs")
        with gzip.open(published_path, "rt", newline="") as fh:
            published = list(csv.DictReader(fh))
        if published and "eigenvalues" not in published[0]:
            raise ValueError("no eigenvalues column")
    except (OSError, ValueError, csv.Error, EOFError) as exc:
        problem = f"published spectra {str(published_path or 'data/published/spectra.csv.gz')!r} cannot be used ({exc})"
        return [["all", *[""] * 8, problem]]
    regenerated = _regenerated_spectra(others)
    pub: dict[tuple, dict[str, list[float]]] = defaultdict(dict)
    for r in published:
        if r.get("noise", "none") != "none":
            continue
        exp = "fig4" if r["experiment"] == "supp1" else r["experiment"]
        values = [float(v) for v in r["eigenvalues"].split(";")]
        key = (exp, r["model"], int(r["n"]), len(values), r["kind"], r["point"])
        pub[key][r["sample"]] = [v * (PUBLISHED_QFIM_SCALE if r["kind"] == "qfim" else 1.0) for v in values]
    rows = []
    for key in sorted(set(pub) & set(regenerated)):
        for side, groups in (("published", pub[key]), ("regenerated", regenerated[key])):
            for sample, values in sorted(groups.items()):
                ordered = sorted(values, key=abs, reverse=True)
                rows += [[*key, side, sample, i + 1, f"{v:.6g}"] for i, v in enumerate(ordered)]
    return rows
