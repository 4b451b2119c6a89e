# Shortcuts for developers; the README's two commands work without make.
VENV ?= .venv
POSTGRES ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: install test test-postgres lint format db-check demo ci

install:
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -e '.[test]'

test: install
	$(VENV)/bin/pytest

test-postgres: install
	PRACTICE_TEST_POSTGRES=$(POSTGRES) $(VENV)/bin/pytest

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports && $(VENV)/bin/bandit -q -r practice --severity-level high

format:
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

db-check:
	PRACTICE_ENV=development $(VENV)/bin/practice db upgrade && PRACTICE_ENV=development $(VENV)/bin/practice db check

demo:
	$(VENV)/bin/practice demo

ci:
	bash .ci/run
