# newsflow: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test-tools demo test test-shifted test-engine test-stack lint docs unit bench fuzz clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "newsflow needs $(PYTHON) on PATH (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e '.[test,fast,fasttext]'
	touch $(STAMP)

## install: create .venv and install newsflow with its test extras (CLI at .venv/bin/newsflow)
install: $(STAMP)

## demo: serve the bundled demo newsroom on loopback and run news_ingest against the embedded search server
demo: $(STAMP)
	$(BIN)/newsflow demo

## test-tools: Debian's Chromium (Airflow UI test) and libfaketime (time-shifted lanes), when missing
test-tools:
	@bash scripts/ensure-test-tools.sh

## test: lint, then the whole test suite (unit, integration, end to end)
test: $(STAMP) test-tools lint
	@bash tests/engine/run.sh --status
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-stack: news_ingest on the production stack without Docker (PostgreSQL, Redis, CeleryExecutor,
## two workers); installs Debian's postgresql and redis-server first if missing (tests/stack/setup.sh).
## It indexes into the real engine of test-engine when this machine can run it (or NEWSFLOW_TEST_ES_URL
## names one), else into the embedded server.
test-stack: $(STAMP)
	bash tests/stack/setup.sh
	@if [ -z "$${NEWSFLOW_TEST_ES_URL:-}" ] && PYTHON=$(BIN)/python bash tests/engine/run.sh --can-run; then \
		PYTHON=$(BIN)/python bash tests/engine/run.sh --run $(BIN)/python -m pytest tests/stack -m stack $(PYTEST_ARGS); \
	else \
		$(BIN)/python -m pytest tests/stack -m stack $(PYTEST_ARGS); \
	fi

# What the time-shifted lanes run: every test that touches dates, windows, schedules,
# backfills, deadlines, alerts and the demo (the quality benchmarks over real pages do not).
SHIFTED_TESTS ?= tests -m "not realdata"

## test-shifted: the suite again with the clock moved 400 days ahead, then 30 days back (libfaketime;
## only the calendar moves, see scripts/shifted)
test-shifted: $(STAMP) test-tools
	scripts/shifted '+400d' $(BIN)/python -m pytest -p no:cacheprovider $(SHIFTED_TESTS) $(PYTEST_ARGS)
	scripts/shifted '-30d' $(BIN)/python -m pytest -p no:cacheprovider $(SHIFTED_TESTS) $(PYTEST_ARGS)

## test-engine: the index tests against a real Elasticsearch 9 from Maven Central (JDK 21+, mvn; docs/engines.md)
test-engine: $(STAMP)
	PYTHON=$(BIN)/python bash tests/engine/run.sh

## unit: only the fast unit tests
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

## lint: ruff (with C901 at 10), ruff format --check, and mypy --strict over include/newsflow, dags, plugins
## (the same checks as .pre-commit-config.yaml; settings in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## docs: build the topic pages under docs/ with MkDocs, strictly (a broken link fails); docs/settings.md
## must be the page generated from Settings (`python -m newsflow.settings_doc` rewrites it)
docs: $(STAMP)
	$(BIN)/python -m newsflow.settings_doc --check
	$(BIN)/mkdocs build --strict --quiet

## bench: print the benchmark figures
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

## fuzz: a long random Hypothesis run over fetch -> archive -> clean -> enrich (FUZZ_EXAMPLES=2000)
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	NEWSFLOW_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) NEWSFLOW_FUZZ_RANDOM=1 $(BIN)/python -m pytest -x -q tests/reliability/test_fuzz_pipeline.py

clean:
	rm -rf .newsflow .pytest_cache
