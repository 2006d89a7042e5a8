# One command to run the bot, one to run every test (README.md "Quick start").
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-test demo try bench clean

$(BIN)/casebot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(BIN)/casebot

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

## test: install, make sure PostgreSQL answers, run the whole suite on SQLite and PostgreSQL
test: setup
	bash scripts/ensure_postgres.sh
	CASEBOT_TEST_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q

## bench: print the benchmark tables (every figure beside a baseline measured in the same run)
bench: setup
	$(BIN)/python benchmarks/run.py --postgres
	$(BIN)/python benchmarks/home_build.py
	$(BIN)/python benchmarks/interactions.py --process
	$(BIN)/python benchmarks/outbox_throughput.py
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf $(VENV) casebot.db casebot.db-wal casebot.db-shm
