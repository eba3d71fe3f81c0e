# Two commands set up a fresh machine: `make demo` and `make test`. Both build .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install benchmarks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/chipwatch demo --db chipwatch.db

test: $(STAMP)
	$(BIN)/python -m pytest -q

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/classify.py
	$(BIN)/python benchmarks/baseline.py
	$(BIN)/python benchmarks/crawl.py --pages 2000 --pages 20000
	$(BIN)/python benchmarks/queries.py

clean:
	rm -rf $(VENV) models chipwatch.db chipwatch.db-wal chipwatch.db-shm
