"""Table of the critical M: where the QFIM rank of each sweep (fig2, supp2) saturates, beside the Lie bounds."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

from overparam.results.critical import first_m
from overparam.results.tables.base import read_csv

CRITICAL_HEADER = (
    "model", "ansatz", "options", "n", "source", "samples", "m_min", "m_max", "max_rank", "m_critical",
    "layers_critical", "m_before", "dla_dim", "orbit_dim", "saturated", "within_dim_g",
)


def critical_rows(files: Iterable[str | Path]) -> list[list]:
    """Smallest M at which the QFIM rank at random points reaches its maximum, per model and sweep.

    Reads ``fig2.csv`` (column ``max_rank``), ``supp2.csv`` (``rank`` per point) and ``dla.csv``
    (``dim``, ``orbit_dim``). ``saturated`` says whether that maximum equals the orbit bound, i.e.
    whether the sweep went deep enough for ``m_critical`` to be the critical number ``M_c``.
    ``m_before`` is the largest swept M below ``m_critical``; ``within_dim_g`` is 1 when the rank
    saturated no later than the first swept M at or above ``dim g`` (``M_c <= dim g`` up to the
    sweep's step: M grows by a whole layer at a time).
    """
    tables = {Path(f).stem: read_csv(f) for f in files}
    dla = {(r["model"], r["n"]): r for r in tables.pop("dla", [])}
    rows = []
    for source in sorted(tables):
        groups: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
        meta, samples = {}, defaultdict(set)
        for r in tables[source]:
            key = (r["model"], r["n"])
            rank = int(r["max_rank"] if "max_rank" in r else r["rank"])
            m = int(r["n_params"])
            cell = groups[key].setdefault(m, {"rank": 0, "layers": int(r["layers"])})
            cell["rank"] = max(cell["rank"], rank)
            meta[key] = r
            samples[key].add(r.get("samples") or r.get("sample"))
        for key, by_m in groups.items():
            top = max(c["rank"] for c in by_m.values())
            m_c = first_m({m: c["rank"] for m, c in by_m.items()})
            r = meta[key]
            bound = dla.get(key, {})
            dim, orbit = bound.get("dim", r.get("dla_dim", "")), bound.get("orbit_dim", r.get("orbit_dim", ""))
            n_samples = int(r["samples"]) if "samples" in r else len(samples[key])
            before = max((m for m in by_m if m < m_c), default=None)
            within = "" if dim == "" else int(m_c <= int(dim) or (before is not None and before < int(dim)))
            rows.append([
                key[0], r["ansatz"], r["options"], key[1], source, n_samples, min(by_m), max(by_m), top, m_c,
                by_m[m_c]["layers"], "" if before is None else before, dim, orbit,
                int(orbit != "" and top == int(orbit)), within,
            ])
    return rows

