# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
DEMO_ARCHIVE ?= demo-archive

.PHONY: setup test lint typecheck unit demo demo-archive shell eval eval-xml bench clean

setup: $(STAMP)

# pip's output goes to a log, shown only when an install fails.
$(STAMP): pyproject.toml
	@echo "setting up $(VENV) (pip's log: $(VENV)/pip.log)"
	@$(PYTHON) -m venv $(VENV)
	@{ $(BIN)/pip install --upgrade pip && $(BIN)/pip install -e '.[test]'; } \
		> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $(STAMP)

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

# Every event of the development corpus exported as AKN and TEI, every file schema-validated.
eval-xml: setup
	$(BIN)/python tests/export_xml_gate.py --corpus $(SHARED)/corpus

# Ingest a few hundred real pages (../shared/corpus, else the packaged sample), then serve them.
demo: demo-archive
	$(BIN)/stenogram serve --archive $(DEMO_ARCHIVE) --host 127.0.0.1 --port 8000

demo-archive: setup
	$(BIN)/python -m stenogram.demo --shared $(SHARED) --archive $(DEMO_ARCHIVE)

# The README's tour: a shell with the project's `stenogram` on PATH and the demo archive as the
# default archive (`exit` to leave).
shell: demo-archive
	@echo "stenogram: $(CURDIR)/$(BIN)/stenogram; archive: $(DEMO_ARCHIVE) (exit to leave)"
	@PATH="$(CURDIR)/$(BIN):$$PATH" STENOGRAM_ARCHIVE="$(CURDIR)/$(DEMO_ARCHIVE)" $${SHELL:-/bin/sh}

bench: setup
	$(BIN)/python bench/parse.py --corpus $(SHARED)/corpus

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DEMO_ARCHIVE) test-output
