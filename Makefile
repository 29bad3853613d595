# Đồng Hành — the two set-up commands are `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint venv dev-venv browser-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev-venv: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

# Creates .venv, migrates the SQLite database, loads the units and the demo data once,
# prints the demo logins and serves http://127.0.0.1:$(PORT).
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_units
	DEBUG=1 $(BIN)/python manage.py seed_demo --once
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; against PostgreSQL when DATABASE_URL is set, SQLite otherwise. One worker
# per core (pytest-xdist); each worker has its own test database.
test: dev-venv
	$(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# axe-core for the accessibility scan comes from npm (package-lock.json); Chromium from apt.
browser-test: dev-venv node_modules/axe-core/axe.min.js
	$(BIN)/pip install --quiet -e ".[dev,browser]"
	$(BIN)/python -m pytest -q tests/browser -p no:randomly --override-ini addopts= \
		-p no:cacheprovider --strict-markers -m browser $(PYTEST_ARGS)

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) staticfiles node_modules
