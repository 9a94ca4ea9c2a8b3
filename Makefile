# The two set-up commands of the README: `make run` and `make test`.
# Both create the project's own virtual environment on first use: the locked versions of the
# runtime and test dependencies (requirements-test.txt), then the project itself, editable.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench

$(BIN)/.installed: requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Run the app on its embedded defaults (SQLite in instance/, mail kept in the outbox, Jitsi) with
# demo data and the scheduler beside it; links in mail and feeds follow HOST and PORT.
run: $(BIN)/.installed
	HOST=$(HOST) PORT=$(PORT) scripts/run-dev

tests/js/node_modules/.package-lock.json: tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent

# Static checks (settings in pyproject.toml), before the suite: ruff's lint rules, the import
# layers (import-linter), and mypy over balint_online/. A finding fails.
lint: $(BIN)/.installed
	$(BIN)/ruff check balint_online tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# The whole suite: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set. pytest-xdist workers
# (one more than the cores), each with databases of its own (tests/conftest.py); a worker free takes tests
# from a busy one, as their lengths differ a lot.
test: lint tests/js/node_modules/.package-lock.json
	scripts/ensure-package chromium chromium "the browser tests"
	$(BIN)/pytest -q -n auto --dist worksteal

# Benchmarks, each a ratio to a baseline measured in the same run (see README, "Speed").
bench: $(BIN)/.installed
	scripts/ensure-package wrk wrk "the served benchmark"
	for b in bench/bench_*.py; do $(BIN)/python -m bench.$$(basename $$b .py) || exit 1; done
