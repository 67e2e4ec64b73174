"""overparam.results.replication: intervals and tests against textbook values, the comparison's verdicts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import scipy.stats

from overparam.errors import BadInput
from overparam.results import replication as rep

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "k, n, lo, hi",
    [  # Newcombe, Stat. Med. 17, 857 (1998), Table II, method 3 (Wilson score, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(k, n, lo, hi):
    got = rep.wilson_interval(k, n)
    assert got == pytest.approx((lo, hi), abs=5e-5)


@pytest.mark.parametrize("k", [0, 1, 7, 25, 38, 49, 50])
def test_wilson_interval_matches_scipy(k):
    ci = scipy.stats.binomtest(k, 50).proportion_ci(confidence_level=0.95, method="wilson")
    assert rep.wilson_interval(k, 50) == pytest.approx((ci.low, ci.high), abs=1e-12)
    lo, hi = rep.wilson_interval(k, 50, confidence=0.99)
    assert lo <= ci.low and hi >= ci.high  # a wider interval at a higher confidence


def test_fisher_p_textbook_values():
    # Fisher's lady tasting tea: 3 of 4 cups right in each row, two-sided p = 17/35
    assert rep.fisher_p(3, 4, 1, 4) == pytest.approx(17 / 35)
    # identical samples cannot differ; all versus none of 50 differ overwhelmingly (p = 2 / C(100, 50))
    assert rep.fisher_p(20, 50, 20, 50) == pytest.approx(1.0)
    assert rep.fisher_p(50, 50, 0, 50) == pytest.approx(2 / 100891344545564193334812497256)
    with pytest.raises(ValueError):
        rep.fisher_p(51, 50, 0, 50)


def test_holm_adjustment():
    assert rep.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert rep.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def _write(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(experiment, model, n, layers, runs, k, reached=""):
    return dict(experiment=experiment, model=model, n=n, layers=layers, n_params=2 * layers, runs=runs,
                successes=k, reached_at_some_step=reached)


def test_compare_verdicts_and_missing_rows(tmp_path):
    pub = _write(tmp_path / "pub.csv", [
        _row("fig3", "tfim-open", 6, 10, 50, 11, 11),
        _row("fig3", "tfim-open", 6, 12, 50, 20, 20),
        _row("fig3", "tfim-open", 6, 14, 50, 30, 30),  # not regenerated
    ])
    ours = _write(tmp_path / "ours.csv", [
        _row("fig3", "tfim-open", 6, 10, 50, 0, 0),
        _row("fig3", "tfim-open", 6, 12, 50, 21, ""),  # no reached count in this table
        _row("fig3", "tfim-open", 6, 16, 50, 50, 50),  # no published counterpart
    ])
    out = {c.key[3]: c for c in rep.compare_files(pub, ours)}
    assert out[10].verdict == "differs" and out[10].p_value == pytest.approx(rep.fisher_p(11, 50, 0, 50))
    assert out[12].verdict == "agrees"
    assert out[14].verdict == "not regenerated" and out[14].regenerated is None and out[14].p_value is None
    assert out[16].verdict == "no published counterpart" and out[16].published is None
    row = dict(zip(rep.Comparison.HEADER, out[16].row()))
    assert row["published"] == "" and row["regenerated"] == "50/50" and row["regenerated_hi"] == "1.000"
    assert rep.summary(out.values()) == {
        "fig3": {"differs": 1, "agrees": 1, "not regenerated": 1, "no published counterpart": 1}}
    # the other quantity: the row without a reached count is missing on that side, never invented
    reached = {c.key[3]: c for c in rep.compare_files(pub, ours, quantity="reached")}
    assert reached[12].verdict == "not regenerated"


def test_bad_tables_are_one_line(tmp_path):
    with pytest.raises(BadInput, match="does not exist"):
        rep.read_table(tmp_path / "absent.csv", "published table")
    bad = tmp_path / "bad.csv"
    bad.write_text("experiment,model,n\nfig3,tfim-open,4\n")
    with pytest.raises(BadInput, match="lacks the column") as err:
        rep.read_table(bad)
    assert "\n" not in str(err.value)
    with pytest.raises(BadInput):
        rep.counts([], quantity="lowest")
    with pytest.raises(BadInput):
        rep.compare({}, {}, level=1.5)


def test_shipped_published_table_against_the_paper_scale_record():
    """The shipped tables compare row by row; counts quoted in docs/replication.md."""
    cs = rep.compare_files(ROOT / "data/published/training.csv", ROOT / "docs/paper-scale/configurations.csv")
    by = {c.key: c for c in cs}
    c = by[("supp4", "qaqc", 5, 125)]
    assert (c.published.k, c.published.runs, c.regenerated.k, c.verdict) == (8, 50, 50, "differs")
    assert by[("fig3", "tfim-open", 10, 102)].verdict == "not regenerated"
    reached = rep.summary(rep.compare_files(
        ROOT / "data/published/training.csv", ROOT / "docs/paper-scale/configurations.csv", quantity="reached"))
    assert reached["supp4"] == {"agrees": 28}


def test_shipped_published_protocol_record():
    """The committed fig3 record of the published protocol: both protocols' counts as docs/replication.md quotes."""
    pub, record = ROOT / "data/published/training.csv", ROOT / "docs/paper-scale/fig3-published-protocol.csv"
    # The fixed protocol's count is tested against the published successes (the paper's criterion).
    fixed_rows = rep.compare(rep.counts(rep.read_table(pub)), rep.counts(rep.read_table(record), "fixed"))
    summaries = {q: rep.summary(rep.compare_files(pub, record, q))["fig3"] for q in ("successes", "reached")}
    summaries["fixed"] = rep.summary(fixed_rows)["fig3"]
    assert summaries["successes"] == {"agrees": 121, "differs": 8, "not regenerated": 1}
    assert summaries["fixed"] == {"agrees": 98, "differs": 31, "not regenerated": 1}
    assert summaries["reached"] == {"agrees": 122, "differs": 7, "not regenerated": 1}
    by = {c.key: c for c in rep.compare_files(pub, record, "successes")}
    fixed = {c.key: c for c in fixed_rows}
    key = ("fig3", "tfim-open", 10, 104)
    assert (by[key].regenerated.k, fixed[key].regenerated.k, by[key].verdict, fixed[key].verdict) == (
        14, 50, "agrees", "differs")
    # A published-protocol count can never exceed the fixed protocol's from the same runs.
    assert all(by[k].regenerated.k <= fixed[k].regenerated.k for k in by if by[k].regenerated)


