# Skeptic: `make demo` sets up and runs every study on its quick preset; `make test` runs the tests
# (slow ones included: every study's audit on its test preset); `make audit` audits every study (faults and 40 mutants).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
REPORT ?= skeptic-report
PRESET ?= quick

.PHONY: setup system-deps demo paper test audit lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# The CPU build of PyTorch (a local wheel); an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[mnist,inspect,dev,ray,scan]"
	# Microsoft's mup, the mup study's cross-check reference; --no-deps skips its torchvision requirement.
	$(PY) -m pip install --quiet --no-deps mup==1.0.0
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests need: headless Chromium renders the report as a reader sees it.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser tests will be skipped)"; fi; }

# The report, with the briefs printed to PDF where headless Chromium can run (else the HTML and Markdown alone).
demo: setup
	# Studies run side by side, one per core (a local process pool), each on one thread, longest first.
	$(VENV)/bin/skeptic run --all --preset $(PRESET) --executor local
	$(VENV)/bin/skeptic report --out $(REPORT) --pdf || $(VENV)/bin/skeptic report --out $(REPORT)

paper:
	$(MAKE) demo PRESET=paper

# pytest's own exit status fails the target, exit 5 (no tests collected) included (pytest-xdist keeps it).
# Tests run in TEST_WORKERS processes (pytest-xdist; 0 runs them in this one): the suite is ~22 CPU-minutes.
TEST_WORKERS ?= 2
test: setup system-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

# Every study's declared faults and a sample of 40 generated mutants of its own code, at its audit preset.
MUTANTS ?= 40
MUTANT_SEED ?= 0
audit: setup
	$(VENV)/bin/skeptic audit --all --mutants $(MUTANTS) --mutant-seed $(MUTANT_SEED)

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

bench: setup
	# devinterp is the LLC reference; its full install pulls transformers and more, and only its SGLD optimizer is used.
	$(PY) -m pip install --quiet --no-deps devinterp==2.0.1
	for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) skeptic-results $(REPORT)
