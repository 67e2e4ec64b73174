import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def quick_workflow(tmp_path_factory):
    """One run of the real workflow on config/quick.yaml with a tiny XXZ study over it, in a copy of
    the repository, shared by every test that reads its outputs (tables, figures, study page, the
    built book): ``(repo, CompletedProcess)``."""
    from helpers import QUICK_RUN, TINY_STUDY, copy_repo, snakemake

    repo = copy_repo(tmp_path_factory.mktemp("quick") / "repo")
    (repo / "config/tiny_xxz.yaml").write_text(TINY_STUDY)
    return repo, snakemake(repo, *QUICK_RUN)


# `make test` runs the suite on two pytest-xdist workers (--dist loadgroup). The tests that read the
# shared quick-workflow run go to one worker together, so the workflow runs once, not once per worker.
QUICK_GROUP = "quick_workflow"


# tryfirst: pytest-xdist reads the xdist_group marks in its own collection hook, which must see them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    grouped = set()
    for item in items:
        # test_slurm.py reaches the fixture through request.getfixturevalue, invisible to fixturenames.
        if "quick_workflow" in getattr(item, "fixturenames", ()) or item.module.__name__.endswith("test_slurm"):
            item.add_marker(pytest.mark.xdist_group(QUICK_GROUP))
            grouped.add(item.nodeid)
    # The workflow run is the longest single piece: collected first, it starts at once on its worker
    # while the other worker takes the unit tests, instead of running alone at the end.
    items.sort(key=lambda item: item.nodeid not in grouped)
