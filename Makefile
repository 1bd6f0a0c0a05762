# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
DEMO_ARCHIVE ?= demo-archive

.PHONY: setup test lint typecheck unit demo eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest

test: lint typecheck unit

eval: setup
	$(BIN)/python tests/quality_gate.py --corpus $(SHARED)/corpus

# Ingest a few hundred real pages (../shared/corpus, else the packaged sample), then serve them.
demo: setup
	$(BIN)/python -m stenogram.demo --shared $(SHARED) --archive $(DEMO_ARCHIVE)
	$(BIN)/stenogram serve --archive $(DEMO_ARCHIVE) --host 127.0.0.1 --port 8000

bench: setup
	$(BIN)/python bench/parse.py --corpus $(SHARED)/corpus

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DEMO_ARCHIVE) test-output
