# Midlands Defence Capability Map: set-up, data, app and tests.
# `make run` and `make test` are the two commands a newcomer needs; each sets up what it uses.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The offline ONS mirror, used when it sits beside the project (development and CI);
# elsewhere the boundaries come from the ONS service.
MIRROR ?= $(firstword $(wildcard ../shared/data/ons))
# The offline Code-Point Open ZIP, likewise; elsewhere the postcodes come from the OS.
CODEPOINT ?= $(firstword $(wildcard ../shared/data/codepoint/codepo_gb.zip))
PORT ?= 8501
BOUNDARIES := data/boundaries/manifest.json
POSTCODES := data/postcodes/manifest.json
ASSETS := static/vendor/.installed

.PHONY: setup run test lint format data assets browser bench estates roads clean mutate

setup: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Leaflet and its plugins, copied from the npm packages to static/ (served by Streamlit).
$(ASSETS): node_modules/.installed $(VENV)/.installed mapping/assets.py
	$(PY) -m mapping.assets install

assets: $(ASSETS)

# Boundaries: downloaded from the ONS (or read from the mirror) and built, when missing.
$(BOUNDARIES): data/boundaries/hierarchy.csv | $(VENV)/.installed
	$(PY) -m layers.boundaries build $(if $(MIRROR),--mirror $(MIRROR))

# Postcodes: the ONS Postcode Directory index, built from its pinned PyPI package (no download;
# the app also builds it on first use). A newer OS edition: python -m layers.postcodes build
# --codepoint (downloads Code-Point Open), then MIDLANDS_POSTCODE_INDEX=<the file it prints>.
$(POSTCODES): requirements.txt | $(VENV)/.installed
	$(PY) -m layers.postcodes build

data: $(BOUNDARIES) $(POSTCODES)

run: setup data
	$(PY) -m streamlit run app.py --server.port $(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Debian's Chromium for the real-browser tests (installed when missing; needs root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Debian's chromium: run 'sudo apt-get install -y chromium'"; exit 1; fi; }

test: setup data browser lint
	$(PY) -m pytest

bench: setup data browser
	$(PY) -m benchmarks.run

# Mutation testing, on demand (never in CI or `make test`): mutmut mutates layers/filters.py,
# layers/corridor/, layers/sites.py and mapping/popups.py and runs the fast tests that reach
# each mutant (pyproject.toml [tool.mutmut]), two at a time, then prints the score by file.
# Results stay in mutants/: `.venv/bin/mutmut results` lists the survivors, `mutmut show NAME`
# shows one.
mutate: setup data
	@test -n "$(MIRROR)" || { echo "make mutate needs the ONS mirror: pass MIRROR=DIR"; exit 1; }
	rm -rf mutants && mkdir -p mutants/data/boundaries
	MIDLANDS_ONS_MIRROR=$(abspath $(MIRROR)) $(VENV)/bin/mutmut run --max-children 2 \
	  > mutants/run.log 2>&1 || { tail -n 40 mutants/run.log; exit 1; }
	$(PY) -m tests.mutation_score

clean:
	rm -rf $(VENV) node_modules static/vendor data/boundaries/raw data/boundaries/display \
	  data/boundaries/*.geojson data/boundaries/*.parquet $(BOUNDARIES) data/postcodes

# OpenStreetMap refreshes (need the internet): MOD estate footprints and the strategic roads.
estates: $(VENV)/.installed
	$(PY) -m layers.estates refresh

roads: $(VENV)/.installed
	$(PY) -m layers.corridor roads
