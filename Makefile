# The verbs of the project. CI calls `make test` (see .ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_CONTACTS ?= 2000
TEST_WORKERS ?= 2

.PHONY: run test test-fast lint format bench bench-quick bench-tools install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

## make run: install, create the demo workspace if there is none, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/silverplatter demo --if-empty --contacts $(DEMO_CONTACTS) --seed 1
	@echo "Serving Silverplatter on http://$(HOST):$(PORT)  (health: http://$(HOST):$(PORT)/healthz)"
	$(BIN)/silverplatter serve --host $(HOST) --port $(PORT)

## make lint: ruff (lint + format check) and mypy --strict
lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## make test: lint, then every test on SQLite and PostgreSQL (browser tests included), on
## $(TEST_WORKERS) xdist workers: each test module and the browser tests as a whole go to one
## worker (see tests/conftest.py); TEST_WORKERS=0 runs them in this process
test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## make test-fast: every test except the browser tests, without lint
test-fast: dev
	$(BIN)/pytest -m "not browser"

# wrk (Debian's package) loads the tracking endpoint with little CPU of its own;
# without it bench_tracking.py falls back to its Python load generator and says so.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk is not installed: bench_tracking.py will use its Python load generator"

## make bench: the benchmarks at the sizes docs/benchmarks.md reports (long)
bench: dev bench-tools
	$(BIN)/python bench/bench_import.py --rows 1000000
	$(BIN)/python bench/bench_ingest.py --events 10000000 --postgres
	$(BIN)/python bench/bench_demo.py --contacts 100000 --contacts 1000000
	$(BIN)/python bench/bench_recompute.py
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_tracking.py
	$(BIN)/python bench/bench_segments.py --contacts 1000000 --backend sqlite --backend postgresql
	$(BIN)/python bench/bench_tiers.py --contacts 1000000 --backend sqlite
	$(BIN)/python bench/bench_sending.py --recipients 100000 --recipients 1000000 --aiosmtpd --loop uvloop --sinks 2 --workers 2
	$(BIN)/python bench/bench_programmes.py --contacts 1000000 --backend sqlite
	$(BIN)/python bench/bench_programmes.py --contacts 100000 --backend postgresql
	$(BIN)/python bench/bench_predictive.py bank --compare
	$(BIN)/python bench/bench_predictive.py demo --contacts 100000
	$(BIN)/python bench/bench_prediction_write.py --contacts 1000000 --backend postgresql
	$(BIN)/python bench/bench_prediction_write.py --contacts 1000000 --backend sqlite
	$(BIN)/python bench/bench_planning.py --contacts 100000 --backend sqlite postgresql
	$(BIN)/python bench/bench_champion_moves.py --postgres
	$(BIN)/python bench/bench_analytics.py --contacts 1000000
	$(BIN)/python bench/bench_mining.py --contacts 1000000
	$(BIN)/python bench/bench_mining_more.py --contacts 1000000 --no-extras

## make bench-quick: the same benchmarks at small sizes, to check they run
bench-quick: dev bench-tools
	$(BIN)/python bench/bench_import.py --rows 20000
	$(BIN)/python bench/bench_ingest.py --events 100000 --postgres
	$(BIN)/python bench/bench_demo.py --contacts 2000
	$(BIN)/python bench/bench_recompute.py --quick
	$(BIN)/python bench/bench_engine.py --quick
	$(BIN)/python bench/bench_web.py --quick
	$(BIN)/python bench/bench_tracking.py --quick
	$(BIN)/python bench/bench_segments.py --contacts 5000 --backend sqlite --backend postgresql
	$(BIN)/python bench/bench_tiers.py --contacts 5000 --backend sqlite --repeat 1
	$(BIN)/python bench/bench_sending.py --recipients 2000 --baseline 2000 --aiosmtpd
	$(BIN)/python bench/bench_programmes.py --contacts 5000 --backend sqlite --backend postgresql
	$(BIN)/python bench/bench_planning.py --contacts 5000 --backend sqlite postgresql --repeat 1
	$(BIN)/python bench/bench_champion_moves.py --rows 5000 --demo-contacts 2000 --postgres
	$(BIN)/python bench/bench_prediction_write.py --contacts 5000 --backend sqlite --rows 5000 --sample 1000 --repeat 1

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build src/*.egg-info
