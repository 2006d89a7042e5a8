# One command to run the bot, one to run every test (README.md "Quick start").
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

# Test workers (pytest-xdist). Most of a test's time is spent waiting on sockets and the outbox,
# so 4 workers keep 2 cores busy; `make test WORKERS=0` runs in one process.
WORKERS ?= 4
# pip: only our progress lines, real warnings and errors. No "new pip available" notice, and not
# setuptools' "Editable installation." note, which every editable install of a flat layout gets
# (the filter matches that message alone: a deprecation from our pyproject would still show).
PIP := PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONWARNINGS="ignore:Editable installation." \
	$(BIN)/pip install --quiet --constraint requirements.lock

.PHONY: run test test-fast lint setup demo try bench lock clean

# The same versions on every machine: requirements.lock constrains every install.
$(BIN)/casebot: pyproject.toml requirements.lock
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@echo "Installing casebot and its test tools (versions from requirements.lock)"
	@$(PIP) --upgrade pip
	@$(PIP) -e ".[test]"
	@touch $(BIN)/casebot

setup: $(BIN)/casebot

## run: install, migrate the database (SQLite by default) and run the bot with the settings in .env
run: setup
	$(BIN)/casebot serve

## demo: the whole journey (intake, allocation, touchpoint, App Home) against an embedded fake Slack
demo: setup
	$(BIN)/casebot demo

## try: run the bot against a local fake Slack with example teams and a case, no workspace needed
try: setup
	$(BIN)/python -m bot.demo.try_out --port $(or $(PORT),3000)

## test: install, make sure PostgreSQL answers (only when the run uses it), run the whole suite
## on SQLite and PostgreSQL; CASEBOT_TEST_BACKENDS=sqlite runs SQLite alone. Bytecode is written
## (__pycache__, ignored by git) even where the shell sets PYTHONDONTWRITEBYTECODE: the suite
## starts Python processes by the hundred, and each would compile the project's modules again.
test: setup
	@case "$${CASEBOT_TEST_BACKENDS:-sqlite,postgresql}" in *postgresql*) bash scripts/ensure_postgres.sh ;; esac
	CASEBOT_TEST_REQUIRE_POSTGRES=1 PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal \
	  || { status=$$?; [ $$status -ne 5 ] || echo "make test: pytest collected no tests" >&2; exit $$status; }

## test-fast: the quick loop while editing: unit, Block Kit and storage tests on SQLite (seconds)
test-fast: setup
	CASEBOT_TEST_BACKENDS=sqlite $(BIN)/python -m pytest -q -m unit

## lint: ruff (lint and format), mypy, and the layer arrows of docs/architecture.md (import-linter)
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: the benchmark tables on SQLite and PostgreSQL (every figure beside a baseline measured
## in the same run), each ending with its goals; exits 1 when a goal is missed, after printing all.
## The outbox runs at Slack's real pace (a card a second a channel), so most of its minutes are
## waiting. `make bench QUICK=1` for a smoke-sized run. Further tables: benchmarks/home_build.py,
## benchmarks/interactions.py.
bench: setup
	@status=0; \
	$(BIN)/python benchmarks/run.py --postgres $(if $(QUICK),--quick) || status=1; \
	$(BIN)/python benchmarks/scale.py --postgres --no-rss $(if $(QUICK),--quick) || status=1; \
	$(BIN)/python benchmarks/outbox_throughput.py --postgres $(if $(QUICK),--per-channel 6) || status=1; \
	exit $$status

## lock: rewrite requirements.lock from a clean install of pyproject.toml's ranges
lock:
	rm -rf /tmp/casebot-lock && $(PYTHON) -m venv /tmp/casebot-lock
	PIP_DISABLE_PIP_VERSION_CHECK=1 /tmp/casebot-lock/bin/pip install --quiet --upgrade pip
	PIP_DISABLE_PIP_VERSION_CHECK=1 /tmp/casebot-lock/bin/pip install --quiet -e ".[test]"
	{ sed -n '/^#/p' requirements.lock; /tmp/casebot-lock/bin/pip freeze --all --exclude-editable | grep -v -E '^(setuptools|wheel)=='; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf /tmp/casebot-lock

clean:
	rm -rf $(VENV) casebot.db casebot.db-wal casebot.db-shm
