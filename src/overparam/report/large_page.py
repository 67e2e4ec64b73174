"""The "Beyond the paper's sizes" page: the transition past n = 10, QFIM ranks to n = 50, the engines' cost.

Reads ``large.csv`` (successes per M) and, beside it, ``large_crossings.csv``, ``large_qfim.csv`` and
``crossover.csv``; a table that is absent leaves its section saying so. Knows no physics engine.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from overparam.report.blocks import provenance_block
from overparam.report.blocks import render as render_template
from overparam.results.tables import read_csv

# The page's figures besides large.png, copied into the book when drawn.
EXTRA_FIGURES = ("large_qfim", "crossover")


def _read(path: Path) -> list[dict]:
    return read_csv(path) if path.exists() else []


def _int(text: str) -> int | None:
    return int(text) if text not in ("", None) else None


def crossing_lines(rows: list[dict], crossings: list[dict]) -> list[list]:
    """Per (model, n): the Lie bounds, the swept M range and the 50 % / 90 % crossings of both protocols."""
    found = {(r["model"], int(r["n"]), r["protocol"], float(r["level"])): r["text"] for r in crossings}
    keys = list(dict.fromkeys((r["model"], int(r["n"])) for r in rows))
    lines = []
    for model, n in keys:
        rs = [r for r in rows if r["model"] == model and int(r["n"]) == n]
        ms = sorted(int(r["n_params"]) for r in rs)
        cells = [found.get((model, n, p, lv), "n/a") for p in ("published", "fixed") for lv in (0.5, 0.9)]
        lines.append([model, n, rs[0]["orbit_dim"] or "n/a", rs[0]["dla_dim"] or "n/a",
                      f"{ms[0]}–{ms[-1]} ({len(ms)} values)", rs[0]["runs"], *cells])
    return lines


def count_lines(rows: list[dict]) -> list[list]:
    """Per (model, n, M): both protocols' successes with their 95 % Wilson intervals."""
    out = []
    for r in rows:
        runs = int(r["runs"])
        fixed = (f"{r['fixed_successes']}/{runs} [{float(r['fixed_lo']):.2f}, {float(r['fixed_hi']):.2f}]"
                 if r["fixed_successes"] != "" else "n/a")
        out.append([r["model"], r["n"], r["n_params"], r["layers"],
                    f"{r['successes']}/{runs} [{float(r['success_lo']):.2f}, {float(r['success_hi']):.2f}]", fixed,
                    r["reached"] if r["reached"] != "" else "n/a", r["orbit_dim"] or "n/a", r["dla_dim"] or "n/a"])
    return out


