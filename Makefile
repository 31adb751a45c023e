# The two commands of the README: `make run` (set up and run the kit) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.igm-installed

.PHONY: install run test lint bench clean

# Set up once, and again whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Build the book (both languages) and serve apps and book on http://127.0.0.1:8866/
run: $(STAMP)
	$(BIN)/igm book
	$(BIN)/igm serve

## Lint, type-check the engine, run every test (browser and database tests included)
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/caseload_speed.py
	$(BIN)/python benchmarks/gradebook_concurrency.py

clean:
	rm -rf book/_build tests/_artifacts .pytest_cache .mypy_cache .ruff_cache
