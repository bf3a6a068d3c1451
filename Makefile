# Midlands Defence Capability Map: set-up, data, app and tests.
# `make run` and `make test` are the two commands a newcomer needs; each sets up what it uses
# (`make run` the app's locked packages, `make test` the dev ones too).

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

DEV := $(VENV)/.dev-installed
UV := $(VENV)/bin/uv
# Both lock files are read with --require-hashes: every package, transitive ones included, is
# the exact release and file the lock names. pyproject.toml says what the project needs;
# `make lock` writes the locks from it. uv installs them (pip takes minutes where uv takes
# seconds from its cache); uv itself comes from the dev lock, installed by pip with its hashes.
UV_INSTALL = $(UV) pip install --quiet --compile-bytecode --python $(PY) --require-hashes --no-deps

.PHONY: setup dev run test test-fast lint lint-python lint-js format data assets browser bench \
	estates roads clean mutate lock

setup: $(VENV)/.installed $(ASSETS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(UV): requirements-dev.lock | $(VENV)/bin/python
	awk '/^uv==/ {keep = 1; print; next} /^[^ #]/ {keep = 0} keep' requirements-dev.lock \
	  > $(VENV)/uv-requirement.txt
	$(PY) -m pip install -q --require-hashes --no-deps -r $(VENV)/uv-requirement.txt
	touch $@

# The app's packages (requirements.lock); `make run` needs no more.
$(VENV)/.installed: requirements.lock | $(UV)
	$(UV_INSTALL) -r requirements.lock
	$(UV) pip check --quiet --python $(PY)
	touch $@

# Tests and tooling as well (requirements-dev.lock: the app's packages and the dev extra).
$(DEV): requirements-dev.lock $(VENV)/.installed
	$(UV_INSTALL) -r requirements-dev.lock
	$(UV) pip check --quiet --python $(PY)
	touch $@

dev: $(DEV) $(ASSETS)

# Rewrites both lock files from pyproject.toml, keeping every release already locked that
# still fits (add --upgrade-package NAME, or delete a lock, to move on). uv comes from the dev lock.
UV_COMPILE = $(UV) pip compile pyproject.toml --generate-hashes --universal \
	--python-version 3.11 --quiet
lock: $(DEV)
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock

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
$(POSTCODES): requirements.lock | $(VENV)/.installed
	$(PY) -m layers.postcodes build

data: $(BOUNDARIES) $(POSTCODES)

run: setup data
	$(PY) -m streamlit run app.py --server.port $(PORT)

lint: lint-python lint-js

lint-python: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The live map's JavaScript, with eslint from package.json (eslint.config.mjs).
lint-js: node_modules/.installed
	node_modules/.bin/eslint --max-warnings 0 .

format: $(DEV)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Debian's Chromium for the real-browser tests (installed when missing; needs root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Debian's chromium: run 'sudo apt-get install -y chromium'"; exit 1; fi; }

# The whole suite on every core (pytest-xdist; a test file's tests share one worker, and each
# worker starts one Chromium and one app server). The linters run beside it (mypy alone takes
# most of a minute on a fresh clone, single-threaded, while the browser tests mostly wait); their
# output follows the suite's, and either failing fails `make test`.
test: dev data browser node_modules/.installed
	@lint_log=$$(mktemp); \
	$(MAKE) --no-print-directory lint > "$$lint_log" 2>&1 & lint_pid=$$!; \
	$(PY) -m pytest -n auto --dist loadfile; tests=$$?; \
	wait $$lint_pid; linted=$$?; \
	echo "--- make lint (run beside the tests):"; cat "$$lint_log"; rm -f "$$lint_log"; \
	if [ $$linted -ne 0 ]; then echo "make lint failed (above)"; fi; \
	exit $$(( tests != 0 || linted != 0 ))

# The edit loop: every test that needs no browser, on every core.
test-fast: dev data
	$(PY) -m pytest -n auto --dist loadfile -m "not browser"

bench: dev data browser
	$(PY) -m benchmarks.run

# Mutation testing, on demand (never in CI or `make test`): mutmut mutates layers/filters.py,
# layers/corridor/, layers/sites/ and mapping/popups.py and runs the fast tests that reach
# each mutant (pyproject.toml [tool.mutmut]), two at a time, then prints the score by file.
# Results stay in mutants/: `.venv/bin/mutmut results` lists the survivors, `mutmut show NAME`
# shows one.
mutate: dev data
	@test -n "$(MIRROR)" || { echo "make mutate needs the ONS mirror: pass MIRROR=DIR"; exit 1; }
	rm -rf mutants && mkdir -p mutants/data/boundaries
	MIDLANDS_ONS_MIRROR=$(abspath $(MIRROR)) $(VENV)/bin/mutmut run --max-children 2 \
	  > mutants/run.log 2>&1 || { tail -n 40 mutants/run.log; exit 1; }
	$(PY) -m tests.support.mutation_score

clean:
	rm -rf $(VENV) node_modules static/vendor data/boundaries/raw data/boundaries/display \
	  data/boundaries/*.geojson data/boundaries/*.parquet $(BOUNDARIES) data/postcodes

# OpenStreetMap refreshes (need the internet): MOD estate footprints and the strategic roads.
estates: $(VENV)/.installed
	$(PY) -m layers.estates refresh

roads: $(VENV)/.installed
	$(PY) -m layers.corridor roads
