# The two set-up commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TRUSTROOM_DATA_DIR ?= ./var
TRUSTROOM_BASE_URL ?= http://127.0.0.1:$(PORT)
export TRUSTROOM_DATA_DIR TRUSTROOM_BASE_URL

.PHONY: run test test-fast lint install demo clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/trustroom migrate --noinput
	$(BIN)/trustroom demo
	@echo "Trustroom is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/trustroom runserver 127.0.0.1:$(PORT)

demo: install
	$(BIN)/trustroom migrate --noinput
	$(BIN)/trustroom demo

# The whole suite: quality gates, then the tests on SQLite and on the real PostgreSQL (RLS) + Redis,
# including the browser tests in headless Chromium.
test: install
	bash scripts/test.sh

# The inner loop: SQLite only, no browser.
test-fast: install
	$(BIN)/pytest -q -m "not e2e and not postgres"

lint: install
	bash scripts/test.sh --lint-only

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
