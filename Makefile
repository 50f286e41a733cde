# Jifang: `make run` sets up and serves the demo city; `make test` sets up and runs the whole suite.
PYTHON ?= $(shell scripts/find-python)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: run test setup migrate seed bench traceability clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	@scripts/system-packages
	@cd src/jifang && JIFANG_VAR_DIR=$${JIFANG_VAR_DIR:-$(CURDIR)/var} ../../$(BIN)/jifang compilemessages -v 0  # state stays out of src/

migrate: setup
	$(BIN)/jifang migrate --no-input -v 0

run: migrate
	$(BIN)/jifang demo --if-empty
	$(BIN)/jifang up

# The browser journeys run on their own, one at a time, after the rest: they measure what a person
# sees (an alarm live within 1 s), which two busy workers beside them would distort, and no thread
# left by a protocol-server test can hold their in-memory SQLite database.
test: setup
	@scripts/system-packages --test
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not browser"
	$(BIN)/python -m pytest -p no:xdist -m browser

traceability: setup
	$(BIN)/jifang regulation coverage --format md > docs/traceability.md

# e.g. make bench BENCH_ARGS="--backend both --scale 100000" (PostgreSQL at JIFANG_BENCH_PG_URL)
BENCH_ARGS ?= --scale 100000
bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
