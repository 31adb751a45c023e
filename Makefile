# The two commands of the README: `make run` (set up and run the kit) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.igm-installed

# Every extra the tests need: the PostgreSQL driver, the hub service, the test tools.
EXTRAS := test,postgres,hub

.PHONY: install run test lint bench lock wheel clean

# Set up once, and again whenever pyproject.toml or the lock file changes. The exact versions
# come from requirements.lock (`make lock` writes it), so CI and every machine get the same.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[$(EXTRAS)]'
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

## Write requirements.lock again from pyproject.toml (newest versions its bounds allow),
## with pip-tools in a venv of its own. Run it after changing a dependency; commit both.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip-tools
	.venv-lock/bin/pip-compile --quiet --extra=hub --extra=postgres --extra=test --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file=requirements.lock pyproject.toml

## The wheel a trainer installs (pipx install dist/igm_kit-*.whl), into dist/
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf book/_build tests/_artifacts .pytest_cache .mypy_cache .ruff_cache dist .venv-lock