def test_shipped_supp4_published_protocol_record():
    """The committed supp4 record of the published protocol, with the fixed record for the 7 rows it equals, as
    docs/replication.md quotes."""
    from overparam.results.tables.replication import REPLICATION_HEADER, replication_rows

    pub = ROOT / "data/published/training.csv"
    records = [ROOT / "docs/paper-scale/configurations.csv", ROOT / "docs/paper-scale/supp4-published-protocol.csv"]
    rows = [dict(zip(REPLICATION_HEADER, map(str, r))) for r in replication_rows([pub, *records], "supp4")]
    assert len(rows) == len({(r["n"], r["layers"]) for r in rows}) == 28  # one row per configuration
    published_protocol = [r for r in rows if r["regenerated_protocol"] == "published"]
    assert len(published_protocol) == 21 and all(r["verdict"] == "agrees" for r in published_protocol)
    by = {(int(r["n"]), int(r["layers"])): r for r in rows}
    # The rows the fixed protocol got wrong, rerun: published-protocol count, fixed count of the same runs.
    for key, (published, regenerated, fixed) in {(4, 40): (43, 46, 50), (5, 85): (22, 21, 49), (5, 95): (23, 23, 50),
                                                 (5, 105): (14, 19, 50), (5, 115): (12, 7, 50),
                                                 (5, 125): (8, 9, 50)}.items():
        r = by[key]
        assert (int(r["published_k"]), int(r["regenerated_k"]), int(r["regenerated_fixed"])) == (published, regenerated, fixed)
        assert r["fixed_verdict"] == "differs"
    # The 7 rows left to the fixed record (n = 5, L = 15 ... 75): no run reached the floor, so they are exact.
    assert {k for k, r in by.items() if r["regenerated_protocol"] != "published"} == {(5, L) for L in range(15, 76, 10)}
    assert all(r["verdict"] == "agrees" for r in rows)
    assert sum(r["reached_verdict"] == "agrees" for r in rows) == 28
