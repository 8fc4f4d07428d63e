# A newcomer needs two commands:  make demo   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/bankcrm_ci

.PHONY: setup setup-test demo test test-sqlite test-postgres lint format bench

# The demo needs the runtime dependencies only (no Spark, no test tools): a smaller, faster first start.
setup: $(VENV)/.runtime

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The tests add Spark (the scale-out engine is tested against DuckDB) and the test tools.
setup-test: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $(VENV)/.runtime
	touch $@

demo: setup
	$(BIN)/bankcrm demo

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# SQLite (embedded) runs everything; PostgreSQL runs everything that touches the database.
test: lint test-sqlite test-postgres

test-sqlite: setup-test
	$(BIN)/pytest -n 2 --dist loadgroup

test-postgres: setup-test
	BANKCRM_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 --dist loadgroup -m "not spark and not browser"

format: setup-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup-test
	$(BIN)/python benchmarks/import_bench.py
	$(BIN)/python benchmarks/metrics_bench.py
