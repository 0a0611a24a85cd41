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
BENCH_INSTALLED := $(VENV)/.installed-bench
# The ingest job's Lambda archive (components/core/job.py: LAMBDA_ARCHIVE), rebuilt when its requirements, its
# builder or any source it packs changes. Reproducible: the same sources give the same bytes.
LAMBDA_ARCHIVE := build/lambda/ingest-job.zip
LAMBDA_SOURCES := components/__init__.py $(shell find components/core ingest -type f \( -name '*.py' -o -name '*.json' -o -name '*.sql' \) -not -path '*/__pycache__/*' -not -path 'ingest/sample/data/*')

.PHONY: venv policy-venv lambda test test-fast test-policy lint demo openapi bench reliability reliability-load clean

venv: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

policy-venv: $(POLICY_INSTALLED)

$(POLICY_INSTALLED): policy/requirements.txt
	test -x $(POLICY_BIN)/python || $(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_BIN)/python -m pip install --quiet --disable-pip-version-check -r policy/requirements.txt
	touch $@

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

$(BENCH_INSTALLED): $(INSTALLED) requirements-bench.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

# Figures, not tests (~12 min on 2 cores): prints the markdown tables of docs/performance.md, writes
# bench/results.json and bench/throughput.png.
# Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--only client-cost --big-file-gb 0.2".
bench: $(BENCH_INSTALLED)
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
