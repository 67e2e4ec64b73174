# Entry points (README Quick start): `make quick`, `make run`, `make test-fast` and `make test`.
# All create or reuse the virtual environment .venv/ and install the project into it.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
CORES ?= all

.PHONY: setup run quick test test-fast clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is required"'
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	. $(VENV)/bin/activate && overparam check-config && snakemake --cores $(CORES)

quick: $(STAMP)
	. $(VENV)/bin/activate && overparam check-config config/quick.yaml && snakemake --cores $(CORES) --configfile config/quick.yaml

# The whole suite (CI runs this): one shared quick-workflow run, the browser check, every slow test.
# Two pytest-xdist workers, one test file each at a time; the quick workflow runs once for both
# (tests/conftest.py) on 2 cores while the other worker waits for it or goes on with its files.
test: $(STAMP)
	. $(VENV)/bin/activate && python -m pytest -q -n 2 --dist loadfile

# The developer loop: everything except the tests marked slow (over 5 s) or workflow (snakemake).
test-fast: $(STAMP)
	. $(VENV)/bin/activate && python -m pytest -q -n 2 -m "not slow and not workflow"

clean:
	rm -rf results logs book/_build book/generated benchmarks/out .snakemake
