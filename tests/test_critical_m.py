"""The one critical-M rule (``overparam.results.critical.first_m``) and the places that use it."""

from __future__ import annotations

from overparam.report.comparison import rank_saturation
from overparam.results.beyond import summarize
from overparam.results.critical import first_m, first_m_at
from overparam.results.tables import critical_rows, read_csv
from page_inputs import write_inputs


def test_first_m_is_the_smallest_m_that_reaches():
    ranks = {8: 6, 2: 2, 6: 6, 4: 4}  # unsorted on purpose
    assert first_m(ranks) == 6  # default: the first M at the largest value
    assert first_m(ranks, lambda r: r >= 4) == 4
    assert first_m(ranks, lambda r: r > 6) is None
    assert first_m([(3, 0.5), (1, 0.95), (2, 1.0)], lambda f: f >= 0.9) == 1
    assert first_m({}) is None
    assert first_m_at([(2, 0.5), (4, 0.9), (6, 1.0)]) == 4
    assert first_m_at([(2, 0.5)]) == "not reached"


def test_tables_and_pages_agree_on_the_critical_m(tmp_path):
    tables = write_inputs(tmp_path)
    files = [tables / "fig2.csv", tables / "supp2.csv", tables / "dla.csv"]
    from_table = {(r[0], int(r[3])): r[9] for r in critical_rows(files)}
    sat = rank_saturation(tables)
    assert from_table == {key: s.m_c for key, s in sat.items()}
    # Written out by hand from the synthetic sweeps: ranks 2, 4, 6, 6 and 4, 8, 9 and 5, 10, 15, 15.
    assert from_table == {("tfim-periodic", 4): 6, ("tfim-open", 4): 12, ("qaqc", 2): 15}


def test_beyond_critical_m_is_where_the_orbit_dimension_is_reached(tmp_path):
    tables = write_inputs(tmp_path)
    by_model = {s.model: s for s in summarize(read_csv(tables / "beyond.csv"))}
    # Periodic chain, orbit 8: max rank over the points 4, 8, 8 (one point lags at M = 8).
    periodic = by_model["tfim-periodic"]
    assert (periodic.m_c, periodic.m_c_all, periodic.m_c_tight) == (8, 12, 8)
    assert by_model["tfim-open"].m_c is None  # orbit 50 is never reached by M <= 12
