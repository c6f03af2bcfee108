# The two commands: `make run` and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist): one per core; each module stays in one process.
TEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadfile

.PHONY: run test lint test-sqlite test-services browser format

# serve migrates after taking the data dir's lock, so a second `make run` changes nothing.
# `exec`: make's child is serve itself, so the SIGTERM that make forwards to its child
# on `kill <make pid>` reaches serve (through a shell it would be lost, serve left running).
run: $(VENV)/.deps-run
	exec env HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py serve

test: $(VENV)/.deps-dev browser lint test-sqlite test-services

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.deps-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.deps-run

# Debian's Chromium for the browser tests; they skip with a reason where it cannot be installed.
browser:
	@bash scripts/install-browser.sh

lint: $(VENV)/.deps-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Tests marked `services` (several processes on PostgreSQL + Redis) run in test-services.
test-sqlite: $(VENV)/.deps-dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(PYTEST_PARALLEL) -m "not services"

# The same suite on PostgreSQL + Redis. Skipped with a reason when they are not
# reachable; a failure instead on CI (CI=true) or with ANIWORLD_REQUIRE_SERVICES=1.
test-services: $(VENV)/.deps-dev
	@$(BIN)/python scripts/services_available.py "$(PG_URL)" "$(REDIS_TEST_URL)"; status=$$?; \
	if [ $$status -eq 0 ]; then \
		DATABASE_URL="$(PG_URL)" REDIS_URL="$(REDIS_TEST_URL)" $(BIN)/pytest $(PYTEST_PARALLEL) -m "not embedded"; \
	elif [ $$status -ne 3 ]; then exit $$status; fi

format: $(VENV)/.deps-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
