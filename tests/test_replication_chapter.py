"""The Replication chapter: crossings, capacity, the comparison tables, the pages and the figures.

Every input is a small synthetic table written here; the statistics are checked against textbook
values and direct computations (determinants, Wilson's formula by hand).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from overparam.errors import BadInput
from overparam.results.capacity import abbas_effective_dimension, kappa, quantum_dimension
from overparam.results.replication import wilson_interval
from overparam.results.tables import TABLES, write_csv
from overparam.results.tables.replication import (
    CAUSE_INIT, CAUSE_QFIM, CAUSE_STOP, NOT_DEMONSTRATED, RANKS_HEADER, REPLICATION_HEADER, replication_ranks_rows,
    replication_rows,
)
from overparam.results.transition import crossing, fraction_at_first

PUB_HEADER = ("experiment", "model", "n", "layers", "n_params", "runs", "successes", "reached_at_some_step", "source",
              "commit")
REC_HEADER = ("experiment", "model", "n", "layers", "n_params", "runs", "successes", "reached_at_some_step",
              "best_final_loss", "protocol", "fixed_successes")


# --- statistics against textbook values -------------------------------------------------------------


def test_wilson_matches_the_formula_by_hand():
    # Wilson (1927): 25/50 at 95 %: centre 0.5, half-width z sqrt(0.25/50 + z^2/10000) / (1 + z^2/50).
    z = 1.959963984540054
    half = z * math.sqrt(0.25 / 50 + z * z / 10000) / (1 + z * z / 50)
    lo, hi = wilson_interval(25, 50)
    assert lo == pytest.approx(0.5 - half, abs=1e-12) and hi == pytest.approx(0.5 + half, abs=1e-12)
    assert (round(lo, 4), round(hi, 4)) == (0.3664, 0.6336)
    # 0/50: the upper end is z^2 / (n + z^2) = 0.0714 (the "rule of three" region).
    assert wilson_interval(0, 50)[1] == pytest.approx(z * z / (50 + z * z), abs=1e-12)


def test_crossing_and_its_interval():
    counts = [(4, 0, 50), (8, 10, 50), (12, 30, 50), (16, 46, 50), (20, 50, 50)]
    c50 = crossing(counts, 0.5)
    # 30/50 = 0.6 >= 0.5 first at M = 12; 10/50 has upper end 0.33 < 0.5, 30/50 upper end reaches 0.5;
    # 30/50 lower end 0.46 < 0.5, 46/50 lower end 0.81 >= 0.5.
    assert (c50.m, c50.lo, c50.hi) == (12, 12, 16)
    c90 = crossing(counts, 0.9)
    assert (c90.m, c90.lo, c90.hi) == (16, 16, 20)
    assert c90.text() == "16 [16, 20]"
    assert crossing([(4, 0, 50), (8, 1, 50)], 0.9).text() == "not reached"
    assert fraction_at_first(counts, 10) == (12, 30, 50)
    assert fraction_at_first(counts, 21) is None


# --- capacity ----------------------------------------------------------------------------------------


def _abbas_direct(mats: list[np.ndarray], n_data: int) -> float:
    """Abbas et al.'s formula with determinants, no eigenvalues and no log-space tricks."""
    m = mats[0].shape[0]
    k = kappa(n_data)
    mean_trace = np.mean([np.trace(f) for f in mats])
    dets = [np.sqrt(np.linalg.det(np.eye(m) + k * m * f / mean_trace)) for f in mats]
    return 2 * math.log(np.mean(dets)) / math.log(k)


def test_abbas_effective_dimension_against_determinants():
    rng = np.random.default_rng(7)
    mats = []
    for _ in range(4):
        a = rng.normal(size=(6, 3))  # rank 3 out of M = 6
        mats.append(a @ a.T)
    spectra = [np.linalg.eigvalsh(f) for f in mats]
    assert abbas_effective_dimension(spectra, n_data=1000) == pytest.approx(_abbas_direct(mats, 1000), rel=1e-10)
    assert quantum_dimension([np.linalg.matrix_rank(f) for f in mats]) == 3