def qfim_lines(rows: list[dict]) -> tuple[list[list], bool]:
    """Per (model, n): the Lie bounds, the M swept, the largest rank, the first M where it reaches the
    orbit dimension, and the worst gap at and past saturation; and whether every size saturates at
    exactly the orbit dimension without exceeding it."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], int(r["n"]))].append(r)
    lines, clean = [], bool(groups)
    for (model, n), rs in groups.items():
        orbit = _int(rs[0]["orbit_dim"])
        ranks: dict[int, list[int]] = defaultdict(list)
        gaps: dict[int, list[float]] = defaultdict(list)
        for r in rs:
            ranks[int(r["n_params"])].append(int(r["rank"]))
            gaps[int(r["n_params"])].append(float(r["gap"]))
        ms = sorted(ranks)
        top = max(max(v) for v in ranks.values())
        first = next((m for m in ms if orbit is not None and max(ranks[m]) == orbit), None)
        below = [(f"{m}: {min(ranks[m])}–{max(ranks[m])}" if min(ranks[m]) != max(ranks[m])
                  else f"{m}: {max(ranks[m])}") + f" ({min(gaps[m]):.1e})" for m in ms]
        sat_gaps = [g for m in ms if first is not None and m >= first for g in gaps[m]]
        worst = min(sat_gaps) if sat_gaps else math.nan
        ok = orbit is not None and top == orbit
        clean = clean and ok
        lines.append([model, n, orbit if orbit is not None else "n/a", rs[0]["dla_dim"] or "n/a",
                      len({r["sample"] for r in rs}), "; ".join(below), top,
                      first if first is not None else "not reached",
                      "n/a" if math.isnan(worst) else f"{worst:.1e}", "yes" if ok else "**no**"])
    return lines, clean


def crossover_summary(rows: list[dict]) -> tuple[list[list], dict]:
    """Per n: both engines' seconds and their ratio; and the state-vector numbers the text quotes."""
    by_n: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in rows:
        by_n[int(r["n"])][f"{r['engine']}/{r['kind']}"] = r
    lines = []
    for n in sorted(by_n):
        e = by_n[n]
        ff = e.get("fermion/measured")
        sv = e.get("statevector/measured") or e.get("statevector/extrapolated")
        sv_text = "not run" if sv is None else (
            f"{float(sv['seconds']):.3g}" + (" (extrapolated)" if sv["kind"] == "extrapolated" else ""))
        ratio = "n/a"
        if sv is not None and ff is not None:
            ratio = f"{float(sv['seconds']) / float(ff['seconds']):.3g}" + (
                " (extrapolated)" if sv["kind"] == "extrapolated" else "")
        mem = "n/a" if sv is None else f"{float(sv['memory_bytes']) / 2**30:.3g}"
        lines.append([n, e[next(iter(e))]["n_params"], "not run" if ff is None else f"{float(ff['seconds']):.3g}",
                      sv_text, ratio, mem])
    measured_sv = [n for n in by_n if "statevector/measured" in by_n[n]]
    quote = {}
    if measured_sv:
        quote["largest_sv"] = max(measured_sv)
    for n in (16, 20, 30, 50):
        sv = by_n.get(n, {}).get("statevector/extrapolated")
        if sv is not None:
            quote[n] = {"seconds": float(sv["seconds"]), "gib": float(sv["memory_bytes"]) / 2**30,
                        "hours": float(sv["seconds"]) * 3000 / 3600}
    both = [n for n in by_n if "statevector/measured" in by_n[n] and "fermion/measured" in by_n[n]]
    faster = [n for n in sorted(both)
              if float(by_n[n]["fermion/measured"]["seconds"]) < float(by_n[n]["statevector/measured"]["seconds"])]
    quote["first_faster"] = faster[0] if faster else None
    return lines, quote


def large_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The page, from ``large.csv`` and the tables beside it; ``wall``: the training jobs' wall seconds."""
    rows = read_csv(table)
    crossings = _read(table.parent / "large_crossings.csv")
    qrows = _read(table.parent / "large_qfim.csv")
    xrows = _read(table.parent / "crossover.csv")
    train = _read(table.parent / "large_train.csv")
    qlines, qclean = qfim_lines(qrows)
    xlines, quote = crossover_summary(xrows)
    job_lines = []
    for job, seconds in sorted(wall.items(), key=lambda kv: -kv[1])[:12]:
        job_lines.append([f"`{job}`", f"{seconds / 60:.1f}"])
    first = train[0] if train else {}
    checked = [abs(float(r["final_loss"]) - float(r["qsim_final_loss"])) for r in train if r["qsim_final_loss"]]
    return render_template(
        "large.md.j2",
        crossing_lines=crossing_lines(rows, crossings),
        count_lines=count_lines(rows),
        qfim_lines=qlines, qfim_clean=qclean, has_qfim=bool(qrows),
        crossover_lines=xlines, quote=quote, has_crossover=bool(xrows),
        steps=first.get("steps", "n/a"), lr=first.get("lr", "n/a"), threshold=first.get("success_threshold", "n/a"),
        protocol=first.get("protocol", "n/a"), samples=len({r["sample"] for r in qrows}) if qrows else 0,
        rtol=qrows[0]["tolerance"] if qrows else "n/a", qsim_checked=len(checked),
        qsim_worst=max(checked, default=0.0), job_lines=job_lines, total_minutes=sum(wall.values()) / 60,
        provenance=provenance_block(prov, wall, "large_train"),
    )
