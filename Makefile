# `make site` and `make test` each set up the virtual environment from scratch when it is
# missing or pyproject.toml changed, then build / test. Needs only python3 (3.11+), git, make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup site test fuzz mutations bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

site: setup
	$(BIN)/sunlight build --out site
	$(BIN)/sunlight build --audience internal --out site-internal

test: setup
	$(BIN)/python -m pytest -q

# Heavier runs, kept out of the default suite.
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -m slow tests/test_fuzz_loader.py

# Every site_config/ mutation through validate, stats and build (a few minutes more than make test).
mutations: setup
	$(BIN)/python -m pytest -q -m slow tests/test_config_mutations.py

bench: setup
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_history.py
	$(BIN)/python benchmarks/bench_body.py
	$(BIN)/python benchmarks/bench_statistics.py
	$(BIN)/python benchmarks/bench_targets.py
	$(BIN)/python benchmarks/bench_search.py --records 1000 10000
	$(BIN)/python benchmarks/bench_serve.py

clean:
	rm -rf $(VENV) site site-internal .pytest_cache .hypothesis
