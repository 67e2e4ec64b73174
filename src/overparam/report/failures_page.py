"""The "What stops training" page: the classification of failed runs, and the budget study."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from statistics import median

from overparam.report.blocks import provenance_block
from overparam.report.blocks import render as render_template
from overparam.results.tables import read_csv

LABELS = ("converges", "local-minimum", "saddle", "unresolved")


def _int(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def _blank(value) -> str | int:
    return "" if value is None else value


def _total(values) -> int | None:
    values = list(values)
    return None if not values or any(v is None for v in values) else sum(values)


def _thrown_rows(rows: list[dict]) -> list[list]:
    """Per (experiment, model, n): failed runs that had reached the floor, and their labels."""
    out = []
    for key in sorted({(r["experiment"], r["model"], int(r["n"])) for r in rows}):
        sel = [r for r in rows if (r["experiment"], r["model"], int(r["n"])) == key and r.get("reached_floor") == "1"]
        if not sel:
            continue
        ms = sorted({int(r["n_params"]) for r in sel})
        out.append([*key, len(sel), *(sum(r["label"] == k for r in sel) for k in LABELS),
                    ", ".join(map(str, ms))])
    return out


def verdict(per_m: list[dict], orbit: int | None) -> str:
    """The plain answer for one (model, n), from the label counts above the orbit dimension.

    ``per_m``: one dict per M with ``M`` and the count of each label.
    """
    if orbit is None:
        return "bounds not available"
    above = [r for r in per_m if r["M"] >= orbit]
    if not above:
        return "no classified configuration at or above the orbit dimension"
    minima = sum(r["local-minimum"] for r in above)
    failed = sum(sum(r[k] for k in LABELS) for r in above)
    conv = sum(r["converges"] for r in above)
    ms = ", ".join(str(r["M"]) for r in sorted(above, key=lambda r: r["M"]))
    thrown = _total(r.get("thrown") for r in above)
    # Failed runs that had been at the global minimum: Adam's instability, whatever their label.
    kicked = f"; {thrown} of the failures had reached the floor before Adam threw them back" if thrown else ""
    if failed == 0:
        return f"no failures at the classified M = {ms} (≥ orbit dimension {orbit})"
    if minima == 0:
        return (f"optimizer-limited: none of the {failed} failures at the classified M = {ms} (≥ orbit dimension "
                f"{orbit}) is a local minimum; {conv} reach the global minimum when continued{kicked}")
    first_free = min((r["M"] for r in above if r["local-minimum"] == 0 and all(
        s["local-minimum"] == 0 for s in above if s["M"] >= r["M"])), default=None)
    where = f"; none from M = {first_free} on" if first_free is not None else ""
    return (f"spurious minima survive above the orbit dimension: {minima} of {failed} failures at the classified "
            f"M = {ms} (≥ {orbit}) {'is a local minimum' if minima == 1 else 'are local minima'}{where}; "
            f"{conv} reach the global minimum when continued{kicked}")


def failures_page(table: Path, prov: dict, wall: dict[str, float]) -> str:
    """The failures page, from failures.csv and, beside it, failures_summary.csv and failures_budget.csv."""
    rows = read_csv(table)
    summary_path, budget_path = table.parent / "failures_summary.csv", table.parent / "failures_budget.csv"
    summary = read_csv(summary_path) if summary_path.exists() else []
    budget = read_csv(budget_path) if budget_path.exists() else []
    groups: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
    bounds: dict[tuple[str, str, int], tuple[int | None, int | None]] = {}
    for r in summary:
        key = (r["experiment"], r["model"], int(r["n"]))
        groups[key].append({"M": int(r["n_params"]), "runs": int(r["runs"]), "failed": int(r["failed"]),
                            "thrown": _int(r.get("reached_floor", "")), **{k: int(r[k]) for k in LABELS}})
        bounds[key] = (_int(r["orbit_dim"]), _int(r["dla_dim"]))
    per_m = [[*key, g["M"], g["runs"], g["failed"], *(g[k] for k in LABELS), _blank(g["thrown"])]
             for key in sorted(groups) for g in sorted(groups[key], key=lambda g: g["M"])]
    per_model = []
    for key in sorted(groups):
        orbit, dim = bounds[key]
        tot = {k: sum(g[k] for g in groups[key]) for k in LABELS}
        per_model.append([*key, orbit if orbit is not None else "", dim if dim is not None else "",
                          sum(g["failed"] for g in groups[key]), *(tot[k] for k in LABELS),
                          _blank(_total(g["thrown"] for g in groups[key])), verdict(groups[key], orbit)])
    minima = [r for r in rows if r["label"] == "local-minimum"]
    minima_rows = []
    for key in sorted({(r["experiment"], r["model"], int(r["n"])) for r in minima}):
        sel = [r for r in minima if (r["experiment"], r["model"], int(r["n"])) == key]
        losses = [float(r["continuation_loss"]) for r in sel]
        eigen = [r for r in sel if r["eigenstate"] == "1"]
        levels = sorted({int(r["eigen_level"]) for r in eigen if r["eigen_level"] != ""})
        minima_rows.append([*key, len(sel), f"{min(losses):.3g}", f"{median(losses):.3g}", f"{max(losses):.3g}",
                            len(eigen), ", ".join(map(str, levels)) or "–"])
    end_rows = []
    for key in sorted({(r["experiment"], r["model"], int(r["n"])) for r in rows}):
        sel = [r for r in rows if (r["experiment"], r["model"], int(r["n"])) == key]
        negative = sum(int(r["n_negative"]) > 0 for r in sel)
        grads = [float(r["grad_norm"]) for r in sel]
        end_rows.append([*key, len(sel), negative, f"{median(grads):.2g}", f"{max(grads):.2g}"])
    budget_rows = [[r["model"], r["n"], r["n_params"], r["mode"], f"{r['successes']}/{r['runs']}",
                    f"{r['fixed_successes']}/{r['runs']}" if r.get("fixed_successes") else "–"] for r in budget]
    thrown_rows = _thrown_rows(rows)
    seconds = [float(r["seconds"]) for r in rows]
    return render_template(
        "failures.md.j2", per_m=per_m, per_model=per_model, minima_rows=minima_rows, end_rows=end_rows,
        budget_rows=budget_rows, thrown_rows=thrown_rows, failed=len(rows),
        seconds_median=median(seconds) if seconds else 0.0,
        seconds_max=max(seconds, default=0.0), provenance=provenance_block(prov, wall, "classify"),
    )
