"""A user study's numbers and book page, from its three tables (DLA, QFIM sweep, training).

The summary is what the paper's theory predicts and what was measured, per size ``n``:
``dim g`` and the orbit dimension (the bound on the QFIM rank), the saturation rank of the QFIM at
random points and the critical number of parameters ``M_c`` (the first M at which it is reached),
and the success fraction of training per M with the first M where at least 90 % of runs succeed.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

from overparam.report.blocks import provenance_list, render
from overparam.results.critical import first_m
from overparam.results.tables import read_csv

SUCCESS_FRACTION = 0.9  # the same criterion as the paper's training pages (report/pages.py)


@dataclasses.dataclass
class SizeSummary:
    """Theory and measurement for one size."""

    n: int
    dim: int | None = None
    orbit_dim: int | None = None
    ranks: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)  # M -> (min, max) rank
    saturation_rank: int | None = None
    critical_m: int | None = None
    success: dict[int, tuple[int, int, float]] = dataclasses.field(default_factory=dict)  # M -> (ok, runs, median)
    transition_m: int | None = None

    @property
    def rank_verdict(self) -> str:
        """How the measured saturation rank compares with the orbit bound."""
        if self.saturation_rank is None or self.orbit_dim is None:
            return "not measured"
        if self.saturation_rank == self.orbit_dim:
            return "reaches the orbit bound"
        if self.saturation_rank < self.orbit_dim:
            return "below the orbit bound (deeper circuits needed?)"
        return "ABOVE the orbit bound (check the rank tolerance)"


def summarize(dla_csv: str | Path, qfim_csv: str | Path, train_csv: str | Path) -> tuple[list[SizeSummary], dict]:
    """Per-size summaries (sorted by n) and the run settings read from the tables."""
    sizes: dict[int, SizeSummary] = {}

    def at(n: int) -> SizeSummary:
        return sizes.setdefault(n, SizeSummary(n))

    settings: dict = {"model": "", "ansatz": "", "options": ""}
    for r in read_csv(dla_csv):
        s = at(int(r["n"]))
        s.dim, s.orbit_dim = int(r["dim"]), int(r["orbit_dim"])
        settings.update(model=r["model"], ansatz=r["ansatz"], options=r["options"])
    qrows = read_csv(qfim_csv)
    for r in qrows:
        at(int(r["n"])).ranks[int(r["n_params"])] = (int(r["min_rank"]), int(r["max_rank"]))
        settings["samples"] = int(r["samples"])
    trows = read_csv(train_csv)
    losses: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in trows:
        losses[int(r["n"])][int(r["n_params"])].append(float(r["final_loss"]))
        settings.update(steps=int(r["steps"]), lr=float(r["lr"]), threshold=float(r["success_threshold"]))
    settings["qsim_agreement"] = max(
        (abs(float(r["final_loss"]) - float(r["qsim_final_loss"])) for r in trows if r["qsim_final_loss"]), default=0.0
    )
    for n, by_m in losses.items():
        s = at(n)
        for m in sorted(by_m):
            vals = sorted(by_m[m])
            ok = sum(v < settings["threshold"] for v in vals)
            s.success[m] = (ok, len(vals), vals[len(vals) // 2])
        s.transition_m = first_m(s.success, lambda v: v[0] >= SUCCESS_FRACTION * v[1])
    for s in sizes.values():
        if s.ranks:
            s.saturation_rank = max(hi for _, hi in s.ranks.values())
            s.critical_m = first_m({m: hi for m, (_, hi) in s.ranks.items()})
    return [sizes[n] for n in sorted(sizes)], settings


def _fmt(v) -> str:
    return "–" if v is None else str(v)


def summary_rows(summary: list[SizeSummary]) -> dict[str, list[list]]:
    """The rows of the study's tables: ``main`` (theory against measurement), ``ranks`` and ``training`` per M."""
    return {
        "main": [[s.n, _fmt(s.dim), _fmt(s.orbit_dim), _fmt(s.saturation_rank), _fmt(s.critical_m), s.rank_verdict,
                  _fmt(s.transition_m) if s.success else "not trained"] for s in summary],
        "ranks": [[s.n, m, lo, hi] for s in summary for m, (lo, hi) in sorted(s.ranks.items())],
        "training": [[s.n, m, runs, ok, f"{ok / runs:.2f}", f"{med:.2e}", _side(m, s.critical_m)]
                     for s in summary for m, (ok, runs, med) in sorted(s.success.items())],
    }


def _span(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.0%}" if lo == hi else f"{lo:.0%}–{hi:.0%}"


def _side(m: int, critical: int | None) -> str:
    if critical is None:
        return "–"
    return "below" if m < critical else ("at" if m == critical else "above")


def verdicts(summary: list[SizeSummary]) -> list[str]:
    """Plain sentences on where the measurements agree with the theory and where not."""
    out = []
    for s in summary:
        parts = []
        if s.saturation_rank is not None and s.orbit_dim is not None:
            parts.append(
                f"the QFIM rank saturates at {s.saturation_rank} from M = {s.critical_m} on, which "
                f"{s.rank_verdict} ({s.orbit_dim}); dim g = {s.dim}"
            )
        if s.success:
            below = [ok / runs for m, (ok, runs, _) in s.success.items() if s.critical_m and m < s.critical_m]
            above = [ok / runs for m, (ok, runs, _) in s.success.items() if s.critical_m and m >= s.critical_m]
            if below or above:
                parts.append(
                    "fraction of training runs that succeed: "
                    + (f"{_span(below)} below $M_c$" if below else "no depth measured below $M_c$")
                    + ", "
                    + (f"{_span(above)} at or above it" if above else "no depth measured at or above it")
                )
        if parts:
            out.append(f"n = {s.n}: " + "; ".join(parts) + ".")
    return out


def study_page(name: str, title: str, summary: list[SizeSummary], settings: dict, prov: dict,
               wall: dict[str, float]) -> str:
    """The MyST page of study ``name`` (written to ``book/generated/study_<name>.md``)."""
    return render(
        "study.md.j2", name=name, title=title, settings=settings, verdicts=verdicts(summary),
        tables=summary_rows(summary), success_fraction=SUCCESS_FRACTION, provenance=provenance_list(prov, wall),
    )


def tutorial_numbers(name: str | None, summary: list[SizeSummary] | None, settings: dict | None) -> str:
    """The numbers the tutorial shows (``book/generated/tutorial_numbers.md``), or a note if not run."""
    if not name or summary is None or settings is None:
        return render("tutorial_none.md.j2")
    return render("tutorial_numbers.md.j2", name=name, settings=settings, verdicts=verdicts(summary),
                  tables=summary_rows(summary), success_fraction=SUCCESS_FRACTION)
