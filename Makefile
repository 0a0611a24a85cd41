# One virtualenv for everything: Pulumi.yaml points its Python runtime at the same .venv, so `pulumi up`
# and `make` run the same pinned packages.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The policy pack runs in its own virtualenv: pulumi-policy pins an older protobuf than the program's pulumi.
# policy/PulumiPolicy.yaml points the pack at ../.venv-policy, so the location is fixed here, not overridable.
POLICY_VENV := .venv-policy
POLICY_BIN := $(POLICY_VENV)/bin
POLICY_INSTALLED := $(POLICY_VENV)/.installed
# Every environment installs from a lock (`make lock` writes them from the *.in lists): every package pinned with its
# hashes, nothing resolved at install time. --no-deps installs exactly the lock; `pip check` then fails the install if
# the lock misses a dependency, instead of pip fetching its newest release.
PIP_LOCKED := -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
# The ingest job's Lambda archive (components/core/job.py: LAMBDA_ARCHIVE), rebuilt when its requirements, its
# builder or any source it packs changes. Reproducible: the same sources give the same bytes.
LAMBDA_ARCHIVE := build/lambda/ingest-job.zip
LAMBDA_SOURCES := components/__init__.py $(shell find components/core ingest -type f \( -name '*.py' -o -name '*.json' -o -name '*.sql' \) -not -path '*/__pycache__/*' -not -path 'ingest/sample/data/*')
# `make lock`: uv resolves each list; the program, tools and policy pack for every platform (markers), the Lambda
# archive for Lambda's own platform and Python (components/core/job.py: LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME).
# LOCK_UPGRADE raises pins that still fit: "--upgrade-package botocore", or "--upgrade" for all (uv keeps them otherwise).
LOCK_UPGRADE ?=
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 $(LOCK_UPGRADE)
LOCK_LAMBDA_PLATFORM := x86_64-manylinux2014

.PHONY: venv policy-venv lock lambda test test-fast test-policy lint demo openapi bench reliability reliability-load clean

venv: $(INSTALLED)

# The build tools first (airspeed-ext ships no wheel), then the dev lock built without isolation, so its build uses them.
$(INSTALLED): requirements-build.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP_LOCKED) -r requirements-build.txt
	$(BIN)/python $(PIP_LOCKED) --no-build-isolation -r requirements-dev.txt
	$(BIN)/python -m pip check
	touch $@

policy-venv: $(POLICY_INSTALLED)

$(POLICY_INSTALLED): policy/requirements.txt
	test -x $(POLICY_BIN)/python || $(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_BIN)/python $(PIP_LOCKED) -r policy/requirements.txt
	$(POLICY_BIN)/python -m pip check
	touch $@

# Regenerates every lock from its list, keeping the pins that still fit (uv prefers a lock's current versions; see
# LOCK_UPGRADE). tests/packaging/test_locks.py fails while a lock is stale or two locks disagree on a shared package.
lock: $(INSTALLED)
	$(LOCK) --universal requirements.in -o requirements.txt
	$(LOCK) --universal requirements-build.in -o requirements-build.txt
	$(LOCK) --universal requirements-dev.in -o requirements-dev.txt
	$(LOCK) --python-platform $(LOCK_LAMBDA_PLATFORM) --only-binary :all: requirements-lambda.in -o requirements-lambda.txt
	$(LOCK) --universal policy/requirements.in -o policy/requirements.txt

# The Lambda zip for `pulumi preview`/`up` and for tests/packaging (needs PyPI the first time, like the venv).
lambda: $(LAMBDA_ARCHIVE)

$(LAMBDA_ARCHIVE): $(INSTALLED) requirements-lambda.txt components/lambda_archive.py $(LAMBDA_SOURCES)
	$(BIN)/python -m components.lambda_archive --output $@

test: $(INSTALLED) $(POLICY_INSTALLED) $(LAMBDA_ARCHIVE)
	$(BIN)/python -m pytest
	$(POLICY_BIN)/python -m pytest policy/tests

test-fast: $(INSTALLED) $(POLICY_INSTALLED) $(LAMBDA_ARCHIVE)
	$(BIN)/python -m pytest -m "not e2e"
	$(POLICY_BIN)/python -m pytest -m "not e2e" policy/tests

test-policy: $(POLICY_INSTALLED)
	$(POLICY_BIN)/python -m pytest policy/tests

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The pipeline's path (publish, deliver, verify, query), then the cloud job's (planner, queue, workers, ledger).
demo: $(INSTALLED)
	$(BIN)/python -m ingest demo
	$(BIN)/python -m ingest demo --job

# The tracking endpoint's OpenAPI document, generated from its definition (tests/endpoint fails when it drifts).
openapi: $(INSTALLED)
	$(BIN)/python -m components.core.openapi docs/openapi.json

# Figures, not tests (~12 min on 2 cores), in the dev environment: moto's server and matplotlib are all it needs beyond
# the program's packages: prints the markdown tables of docs/performance.md, writes
# bench/results.json and bench/throughput.png.
# Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--only client-cost --big-file-gb 0.2".
bench: $(INSTALLED)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Bad inputs, injected faults, a 20,000-record load and the security checks (under a minute): prints the table of
# docs/reliability.md and writes reliability/results.json. For the table in docs/reliability.md:
# make reliability RELIABILITY_ARGS="--load-records 1000000".
reliability: $(INSTALLED)
	$(BIN)/python -m reliability $(RELIABILITY_ARGS)

# One million generated records through the local pipeline: timings and peak memory of publish and verify (~5 min).
reliability-load: $(INSTALLED)
	$(BIN)/python -m reliability load --records 1000000

clean:
	rm -rf $(VENV) $(POLICY_VENV) .pytest_cache build