def test_abbas_effective_dimension_of_a_flat_spectrum():
    # r equal non-zero eigenvalues out of M: F̂ has r eigenvalues M / r, so d = r log(1 + κ M / r) / log κ.
    k = kappa(10**6)
    value = abbas_effective_dimension([[2.0] * 3 + [0.0] * 5])
    assert value == pytest.approx(3 * math.log(1 + k * 8 / 3) / math.log(k), rel=1e-12)
    # Zero directions add nothing: padding with zeros changes only the normalisation M.
    assert abbas_effective_dimension([[0.0] * 4]) == 0.0
    with pytest.raises(ValueError):
        abbas_effective_dimension([[1.0, 2.0], [1.0]])


def test_capacity_table_from_sweep_shards(tmp_path):
    import json

    shard = {"ansatz": "tfim-hva", "model": "m", "n": 4, "options": {}, "records": [
        {"layers": 1, "n_params": 2, "ranks": [2, 2], "tolerance": 1e-9, "gaps": [None, None],
         "spectra": [[2.0, 1.0], [1.5, 1.5]]},
        {"layers": 2, "n_params": 4, "ranks": [2, 2], "tolerance": 1e-9, "gaps": [1e9, 1e9],
         "spectra": [[3.0, 1.0, 0.0, 0.0], [2.0, 2.0, 1e-17, 0.0]]},
    ]}
    dla = {"ansatz": "tfim-hva", "model": "m", "n": 4, "dim": 5, "orbit_dim": 2}
    (tmp_path / "s.json").write_text(json.dumps(shard))
    (tmp_path / "d.json").write_text(json.dumps(dla))
    header, make = TABLES["capacity"]
    rows = [dict(zip(header, r)) for r in make([tmp_path / "s.json", tmp_path / "d.json"])]
    assert [r["quantum_dimension"] for r in rows] == [2, 2]
    assert rows[1]["orbit_dim"] == 2 and rows[1]["dla_dim"] == 5
    assert float(rows[1]["abbas_ed"]) == pytest.approx(
        abbas_effective_dimension([[3.0, 1.0, 0.0, 0.0], [2.0, 2.0, 1e-17, 0.0]]), abs=1e-4)


# --- comparison tables -------------------------------------------------------------------------------


def _inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    pub = tmp_path / "training.csv"
    write_csv(pub, PUB_HEADER, [
        ["fig3", "tfim-open", 4, 4, 8, 50, 17, 17, "raw/a", "c0"],    # agrees (record 9/50, p = 0.11)
        ["fig3", "tfim-open", 4, 8, 16, 50, 35, 50, "raw/b", "c0"],   # final differs, reached agrees: stop
        ["fig3", "tfim-open", 4, 10, 20, 50, 48, 48, "raw/c", "c0"],  # both differ: initialisation
        ["fig3", "tfim-open", 4, 12, 24, 50, 50, 50, "raw/d", "c0"],  # not regenerated
        ["supp4", "qaqc", 2, 4, 20, 50, 50, 50, "raw/e", "c0"],
    ])
    rec = tmp_path / "configurations.csv"
    stop = "stop below 1e-11"  # the committed fixed-protocol record: final counts are the fixed protocol's
    write_csv(rec, REC_HEADER, [
        ["fig3", "tfim-open", 4, 4, 8, 50, 9, 9, "9e-12", stop, 9],
        ["fig3", "tfim-open", 4, 8, 16, 50, 50, 50, "8e-12", stop, 50],
        ["fig3", "tfim-open", 4, 10, 20, 50, 30, 30, "7e-12", stop, 30],
        ["fig3", "tfim-open", 4, 14, 28, 50, 50, 50, "7e-12", stop, 50],  # no published counterpart
    ])
    dla = tmp_path / "dla.csv"
    write_csv(dla, ("model", "ansatz", "n", "options", "dim", "orbit_dim", "method"),
              [["tfim-open", "tfim-hva", 4, "", 16, 8, "exact"]])
    return pub, rec, dla


