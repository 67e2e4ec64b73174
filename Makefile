# Two entry points (README Quick start): `make run` and `make test`.
# Both create or reuse the virtual environment .venv/ and install the project into it.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
CORES ?= all

.PHONY: setup run quick test clean

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

test: $(STAMP)
	. $(VENV)/bin/activate && python -m pytest -q

clean:
	rm -rf results logs book/_build book/generated benchmarks/out .snakemake
