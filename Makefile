# Neighbourhood Profiles: the two commands a newcomer needs (see README.md).
#   make app    set up and run the app on the embedded data
#   make test   set up, lint, and run every test (unit, app, end-to-end in headless Chromium)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: app test lint setup setup-dev assets browser data bench clean workspace

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

setup: $(VENV)/.runtime assets
setup-dev: $(VENV)/.dev assets browser

# Leaflet for the offline map, copied from the xstatic-leaflet package (PyPI) into the git-ignored
# static/vendor/leaflet/ (app.py also does it at start). axe-core for the accessibility tests is
# read from the axe-playwright-python package: nothing to fetch, no npm.
assets: $(VENV)/.runtime
	$(BIN)/python -m lib.web.assets

# Debian's Chromium for the browser tests (as root, when missing); tests skip with a message otherwise.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is not installed and this is not root: browser tests will be skipped (sudo apt-get install chromium)."; fi; \
	fi

# The workspace database (saved local data): NP_DATABASE_URL, else the git-ignored SQLite file
# data/workspace/workspace.sqlite, created here (or its new migrations run) before the app starts.
workspace: $(VENV)/.runtime
	$(BIN)/python -m lib.workspace upgrade

app: setup workspace
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Lint: ruff's linter and formatter check, and the import-linter contracts (pyproject.toml).
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

test: setup-dev lint
	@$(BIN)/pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treat as a failure"; exit 1; fi; exit $$rc

# The benchmark suite (page-ready ratios, server CPU per interaction, map payload, 25 concurrent
# sessions, pipeline rebuild, the team deployment under load and failover): writes BENCHMARKS.md. Not part of
# `make test`; run on a quiet machine. Section 8 alone: .venv/bin/python -m bench.run --only deploy
bench: setup-dev
	$(BIN)/python -m bench.run --out BENCHMARKS.md

# Rebuild the embedded dataset from ../shared/data (or DATA=path).
data: $(VENV)/.runtime
	$(BIN)/python -m lib.pipeline $(if $(DATA),--data $(DATA),)

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
