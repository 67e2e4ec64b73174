import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def quick_workflow(tmp_path_factory):
    """One run of the real workflow on config/quick.yaml in a copy of the repository, shared by the
    tests that read its outputs (tables, figures, the built book): ``(repo, CompletedProcess)``."""
    from test_workflow import copy_repo, snakemake

    repo = copy_repo(tmp_path_factory.mktemp("quick") / "repo")
    return repo, snakemake(repo, "--configfile", "config/quick.yaml")