def test_replication_rows_verdicts_and_causes(tmp_path):
    pub, rec, dla = _inputs(tmp_path)
    rows = {(r[2], r[3]): dict(zip(REPLICATION_HEADER, r)) for r in replication_rows([pub, rec, dla])}
    assert rows[(4, 4)]["verdict"] == "agrees" and rows[(4, 4)]["cause"] == ""
    assert rows[(4, 4)]["orbit_dim"] == "8" and rows[(4, 4)]["dla_dim"] == "16"
    assert rows[(4, 8)]["verdict"] == "differs" and rows[(4, 8)]["reached_verdict"] == "agrees"
    assert rows[(4, 8)]["cause"] == CAUSE_STOP
    assert rows[(4, 10)]["verdict"] == "differs" and rows[(4, 10)]["cause"] == CAUSE_INIT
    assert rows[(4, 12)]["verdict"] == "not regenerated" and rows[(4, 12)]["regenerated_k"] == ""
    assert rows[(4, 14)]["verdict"] == "no published counterpart" and rows[(4, 14)]["published_k"] == ""
    # supp4 is not in the record: it is not compared at all (the record ran fig3 only).
    assert all(r[0] == "fig3" for r in replication_rows([pub, rec, dla]))
    assert replication_rows([pub, rec, dla], "supp4") == []
    assert {r[3] for r in replication_rows([pub, rec, dla], "fig3")} == {4, 8, 10, 12, 14}
    # Fisher p of 17/50 vs 9/50 (scipy: 0.1098).
    assert float(rows[(4, 4)]["fisher_p"]) == pytest.approx(0.1098, abs=1e-3)


def test_a_build_row_gets_a_cause_only_where_it_equals_the_record(tmp_path):
    pub, rec, dla = _inputs(tmp_path)
    build = tmp_path / "fig3.csv"
    from overparam.results.tables import TRAIN_HEADER

    runs = []
    for layers, m, k in ((8, 16, 50), (10, 20, 10)):  # L = 8 equals the record; L = 10 does not
        for seed in range(50):
            ok = int(seed < k)
            runs.append(dict(zip(TRAIN_HEADER, ["tfim-open", "tfim-hva", "", 4, layers, m, seed, "1e-12" if ok else "1",
                                                "", 3000, 0.01, 0, 16, 8, "", "", ok, 1e-4, "1e-12" if ok else "1",
                                                ok, "stop below 1e-11", ok])))
    write_csv(build, TRAIN_HEADER, [[r[c] for c in TRAIN_HEADER] for r in runs])
    rows = [dict(zip(REPLICATION_HEADER, r)) for r in replication_rows([pub, rec, build, dla])]
    built = {int(r["layers"]): r for r in rows if r["source"].startswith("build")}
    assert built[8]["cause"] == CAUSE_STOP
    assert built[10]["verdict"] == "differs" and built[10]["cause"] == NOT_DEMONSTRATED


