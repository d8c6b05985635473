# Tunewise: `make run` serves the app, `make test` checks everything. Both set up what they need.
.DEFAULT_GOAL := help
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
export UV_PYTHON_DOWNLOADS := never

RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := $(RUN_DEBS) chromium
BENCH_DEBS := $(RUN_DEBS) wrk
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "please install these Debian packages as root:$$missing"; exit 1; fi; \
	fi
endef

.PHONY: help setup run-deps test-deps bench-deps run test lint typecheck unit parallel-lane serial-lane bench screenshots soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen
	@touch $@

# Where a machine sets PYTHONDONTWRITEBYTECODE (these do, and so does the image, whose install
# is compiled once at build), Python compiles every module it imports from source, every time:
# importing app.main took 5.5 s of CPU instead of 1.8 s, and the test suite starts a dozen
# servers, the render and upload fork servers, CLI runs and its xdist workers. Our commands
# let Python keep the bytecode it compiles (in .venv and in the ignored __pycache__ folders),
# so each module is compiled once, by the first process that imports it.
unexport PYTHONDONTWRITEBYTECODE

setup: .venv/.synced ## install the locked dependencies into .venv

run-deps: ## the system libraries WeasyPrint needs (Pango), from Debian, when missing
	$(call apt_install,$(RUN_DEBS))

test-deps: ## those, plus Debian's Chromium for the browser tests
	$(call apt_install,$(TEST_DEBS))

bench-deps: ## those, plus wrk for the throughput benchmark
	$(call apt_install,$(BENCH_DEBS))

run: setup run-deps ## serve the app at http://127.0.0.1:8000 (SQLite file in ./var by default)
	$(UV) run --frozen --no-sync python -m app serve --host 127.0.0.1 --port 8000

lint: setup ## ruff
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .

typecheck: setup ## mypy --strict
	$(UV) run --frozen --no-sync mypy

PYTEST_WORKERS ?= auto
unit: setup test-deps ## the pytest suite: a parallel lane over the cores, then the timed tests alone
	@$(MAKE) --no-print-directory parallel-lane
	@$(MAKE) --no-print-directory serial-lane

parallel-lane: setup test-deps
	$(UV) run --frozen --no-sync pytest -q -n $(PYTEST_WORKERS) --dist worksteal -m "not serial"

# The serial lane collects only the test files that spell out pytest.mark.serial: collecting
# every module costs about 9 s, these four about 2. tests/conftest.py stops any run where a test
# is marked serial some other way, so no test falls between the two lanes.
SERIAL_FILES = $(sort $(shell grep -rlE --include='test_*.py' 'pytest\.mark\.serial' tests))
serial-lane: setup test-deps
	$(UV) run --frozen --no-sync pytest -q -m serial $(SERIAL_FILES)

# The parallel lane waits on servers, browsers and render workers for about a third of its
# time; ruff and mypy run in that slack instead of before it. The timed tests run last, alone.
test: setup test-deps ## everything CI runs
	@$(MAKE) --no-print-directory -j3 lint typecheck parallel-lane
	@$(MAKE) --no-print-directory serial-lane

bench: setup bench-deps ## benchmarks, each as a ratio against a baseline measured in the same run
	$(UV) run --frozen --no-sync python -m benchmarks

screenshots: setup test-deps ## the results page at 1,280 and 390 px and PDF page 1 into docs/screenshots/
	$(call apt_install,poppler-utils)
	$(UV) run --frozen --no-sync python -m benchmarks.screenshots

soak: setup run-deps ## the 5-minute load test (wizard, API, PDFs): no 5xx, nothing lost, flat memory
	$(UV) run --frozen --no-sync python -m tests.load.run --duration 300 --users 8

clean: ## remove the virtual environment and caches
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache .hypothesis
