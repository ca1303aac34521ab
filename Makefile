# Two commands for a new user: `make run` serves the API, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# bench/ is optional: lint only the folders that exist.
LINT_PATHS := $(wildcard src tests bench)

.PHONY: run test lint typecheck importlint pytest install bench fuzz loadtest vendor screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)

# With FINANCE_STORAGE=memory the first two steps say so and do nothing: the server creates
# (and prints) the admin itself.
run: $(STAMP)
	$(BIN)/finance db upgrade
	$(BIN)/finance create-admin --if-none
	$(BIN)/finance serve

test: $(DEV_STAMP) lint typecheck importlint pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	scripts/vendor-chartjs --check

# Fetch the vendored browser libraries again from the npm registry (pinned, hash-checked).
vendor:
	scripts/vendor-chartjs

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

importlint: $(DEV_STAMP)
	$(BIN)/lint-imports

pytest: $(DEV_STAMP)
	$(BIN)/pytest

bench: $(DEV_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# The schema fuzzer of `make test`, with many more examples per operation and a new seed each
# run (set FINANCE_FUZZ_SEED to replay one): before a release.
fuzz: $(DEV_STAMP)
	FINANCE_FUZZ_EXAMPLES=$${FINANCE_FUZZ_EXAMPLES:-300} \
	FINANCE_FUZZ_SEED=$${FINANCE_FUZZ_SEED:-$$(date +%s)} $(BIN)/pytest tests/fuzz

# 60 s of mixed traffic from every role against two instances on one PostgreSQL database,
# then a reconciliation of what clients were told against what is stored (loopback only).
loadtest: $(DEV_STAMP)
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

# The README's pictures of the web pages, taken in Debian's headless Chromium (.ci/browser
# installs it) over a fresh database with demo data.
screenshots: $(DEV_STAMP)
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache src/*.egg-info
