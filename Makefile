# Vigil: `make demo` serves the demo on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PGBIN ?= /usr/lib/postgresql/15/bin
# `make demo` must serve within 3 minutes on 2 cores; `vigil demo-data` alone defaults to 2,000 cases.
DEMO_CASES ?= 150
DEMO_SEED ?= 2022
APT_GET := $(shell command -v apt-get 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint typecheck test-sqlite test-postgres test-browser system-deps clean help

help:
	@echo "make demo   set up and serve the demo on http://127.0.0.1:8000 (SQLite under var/)"
	@echo "make test   set up and run the whole suite (lint, types, SQLite, PostgreSQL, browser)"

# --- setup (idempotent) -------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements/dev.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BIN)/vigil: $(VENV)/.installed

install: $(VENV)/.installed node_modules/.installed $(BIN)/vigil
	@mkdir -p var

# Debian packages the tests need: PostgreSQL 15 for the second database run, chromium for
# the browser tests. Installed only when missing.
system-deps:
	@if [ ! -x $(PGBIN)/initdb ] || [ ! -x /usr/bin/chromium ]; then \
	  if [ -z "$(APT_GET)" ]; then echo "Need postgresql-15 and chromium (Debian packages)"; exit 2; fi; \
	  $(SUDO) apt-get update -qq; \
	  [ -x $(PGBIN)/initdb ] || $(SUDO) apt-get install -y -qq postgresql-15; \
	  [ -x /usr/bin/chromium ] || $(SUDO) apt-get install -y -qq chromium; \
	fi

# --- demo ---------------------------------------------------------------------------

demo: install
	$(BIN)/vigil migrate --no-input -v0
	$(BIN)/vigil demo-data --cases $(DEMO_CASES) --seed $(DEMO_SEED) --if-empty
	$(BIN)/vigil demo-logins
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' EXIT; \
	  $(BIN)/vigil db_worker --no-reload --queue-name default >var/worker.log 2>&1 & \
	  $(BIN)/vigil enqueue-escalation >/dev/null; \
	  $(BIN)/vigil runserver 127.0.0.1:8000 --noreload

# --- tests --------------------------------------------------------------------------

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy vigil config
	$(BIN)/mypy --strict vigil/policy

test-sqlite: install
	DATABASE_URL= DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -m "not browser and not postgres_only"

test-postgres: install system-deps
	DJANGO_SETTINGS_MODULE=config.settings.test scripts/with-postgres.sh $(BIN)/pytest -m "not browser"

test-browser: install system-deps
	DATABASE_URL= DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -m browser

test: install system-deps lint typecheck test-sqlite test-postgres test-browser
	@echo "All suites passed: lint, types, SQLite, PostgreSQL, browser."

clean:
	rm -rf $(VENV) node_modules var/test-artifacts
