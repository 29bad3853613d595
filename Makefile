# Đồng Hành — the two set-up commands are `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint venv dev-venv browser-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The dependencies, installed again only when pyproject.toml changes (so a second `make run`
# starts at once). A plain install, not an editable one: the project installs no package of its
# own (packages = [], the code runs from this folder), and setuptools warns about every
# editable install.
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.dev-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[dev]"
	touch $@

$(VENV)/.browser-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[dev,browser]"
	touch $@

venv: $(VENV)/.deps

dev-venv: $(VENV)/.dev-deps

# Creates .venv, migrates the SQLite database, loads the units and the demo data once,
# prints the demo logins and serves http://127.0.0.1:$(PORT). Django's development server, for
# trying and developing only (production: docs/deploy.md), so its own warning is not shown.
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_units
	DEBUG=1 $(BIN)/python manage.py seed_demo --once
	DEBUG=1 DJANGO_RUNSERVER_HIDE_WARNING=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; against PostgreSQL when DATABASE_URL is set, SQLite otherwise. One worker
# per core (pytest-xdist); each worker has its own test database.
test: dev-venv
	$(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# axe-core for the accessibility scan comes from npm (package-lock.json); Chromium from apt.
browser-test: $(VENV)/.browser-deps node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -q tests/browser -p no:randomly --override-ini addopts= \
		-p no:cacheprovider --strict-markers -m browser $(PYTEST_ARGS)

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) staticfiles node_modules
