"""Published training fractions beside the regenerated ones: intervals, a two-sample test, a verdict.

Reads two tables with one row per configuration, ``(experiment, model, n, layers)``:

* the published table (``data/published/training.csv``, extracted from the authors' raw data);
* a regenerated table (a committed record under ``docs/paper-scale/`` or a workflow's equivalent), with
  at least ``runs`` and ``successes`` and, where recorded, ``reached_at_some_step`` and
  ``fixed_successes``.

For each configuration it gives both fractions with their Wilson score intervals (95 % unless told
otherwise), the two-sided p-value of Fisher's exact test of "same success probability", and a
verdict at a stated level: ``agrees`` (p >= level) or ``differs`` (p < level). A Holm-adjusted
p-value over the rows of each experiment is given beside it, for a reader who wants the verdicts of
an experiment to hold jointly. A configuration present in only one table says so
(``no published counterpart`` / ``not regenerated``) and carries no invented number.

Two counts can be compared. ``successes`` is the paper's criterion (loss after the last step below
1e-4); it depends on the training protocol (a run frozen once converged cannot be kicked back up by
Adam's fixed step). ``reached`` counts runs whose loss went below 1e-4 at some step; a run follows the
same trajectory up to that step with or without an early stop at a lower floor, so this count is
comparable across the two protocols. ``fixed`` counts the fixed protocol's successes (a run stops at
the round-off floor), recorded from the same runs as a published-protocol count.

Knows no physics engine: only files and counts.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path
from statistics import NormalDist
from typing import Iterable, Sequence

from overparam.errors import BadInput

Key = tuple[str, str, int, int]  # (experiment, model, n, layers)

LEVEL = 0.05
CONFIDENCE = 0.95
QUANTITIES = {"successes": "successes", "reached": "reached_at_some_step", "fixed": "fixed_successes"}
REQUIRED = ("experiment", "model", "n", "layers", "runs", "successes")


def wilson_interval(successes: int, runs: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``successes / runs``.

    ``(lo, hi)`` with ``p_hat = k/n``, ``z`` the two-sided normal quantile:
    ``(p_hat + z^2/2n -+ z sqrt(p_hat(1-p_hat)/n + z^2/4n^2)) / (1 + z^2/n)``. Unlike the Wald
    interval it stays inside [0, 1] and is not empty at 0 or n successes.
    """
    if runs < 1 or not 0 <= successes <= runs:
        raise ValueError(f"need 0 <= successes <= runs and runs >= 1, got {successes}/{runs}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / runs
    denom = 1 + z * z / runs
    centre = (p + z * z / (2 * runs)) / denom
    half = z * math.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / denom
    # The exact end points at 0 and n successes (round-off would leave 1e-17 instead of 0).
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == runs else min(1.0, centre + half)
    return float(lo), float(hi)


def fisher_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test on the 2x2 table ``[[k1, n1-k1], [k2, n2-k2]]``."""
    for k, n in ((k1, n1), (k2, n2)):
        if n < 1 or not 0 <= k <= n:
            raise ValueError(f"need 0 <= successes <= runs and runs >= 1, got {k}/{n}")
    import scipy.stats  # here, not at the top: it is a second of start-up for every table and figure job

    return float(scipy.stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="two-sided").pvalue)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (family-wise error control), in the input order."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * len(pvalues), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


@dataclasses.dataclass(frozen=True)
class Count:
    """``k`` of ``runs`` runs met the criterion; the source file of the row."""

    k: int
    runs: int
    source: str = ""

    @property
    def fraction(self) -> float:
        return self.k / self.runs

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        return wilson_interval(self.k, self.runs, confidence)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One configuration: the two counts (either may be missing), the test and the verdict."""

    key: Key
    n_params: int | None
    published: Count | None
    regenerated: Count | None
    p_value: float | None
    p_holm: float | None
    verdict: str

    HEADER = (
        "experiment", "model", "n", "layers", "n_params", "published", "published_fraction", "published_lo",
        "published_hi", "regenerated", "regenerated_fraction", "regenerated_lo", "regenerated_hi", "fisher_p",
        "holm_p", "verdict",
    )

    def row(self, confidence: float = CONFIDENCE) -> list:
        """The CSV row (empty cells where a side is missing)."""

        def side(c: Count | None) -> list:
            if c is None:
                return ["", "", "", ""]
            lo, hi = c.interval(confidence)
            return [f"{c.k}/{c.runs}", f"{c.fraction:.3f}", f"{lo:.3f}", f"{hi:.3f}"]

        def fmt(p: float | None) -> str:
            return "" if p is None else f"{p:.3g}"

        return [*self.key, "" if self.n_params is None else self.n_params, *side(self.published),
                *side(self.regenerated), fmt(self.p_value), fmt(self.p_holm), self.verdict]


def read_table(path: str | Path, what: str = "table") -> list[dict[str, str]]:
    """Rows of a per-configuration CSV; ``BadInput`` (one line) if it is missing or lacks a column."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{what} {str(path)!r} does not exist")
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise BadInput(
                f"{what} {str(path)!r} lacks the column(s) {', '.join(missing)}; needs {', '.join(REQUIRED)}"
            )
        return list(reader)


def counts(rows: Iterable[dict[str, str]], quantity: str = "successes") -> dict[Key, tuple[Count, int | None]]:
    """``{(experiment, model, n, layers): (Count, n_params)}`` for the chosen quantity.

    A row without a value for the quantity (an older table without ``reached_at_some_step``) is
    left out, so the comparison reports it as missing instead of guessing.
    """
    if quantity not in QUANTITIES:
        raise BadInput(f"quantity {quantity!r} is not one of {', '.join(QUANTITIES)}")
    column = QUANTITIES[quantity]
    out: dict[Key, tuple[Count, int | None]] = {}
    for row in rows:
        value = (row.get(column) or "").strip()
        if not value:
            continue
        try:
            key = (row["experiment"], row["model"], int(row["n"]), int(row["layers"]))
            n_params = int(row["n_params"]) if (row.get("n_params") or "").strip() else None
            count = Count(int(value), int(row["runs"]), row.get("source", ""))
        except ValueError:
            raise BadInput(
                f"row {row.get('experiment')}/{row.get('model')}/n={row.get('n')}/layers={row.get('layers')}: "
                f"{column}={value!r}, runs={row.get('runs')!r}, n={row.get('n')!r}, layers={row.get('layers')!r} "
                "must be integers"
            ) from None
        if not 0 <= count.k <= count.runs or count.runs < 1:
            raise BadInput(f"row {key}: {column}={count.k} of runs={count.runs}; need 0 <= {column} <= runs, runs >= 1")
        out[key] = (count, n_params)
    return out


def compare(
    published: dict[Key, tuple[Count, int | None]],
    regenerated: dict[Key, tuple[Count, int | None]],
    level: float = LEVEL,
) -> list[Comparison]:
    """One comparison per configuration in either table, sorted by key."""
    if not 0 < level < 1:
        raise BadInput(f"level {level} is not in (0, 1)")
    keys = sorted(set(published) | set(regenerated))
    raw: dict[Key, float] = {}
    for key in keys:
        if key in published and key in regenerated:
            a, b = published[key][0], regenerated[key][0]
            raw[key] = fisher_p(a.k, a.runs, b.k, b.runs)
    # Holm over the tested rows of each experiment.
    adjusted: dict[Key, float] = {}
    for experiment in {k[0] for k in raw}:
        family = [k for k in raw if k[0] == experiment]
        adjusted.update(zip(family, holm([raw[k] for k in family])))
    out = []
    for key in keys:
        pub, reg = published.get(key), regenerated.get(key)
        n_params = (pub or reg)[1]
        if pub is None:
            verdict = "no published counterpart"
        elif reg is None:
            verdict = "not regenerated"
        else:
            verdict = "agrees" if raw[key] >= level else "differs"
        out.append(Comparison(
            key, n_params, pub[0] if pub else None, reg[0] if reg else None, raw.get(key), adjusted.get(key), verdict,
        ))
    return out


def summary(comparisons: Iterable[Comparison]) -> dict[str, dict[str, int]]:
    """``{experiment: {verdict: count}}``."""
    out: dict[str, dict[str, int]] = {}
    for c in comparisons:
        bucket = out.setdefault(c.key[0], {})
        bucket[c.verdict] = bucket.get(c.verdict, 0) + 1
    return out


def compare_files(
    published_path: str | Path, regenerated_path: str | Path, quantity: str = "successes", level: float = LEVEL,
) -> list[Comparison]:
    """:func:`compare` on two CSV files (see :func:`read_table`)."""
    pub = counts(read_table(published_path, "published table"), quantity)
    reg = counts(read_table(regenerated_path, "regenerated table"), quantity)
    return compare(pub, reg, level)
