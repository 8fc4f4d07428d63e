# A newcomer needs two commands:  make demo   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/bankcrm_ci

.PHONY: setup demo test test-sqlite test-postgres lint format bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $@

demo: setup
	$(BIN)/bankcrm demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# SQLite (embedded) runs everything; PostgreSQL runs everything that touches the database.
test: lint test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest -n 2 --dist loadgroup

test-postgres: setup
	BANKCRM_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 --dist loadgroup -m "not spark and not browser"

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python benchmarks/import_bench.py
	$(BIN)/python benchmarks/metrics_bench.py