def _published_protocol_inputs(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """The fixture tables plus a published-protocol fig3 record (as record_training.py writes it) and
    supp4 rows in the fixed-protocol record."""
    pub, rec, dla = _inputs(tmp_path)
    with open(pub, "a") as fh:  # more published rows
        fh.write("supp4,qaqc,2,2,10,50,0,0,raw/f,c0\nsupp4,qaqc,2,6,30,50,50,50,raw/g,c0\n"
                 "supp4,qaqc,2,8,40,50,20,50,raw/h,c0\n")
    stop = "stop below 1e-11"
    with open(rec, "a") as fh:
        fh.write(f"supp4,qaqc,2,2,10,50,0,0,1e-2,{stop},0\n"      # 0: the same under the published protocol
                 f"supp4,qaqc,2,4,20,50,50,50,2e-5,{stop},50\n"   # no run at the floor: the same count
                 f"supp4,qaqc,2,6,30,50,50,50,1e-12,{stop},50\n"  # agrees, but only a bound
                 f"supp4,qaqc,2,8,40,50,50,50,1e-12,{stop},50\n")  # differs the way the stop pushes
    new = tmp_path / "fig3-published-protocol.csv"
    write_csv(new, (*REC_HEADER, "engine"), [
        # published 17/50 (reached 17): regenerated 9/50, fixed 9/50 -> agrees on all counts
        ["fig3", "tfim-open", 4, 4, 8, 50, 9, 9, "9e-12", "published", 9, "fermion"],
        # published 35/50 (reached 50): published protocol 33/50 agrees, fixed 50/50 differs: the stop
        ["fig3", "tfim-open", 4, 8, 16, 50, 33, 50, "1e-13", "published", 50, "fermion"],
        # published 48/50 (reached 48): 30/50, reached 30/50 -> differs on both: initialisation
        ["fig3", "tfim-open", 4, 10, 20, 50, 30, 30, "1e-13", "published", 30, "fermion"],
        # published 50/50 (reached 50): 40/50, reached 50/50 -> differs, reached agrees: no cause
        ["fig3", "tfim-open", 4, 12, 24, 50, 40, 50, "1e-13", "published", 50, "fermion"],
        ["fig3", "tfim-open", 4, 16, 32, 50, 50, 50, "1e-13", "published", 50, "fermion"],  # no published row
    ])
    return pub, rec, new, dla


def _reruns_index(tmp_path: Path, successes: int, init: str = "half-pi") -> Path:
    """A reruns index naming one per-run table for the L = 12 row (published 50/50, record 40/50)."""
    runs = tmp_path / "rerun_l12.csv"
    write_csv(runs, ("run", "final_loss", "lowest_loss"),
              [[i, 1e-9 if i < successes else 3e-3, 1e-12] for i in range(50)])
    index = tmp_path / "reruns.csv"
    write_csv(index, ("experiment", "model", "n", "layers", "init", "runs_file"),
              [["fig3", "tfim-open", 4, 12, init, runs.name]])
    return index


@pytest.mark.parametrize("successes, rerun_agrees", [(49, True), (40, False)])
def test_a_rerun_that_agrees_with_the_published_count_names_its_cause(tmp_path, successes, rerun_agrees):
    pub, rec, new, dla = _published_protocol_inputs(tmp_path)
    index = _reruns_index(tmp_path, successes)
    rows = {int(r[3]): dict(zip(REPLICATION_HEADER, map(str, r)))
            for r in replication_rows([pub, rec, new, index, dla], "fig3")}
    assert rows[12]["verdict"] == "differs"  # the record's own count is unchanged by the rerun
    if rerun_agrees:  # 49/50 against the published 50/50: Fisher p = 1
        assert rows[12]["cause"].startswith(CAUSE_INIT + ": a rerun from [0, π/2) gives 49/50 (Fisher p 1.00")
        assert "rerun_l12.csv" in rows[12]["cause"]
    else:  # 40/50 against 50/50 (p = 0.001): the rerun does not demonstrate the cause
        assert rows[12]["cause"] == NOT_DEMONSTRATED
    assert rows[10]["cause"] == CAUSE_INIT and rows[4]["cause"] == ""  # other rows as without the index


def test_a_bad_reruns_index_names_the_problem(tmp_path):
    pub, rec, new, dla = _published_protocol_inputs(tmp_path)
    with pytest.raises(BadInput, match="init 'uniform' is not one of half-pi"):
        replication_rows([pub, rec, new, _reruns_index(tmp_path, 49, init="uniform"), dla])
    index = _reruns_index(tmp_path, 49)
    (tmp_path / "rerun_l12.csv").unlink()
    with pytest.raises(BadInput, match="per-run table .*rerun_l12.csv.* does not exist"):
        replication_rows([pub, rec, new, index, dla])


def test_a_published_protocol_record_replaces_the_fixed_one_and_carries_the_fixed_count(tmp_path):
    pub, rec, new, dla = _published_protocol_inputs(tmp_path)
    all_rows = [dict(zip(REPLICATION_HEADER, map(str, r))) for r in replication_rows([pub, rec, new, dla])]
    fig3 = {int(r["layers"]): r for r in all_rows if r["experiment"] == "fig3"}
    # Each configuration the published-protocol record ran comes from it only; the fixed record's
    # L = 14, which it did not run, stays, with its note on the published protocol.
    assert {int(r["layers"]) for r in all_rows if r["experiment"] == "fig3"} == {4, 8, 10, 12, 14, 16}
    assert [r["source"] for r in all_rows if r["experiment"] == "fig3" and r["layers"] == "14"] == [f"record: {rec}"]
    fig3.pop(14)
    assert {r["source"] for r in fig3.values()} == {f"record: {new}"}
    assert {r["regenerated_protocol"] for r in fig3.values()} == {"published"}
    assert fig3[4]["verdict"] == "agrees" and fig3[4]["fixed_verdict"] == "agrees" and fig3[4]["cause"] == ""
    # The early stop shown on the same runs: the published protocol agrees, the fixed one differs.
    assert fig3[8]["verdict"] == "agrees" and fig3[8]["regenerated_k"] == "33"
    assert fig3[8]["regenerated_fixed"] == "50" and fig3[8]["fixed_verdict"] == "differs"
    assert float(fig3[8]["fixed_p"]) == pytest.approx(
        __import__("scipy.stats").stats.fisher_exact([[35, 15], [50, 0]]).pvalue, rel=1e-3)
    lo, hi = wilson_interval(50, 50)
    assert (float(fig3[8]["fixed_lo"]), float(fig3[8]["fixed_hi"])) == pytest.approx((lo, hi), abs=1e-4)
    assert fig3[10]["cause"] == CAUSE_INIT
    # Under the published protocol the stop cannot be the cause: said, not guessed.
    assert fig3[12]["verdict"] == "differs" and fig3[12]["reached_verdict"] == "agrees"
    assert fig3[12]["cause"] == NOT_DEMONSTRATED
    assert fig3[16]["verdict"] == "no published counterpart" and fig3[16]["published_k"] == ""
    assert fig3[16]["note"] == "the published data has no such configuration"
    assert all(r["protocol_note"] == "" for r in fig3.values())
    # supp4 stays with the fixed-protocol record, and each row says what that implies.
    supp4 = {int(r["layers"]): r for r in all_rows if r["experiment"] == "supp4"}
    assert {r["regenerated_protocol"] for r in supp4.values()} == {"stop below 1e-11"}
    assert "gives the same 0/50" in supp4[2]["protocol_note"]
    assert "gives the same 50/50" in supp4[4]["protocol_note"]
    assert "at most 50/50" in supp4[6]["protocol_note"] and "could still differ" in supp4[6]["protocol_note"]
    assert supp4[8]["verdict"] == "differs" and "the way the early stop pushes" in supp4[8]["protocol_note"]
    assert supp4[8]["cause"] == CAUSE_STOP
    # The experiment filter of the workflow's per-experiment tables.
    assert {r[0] for r in replication_rows([pub, rec, new, dla], "supp4")} == {"supp4"}


def test_a_partial_published_protocol_record_replaces_only_the_configurations_it_ran(tmp_path):
    pub, rec, _, dla = _published_protocol_inputs(tmp_path)
    partial = tmp_path / "supp4-published-protocol.csv"
    # L = 8 rerun with the published protocol: 20/50, as published (the fixed count 50/50 differed).
    write_csv(partial, (*REC_HEADER, "engine"), [["supp4", "qaqc", 2, 8, 40, 50, 20, 50, "1e-14", "published", 50, "jax"]])
    supp4 = [dict(zip(REPLICATION_HEADER, map(str, r))) for r in replication_rows([pub, rec, partial, dla], "supp4")]
    by = {int(r["layers"]): r for r in supp4}
    assert len(supp4) == len(by) == 4  # one row per configuration, none twice
    assert by[8]["source"] == f"record: {partial}" and by[8]["regenerated_protocol"] == "published"
    assert by[8]["verdict"] == "agrees" and by[8]["fixed_verdict"] == "differs" and by[8]["protocol_note"] == ""
    assert {by[L]["source"] for L in (2, 4, 6)} == {f"record: {rec}"}
    assert "gives the same 0/50" in by[2]["protocol_note"]


def test_the_chapter_shows_both_protocols(tmp_path):
    from overparam.report.replication import replication_page, transition_page

    pub, rec, new, dla = _published_protocol_inputs(tmp_path)
    tables = tmp_path / "tables"
    for exp in ("fig3", "supp4", "supp5"):
        header, make = TABLES[f"replication_{exp}"]
        write_csv(tables / f"replication_{exp}.csv", header, make([pub, rec, new, dla]))
    page = replication_page(tables, [], "PROV")
    fig3 = page[page.index("## Fig. 3"):page.index("## Supplementary Fig. 4")]
    supp4 = page[page.index("## Supplementary Fig. 4"):]
    assert "**the published one**" in fig3 and "regenerated, published protocol: final < 1e-4" in fig3
    assert "regenerated, fixed protocol (stop at the floor)" in fig3
    assert "33/50 = 0.66" in fig3 and "50/50 = 1.00 [0.93, 1.00] (**differs**, p = " in fig3
    assert "Fixed protocol beside it (same runs): agrees 2, differs 2." in fig3
    assert "the published protocol agrees in 1 of the 2 rows" in fig3
    # The fixed record keeps only the configuration the published-protocol record did not run (L = 14).
    fixed_block = fig3[fig3.index("configurations.csv"):fig3.index("fig3-published-protocol.csv")]
    assert "| tfim-open | 4 | 14 | 28 |" in fixed_block and "| tfim-open | 4 | 8 | 16 |" not in fixed_block
    assert "**the fixed one** (runs stop once their loss reaches 1e-11)" in supp4
    assert "what it implies for the published protocol" in supp4 and "gives the same 0/50" in supp4
    transition = transition_page(tables, "PROV")
    # fig3 open n = 4: the published-protocol record, and the fixed record's L = 14 that it did not run.
    assert ("regenerated (published protocol; fixed protocol, stop below 1e-11 where no published-protocol "
            "record exists)") in transition and "regenerated, fixed protocol" in transition
    assert "regenerated (fixed protocol, stop below 1e-11)" in transition
    from overparam.figures import replication_fig3

    paths = replication_fig3.draw(tables / "replication_fig3.csv", tmp_path / "rep")  # with the fixed series
    assert all(p.stat().st_size > 1000 for p in paths)


@pytest.mark.parametrize("problem", ["missing", "malformed"])
def test_a_bad_published_table_is_one_row(tmp_path, problem):
    pub, rec, dla = _inputs(tmp_path)
    bad = tmp_path / "bad" / "training.csv"
    bad.parent.mkdir()
    if problem == "malformed":
        bad.write_text("experiment,model\nfig3,tfim-open\n")
    # Malformed: named as the published table but unusable. Missing: left out of the inputs.
    rows = replication_rows([bad, rec, dla] if problem == "malformed" else [rec, dla])
    assert len(rows) == 1 and rows[0][0] == "all" and "published table" in rows[0][-1]
    assert len(rows[0]) == len(REPLICATION_HEADER)
    assert ("lacks the column" if problem == "malformed" else "is missing from the inputs") in rows[0][-1]
    ranks = replication_ranks_rows([tmp_path / "bad" / "ranks.csv"])
    assert len(ranks) == 1 and ranks[0][0] == "all"


def test_a_malformed_count_in_the_published_table_is_one_row_and_in_a_record_one_line(tmp_path):
    pub, rec, new, dla = _published_protocol_inputs(tmp_path)
    bad = tmp_path / "bad" / "training.csv"
    bad.parent.mkdir()
    bad.write_text(pub.read_text().replace("raw/b", "raw/b").replace(",35,50,raw/b", ",lots,50,raw/b"))
    rows = replication_rows([bad, rec, new, dla])
    assert len(rows) == 1 and rows[0][0] == "all" and "successes='lots'" in rows[0][-1]
    broken = tmp_path / "broken.csv"
    broken.write_text(new.read_text().replace(",published,50,", ",published,fifty,", 1))
    with pytest.raises(BadInput, match="broken.csv.*fixed_successes='fifty'"):
        replication_rows([pub, broken, dla])
    beyond = tmp_path / "beyond.csv"  # more successes than runs
    beyond.write_text(new.read_text().replace(",published,50,", ",published,51,", 1))
    with pytest.raises(BadInput, match="fixed_successes=51 of runs=50"):
        replication_rows([pub, beyond, dla])


def test_an_unknown_regenerated_table_is_refused(tmp_path):
    pub, rec, dla = _inputs(tmp_path)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(BadInput):
        replication_rows([pub, odd])


def test_rank_rows(tmp_path):
    pub = tmp_path / "ranks.csv"
    write_csv(pub, ("experiment", "model", "n", "layers", "n_params", "point", "sample", "kind", "noise", "rank"), [
        ["supp2", "tfim-open", 4, 8, 16, "random", 0, "qfim", "none", 12],
        ["supp2", "tfim-open", 4, 8, 16, "random", 1, "qfim", "none", 12],
        ["supp2", "tfim-periodic", 4, 4, 8, "random", 0, "qfim", "none", 4],
    ])
    from overparam.results.tables import SWEEP_HEADER

    sweep = tmp_path / "supp2.csv"
    write_csv(sweep, SWEEP_HEADER, [
        ["tfim-open", "tfim-hva", "", 4, 8, 16, 0, 8, 1e-9, "1e9", 16, 8, "1 1"],
        ["tfim-periodic", "tfim-hva", "", 4, 4, 8, 0, 4, 1e-9, "1e9", 11, 4, "1 1"],
        ["tfim-periodic", "tfim-hva", "", 4, 5, 10, 0, 4, 1e-9, "1e9", 11, 4, "1 1"],
    ])
    rows = {(r[1], r[3]): dict(zip(RANKS_HEADER, r)) for r in replication_ranks_rows([pub, sweep])}
    assert rows[("tfim-open", 16)]["verdict"] == "differs" and rows[("tfim-open", 16)]["cause"] == CAUSE_QFIM
    assert rows[("tfim-periodic", 8)]["verdict"] == "agrees"
    assert rows[("tfim-periodic", 10)]["verdict"] == "no published counterpart"


# --- pages and figures -------------------------------------------------------------------------------


def _chapter_tables(tmp_path: Path) -> Path:
    pub, rec, dla = _inputs(tmp_path)
    tables = tmp_path / "tables"
    for exp in ("fig3", "supp4", "supp5"):
        header, make = TABLES[f"replication_{exp}"]
        write_csv(tables / f"replication_{exp}.csv", header, make([pub, rec, dla]))
    return tables


def test_pages_render_from_synthetic_tables(tmp_path):
    from overparam.report.replication import capacity_page, replication_page, transition_page

    tables = _chapter_tables(tmp_path)
    page = replication_page(tables, ["replication_fig3"], "PROV")
    assert "## Fig. 3" in page and "**differs**" in page and "cause 1" in page and "cause 2" in page
    assert "17/50 = 0.34 [0.22, 0.48]" in page
    assert "The table `replication_ranks.csv` was not built" in page
    assert "figures/replication_fig3.png" in page
    transition = transition_page(tables, "PROV")
    assert "**tfim-open**" in transition and "does not hold" in transition
    assert "The table `capacity.csv` was not built" in capacity_page(tables, [], "PROV")


def test_pages_say_a_bad_published_table_in_one_line(tmp_path):
    from overparam.report.replication import replication_page, transition_page

    pub, rec, dla = _inputs(tmp_path)
    tables = tmp_path / "tables"
    header, make = TABLES["replication_fig3"]
    write_csv(tables / "replication_fig3.csv", header, make([rec, dla]))
    page = replication_page(tables, [], "PROV")
    assert "is missing from the inputs; no published value is shown" in page and "## Fig. 3" not in page
    assert "is missing" in transition_page(tables, "PROV")
    # The other experiments' tables were not built: each says so in one line.
    assert "The table `replication_supp4.csv` was not built" in page


def test_quick_scale_build_is_labelled(tmp_path):
    from overparam.report.replication import replication_page
    from overparam.results.tables import TRAIN_HEADER

    pub, rec, dla = _inputs(tmp_path)
    build = tmp_path / "fig3.csv"
    write_csv(build, TRAIN_HEADER, [["tfim-open", "tfim-hva", "", 4, 8, 16, s, "1e-12", "", 1500, 0.01, 0, 16, 8,
                                     "", "", 1, 1e-4, "1e-12", 1, "stop below 1e-11", 1] for s in range(4)])
    tables = tmp_path / "tables"
    header, make = TABLES["replication_fig3"]
    write_csv(tables / "replication_fig3.csv", header, make([pub, rec, build, dla]))
    assert "not the published scale" in replication_page(tables, [], "PROV")


def test_figures_draw(tmp_path):
    from overparam.figures import FIGURES
    from overparam.figures import capacity, replication_fig3, replication_ranks

    ours = {"capacity", "replication_fig3", "replication_supp4", "replication_supp5", "replication_ranks"}
    assert ours <= set(FIGURES)
    tables = _chapter_tables(tmp_path)
    paths = replication_fig3.draw(tables / "replication_fig3.csv", tmp_path / "rep")
    assert all(p.stat().st_size > 1000 for p in paths)
    ranks = tmp_path / "ranks.csv"
    write_csv(ranks, RANKS_HEADER, [["supp2", "tfim-open", 4, 16, "qfim", "random", "none", 8, 2, "12", 3, "8",
                                     "differs", CAUSE_QFIM, ""]])
    assert all(p.exists() for p in replication_ranks.draw(ranks, tmp_path / "ranks"))
    cap = tmp_path / "capacity.csv"
    from overparam.results.tables import CAPACITY_HEADER

    write_csv(cap, CAPACITY_HEADER, [["m", 4, p, 2 * p, 3, min(2 * p, 8), min(2 * p, 8), min(2 * p, 8) * 0.98, 0.5,
                                      10**6, 1.0, 1e-9, 16, 8] for p in range(1, 7)])
    assert all(p.exists() for p in capacity.draw(cap, tmp_path / "cap"))


def test_spectra_overlay_scales_published_qfim_and_draws(tmp_path):
    import gzip

    from overparam.figures import replication_spectra
    from overparam.results.tables.geometry import SPECTRA_HEADER as GEO

    pub = tmp_path / "spectra.csv.gz"
    with gzip.open(pub, "wt") as fh:
        fh.write("experiment,model,n,layers,point,sample,kind,noise,eigenvalues,source,commit\n")
        fh.write("fig4,tfim-periodic,4,2,random,1,qfim,none,1e-17;0.5;1;2,raw/x,c0\n")
        fh.write("fig4,tfim-periodic,4,2,random,1,hessian,none,-1;0.5;1;3,raw/y,c0\n")
        fh.write("fig4,tfim-open,4,2,random,1,qfim,none,0;0;1;2,raw/z,c0\n")  # no regenerated counterpart
    geo = tmp_path / "fig4.csv"
    write_csv(geo, GEO, [["tfim-periodic", "tfim-hva", "", 4, 2, 4, "random", 0, "0.1", "1", "qfim", i + 1, v, 3, "",
                          1e-9, 11, 4] for i, v in enumerate([8.0, 4.0, 2.0, 0.0])])
    header, make = TABLES["replication_spectra"]
    rows = [dict(zip(header, r)) for r in make([pub, geo])]
    published = [float(r["eigenvalue"]) for r in rows if r["side"] == "published"]
    assert published == [8.0, 4.0, 2.0, 4e-17]  # ×4, by magnitude; the Hessian and the open chain have no partner
    assert {r["model"] for r in rows} == {"tfim-periodic"} and {r["kind"] for r in rows} == {"qfim"}
    write_csv(tmp_path / "s.csv", header, [[r[c] for c in header] for r in rows])
    assert all(p.exists() for p in replication_spectra.draw(tmp_path / "s.csv", tmp_path / "overlay"))
    bad = make([geo])
    assert len(bad) == 1 and bad[0][0] == "all"


def test_scale_page_counts_configurations_and_wall_time(tmp_path):
    import json

    from overparam.report.replication import scale_rows
    from overparam.results.tables import TRAIN_HEADER

    pub, rec, dla = _inputs(tmp_path)
    published = tmp_path / "published"
    published.mkdir()
    (published / "training.csv").write_text(pub.read_text())
    tables = tmp_path / "tables"
    write_csv(tables / "fig3.csv", TRAIN_HEADER, [["tfim-open", "tfim-hva", "", 4, layers, 2 * layers, s, "1", "", 3000,
                                                   0.01, 0, 16, 8, "", "", 0, 1e-4, "1", 0, "stop below 1e-11", 0]
                                                  for layers in (4, 8, 10, 12) for s in range(50)])
    bench = tmp_path / "bench" / "train_run"
    bench.mkdir(parents=True)
    (bench / "fig3_a.tsv").write_text("s\th:m:s\n60.0\t0:01:00\n")
    (bench / "supp4_a.tsv").write_text("s\th:m:s\n600.0\t0:10:00\n")
    results = tmp_path / "results"
    results.mkdir()
    (results / "training_paper_scale.json").write_text(json.dumps(
        {"date": "2026-12-02", "columns": ["experiment", "job wall (min)"], "rows": [["fig3", "2.5"], ["fig3", "1"]]}))
    rows = {r[0]: r for r in scale_rows(tables, published, results, tmp_path / "bench")}
    assert rows["fig3"][1].startswith("4 configurations, n = 4, up to 50")
    assert rows["fig3"][3] == "yes: every published configuration"
    assert rows["fig3"][4] == "1.0" and rows["fig3"][5] == "3.5 (2026-12-02)"
    assert rows["supp4"][1] == "not in this build" and rows["supp4"][5] == "none committed"


def test_an_empty_comparison_table_draws_a_figure_that_says_so(tmp_path):
    """A quick build may have no configuration with published spectra: the figure is drawn anyway
    (a header-only table is refused only where it means a missing result)."""
    from overparam.cli import main
    from overparam.results.tables import TABLES

    table = tmp_path / "replication_spectra.csv"
    write_csv(table, TABLES["replication_spectra"][0], [])
    assert main(["figure", "replication_spectra", str(table), "--out", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig.png").stat().st_size > 0 and (tmp_path / "fig.pdf").stat().st_size > 0
