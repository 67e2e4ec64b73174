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

